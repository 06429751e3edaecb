/**
 * Rate limits, every one through the one `Limiter` interface over rate-limiter-flexible: fixed
 * windows counted in this process's memory on one node, in Redis when the node runs with Redis
 * (REDIS_URL), so that several nodes share a limit on the same user or address.
 */
import type { RedisClientType } from 'redis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** A connected node-redis client (the one the node opened for REDIS_URL; any modules or scripts: plain commands only). */
export type RedisClient = RedisClientType<any, any, any, any, any>;

export interface RateLimitResult {
  ok: boolean;
  /** Hits left in the current window after this one (0 once refused). */
  remaining: number;
  /** When refused, ms until the window ends and `key` may try again; 0 when ok. */
  retryAfterMs: number;
}

/** A fixed window of `points` hits per `windowMs` per key. Never rejects: a store failure is not the caller's. */
export interface Limiter {
  readonly name: string;
  readonly points: number;
  readonly windowMs: number;
  /** Counts one hit against `key`. */
  consume(key: string): Promise<RateLimitResult>;
  /** Whether `key` has used up its window (the next hit would be refused), without counting a hit. */
  isLimited(key: string): Promise<boolean>;
  /** Forgets `key`'s hits (a successful sign-in clears its failures). */
  reset(key: string): Promise<void>;
}

/**
 * Who a limit is counted for:
 * - 'shared': a user or an address, who may reach any node: counted in Redis when there is one;
 * - 'connection': a socket id. A socket lives on one node, so its count does too: always in
 *   memory, since a Redis round trip per event (typing, note messages) would add latency and
 *   load for a count no other node ever reads.
 */
export type LimiterScope = 'shared' | 'connection';

/** Where shared limits are counted: Redis (keys `${prefix}:rl:${name}:${key}`), or memory with `redis: null`. */
export interface LimiterStore {
  redis: { client: RedisClient; prefix: string } | null;
}

/**
 * Makes the limiter `name` (unique per store: it names the Redis keys): `points` hits per
 * `windowMs` (a whole number of seconds, at least one: Redis expires keys by the second).
 */
export type MakeLimiter = (name: string, points: number, windowMs: number, scope: LimiterScope) => Limiter;

/**
 * How long a shared limiter waits for Redis before counting in memory instead. A command can
 * wait on node-redis with no end of its own: one written as the connection dies waits for the
 * reconnection, and a Redis that hangs never answers.
 */
export const REDIS_TIMEOUT_MS = 1000;

/**
 * The factory every rate limit of a node comes from. With Redis, a shared limiter keeps a
 * memory limiter as insurance: while Redis is unreachable (not ready: the limiter does not wait
 * on node-redis's offline queue), failing or slower than REDIS_TIMEOUT_MS, each node limits on
 * its own instead of failing or holding requests.
 */
export function createLimiters(store: LimiterStore): MakeLimiter {
  return (name, points, windowMs, scope) => {
    if (!Number.isInteger(windowMs / 1000) || windowMs < 1000) throw new Error(`rate limit ${name}: the window must be whole seconds, got ${windowMs} ms`);
    const duration = windowMs / 1000;
    const memory = new RateLimiterMemory({ points, duration });
    const redis = store.redis;
    if (scope === 'connection' || !redis) return wrap(name, points, windowMs, { limiter: memory });
    const inRedis = new RateLimiterRedis({
      storeClient: redis.client,
      useRedisPackage: true,
      rejectIfRedisNotReady: true,
      keyPrefix: `${redis.prefix}:rl:${name}`,
      points,
      duration,
      // Off (the library's default, said here so it stays off): a key blocked in this node's
      // memory would stay refused after a reset made on another node.
      inMemoryBlockOnConsumed: 0,
    });
    // The insurance sits on the timeout wrapper, not on the Redis limiter, so that a hit is
    // counted in memory once whether Redis failed or was too slow.
    const shared = new RLWrapperTimeouts({ limiter: inRedis, timeoutMs: REDIS_TIMEOUT_MS, insuranceLimiter: memory });
    return wrap(name, points, windowMs, { limiter: shared, insurance: memory, redisReady: () => redis.client.isReady });
  };
}

/**
 * The interface over one rate-limiter-flexible limiter. It rejects with a RateLimiterRes when
 * over the limit (a refusal, not an error) and with an Error when its store fails and the
 * insurance did too: that is logged and the hit let through rather than answered 500.
 */
function wrap(
  name: string,
  points: number,
  windowMs: number,
  { limiter, insurance, redisReady }: { limiter: RateLimiterAbstract; insurance?: RateLimiterAbstract; redisReady?: () => boolean },
): Limiter {
  const failed = (what: string, error: unknown) => console.error(`[rate-limit] ${name}: ${what} failed:`, (error as Error)?.message ?? error);
  return {
    name,
    points,
    windowMs,
    async consume(key) {
      try {
        const res = await limiter.consume(key);
        return { ok: true, remaining: res.remainingPoints, retryAfterMs: 0 };
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return { ok: false, remaining: 0, retryAfterMs: Math.max(1, refusal.msBeforeNext) };
        failed('counting', refusal);
        return { ok: true, remaining: points, retryAfterMs: 0 };
      }
    },
    async isLimited(key) {
      try {
        const res = await limiter.get(key);
        return !!res && res.consumedPoints >= points && res.msBeforeNext > 0;
      } catch (error) {
        failed('reading', error);
        return false;
      }
    },
    async reset(key) {
      try {
        // Not through node-redis's offline queue: a delete sent while Redis is away would wait
        // for its return and hold the request meanwhile. The insurance forgets the key as well,
        // for the hits it counted while Redis was away.
        await insurance?.delete(key);
        if (!redisReady || redisReady()) await limiter.delete(key);
      } catch (error) {
        failed('resetting', error);
      }
    },
  };
}
