import { redirect } from '@sveltejs/kit';
import type { JournalEntry } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';
import { session } from '$lib/session.svelte';

export async function load({ parent, url }) {
  await parent();
  if (!session.user) redirect(307, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const [prompts, journal] = await Promise.all([
    loadFromApi<{ prompts: string[]; today: string }>('/api/journal/prompts'),
    loadFromApi<{ entries: JournalEntry[] }>('/api/journal'),
  ]);
  return { prompts, entries: journal.entries };
}
