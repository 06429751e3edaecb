/**
 * Palabre's own channels between nodes (docs/decisions/0018): the domain's event buses (thread
 * changes, access changes, compilation changes) and the notes relay travel as JSON messages on
 * Redis pub/sub, one channel each, under the node's REDIS_PREFIX.
 *
 * A node hears its own events synchronously, as on one node (createEventBus in services.ts);
 * the others hear them through Redis a moment later. Every message is signed with the nodes'
 * shared key (HMAC-SHA256 over the channel, the time and the body; the key lives in the database,
 * which a Redis-only intruder does not read) and checked on arrival: a message whose signature
 * does not match, older than MAX_AGE_MS (a replay), that does not parse, or does not fit its
 * channel's schema, is logged and dropped, never applied. Messages a node sends while Redis is away are not queued (they
 * would arrive late and out of order): when Redis comes back, every node repairs instead
 * (thread readers catch up from their since-cursor, notes from the database).
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../../db/schema';
import type { RedisConnection } from './redis';

/** This process's id among the nodes: random unless NODE_ID names it. */
export function newNodeId(): string {
  return `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
}

/** At most one log line per channel per this many ms for dropped messages (a flood must not fill the log). */
const DROP_LOG_INTERVAL_MS = 10_000;
/** A message older than this (by its sender's clock) is a replay, or stuck somewhere: dropped. */
const MAX_AGE_MS = 60_000;

/**
 * The nodes' shared signing key (a row of cluster_keys), made by the first node that asks: the
 * others find it. Base64 of 32 random bytes.
 */
export async function clusterKey(db: Kysely<Database>): Promise<Buffer> {
  await db
    .insertInto('clusterKeys')
    .values({ name: 'bus', secret: crypto.randomBytes(32).toString('base64'), createdAt: new Date().toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const { secret } = await db.selectFrom('clusterKeys').select('secret').where('name', '=', 'bus').executeTakeFirstOrThrow();
  return Buffer.from(secret, 'base64');
}

export interface ClusterBus {
  nodeId: string;
  /**
   * Opens a channel: `deliver` hears what other nodes publish on it (checked by `schema`), and
   * the returned function publishes to them. Resolves once subscribed.
   */
  channel<T>(name: string, schema: z.ZodType<T>, deliver: (message: T) => void): Promise<(message: T) => void>;
  /** Messages dropped so far (malformed), per channel; for tests and health. */
  dropped(): Record<string, number>;
}

export function createClusterBus(redis: RedisConnection, nodeId: string, key: Buffer): ClusterBus {
  const sign = (channel: string, body: string) => crypto.createHmac('sha256', key).update(channel).update('\n').update(body).digest();
  const dropped: Record<string, number> = {};
  const lastDropLog: Record<string, number> = {};

  const drop = (name: string, why: string) => {
    dropped[name] = (dropped[name] ?? 0) + 1;
    const now = Date.now();
    if (now - (lastDropLog[name] ?? 0) < DROP_LOG_INTERVAL_MS) return;
    lastDropLog[name] = now;
    console.warn(`[cluster] dropped a malformed message on channel '${name}' (${dropped[name]} so far): ${why}`);
  };

  return {
    nodeId,
    dropped: () => ({ ...dropped }),
    async channel<T>(name: string, schema: z.ZodType<T>, deliver: (message: T) => void) {
      const channelKey = `${redis.prefix}:bus:${name}`;
      await redis.subscriber.subscribe(channelKey, (raw: string) => {
        // `<signature>.<body>`: the body is read only once the signature holds.
        const dot = raw.indexOf('.');
        const signature = dot > 0 ? Buffer.from(raw.slice(0, dot), 'base64') : null;
        const body = raw.slice(dot + 1);
        const expected = sign(channelKey, body);
        if (!signature || signature.length !== expected.length || !crypto.timingSafeEqual(signature, expected)) return drop(name, 'not signed with the nodes\' key');
        let envelope: unknown;
        try {
          envelope = JSON.parse(body);
        } catch {
          return drop(name, 'not JSON');
        }
        const { n: sender, t: sentAt, m: message } = (envelope ?? {}) as { n?: unknown; t?: unknown; m?: unknown };
        if (typeof sender !== 'string' || typeof sentAt !== 'number') return drop(name, 'no sender or time');
        if (sender === nodeId) return;
        if (Math.abs(Date.now() - sentAt) > MAX_AGE_MS) return drop(name, `sent ${Math.round((Date.now() - sentAt) / 1000)} s ago (a replay?)`);
        const parsed = schema.safeParse(message);
        if (!parsed.success) return drop(name, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ').slice(0, 300));
        try {
          deliver(parsed.data);
        } catch (error) {
          console.error(`[cluster] delivering a message of channel '${name}' failed:`, error);
        }
      });
      return (message: T) => {
        if (!redis.available()) return; // repaired when Redis is back (see above)
        const body = JSON.stringify({ n: nodeId, t: Date.now(), m: message });
        redis.client.publish(channelKey, `${sign(channelKey, body).toString('base64')}.${body}`).catch((error: Error) => {
          console.error(`[cluster] publishing on '${name}' failed (repaired when Redis is back): ${error.message}`);
        });
      };
    },
  };
}
