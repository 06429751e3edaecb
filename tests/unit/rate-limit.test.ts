/**
 * The one limiter interface (app/utils/rate-limit.server.ts), in memory and over the real local
 * Redis (redis://127.0.0.1:6379, keys under a prefix of this run's own, deleted afterwards):
 * windows, refusals, reset, reads that do not count; two factories on one prefix (two nodes)
 * share a count; and a Redis that is unreachable, stops or hangs leaves each node limiting alone,
 * without a rejection, and without a wait longer than the timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisForTests } from '../support/cluster';
import { createLimiters, REDIS_TIMEOUT_MS, type MakeLimiter, type RedisClient } from '../../app/utils/rate-limit.server';

/** The shared Redis if it answers, else a private redis-server (tests/support/cluster.ts). */
let REDIS_URL: string;
let testRedis: Awaited<ReturnType<typeof redisForTests>>;
const PREFIX = `test-rl-${process.pid}-${Date.now()}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let redis: RedisClient;
let otherNode: RedisClient;

async function connected(url: string): Promise<RedisClient> {
  const client: RedisClient = createClient({ url });
  client.on('error', () => {}); // a refused or dropped connection is what some tests are about
  await client.connect();
  return client;
}

/** Every key of this run under `prefix`. */
async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) keys.push(...batch.map(String));
  return keys;
}

beforeAll(async () => {
  testRedis = await redisForTests();
  REDIS_URL = testRedis.url;
  redis = await connected(REDIS_URL);
  otherNode = await connected(REDIS_URL);
});
afterAll(async () => {
  if (redis?.isOpen) {
    const keys = await keysUnder(PREFIX);
    if (keys.length) await redis.del(keys);
    await redis.close();
  }
  if (otherNode?.isOpen) await otherNode.close();
  await testRedis?.close();
});

const stores: [string, () => MakeLimiter][] = [
  ['memory', () => createLimiters({ redis: null })],
  ['Redis', () => createLimiters({ redis: { client: redis, prefix: PREFIX } })],
];

describe.each(stores)('a shared limiter in %s', (_store, factory) => {
  it('allows `points` hits per window, then refuses with the time left, key by key', async () => {
    const limiter = factory()('count', 3, 60_000, 'shared');
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await limiter.consume('a'));
    expect(answers.map((a) => [a.ok, a.remaining, a.retryAfterMs])).toEqual([
      [true, 2, 0],
      [true, 1, 0],
      [true, 0, 0],
    ]);
    const refused = await limiter.consume('a');
    expect(refused.ok).toBe(false);
    expect(refused.remaining).toBe(0);
    expect(refused.retryAfterMs).toBeGreaterThan(55_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect((await limiter.consume('a')).ok).toBe(false); // refusals go on until the window ends
    expect((await limiter.consume('b')).ok).toBe(true); // keys are independent
  });

  it('allows again once the window has ended', async () => {
    const limiter = factory()('window', 2, 1000, 'shared');
    await limiter.consume('k');
    await limiter.consume('k');
    expect((await limiter.consume('k')).ok).toBe(false);
    expect(await limiter.isLimited('k')).toBe(true);
    await sleep(1100);
    expect(await limiter.isLimited('k')).toBe(false);
    expect(await limiter.consume('k')).toEqual({ ok: true, remaining: 1, retryAfterMs: 0 });
  });

  it('is read without counting a hit, and forgets a key on reset', async () => {
    const limiter = factory()('read', 2, 60_000, 'shared');
    for (let i = 0; i < 5; i++) expect(await limiter.isLimited('k')).toBe(false);
    expect((await limiter.consume('k')).ok).toBe(true);
    expect(await limiter.isLimited('k')).toBe(false);
    expect((await limiter.consume('k')).ok).toBe(true); // the reads above counted nothing
    expect(await limiter.isLimited('k')).toBe(true); // used up: the next hit would be refused
    await limiter.reset('k');
    expect(await limiter.isLimited('k')).toBe(false);
    expect(await limiter.consume('k')).toEqual({ ok: true, remaining: 1, retryAfterMs: 0 });
    await limiter.reset('never-seen'); // nothing to forget is not an error
  });

  it('refuses a window of less than a second, or of part of one', () => {
    expect(() => factory()('short', 1, 500, 'shared')).toThrow(/whole seconds/);
    expect(() => factory()('part', 1, 1500, 'connection')).toThrow(/whole seconds/);
  });
});

describe('limiters over Redis', () => {
  it('count in Redis under the prefix and the name: two nodes on one prefix share a limit', async () => {
    const nodeA = createLimiters({ redis: { client: redis, prefix: PREFIX } })('posts', 3, 60_000, 'shared');
    const nodeB = createLimiters({ redis: { client: otherNode, prefix: PREFIX } })('posts', 3, 60_000, 'shared');
    expect((await nodeA.consume('author')).ok).toBe(true);
    expect((await nodeB.consume('author')).ok).toBe(true);
    expect((await nodeA.consume('author')).remaining).toBe(0);
    expect((await nodeB.consume('author')).ok).toBe(false); // the fourth hit, counted on the other node
    expect(await nodeA.isLimited('author')).toBe(true);
    expect(await redis.get(`${PREFIX}:rl:posts:author`)).toBe('4');
    await nodeB.reset('author'); // a reset on one node is heard on the other
    expect(await nodeA.isLimited('author')).toBe(false);

    // Another prefix (another cluster) or another name counts apart.
    const elsewhere = createLimiters({ redis: { client: otherNode, prefix: `${PREFIX}-other` } })('posts', 1, 60_000, 'shared');
    const otherName = createLimiters({ redis: { client: otherNode, prefix: PREFIX } })('replies', 1, 60_000, 'shared');
    await nodeA.consume('author');
    await nodeA.consume('author');
    expect((await elsewhere.consume('author')).ok).toBe(true);
    expect((await otherName.consume('author')).ok).toBe(true);
    await redis.del(`${PREFIX}-other:rl:posts:author`);
  });

  it('keeps connection limits in memory even with Redis: a socket lives on one node', async () => {
    const make = createLimiters({ redis: { client: redis, prefix: `${PREFIX}-conn` } });
    const limiter = make('socket-events', 2, 10_000, 'connection');
    await limiter.consume('socket-1');
    await limiter.consume('socket-1');
    expect((await limiter.consume('socket-1')).ok).toBe(false);
    expect(await keysUnder(`${PREFIX}-conn`)).toEqual([]);
    // Each node counts its own: another factory on the same prefix has not seen socket-1.
    expect((await createLimiters({ redis: { client: otherNode, prefix: `${PREFIX}-conn` } })('socket-events', 2, 10_000, 'connection').consume('socket-1')).ok).toBe(true);
  });
});

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Every answer of `limiter` on `key` for `hits` consumes, each within `withinMs`. */
async function hits(limiter: ReturnType<MakeLimiter>, key: string, count: number, withinMs = 1000) {
  const answers: boolean[] = [];
  for (let i = 0; i < count; i++) {
    const started = Date.now();
    answers.push((await limiter.consume(key)).ok);
    expect(Date.now() - started).toBeLessThan(withinMs);
  }
  return answers;
}

describe('a shared limiter whose Redis is away', () => {
  it('limits in memory when Redis never answered, and nothing rejects or waits', async () => {
    const port = await freePort();
    const client: RedisClient = createClient({ url: `redis://127.0.0.1:${port}` });
    client.on('error', () => {});
    const connecting = client.connect().catch(() => {}); // refused, then retrying in the background
    try {
      const limiter = createLimiters({ redis: { client, prefix: PREFIX } })('unreachable', 2, 60_000, 'shared');
      expect(await hits(limiter, 'k', 3)).toEqual([true, true, false]);
      const refused = await limiter.consume('k');
      expect(refused.ok).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(await limiter.isLimited('k')).toBe(true);
      await limiter.reset('k');
      expect(await limiter.isLimited('k')).toBe(false);
      expect(await hits(limiter, 'k', 1)).toEqual([true]);
    } finally {
      client.destroy();
      await connecting;
    }
  });

  it('limits in memory once the Redis it counted in has stopped, and nothing rejects or waits', async () => {
    const redisServer = await privateRedis();
    try {
      const limiter = createLimiters({ redis: { client: redisServer.client, prefix: PREFIX } })('stopping', 3, 60_000, 'shared');
      expect(await hits(limiter, 'k', 2)).toEqual([true, true]);
      expect(await redisServer.client.get(`${PREFIX}:rl:stopping:k`)).toBe('2'); // counted in Redis so far

      await redisServer.kill();
      // From here the count is this node's own, from zero: the limit still holds. A command
      // written as the connection died waits for a reconnection: the timeout ends that wait.
      expect(await hits(limiter, 'k', 4, SLOW)).toEqual([true, true, true, false]);
      expect(await limiter.isLimited('k')).toBe(true);
      await limiter.reset('k');
      expect(await limiter.isLimited('k')).toBe(false);
    } finally {
      await redisServer.kill();
    }
  });

  it('limits in memory while Redis hangs, each hit waiting no longer than the timeout', async () => {
    const redisServer = await privateRedis();
    try {
      const limiter = createLimiters({ redis: { client: redisServer.client, prefix: PREFIX } })('hanging', 3, 60_000, 'shared');
      expect(await hits(limiter, 'k', 3)).toEqual([true, true, true]);

      redisServer.process.kill('SIGSTOP'); // the connection stays up, nothing answers
      expect(redisServer.client.isReady).toBe(true);
      const started = Date.now();
      expect(await hits(limiter, 'k', 4, SLOW)).toEqual([true, true, true, false]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(4 * REDIS_TIMEOUT_MS - 50); // each hit asked Redis first
      expect(await limiter.isLimited('k')).toBe(true);
      await limiter.reset('k');
      expect(await limiter.isLimited('k')).toBe(false);
    } finally {
      await redisServer.kill();
    }
  });
});

/** A hit's longest wait when Redis may be slow: the timeout, and room for a loaded machine. */
const SLOW = REDIS_TIMEOUT_MS + 1500;

/** A redis-server of this test's own on a free port, with a client connected to it; `kill` ends both. */
async function privateRedis() {
  const port = await freePort();
  const child: ChildProcess = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  let client: RedisClient | undefined;
  for (let attempt = 0; !client; attempt++) {
    client = await connected(`redis://127.0.0.1:${port}`).catch(async (error) => {
      if (attempt > 50) {
        await kill();
        throw error;
      }
      await sleep(100);
      return undefined;
    });
  }
  const connection = client;
  return {
    process: child,
    client: connection,
    async kill() {
      await kill();
      if (connection.isOpen) connection.destroy();
    },
  };
}
