import type { Room } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';
import { forAdmins } from './admin-only';

export async function load({ parent }) {
  return {
    rooms: await forAdmins(parent, async () => (await loadFromApi<{ rooms: Room[] }>('/api/rooms')).rooms),
  };
}
