import type { Filters, NoticeSettings } from '@kindred/shared';
import type { BlockedMember } from './BlockedList.svelte';
import { redirect } from '@sveltejs/kit';
import { loadFromApi } from '$lib/page-data';
import { session } from '$lib/session.svelte';

export async function load({ parent, url }) {
  await parent();
  if (!session.user) redirect(307, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const [filters, blocks, noticeSettings] = await Promise.all([
    loadFromApi<Filters>('/api/me/filters'),
    loadFromApi<{ blocks: BlockedMember[] }>('/api/me/blocks'),
    loadFromApi<NoticeSettings>('/api/me/notice-settings'),
  ]);
  return { filters, blocks: blocks.blocks, noticeSettings };
}
