import type { StorySummary } from '@kindred/shared';
import { api } from '$lib/api';
import { loadFromApi } from '$lib/page-data';
import { isStoryTag } from '$lib/story-words';
import { session } from '$lib/session.svelte';

export async function load({ parent, url }) {
  const tag = url.searchParams.get('tag') ?? '';
  const q = (url.searchParams.get('q') ?? '').trim().slice(0, 200);
  // Only what the API accepts is passed on: an old link with a theme that's gone shows every story.
  const query = new URLSearchParams();
  if (isStoryTag(tag)) query.set('tag', tag);
  if (q) query.set('q', q);
  const answer = await loadFromApi<{ stories: StorySummary[]; nextCursor: string | null }>(`/api/stories?${query}`);
  return {
    ...answer,
    tag: isStoryTag(tag) ? tag : null,
    q,
    query: query.toString(),
    waiting: query.size === 0 && answer.stories.length === 0 ? await waitingStories(parent) : 0,
  };
}

/**
 * How many of the member's own stories wait for a moderator: asked only when no story is shared yet, so a
 * new member whose first story waits is told so, rather than that no one has shared one.
 */
async function waitingStories(parent: () => Promise<unknown>): Promise<number> {
  await parent();
  if (!session.user) return 0;
  try {
    const { stories } = await api.get<{ stories: StorySummary[] }>('/api/stories?mine=true');
    return stories.filter((story) => story.status === 'pending').length;
  } catch {
    // Only a kinder sentence depends on it: the list itself still shows.
    return 0;
  }
}
