// What one member may ask of the chat gateway besides writing (writes have their own allowance): how many
// subscribes (each may replay up to MAX_REPLAY events) per socket and per member, and how many sockets a
// member may hold open on an instance. Sized so a real client is never refused: a phone that comes back
// online resubscribes to every room it has open, a few dozen at most, each time it reconnects.
import type { Limit } from '../limits/counters.ts';

/** Subscribes one socket may send at once: a reconnect resubscribing to 60 rooms is never refused. */
export const SUBSCRIBES_AT_ONCE = 60;

/** The member's subscribes over all their sockets and every instance (counted in the database). */
export const SUBSCRIBE_LIMIT: Limit = {
  name: 'chat-subscribe',
  // Four full reconnects of a 60-room socket in a minute; a flood is 4 replays a second at most.
  max: 240,
  windowMs: 60_000,
  message: 'Rooms were opened very many times in a short while, so this one waits a moment before it opens again.',
};

/** Sockets one member may keep open on an instance: many tabs and devices, never thousands. */
export const MAX_SOCKETS_PER_MEMBER = 20;

/** A socket's subscribe allowance comes back one every this long (60 a minute, after the first 60). */
const SUBSCRIBE_REFILL_MS = 1_000;

/**
 * One socket's allowance of subscribes, refilled continuously. Checked before anything else, in memory, so a
 * flood from one socket is refused without a database round trip per frame.
 */
export class SubscribeAllowance {
  #tokens = SUBSCRIBES_AT_ONCE;
  #at: number;

  constructor(now: number) {
    this.#at = now;
  }

  /** 0 when allowed (and spent), else whole seconds to wait. */
  take(now: number): number {
    this.#tokens = Math.min(SUBSCRIBES_AT_ONCE, this.#tokens + (now - this.#at) / SUBSCRIBE_REFILL_MS);
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) * SUBSCRIBE_REFILL_MS) / 1000);
  }
}
