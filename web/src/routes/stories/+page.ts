import type { StorySummary } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';
import { isStoryTag } from '$lib/story-words';

export async function load({ url }) {
  const tag = url.searchParams.get('tag') ?? '';
  const q = (url.searchParams.get('q') ?? '').trim().slice(0, 200);
  // Only what the API accepts is passed on: an old link with a theme that's gone shows every story.
  const query = new URLSearchParams();
  if (isStoryTag(tag)) query.set('tag', tag);
  if (q) query.set('q', q);
  const answer = await loadFromApi<{ stories: StorySummary[]; nextCursor: string | null }>(`/api/stories?${query}`);
  return { ...answer, tag: isStoryTag(tag) ? tag : null, q, query: query.toString() };
}
