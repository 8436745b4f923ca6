import type { Reply, Story } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';

export async function load({ params }) {
  return loadFromApi<{ story: Story; replies: Reply[] }>(`/api/stories/${encodeURIComponent(params.id)}`);
}
