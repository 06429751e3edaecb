/**
 * The node's connections to Redis when several nodes serve one consultation (REDIS_URL,
 * docs/decisions/0018). Three clients: one for commands and publishing, one subscribed to
 * Palabre's own channels (cluster bus, notes relay), and the one the Socket.io adapter
 * subscribes with (a subscribed connection cannot run commands).
 *
 * At start, a Redis that cannot be reached stops the node with a message (RedisConnectError);
 * once started, every client reconnects by itself with backoff, and availability listeners hear
 * when Redis goes (false) and comes back (true): /healthz reports it, and the node repairs what
 * it may have missed meanwhile (bus.ts).
 */
import { createClient } from 'redis';
import type { RedisClient } from '../../app/utils/rate-limit.server';
import { redactUrl } from '../../db/database';

export type { RedisClient };

/** Longest wait between two reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2_000;
const CONNECT_TIMEOUT_MS = 5_000;

/** REDIS_URL could not be reached at start (refused, unknown host, timeout): the node does not start. */
export class RedisConnectError extends Error {
  override name = 'RedisConnectError';
}

export interface RedisConnection {
  /** Commands and PUBLISH. */
  client: RedisClient;
  /** Palabre's subscriptions (server/cluster/bus.ts). */
  subscriber: RedisClient;
  /** The Socket.io adapter's subscriptions. */
  adapterSubscriber: RedisClient;
  /** Prefix of every key and channel this node uses (REDIS_PREFIX), so that clusters can share one Redis. */
  prefix: string;
  /** Whether every client is connected now. */
  available(): boolean;
  /** Hears `false` when a client loses Redis and `true` once all are back; returns an unsubscribe. */
  onAvailability(listener: (available: boolean) => void): () => void;
  close(): Promise<void>;
}


/**
 * Connects the three clients, failing fast: rejects with RedisConnectError if any cannot connect
 * now. Afterwards each reconnects with backoff for as long as the node runs.
 */
export async function connectRedis(url: string, prefix: string): Promise<RedisConnection> {
  let started = false;
  let closing = false;
  const listeners = new Set<(available: boolean) => void>();
  let wasAvailable = true;
  const clients: RedisClient[] = [];

  const announce = () => {
    if (!started || closing) return;
    const now = clients.every((c) => c.isReady);
    if (now === wasAvailable) return;
    wasAvailable = now;
    if (now) console.log('[redis] connected again');
    for (const listener of listeners) {
      try {
        listener(now);
      } catch (error) {
        console.error('[redis] an availability listener failed:', error);
      }
    }
  };

  const make = (role: string): RedisClient => {
    const client: RedisClient = createClient({
      url,
      // A command while Redis is away fails at once instead of waiting in a queue: a message sent
      // late would arrive out of order, and a rate limit falls back to this node's own count.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: CONNECT_TIMEOUT_MS,
        // Before the node has started, one failure is final (the operator sees why at once);
        // afterwards Redis may restart under a running node, which waits for it.
        reconnectStrategy: (retries: number, cause: Error) =>
          started ? Math.min(50 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_MS) : new RedisConnectError(cause?.message ?? 'no answer'),
      },
    });
    let lastError = '';
    client.on('error', (error: Error) => {
      // Once per new problem: a Redis that is down would otherwise log at every retry.
      if (started && error.message !== lastError) console.error(`[redis] ${role} connection: ${error.message}`);
      lastError = error.message;
      announce();
    });
    client.on('ready', () => {
      lastError = '';
      announce();
    });
    client.on('end', announce);
    client.on('reconnecting', announce);
    clients.push(client);
    return client;
  };

  const client = make('command');
  const subscriber = make('subscriber');
  const adapterSubscriber = make('adapter');
  try {
    await Promise.all(clients.map((c) => c.connect()));
  } catch (error) {
    await Promise.all(clients.map((c) => (c.isOpen ? c.close() : undefined))).catch(() => undefined);
    throw new RedisConnectError(`Cannot connect to Redis at ${redactUrl(url)} (REDIS_URL): ${(error as Error).message}`);
  }
  started = true;

  return {
    client,
    subscriber,
    adapterSubscriber,
    prefix,
    available: () => clients.every((c) => c.isReady),
    onAvailability(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closing = true;
      await Promise.all(
        clients.map((c) =>
          c.isReady ? c.close().catch(() => c.destroy()) : c.isOpen ? c.destroy() : undefined,
        ),
      );
    },
  };
}
