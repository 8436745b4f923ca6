// Who may see the moderation pages: admins, a room's volunteer moderators, and story moderators. The
// session can't say who moderates, so the rooms list tells for rooms, and the queue's own answer tells
// for the rest (a refusal means: not a moderator). The server refuses everyone else in any case.
import type { Room } from '@kindred/shared';
import { redirect } from '@sveltejs/kit';
import { api, ApiError } from '$lib/api';
import { loadFromApi } from '$lib/page-data';
import { session } from '$lib/session.svelte';

export async function load({ parent, url }) {
  await parent();
  if (!session.user) redirect(307, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const { rooms } = await loadFromApi<{ rooms: Room[] }>('/api/rooms');
  const moderated = rooms.filter((room) => room.myRole === 'moderator');
  const moderator = session.user.isAdmin || moderated.length > 0 || (await mayReadQueue());
  return { moderator, rooms, moderated, staffRoom: moderator ? await staffRoom() : null };
}

/** The private moderators' room, when there is one (it is made with the first moderator). */
async function staffRoom(): Promise<Room | null> {
  try {
    return (await api.get<{ room: Room }>('/api/moderation/staff-room')).room;
  } catch (reason) {
    if (reason instanceof ApiError && reason.code === 'not_found') return null;
    throw reason;
  }
}

async function mayReadQueue(): Promise<boolean> {
  try {
    await api.get('/api/moderation/queue');
    return true;
  } catch (reason) {
    if (reason instanceof ApiError && reason.code === 'forbidden') return false;
    throw reason;
  }
}
