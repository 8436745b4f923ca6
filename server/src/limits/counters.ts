// Limits that hold across every server instance. Each hit is counted in the database
// (`rate_limit_counters`) by the one statement that also decides, so a burst sent at once to several
// instances is counted once per request and none slips past while earlier ones are still being handled.
// A row is keyed by a SHA-256 of the limit's name and its subject (a member id, an address, a username), so
// no subject is stored in the clear; rows of ended windows are swept. Each instance judges a window's end by
// its own clock: instances are expected to keep time together (NTP).
import { createHash } from 'node:crypto';
import { schema, type Database } from '@kindred/db';
import { eq, lte, sql } from 'drizzle-orm';
import { ApiError } from '../errors.ts';

const { rateLimitCounters } = schema;

/** How often, at most, a hit also deletes the rows of windows that have ended. */
const SWEEP_EVERY_MS = 60_000;

/** One limit: at most `max` hits per subject in a window of `windowMs`, starting at the first hit. */
export interface Limit {
  /** Names the limit in its key; two limits never share a name. */
  name: string;
  max: number;
  windowMs: number;
  /** What the member reads when they are over it: what happened, in their words. */
  message: string;
}

export class LimitCounters {
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Database,
    /** A failed sweep is reported here; it never fails the request that ran it. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Counts `weight` hits (one, unless a caller counted several itself) of `limit` for `subject`. Returns the
   * seconds until the subject may try again when the count is over the limit (it must then be refused),
   * else 0. A window that has ended starts again here.
   */
  async hit(limit: Limit, subject: string, now: Date, weight = 1): Promise<number> {
    const resetAt = new Date(now.getTime() + limit.windowMs);
    const ended = sql`${rateLimitCounters.resetAt} <= ${now.toISOString()}::timestamptz`;
    const [row] = await this.db
      .insert(rateLimitCounters)
      .values({ key: keyOf(limit, subject), hits: weight, resetAt })
      .onConflictDoUpdate({
        target: rateLimitCounters.key,
        set: {
          hits: sql`CASE WHEN ${ended} THEN ${weight}::integer ELSE ${rateLimitCounters.hits} + ${weight}::integer END`,
          resetAt: sql`CASE WHEN ${ended} THEN excluded.reset_at ELSE ${rateLimitCounters.resetAt} END`,
        },
      })
      .returning({ hits: rateLimitCounters.hits, resetAt: rateLimitCounters.resetAt });
    if (now.getTime() - this.#lastSweep >= SWEEP_EVERY_MS) await this.sweep(now);
    if (!row || row.hits <= limit.max) return 0;
    return Math.max(1, Math.ceil((row.resetAt.getTime() - now.getTime()) / 1000));
  }

  /** Counts one hit and throws `rate_limited` (with Retry-After) when it is over the limit. */
  async take(limit: Limit, subject: string, now: Date): Promise<void> {
    const wait = await this.hit(limit, subject, now);
    if (wait > 0) throw new ApiError('rate_limited', limit.message, undefined, wait);
  }

  /** Forgets the subject's hits, as a right password does for the sign-in attempts before it. */
  async clear(limit: Limit, subject: string): Promise<void> {
    await this.db.delete(rateLimitCounters).where(eq(rateLimitCounters.key, keyOf(limit, subject)));
  }

  /**
   * Deletes the rows of ended windows: run by a hit at most once a minute, and by the app every hour, so the
   * table stays small and a subject's hash is not kept past its window for long.
   */
  async sweep(now: Date): Promise<void> {
    this.#lastSweep = now.getTime();
    try {
      await this.db.delete(rateLimitCounters).where(lte(rateLimitCounters.resetAt, now));
    } catch (error) {
      this.onError(error);
    }
  }
}

/** The stored key of a limit's subject: the SHA-256 of its name and the subject, never either in the clear. */
export function keyOf(limit: Pick<Limit, 'name'>, subject: string): Uint8Array {
  return createHash('sha256').update(`${limit.name}\u0000${subject}`, 'utf8').digest();
}
