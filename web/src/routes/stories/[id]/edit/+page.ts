import type { Story } from '@kindred/shared';
import { error, redirect } from '@sveltejs/kit';
import { loadFromApi } from '$lib/page-data';
import { session } from '$lib/session.svelte';

export async function load({ params, parent, url }) {
  await parent();
  if (!session.user) redirect(307, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const { story } = await loadFromApi<{ story: Story }>(`/api/stories/${encodeURIComponent(params.id)}`);
  // Only the author is sent the words as written, and only the author may change them.
  if (!story.mine || story.body === undefined) error(404, 'Only the person who wrote a story can change it.');
  return { story };
}
