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
  return { moderator: session.user.isAdmin || moderated.length > 0 || (await mayReadQueue()), rooms, moderated };
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
