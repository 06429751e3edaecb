/**
 * Palabre's own channels between nodes (docs/decisions/0018): the domain's event buses (thread
 * changes, access changes, compilation changes) and the notes relay travel as JSON messages on
 * Redis pub/sub, one channel each, under the node's REDIS_PREFIX.
 *
 * A node hears its own events synchronously, as on one node (createEventBus in services.ts);
 * the others hear them through Redis a moment later. Every message is checked against its
 * channel's schema before it is delivered: one that does not parse, or does not fit, is logged
 * and dropped, never applied. Messages a node sends while Redis is away are not queued (they
 * would arrive late and out of order): when Redis comes back, every node repairs instead
 * (thread readers catch up from their since-cursor, notes from the database).
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { z } from 'zod';
import type { RedisConnection } from './redis';

/** This process's id among the nodes: random unless NODE_ID names it. */
export function newNodeId(): string {
  return `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
}

/** At most one log line per channel per this many ms for dropped messages (a flood must not fill the log). */
const DROP_LOG_INTERVAL_MS = 10_000;

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

export function createClusterBus(redis: RedisConnection, nodeId: string): ClusterBus {
  const dropped: Record<string, number> = {};
  const lastDropLog: Record<string, number> = {};
  const unpublished: Record<string, number> = {};

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
      const key = `${redis.prefix}:bus:${name}`;
      await redis.subscriber.subscribe(key, (raw: string) => {
        let envelope: unknown;
        try {
          envelope = JSON.parse(raw);
        } catch {
          return drop(name, 'not JSON');
        }
        if (typeof envelope !== 'object' || envelope === null || typeof (envelope as { n?: unknown }).n !== 'string') return drop(name, 'no sender');
        const { n: sender, m: message } = envelope as { n: string; m: unknown };
        if (sender === nodeId) return;
        const parsed = schema.safeParse(message);
        if (!parsed.success) return drop(name, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ').slice(0, 300));
        try {
          deliver(parsed.data);
        } catch (error) {
          console.error(`[cluster] delivering a message of channel '${name}' failed:`, error);
        }
      });
      return (message: T) => {
        if (!redis.available()) {
          unpublished[name] = (unpublished[name] ?? 0) + 1;
          return; // repaired when Redis is back (see above)
        }
        redis.client.publish(key, JSON.stringify({ n: nodeId, m: message })).catch((error: Error) => {
          console.error(`[cluster] publishing on '${name}' failed (repaired when Redis is back): ${error.message}`);
        });
      };
    },
  };
}
