/**
 * The Socket.io Redis adapter (pub/sub, docs/decisions/0018), with two guards it lacks:
 *
 * - What arrives from Redis is checked before any socket gets it. Only one event crosses nodes
 *   through the adapter: 'thread:typing', sent by a socket to its thread's rooms (domain events
 *   go through server/cluster/ instead). Anything else on the adapter's broadcast channel, or a
 *   typing signal that names its writer (it carries the stakeholder group only, as a Chatham
 *   House post), is logged and dropped.
 * - Requests between nodes (fetchSockets, serverSideEmit, remote joins and disconnections) are
 *   never used by Palabre: every one that arrives is dropped. Honouring them would let whoever can
 *   publish on Redis put a participant in a moderators' room, read every socket's handshake
 *   (cookies included) or end the process with a malformed one.
 * - A publish while Redis is away is dropped quietly: the adapter does not catch the client's
 *   rejections, which would end the process as unhandled rejections (see `quiet`).
 */
import { RedisAdapter, type RedisAdapterOptions } from '@socket.io/redis-adapter';
import { z } from 'zod';
import type { RedisClient } from '../cluster/redis';

const typing = z.strictObject({
  threadId: z.number().int().positive(),
  token: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
  author: z.strictObject({ attribution: z.literal('chatham'), stakeholderGroup: z.string().max(200) }).optional(),
  typing: z.boolean(),
});

/** Socket.io's EVENT packet type. */
const EVENT = 2;

const roomList = z.array(z.union([z.string().max(200), z.number()])).max(100);
const message = z.tuple([
  z.string().max(100),
  z.looseObject({ type: z.literal(EVENT), nsp: z.string().optional(), data: z.tuple([z.literal('thread:typing'), typing]) }),
  z.looseObject({ rooms: roomList, except: roomList }),
]);

const DROP_LOG_INTERVAL_MS = 10_000;

let lastDropLog = 0;
let dropped = 0;

function drop(problem: string) {
  dropped++;
  const now = Date.now();
  if (now - lastDropLog < DROP_LOG_INTERVAL_MS) return;
  lastDropLog = now;
  console.warn(`[cluster] dropped a Socket.io adapter message (${dropped} so far): ${problem}`);
}

/** Why `raw` (a message from another node's adapter) must not reach a socket; null if it may. */
function problemWith(raw: unknown, parser: { decode(msg: unknown): unknown }): string | null {
  try {
    const parsed = message.safeParse(parser.decode(raw));
    return parsed.success ? null : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ').slice(0, 300);
  } catch (error) {
    return `undecodable (${(error as Error).message})`;
  }
}

/**
 * `client` as the adapter sees it: every promise its methods return has a handler attached, so
 * that one the adapter does not await (a PUBLISH while Redis is away, an UNSUBSCRIBE as the
 * node closes) cannot end the process as an unhandled rejection; what is lost is a typing signal.
 */
function quiet(client: RedisClient): RedisClient {
  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as unknown as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) result.catch(() => undefined);
        return result;
      };
    },
  });
}

/** The adapter factory for `io.adapter(...)`. */
export function checkedRedisAdapter(pub: RedisClient, sub: RedisClient, options: Partial<RedisAdapterOptions>) {
  const publisher = quiet(pub);
  const subscriber = quiet(sub);
  // A function, not an arrow: Socket.io calls it with `new` (an object it returns is the adapter).
  return function adapterFor(nsp: unknown) {
    const adapter = new RedisAdapter(nsp, publisher, subscriber, options);
    // The adapter's subscription calls `this.onmessage(…)` for every broadcast from another node
    // (a private method in its types): this instance's own checks it first.
    const inner = adapter as unknown as { onmessage(pattern: unknown, channel: unknown, raw: unknown): void; parser: { decode(msg: unknown): unknown } };
    const deliver = inner.onmessage.bind(adapter);
    inner.onmessage = (pattern, channel, raw) => {
      const problem = problemWith(raw, inner.parser);
      if (!problem) return deliver(pattern, channel, raw);
      drop(problem);
    };
    // The request and response channels (the adapter subscribes to them in its constructor and
    // calls `this.onrequest(channel, message)` for each): nothing is honoured.
    (adapter as unknown as { onrequest(channel: unknown, raw: unknown): void }).onrequest = () => drop('a request between nodes (Palabre makes none)');
    return adapter;
  };
}
