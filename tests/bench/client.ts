/**
 * Client-side helpers shared by the scenarios: sockets, Lexical documents, posting with an
 * acknowledgement, and an open-loop schedule (fixed send times, never waiting for answers).
 */
import { io as connect, type Socket } from 'socket.io-client';
import { documentFromText } from '../../app/posts/lexical';
import { nowMs, sleep } from './stats';

export function openSocket(url: string, cookie?: string, timeoutMs = 20_000): Promise<Socket> {
  const socket = connect(url, {
    transports: ['websocket'],
    extraHeaders: cookie ? { cookie } : {},
    forceNew: true,
    reconnection: false,
    timeout: timeoutMs,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`socket did not connect within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (error: Error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
  });
}

/** A Lexical document with one paragraph of `text`, as the editor sends it. */
export const lexicalDoc = (text: string) => documentFromText(text);

export interface PostOutcome {
  clientId: string;
  ok: boolean;
  /** send → acknowledgement, ms */
  ackMs: number;
  /** error code from the ack, or 'timeout' / the transport's message */
  error?: string;
  post?: { id: number; clientId: string };
}

/** Emits post:create and resolves with the acknowledgement (or its absence, after timeoutMs). */
export function createPost(
  socket: Socket,
  payload: { threadId: number; clientId: string; body: object; parentId?: number },
  sentAt: number,
  timeoutMs = 30_000,
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit('post:create', payload, (error: Error | null, ack?: { ok: boolean; post?: PostOutcome['post']; error?: { code: string } }) => {
      const ackMs = nowMs() - sentAt;
      if (error) return resolve({ clientId: payload.clientId, ok: false, ackMs, error: 'timeout' });
      if (!ack?.ok) return resolve({ clientId: payload.clientId, ok: false, ackMs, error: ack?.error?.code ?? 'unknown' });
      resolve({ clientId: payload.clientId, ok: true, ackMs, post: ack.post });
    });
  });
}

export interface ScheduleReport {
  sent: number;
  /** first to last send, ms */
  durationMs: number;
  /** how late each send was against its planned time, ms */
  lags: number[];
}

/**
 * Calls `send(i)` for i = 0..count-1 at `start + i × 1000/rate` ms (open loop: late sends are
 * caught up at once, answers are never awaited). Stops after count sends or maxMs.
 */
export async function openLoop(ratePerSecond: number, count: number, maxMs: number, send: (i: number) => void): Promise<ScheduleReport> {
  const interval = 1000 / ratePerSecond;
  const start = performance.now();
  const lags: number[] = [];
  let i = 0;
  while (i < count && performance.now() - start < maxMs) {
    const now = performance.now();
    while (i < count && start + i * interval <= now) {
      lags.push(performance.now() - (start + i * interval));
      send(i);
      i++;
    }
    if (i >= count) break;
    const wait = start + i * interval - performance.now();
    await sleep(Math.max(0, Math.min(wait, 50)));
  }
  return { sent: i, durationMs: performance.now() - start, lags };
}
