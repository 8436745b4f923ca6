import type { MyMonth } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';

// Fetched on each visit: the counts grow through the month.
export async function load({ parent }) {
  const { moderator } = await parent();
  if (!moderator) return { month: null };
  return { month: await loadFromApi<MyMonth>('/api/moderation/me/month') };
}
