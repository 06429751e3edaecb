/**
 * What makes several nodes one Palabre (docs/decisions/0018): with REDIS_URL, the node joins the
 * others through Redis; without it, it is alone and every hook below is a no-op, so the socket
 * layer is written once for both.
 *
 * Carried between nodes: the domain's event buses (threads, access, compilation), the notes'
 * stored Yjs updates and their co-editors' awareness, readers-present counts, and "a write
 * happened" for cached pages. The Socket.io adapter (server/socket/index.ts) carries what
 * sockets send to rooms directly (typing). When Redis comes back after an outage, the node
 * repairs what it may have missed: notes from the database, and its clients are told to catch
 * up from their since-cursors.
 */
import type { Services } from '../services';
import { createClusterBus } from './bus';
import {
  accessEventSchema,
  compilationChangedSchema,
  noteAwarenessQuerySchema,
  noteAwarenessSchema,
  noteUpdateSchema,
  pageWriteSchema,
  presenceSchema,
  threadEventSchema,
} from './messages';
import { redisReaders, singleNodeReaders, type ReadersCount } from './readers';
import type { RedisConnection } from './redis';

type Listener<T extends unknown[]> = (...args: T) => void;

/** How often open notes are compared with the database (one query each). */
const REPAIR_CHECK_MS = 30_000;

export interface Cluster {
  nodeId: string;
  /** Null on one node. */
  redis: RedisConnection | null;
  readers: ReadersCount;
  /** Awareness changes of this node's co-editors of a note, for the other nodes' rooms. */
  publishAwareness(noteId: number, update: Uint8Array): void;
  onAwareness(listener: Listener<[noteId: number, update: Uint8Array]>): void;
  /** This node opened a note's room: the others answer with their co-editors' awareness. */
  askAwareness(noteId: number): void;
  onAwarenessQuery(listener: Listener<[noteId: number]>): void;
  /** This node's readers of a thread changed: every node announces the new total. */
  publishPresence(threadId: number): void;
  onPresence(listener: Listener<[threadId: number]>): void;
  /** A write finished here: other nodes' cached anonymous pages are stale. */
  publishWrite(): void;
  onWrite(listener: Listener<[]>): void;
  /** Redis is back after an outage: clients should catch up on what they may have missed. */
  onResync(listener: Listener<[]>): void;
  /** Malformed messages dropped so far, per channel. */
  dropped(): Record<string, number>;
  /** What is down ('redis'), or null. */
  problem(): string | null;
  close(): Promise<void>;
}

function listeners<T extends unknown[]>() {
  const set = new Set<Listener<T>>();
  return {
    add: (listener: Listener<T>) => void set.add(listener),
    run: (...args: T) => {
      for (const listener of set) {
        try {
          listener(...args);
        } catch (error) {
          console.error('[cluster] a listener failed:', error);
        }
      }
    },
  };
}

/** One node, alone: nothing to carry. */
export function singleNode(nodeId: string): Cluster {
  return {
    nodeId,
    redis: null,
    readers: singleNodeReaders,
    publishAwareness: () => {},
    onAwareness: () => {},
    askAwareness: () => {},
    onAwarenessQuery: () => {},
    publishPresence: () => {},
    onPresence: () => {},
    publishWrite: () => {},
    onWrite: () => {},
    onResync: () => {},
    dropped: () => ({}),
    problem: () => null,
    close: async () => {},
  };
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Joins the other nodes through `redis`: subscribes every channel, then forwards this node's events. */
export async function joinCluster(services: Services, redis: RedisConnection, nodeId: string): Promise<Cluster> {
  const bus = createClusterBus(redis, nodeId);
  const awareness = listeners<[number, Uint8Array]>();
  const awarenessQueries = listeners<[number]>();
  const presence = listeners<[number]>();
  const writes = listeners<[]>();
  const resync = listeners<[]>();

  services.events.forwardTo(await bus.channel('threads', threadEventSchema, services.events.deliver));
  services.accessEvents.forwardTo(await bus.channel('access', accessEventSchema, services.accessEvents.deliver));
  services.compilationEvents.forwardTo(await bus.channel('compilation', compilationChangedSchema, services.compilationEvents.deliver));

  // Each stored update goes to the nodes holding the note; theirs are applied here.
  const sendUpdate = await bus.channel('notes', noteUpdateSchema, ({ noteId, updateId, update }) => services.noteDocs.applyRemote(noteId, update, updateId));
  // A relay lost without an outage this node noticed (a publish that failed on another node):
  // the open notes are compared with the database now and then, by update id.
  services.noteDocs.compareWithStore();
  const antiEntropy = setInterval(() => {
    void services.noteDocs.repairBehind().then((repaired) => {
      if (repaired.length > 0) console.warn(`[cluster] notes repaired from the database (updates had not reached this node): ${repaired.join(', ')}`);
    });
  }, REPAIR_CHECK_MS);
  antiEntropy.unref();
  services.noteDocs.onFlush((noteId, update, source, updateId) => {
    if (source === 'local' && updateId !== undefined) sendUpdate({ noteId, updateId, update: base64(update) } as never);
  });

  const sendAwareness = await bus.channel('awareness', noteAwarenessSchema, ({ noteId, update }) => awareness.run(noteId, update));
  const sendAwarenessQuery = await bus.channel('awareness-query', noteAwarenessQuerySchema, ({ noteId }) => awarenessQueries.run(noteId));
  const sendPresence = await bus.channel('presence', presenceSchema, ({ threadId }) => presence.run(threadId));
  const sendWrite = await bus.channel('writes', pageWriteSchema, () => writes.run());

  const stopWatching = redis.onAvailability((available) => {
    if (!available) return;
    // Whatever crossed the channels while Redis was away is lost: rebuild from the database.
    void services.noteDocs.repairAll().then((repaired) => {
      if (repaired.length > 0) console.log(`[cluster] notes repaired from the database after the outage: ${repaired.join(', ')}`);
    });
    writes.run();
    resync.run();
  });

  const readers = redisReaders(redis, nodeId);
  return {
    nodeId,
    redis,
    readers,
    publishAwareness: (noteId, update) => sendAwareness({ noteId, update: base64(update) } as never),
    onAwareness: awareness.add,
    askAwareness: (noteId) => sendAwarenessQuery({ noteId }),
    onAwarenessQuery: awarenessQueries.add,
    publishPresence: (threadId) => sendPresence({ threadId }),
    onPresence: presence.add,
    publishWrite: () => sendWrite({ at: Date.now() }),
    onWrite: writes.add,
    onResync: resync.add,
    dropped: bus.dropped,
    problem: () => (redis.available() ? null : 'redis'),
    async close() {
      stopWatching();
      clearInterval(antiEntropy);
      services.events.forwardTo(null);
      services.accessEvents.forwardTo(null);
      services.compilationEvents.forwardTo(null);
      await readers.close();
    },
  };
}
