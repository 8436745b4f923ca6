// Who is in a room now: how many members, the names of those who chose to be seen, and whether a moderator
// is on duty. Seeded from the room (GET /api/rooms/:slug, or the counts of GET /api/rooms) and told live by
// the socket's `presence` frame while the room is followed.
import type { Room, ServerFrame } from '@kindred/shared';

export type PresenceFrame = Extract<ServerFrame, { type: 'presence' }>;

export interface RoomPresence {
  hereNow: number;
  hereNames: string[];
  moderatorOnDuty: boolean;
}

const nobody: RoomPresence = Object.freeze({ hereNow: 0, hereNames: [], moderatorOnDuty: false }) as RoomPresence;

class Presence {
  #rooms = $state<Record<string, RoomPresence>>({});

  of(slug: string): RoomPresence {
    return this.#rooms[slug] ?? nobody;
  }

  /** From the API's rooms: the list carries counts only, so names already known are kept. */
  seed(rooms: Room[]): void {
    for (const room of rooms) {
      if (room.hereNow === undefined) continue;
      this.#rooms[room.slug] = {
        hereNow: room.hereNow,
        hereNames: room.hereNames ?? this.#rooms[room.slug]?.hereNames ?? [],
        moderatorOnDuty: room.moderatorOnDuty ?? false,
      };
    }
  }

  apply(frame: PresenceFrame): void {
    this.#rooms[frame.room] = {
      hereNow: frame.hereNow,
      hereNames: frame.hereNames,
      moderatorOnDuty: frame.moderatorOnDuty,
    };
  }

  clear(): void {
    this.#rooms = {};
  }
}

export const presence = new Presence();
