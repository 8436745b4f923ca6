import type { StorySummary } from '@kindred/shared';
import { redirect } from '@sveltejs/kit';
import { loadFromApi } from '$lib/page-data';
import { session } from '$lib/session.svelte';

export async function load({ parent, url }) {
  await parent();
  if (!session.user) redirect(307, `/signin?next=${encodeURIComponent(url.pathname)}`);
  return loadFromApi<{ stories: StorySummary[]; nextCursor: string | null }>('/api/stories?mine=true');
}
