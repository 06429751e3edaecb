/**
 * Readers present in a thread, counted across nodes (docs/decisions/0018). Each node writes its
 * own count of a thread's readers into one Redis hash per thread (`<prefix>:readers:<threadId>`,
 * field = node id, value = `count:timestamp`), refreshed while it has readers there; the total is
 * the sum of the fields written recently enough. A node that dies stops refreshing: its readers
 * drop out of the total within FRESH_MS, as they reconnect elsewhere.
 *
 * On one node (no Redis) the total is the node's own count.
 */
import type { RedisConnection } from './redis';

/** A node's count older than this is taken for a dead node's. */
const FRESH_MS = 60_000;
/** How often a node refreshes the counts it holds (well within FRESH_MS). */
const REFRESH_MS = 20_000;

export interface ReadersCount {
  /** This node now has `local` readers of `threadId`: recorded for the others to read. */
  set(threadId: number, local: number): Promise<void>;
  /** Readers of `threadId` on every node, this one's being `local`; this node's count alone if Redis does not answer. */
  total(threadId: number, local: number): Promise<number>;
  close(): Promise<void>;
}

export const singleNodeReaders: ReadersCount = {
  set: async () => {},
  total: async (_threadId, local) => local,
  close: async () => {},
};

export function redisReaders(redis: RedisConnection, nodeId: string): ReadersCount {
  const key = (threadId: number) => `${redis.prefix}:readers:${threadId}`;
  /** threadId → this node's last count there (kept while above 0, for the refresh). */
  const mine = new Map<number, number>();

  const write = async (threadId: number, count: number) => {
    if (!redis.available()) return;
    if (count > 0) {
      await redis.client.multi().hSet(key(threadId), nodeId, `${count}:${Date.now()}`).pExpire(key(threadId), FRESH_MS * 2).exec();
    } else {
      await redis.client.hDel(key(threadId), nodeId);
    }
  };

  const rewrite = () => {
    for (const [threadId, count] of mine) write(threadId, count).catch(() => undefined);
  };
  const refresh = setInterval(rewrite, REFRESH_MS);
  refresh.unref();
  // A Redis that restarted has forgotten every count: write this node's again at once.
  const stopWatching = redis.onAvailability((available) => available && rewrite());

  return {
    async set(threadId, local) {
      if (local > 0) mine.set(threadId, local);
      else mine.delete(threadId);
      await write(threadId, local).catch((error: Error) => console.error(`[cluster] recording readers of thread ${threadId} failed: ${error.message}`));
    },
    async total(threadId, local) {
      if (!redis.available()) return local;
      try {
        const fields = await redis.client.hGetAll(key(threadId));
        const now = Date.now();
        let total = local;
        for (const [node, value] of Object.entries(fields)) {
          if (node === nodeId) continue;
          const [count, at] = String(value).split(':').map(Number);
          if (Number.isSafeInteger(count) && count! > 0 && Number.isFinite(at) && now - at! < FRESH_MS) total += count!;
        }
        return total;
      } catch {
        return local;
      }
    },
    async close() {
      clearInterval(refresh);
      stopWatching();
      await Promise.all([...mine.keys()].map((threadId) => write(threadId, 0).catch(() => undefined)));
      mine.clear();
    },
  };
}
