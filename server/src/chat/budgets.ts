// What one member may ask of the chat gateway: writes a minute on this instance (the same limit is also
// counted across instances, in limits/), subscribes (each may replay up to MAX_REPLAY events) per socket and
// per member, how fast their replays go, and how many sockets they may hold open on an instance. Sized so a
// real client is never refused: a phone that comes back online resubscribes to every room it has open, a few
// dozen at most, each time it reconnects.
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
const SUBSCRIBE_REFILL_PER_MS = 1 / 1_000;

/**
 * Events one member's replays may send at once on an instance, and how fast that comes back (per ms): a
 * phone resuming 40 rooms with 125 missed events each goes at once; a member replaying over and over gets
 * 1,000 events a second (a full replay a second, about twice what a room at 500 messages a second prepares),
 * so their share of the server stays small.
 */
export const REPLAY_EVENTS_AT_ONCE = 5_000;
const REPLAY_EVENTS_PER_MS = 1;

/** An allowance that refills continuously, up to what it holds when full. */
export class Allowance {
  #tokens: number;
  #at: number;

  constructor(
    private readonly full: number,
    private readonly perMs: number,
    now: number,
  ) {
    this.#tokens = full;
    this.#at = now;
  }

  /** Spends `n` if there is that much: 0, else the whole seconds until there will be (nothing spent). */
  take(n: number, now: number): number {
    this.#refill(now);
    if (this.#tokens >= n) {
      this.#tokens -= n;
      return 0;
    }
    return Math.max(1, Math.ceil((n - this.#tokens) / this.perMs / 1000));
  }

  /** Spends `n` whatever is left, as a debt paid off over time: the milliseconds to wait before using it. */
  reserve(n: number, now: number): number {
    this.#refill(now);
    this.#tokens -= n;
    return this.#tokens >= 0 ? 0 : Math.ceil(-this.#tokens / this.perMs);
  }

  isFull(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.full;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.full, this.#tokens + (now - this.#at) * this.perMs);
    this.#at = now;
  }
}

/**
 * One socket's allowance of subscribes. Checked before anything else, in memory, so a flood from one
 * socket is refused without a database round trip per frame.
 */
export const subscribeAllowance = (now: number) => new Allowance(SUBSCRIBES_AT_ONCE, SUBSCRIBE_REFILL_PER_MS, now);

/**
 * `counts` frames one socket may send at once, then one every 10 s: a tab asks once when it opens and once
 * after each reconnect; the answer comes from memory while the member's counts are known here.
 */
export const COUNTS_AT_ONCE = 5;
export const countsAllowance = (now: number) => new Allowance(COUNTS_AT_ONCE, 1 / 10_000, now);

/** One member's allowance of replayed events on this instance, shared by all their sockets here. */
export const replayAllowance = (now: number) => new Allowance(REPLAY_EVENTS_AT_ONCE, REPLAY_EVENTS_PER_MS, now);

/** A per-member allowance of writes, refilled continuously: a flood is refused without slowing anyone else. */
export class SendAllowance {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly perMinute: number) {}

  /** 0 when allowed (and spent), else seconds to wait. */
  take(userId: string, now: number): number {
    const bucket = this.#buckets.get(userId) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000);
    bucket.at = now;
    this.#buckets.set(userId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) * 60_000) / this.perMinute / 1000);
  }

  forget(userId: string): void {
    this.#buckets.delete(userId);
  }
}
