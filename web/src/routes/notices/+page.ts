import { redirect } from '@sveltejs/kit';
import { noticeInbox, type Notice } from '$lib/moderation/notices.svelte';
import { loadFromApi } from '$lib/page-data';
import { session } from '$lib/session.svelte';

export async function load({ parent, url }) {
  await parent();
  if (!session.user) redirect(307, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const { notices } = await loadFromApi<{ notices: Notice[] }>('/api/me/notices');
  noticeInbox.countUnread(notices);
  return { notices };
}
