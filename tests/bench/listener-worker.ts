/**
 * A listener process for the benchmarks: opens many Socket.io clients (anonymous, as readers
 * are), joins each to its thread, and records every `post:created` it receives. Send time and
 * sequence travel in the post's clientId (`<prefix><seq>t<send time in µs>x<random>`), so the
 * latency (receipt − send, wall clock on one machine) is computed on receipt.
 *
 * Driven over IPC by the benchmark (fork with serialization 'advanced'):
 *   → { type: 'connect', url, assignments: [{ threadId, count, url? }], batch, timeoutMs }
 *   ← { type: 'ready', connected, joined, failures: string[], ms }
 *   → { type: 'progress' }   ← { type: 'progress', received }
 *   → { type: 'collect' }    ← { type: 'result', ... }
 *   → { type: 'close' }      (disconnects everything and exits)
 */
import { io as connect, type Socket } from 'socket.io-client';
import { nowMs } from './stats';

export interface ConnectMessage {
  type: 'connect';
  url: string;
  /** `url`: the node these listeners connect to, instead of the message's (a cluster's nodes) */
  assignments: { threadId: number; count: number; url?: string }[];
  /** sockets opened at once by this process */
  batch: number;
  timeoutMs: number;
  /** only posts whose clientId starts with this are counted */
  prefix: string;
}

export interface ReadyMessage {
  type: 'ready';
  connected: number;
  joined: number;
  failures: string[];
  ms: number;
}

export interface ResultMessage {
  type: 'result';
  /** latency in ms of every first receipt of a counted post by a listener */
  latencies: Float64Array;
  /** clientId → number of distinct listeners that received it */
  receivers: Map<string, number>;
  /** receipts of a post that this listener had already received */
  duplicates: number;
  /** listeners joined per thread id */
  joinedPerThread: Map<number, number>;
  /** sockets that disconnected after joining */
  disconnects: number;
  disconnectReasons: string[];
  /** other events received (presence, typing…), by name */
  otherEvents: Record<string, number>;
}

export type ParentMessage = ConnectMessage | { type: 'progress' } | { type: 'collect' } | { type: 'close' };

/** `<prefix><seq>t<µs>x<random>`; the random part keeps ids unique across runs. */
export function makeClientId(prefix: string, seq: number, sendMs: number): string {
  return `${prefix}${seq}t${Math.round(sendMs * 1000)}x${Math.random().toString(36).slice(2, 8)}`;
}

export function sendTimeOf(clientId: string, prefix: string): number | null {
  if (!clientId.startsWith(prefix)) return null;
  const t = clientId.indexOf('t', prefix.length);
  const x = clientId.indexOf('x', t);
  if (t < 0 || x < 0) return null;
  const us = Number(clientId.slice(t + 1, x));
  return Number.isFinite(us) ? us / 1000 : null;
}

function main() {
  const sockets: Socket[] = [];
  const latencies: number[] = [];
  const receivers = new Map<string, number>();
  const joinedPerThread = new Map<number, number>();
  const otherEvents: Record<string, number> = {};
  const disconnectReasons: string[] = [];
  let duplicates = 0;
  let received = 0;
  let disconnects = 0;
  let prefix = '';
  let collecting = true;

  const send = (message: object) => process.send?.(message);

  function openOne(url: string, threadId: number, timeoutMs: number): Promise<'joined' | string> {
    return new Promise((resolve) => {
      const socket = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: timeoutMs });
      sockets.push(socket);
      const seen = new Set<string>();
      let joined = false;
      const timer = setTimeout(() => resolve('timeout'), timeoutMs);
      socket.on('post:created', (payload: { post?: { clientId?: string } }) => {
        const at = nowMs();
        if (!collecting) return;
        const clientId = payload?.post?.clientId;
        if (typeof clientId !== 'string') return;
        const sent = sendTimeOf(clientId, prefix);
        if (sent === null) return;
        if (seen.has(clientId)) {
          duplicates++;
          return;
        }
        seen.add(clientId);
        received++;
        latencies.push(at - sent);
        receivers.set(clientId, (receivers.get(clientId) ?? 0) + 1);
      });
      socket.onAny((event: string) => {
        if (event !== 'post:created') otherEvents[event] = (otherEvents[event] ?? 0) + 1;
      });
      socket.once('connect_error', (error: Error) => {
        clearTimeout(timer);
        resolve(`connect_error: ${error.message}`);
      });
      socket.on('disconnect', (reason: string) => {
        if (!joined) return;
        disconnects++;
        if (disconnectReasons.length < 20) disconnectReasons.push(reason);
      });
      socket.once('connect', () => {
        socket.timeout(timeoutMs).emit('thread:join', { threadId }, (error: Error | null, ack?: { ok: boolean; error?: { code: string } }) => {
          clearTimeout(timer);
          if (error) return resolve(`join: ${error.message}`);
          if (!ack?.ok) return resolve(`join refused: ${ack?.error?.code ?? 'unknown'}`);
          joined = true;
          joinedPerThread.set(threadId, (joinedPerThread.get(threadId) ?? 0) + 1);
          resolve('joined');
        });
      });
    });
  }

  process.on('message', async (message: ParentMessage) => {
    switch (message.type) {
      case 'connect': {
        const started = Date.now();
        prefix = message.prefix;
        const plan = message.assignments.flatMap((a) => Array.from({ length: a.count }, () => ({ threadId: a.threadId, url: a.url ?? message.url })));
        const failures: string[] = [];
        let joined = 0;
        for (let i = 0; i < plan.length; i += message.batch) {
          const outcomes = await Promise.all(plan.slice(i, i + message.batch).map(({ threadId, url }) => openOne(url, threadId, message.timeoutMs)));
          for (const o of outcomes) {
            if (o === 'joined') joined++;
            else if (failures.length < 20) failures.push(o);
            else failures[19] = `${o} (and more)`;
          }
        }
        const connected = sockets.filter((s) => s.connected).length;
        send({ type: 'ready', connected, joined, failures, ms: Date.now() - started } satisfies ReadyMessage);
        break;
      }
      case 'progress':
        send({ type: 'progress', received });
        break;
      case 'collect':
        collecting = false;
        send({
          type: 'result',
          latencies: Float64Array.from(latencies),
          receivers,
          duplicates,
          joinedPerThread,
          disconnects,
          disconnectReasons,
          otherEvents,
        } satisfies ResultMessage);
        break;
      case 'close':
        for (const s of sockets) s.disconnect();
        setTimeout(() => process.exit(0), 300);
        break;
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'started' });
}

// Imported by the benchmark for its helpers; runs only as a forked child.
if (process.send && process.argv.includes('--listener-worker')) main();
