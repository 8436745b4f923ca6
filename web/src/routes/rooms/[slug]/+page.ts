import type { Room } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';

export async function load({ params }) {
  return { room: (await loadFromApi<{ room: Room }>(`/api/rooms/${encodeURIComponent(params.slug)}`)).room };
}
