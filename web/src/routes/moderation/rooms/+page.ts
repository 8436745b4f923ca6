import type { Room, RoomSanctions } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';

// Fetched afresh on each visit: slow mode, pauses, who is on duty and who is muted change while a moderator
// is away.
export async function load({ parent }) {
  const { moderator } = await parent();
  if (!moderator) return { rooms: [], sanctions: {} };
  const { rooms } = await loadFromApi<{ rooms: Room[] }>('/api/rooms');
  const mine = rooms.filter((room) => room.myRole === 'moderator');
  const sanctions = await Promise.all(
    mine.map((room) => loadFromApi<RoomSanctions>(`/api/moderation/rooms/${encodeURIComponent(room.slug)}/sanctions`)),
  );
  return { rooms: mine, sanctions: Object.fromEntries(mine.map((room, i) => [room.slug, sanctions[i]!])) };
}
