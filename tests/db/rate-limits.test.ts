/**
 * The node's rate limits as createServices wires them (server/services.ts), on a real database
 * and the real local Redis: two service sets on one Redis prefix (two nodes) share the limits on
 * posts, sign-ins and registrations; per-connection limiters stay each node's own; without Redis
 * each node counts alone, as one node always did.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../app/utils/rate-limit.server';
import { seedConsultation } from '../../db/seeds/consultation';
import { createServices, type Services } from '../../server/services';
import { redisForTests } from '../support/cluster';
import { openTestDatabase } from '../support/database';
import { clientId, createUser } from '../support/sockets';

const PREFIX = `test-rl-services-${process.pid}-${Date.now()}`;
const LIMITS = { secureCookies: false, signInAttemptsPerAddress: 3, registrationsPerAddress: 2, postsPerMinute: 2 };

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
/** The shared Redis if it answers, else a private redis-server (tests/support/cluster.ts). */
let testRedis: Awaited<ReturnType<typeof redisForTests>> | undefined;
const clients: RedisClient[] = [];
const opened: Services[] = [];
let threadId: number;
let author: string;

async function redisClient(): Promise<RedisClient> {
  testRedis ??= await redisForTests();
  const client: RedisClient = createClient({ url: testRedis.url });
  client.on('error', (error) => console.error('[test redis]', error.message));
  await client.connect();
  clients.push(client);
  return client;
}

/** A node's services: over Redis under PREFIX, or (redis: null) in its own memory. */
async function node(redis: 'redis' | null): Promise<Services> {
  const services = createServices(handle.db, { ...LIMITS, redis: redis ? { client: await redisClient(), prefix: PREFIX } : null });
  opened.push(services);
  return services;
}

const postCount = async () => Number((await handle.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).where('authorId', '=', author).executeTakeFirstOrThrow()).n);
const post = (services: Services) => services.posts.create(author, { threadId, clientId: clientId(), text: 'A contribution about seasonal work.', attribution: 'named', language: 'en' }, 'en');

beforeAll(async () => {
  handle = await openTestDatabase();
  const { consultationId } = await seedConsultation(handle.db);
  threadId = (await handle.db.selectFrom('threads').select('id').where('consultationId', '=', consultationId).where('number', '=', '2.4').executeTakeFirstOrThrow()).id;
  const setup = await node(null);
  author = (await createUser({ server: { services: setup } } as never, { name: 'Rate Limited Author' })).id;
});
afterAll(async () => {
  for (const services of opened) {
    await services.noteDocs.close();
    await services.exportPool.close();
  }
  const [first] = clients;
  if (first) {
    const keys: string[] = [];
    for await (const batch of first.scanIterator({ MATCH: `${PREFIX}:*`, COUNT: 1000 })) keys.push(...batch.map(String));
    if (keys.length) await first.del(keys);
  }
  for (const client of clients) client.destroy();
  await testRedis?.close();
  await handle?.drop();
});

describe('rate limits across two nodes on one Redis', () => {
  it('share the posts per author per minute: the third post is refused on either node, and not stored', async () => {
    const [a, b] = [await node('redis'), await node('redis')];
    await post(a);
    await post(b);
    await expect(post(a)).rejects.toMatchObject({ code: 'rate_limited', messageKey: 'errors.rateLimitedPosts' });
    await expect(post(b)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(await postCount()).toBe(2);
  });

  it('share sign-in failures per account, attempts per address and registrations per address', async () => {
    const [a, b] = [await node('redis'), await node('redis')];
    const account = '198.51.100.7|someone@example.org';
    for (let i = 0; i < 4; i++) await (i % 2 ? a : b).limits.signInPerAccount.consume(account);
    expect(await a.limits.signInPerAccount.isLimited(account)).toBe(false);
    await b.limits.signInPerAccount.consume(account); // the fifth failure, five of five
    expect(await a.limits.signInPerAccount.isLimited(account)).toBe(true);
    await a.limits.signInPerAccount.reset(account); // signed in on node A: node B hears it
    expect(await b.limits.signInPerAccount.isLimited(account)).toBe(false);

    const address = '198.51.100.8';
    expect((await a.limits.signInPerAddress.consume(address)).ok).toBe(true);
    expect((await b.limits.signInPerAddress.consume(address)).ok).toBe(true);
    expect((await a.limits.signInPerAddress.consume(address)).ok).toBe(true);
    const refused = await b.limits.signInPerAddress.consume(address);
    expect(refused.ok).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(14 * 60_000);

    expect((await a.limits.registerPerAddress.consume(address)).ok).toBe(true);
    expect((await b.limits.registerPerAddress.consume(address)).ok).toBe(true);
    expect((await a.limits.registerPerAddress.consume(address)).ok).toBe(false);
  });

  it('keep per-connection limits on each node, out of Redis', async () => {
    const [a, b] = [await node('redis'), await node('redis')];
    const onA = a.limits.make('socket-events', 1, 10_000, 'connection');
    const onB = b.limits.make('socket-events', 1, 10_000, 'connection');
    expect((await onA.consume('socket-1')).ok).toBe(true);
    expect((await onA.consume('socket-1')).ok).toBe(false);
    expect((await onB.consume('socket-1')).ok).toBe(true);
    expect(await clients[0]!.exists(`${PREFIX}:rl:socket-events:socket-1`)).toBe(0);
  });
});

describe('rate limits without Redis', () => {
  it('count on each node alone', async () => {
    const [a, b] = [await node(null), await node(null)];
    const address = '198.51.100.9';
    await a.limits.registerPerAddress.consume(address);
    await a.limits.registerPerAddress.consume(address);
    expect((await a.limits.registerPerAddress.consume(address)).ok).toBe(false);
    expect((await b.limits.registerPerAddress.consume(address)).ok).toBe(true);
  });
});
