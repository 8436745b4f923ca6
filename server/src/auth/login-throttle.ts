// Failed sign-ins per username, on top of the per-address limit on the route: it slows down guessing
// one member's password from many addresses. Only failures count and a success clears them, and the
// window is short, so nobody can keep a real member locked out for long.
export class LoginThrottle {
  readonly #failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxTracked = 50_000,
  ) {}

  /** Seconds until `username` may try again, or 0 when it may try now. */
  retryAfter(username: string, now: number): number {
    const entry = this.#failures.get(username);
    if (!entry || entry.resetAt <= now) return 0;
    return entry.count >= this.limit ? Math.ceil((entry.resetAt - now) / 1000) : 0;
  }

  recordFailure(username: string, now: number): void {
    const entry = this.#failures.get(username);
    if (entry && entry.resetAt > now) {
      entry.count += 1;
      return;
    }
    if (this.#failures.size >= this.maxTracked) this.#forgetExpired(now);
    this.#failures.set(username, { count: 1, resetAt: now + this.windowMs });
  }

  recordSuccess(username: string): void {
    this.#failures.delete(username);
  }

  #forgetExpired(now: number): void {
    for (const [name, entry] of this.#failures) if (entry.resetAt <= now) this.#failures.delete(name);
    // Still full: drop the oldest entries (Map keeps insertion order) so memory stays bounded.
    for (const name of this.#failures.keys()) {
      if (this.#failures.size < this.maxTracked) break;
      this.#failures.delete(name);
    }
  }
}
