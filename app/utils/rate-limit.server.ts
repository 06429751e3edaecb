/**
 * A fixed-window rate limiter held in this process's memory. Enough for one node; the
 * scale-out mode will back it with Redis (docs/decisions/0003).
 */
export interface RateLimitResult {
  ok: boolean;
  remaining: number;
  retryAfterMs: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit against `key`. */
  consume(key: string): RateLimitResult {
    const now = this.now();
    if (this.windows.size > 10_000) this.prune(now);
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    const ok = window.count <= this.limit;
    return { ok, remaining: Math.max(0, this.limit - window.count), retryAfterMs: ok ? 0 : window.resetAt - now };
  }

  /** Whether `key` is over its limit, without counting a hit. */
  isLimited(key: string): boolean {
    const window = this.windows.get(key);
    return !!window && window.resetAt > this.now() && window.count >= this.limit;
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private prune(now: number) {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
