import type { Filters } from '@kindred/shared';
import { redirect } from '@sveltejs/kit';
import { loadFromApi } from '$lib/page-data';
import { session } from '$lib/session.svelte';

export async function load({ parent, url }) {
  await parent();
  if (!session.user) redirect(307, `/signin?next=${encodeURIComponent(url.pathname)}`);
  return { filters: await loadFromApi<Filters>('/api/me/filters') };
}
