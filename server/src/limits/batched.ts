// A limit shared by every instance but not paid for on every hit: the general ceiling on requests, and chat
// messages per member. Counting each request in the database is one commit a request: measured here, that
// doubled the time of a light GET (+4 to 9 ms on PostgreSQL and PGlite, on a busy machine). So each
// instance counts a subject's hits itself and adds them to the shared count in batches (by default 1/60 of
// the limit: 10 of 600): one write per batch, and a burst spread over N instances gets past the limit by at
// most N batches. A subject the shared count refuses is refused here, without asking again, until its
// window ends.
import { ApiError } from '../errors.ts';
import type { Limit, LimitCounters } from './counters.ts';

export class BatchedLimit {
  readonly #batch: number;
  /** Requests counted here and not yet in the database, by subject. */
  #pending = new Map<string, number>();
  /** Subjects refused by the shared count, and until when (ms). */
  #refused = new Map<string, number>();
  #forgetAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limits: LimitCounters,
    private readonly limit: Limit,
    /** Hits counted here before they are added to the shared count; at least one. */
    batch = Math.floor(limit.max / 60),
  ) {
    this.#batch = Math.max(1, batch);
  }

  /** Counts one hit of `subject`; throws `rate_limited` (with Retry-After) when it is over the limit. */
  async take(subject: string, now: Date): Promise<void> {
    const at = now.getTime();
    // Once a window, what is held here is dropped, so neither map outgrows the subjects of one window. A
    // subject loses at most one unsent batch to it.
    if (at >= this.#forgetAt) {
      this.#pending.clear();
      this.#refused.clear();
      this.#forgetAt = at + this.limit.windowMs;
    }
    const refusedUntil = this.#refused.get(subject);
    if (refusedUntil !== undefined && refusedUntil > at) throw this.#refusal(refusedUntil - at);
    const pending = (this.#pending.get(subject) ?? 0) + 1;
    if (pending < this.#batch) {
      this.#pending.set(subject, pending);
      return;
    }
    this.#pending.delete(subject);
    const wait = await this.limits.hit(this.limit, subject, now, pending);
    if (wait > 0) {
      this.#refused.set(subject, at + wait * 1000);
      throw this.#refusal(wait * 1000);
    }
    this.#refused.delete(subject);
  }

  #refusal(waitMs: number): ApiError {
    return new ApiError('rate_limited', this.limit.message, undefined, Math.max(1, Math.ceil(waitMs / 1000)));
  }
}
