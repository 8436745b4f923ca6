// Sign-in attempts per username, on top of the per-address limit on the route: it slows down guessing one
// member's password from many addresses. The count lives in the database (`login_attempts`), so it holds
// across every server instance, and an attempt is counted before its password is checked, so guesses sent
// all at once cannot slip past the limit while the first ones are being checked. A success clears the
// count, and the window is short, so nobody can keep a real member locked out for long. Each instance
// judges a window's end by its own clock: instances are expected to keep time together (NTP).
import { createHash } from 'node:crypto';
import { schema, type Database } from '@kindred/db';
import { eq, lte, sql } from 'drizzle-orm';

const { loginAttempts } = schema;

/** How often, at most, an attempt also deletes the rows of windows that have ended. */
const SWEEP_EVERY_MS = 60_000;

export class LoginThrottle {
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Database,
    private readonly limit: number,
    private readonly windowMs: number,
    /** A failed sweep is reported here; it never fails the sign-in that ran it. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Counts one attempt to sign in as `username` (normalized). Returns the seconds until it may try again when
   * this attempt is over the limit (it must then be refused), else 0.
   */
  async attempt(username: string, now: Date): Promise<number> {
    const resetAt = new Date(now.getTime() + this.windowMs);
    // One statement, so concurrent attempts on any instance each see their own count. A window that has
    // ended starts again from this attempt.
    const ended = sql`${loginAttempts.resetAt} <= ${now.toISOString()}::timestamptz`;
    const [row] = await this.db
      .insert(loginAttempts)
      .values({ usernameHash: keyOf(username), attempts: 1, resetAt })
      .onConflictDoUpdate({
        target: loginAttempts.usernameHash,
        set: {
          attempts: sql`CASE WHEN ${ended} THEN 1 ELSE ${loginAttempts.attempts} + 1 END`,
          resetAt: sql`CASE WHEN ${ended} THEN excluded.reset_at ELSE ${loginAttempts.resetAt} END`,
        },
      })
      .returning({ attempts: loginAttempts.attempts, resetAt: loginAttempts.resetAt });
    if (now.getTime() - this.#lastSweep >= SWEEP_EVERY_MS) await this.sweep(now);
    if (!row || row.attempts <= this.limit) return 0;
    return Math.max(1, Math.ceil((row.resetAt.getTime() - now.getTime()) / 1000));
  }

  /** The right password: the attempts so far no longer count. */
  async succeeded(username: string): Promise<void> {
    await this.db.delete(loginAttempts).where(eq(loginAttempts.usernameHash, keyOf(username)));
  }

  /**
   * Deletes the rows of ended windows: run by an attempt at most once a minute, and by the app every hour,
   * so the table stays small and a name's hash is not kept past its window for long.
   */
  async sweep(now: Date): Promise<void> {
    this.#lastSweep = now.getTime();
    try {
      await this.db.delete(loginAttempts).where(lte(loginAttempts.resetAt, now));
    } catch (error) {
      this.onError(error);
    }
  }
}

function keyOf(username: string): Uint8Array {
  return createHash('sha256').update(username, 'utf8').digest();
}
