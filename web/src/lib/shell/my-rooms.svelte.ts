// The rooms the signed-in member has joined, for the rooms sidebar and the home page: asked for when
// someone signs in and again after each navigation (joining or leaving a room happens on a page), quietly,
// since a failure here must never stop a page from drawing. Each answer seeds the reads store (unread
// counts), which the socket keeps live from then on.
import type { Room } from '@kindred/shared';
import { api } from '$lib/api';
import { reads } from '$lib/chat/reads.svelte';

class MyRooms {
  rooms = $state<Room[]>([]);
  /** False until the first answer, so a page can say "loading" rather than "no rooms yet". */
  loaded = $state(false);
  #asked = 0;

  async refresh(): Promise<void> {
    const asked = ++this.#asked;
    try {
      const { rooms } = await api.get<{ rooms: Room[] }>('/api/rooms');
      if (asked !== this.#asked) return;
      reads.seed(rooms);
      this.rooms = rooms.filter((room) => room.joined && !room.archived);
      this.loaded = true;
    } catch {
      // Offline or signed out elsewhere: keep what we had; the next navigation asks again.
    }
  }

  clear(): void {
    this.#asked += 1;
    this.rooms = [];
    this.loaded = false;
  }
}

export const myRooms = new MyRooms();
