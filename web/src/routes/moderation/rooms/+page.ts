import type { Room } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';

// Fetched afresh on each visit: slow mode, pauses and who is on duty change while a moderator is away.
export async function load({ parent }) {
  const { moderator } = await parent();
  if (!moderator) return { rooms: [] };
  const { rooms } = await loadFromApi<{ rooms: Room[] }>('/api/rooms');
  return { rooms: rooms.filter((room) => room.myRole === 'moderator') };
}
