import type { QueueItem } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';

export async function load({ parent }) {
  const { moderator } = await parent();
  if (!moderator) return { queue: [] };
  return { queue: (await loadFromApi<{ items: QueueItem[] }>('/api/moderation/queue')).items };
}
