import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../app/utils/rate-limit.server';

describe('rate limiter', () => {
  it('allows `limit` hits per window, then refuses until the window ends', () => {
    let now = 0;
    const limiter = new RateLimiter(3, 1000, () => now);
    expect([1, 2, 3].map(() => limiter.consume('a').ok)).toEqual([true, true, true]);
    const refused = limiter.consume('a');
    expect(refused.ok).toBe(false);
    expect(refused.retryAfterMs).toBe(1000);
    expect(limiter.consume('b').ok).toBe(true); // keys are independent
    now = 1000;
    expect(limiter.consume('a').ok).toBe(true);
  });

  it('can be checked without counting, and reset', () => {
    const limiter = new RateLimiter(1, 1000);
    expect(limiter.isLimited('k')).toBe(false);
    limiter.consume('k');
    expect(limiter.isLimited('k')).toBe(true);
    limiter.reset('k');
    expect(limiter.isLimited('k')).toBe(false);
  });
});
