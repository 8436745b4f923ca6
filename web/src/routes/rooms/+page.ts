import type { Room } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';

export async function load() {
  return { rooms: (await loadFromApi<{ rooms: Room[] }>('/api/rooms')).rooms };
}
