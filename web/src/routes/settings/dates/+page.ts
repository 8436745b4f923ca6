import { redirect } from '@sveltejs/kit';
import type { HardDate } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';
import { session } from '$lib/session.svelte';

export async function load({ parent, url }) {
  await parent();
  if (!session.user) redirect(307, `/signin?next=${encodeURIComponent(url.pathname)}`);
  return { dates: (await loadFromApi<{ dates: HardDate[] }>('/api/me/dates')).dates };
}
