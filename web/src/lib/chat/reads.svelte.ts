// The member's place in each room they joined and how many messages wait there, for /rooms, the page title
// and the room's "New since you left". Seeded from GET /api/rooms (or one room), moved by `markRead` (the
// PUT, at most one request per room every MIN_GAP_MS, carrying the furthest seq asked for meanwhile), and
// told live by the socket: a `read` frame when the member read on another tab or device, and each new
// message in a followed room that is not theirs.
import type { Message, Room, ServerFrame } from '@kindred/shared';
import { api } from '$lib/api';

export type ReadFrame = Extract<ServerFrame, { type: 'read' }>;

interface Place {
  readSeq: number | null;
  unread: number;
}

/** The most often one room's place is sent to the server; reading faster than this is gathered into one. */
export const MIN_GAP_MS = 2_000;

class Reads {
  #places = $state<Record<string, Place>>({});
  /** Per room: the furthest seq asked for and not yet sent, and when the last PUT went. */
  #pending: Record<string, { seq: number; timer?: ReturnType<typeof setTimeout>; lastSent: number }> = {};

  unreadOf(slug: string): number {
    return this.#places[slug]?.unread ?? 0;
  }

  readSeqOf(slug: string): number | null {
    return this.#places[slug]?.readSeq ?? null;
  }

  /** Unread over every joined room known here: what the page title carries. */
  get total(): number {
    return Object.values(this.#places).reduce((sum, place) => sum + place.unread, 0);
  }

  /** Takes the places of joined rooms from the API's answer (GET /api/rooms, or one room's). */
  seed(rooms: Room[]): void {
    for (const room of rooms) {
      if (!room.joined || room.unread === undefined) continue;
      this.#places[room.slug] = { readSeq: room.readSeq ?? null, unread: room.unread };
    }
  }

  /** Keeps the member's place at `seq` (the last seq on screen); sent at once, or gathered with the next. */
  markRead(slug: string, seq: number): void {
    const known = this.readSeqOf(slug);
    const pending = (this.#pending[slug] ??= { seq: -1, lastSent: -Infinity });
    if (seq <= Math.max(known ?? -1, pending.seq)) return;
    pending.seq = seq;
    if (pending.timer) return;
    const wait = Math.max(0, pending.lastSent + MIN_GAP_MS - Date.now());
    pending.timer = setTimeout(() => void this.#send(slug), wait);
  }

  async #send(slug: string): Promise<void> {
    const pending = this.#pending[slug];
    if (!pending) return;
    pending.timer = undefined;
    const seq = pending.seq;
    pending.lastSent = Date.now();
    try {
      const answer = await api.put<{ readSeq: number; unread: number }>(`/api/rooms/${encodeURIComponent(slug)}/read`, {
        seq,
      });
      this.#take(slug, answer.readSeq, answer.unread);
    } catch {
      // Offline or refused: the place stays where it was; the next markRead tries again.
      pending.seq = Math.min(pending.seq, this.readSeqOf(slug) ?? -1);
      return;
    }
    if (pending.seq <= (this.readSeqOf(slug) ?? -1)) pending.seq = -1;
  }

  /** The socket's `read` frame: this member read on another screen (or this one). */
  apply(frame: ReadFrame): void {
    this.#take(frame.room, frame.readSeq, frame.unread);
  }

  /**
   * A new message arrived in a followed room: one more unread, unless it is the member's own, was already
   * read, or is one the unread count leaves out.
   */
  noteCreated(slug: string, message: Message, myId: string | undefined): void {
    const place = this.#places[slug];
    if (!place) return;
    if (message.author === null || message.author.id === myId) return;
    if (message.deleted || message.hidden || message.authorBlocked) return;
    if (place.readSeq !== null && message.seq <= place.readSeq) return;
    place.unread += 1;
  }

  #take(slug: string, readSeq: number, unread: number): void {
    const place = this.#places[slug];
    // An answer older than what is known (two screens reading at once) changes nothing.
    if (place && place.readSeq !== null && readSeq < place.readSeq) return;
    this.#places[slug] = { readSeq, unread };
  }

  /** Signed out: nothing to show. */
  clear(): void {
    for (const pending of Object.values(this.#pending)) clearTimeout(pending.timer);
    this.#pending = {};
    this.#places = {};
  }
}

export const reads = new Reads();
