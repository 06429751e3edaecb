/**
 * The browser's one Socket.io connection, opened on first use. The session cookie rides on
 * the handshake; the server decides who the socket is.
 */
import type { FormEvent } from 'react';
import { io, type Socket } from 'socket.io-client';

let socket: Socket | undefined;

export function getSocket(): Socket {
  socket ??= io({ transports: ['websocket', 'polling'] });
  return socket;
}

export interface Ack<T = Record<string, unknown>> {
  ok: boolean;
  error?: { code: string; messageKey: string; field?: string };
  [key: string]: unknown;
  post?: T;
}

/**
 * Emits with an acknowledgement, retrying on time-outs (a dropped connection): events that
 * carry a client id are idempotent on the server, so a retry never duplicates.
 */
export async function emitReliably<T = Record<string, unknown>>(event: string, payload: unknown, attempts = 5): Promise<Ack<T>> {
  const s = getSocket();
  for (let attempt = 1; ; attempt++) {
    try {
      return (await s.timeout(10_000).emitWithAck(event, payload)) as Ack<T>;
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

/**
 * For a plain POST form (it works without JavaScript): with a live socket, sends the same
 * action as `event` instead and returns the answer; with none, or if the socket does not
 * answer, lets the form post the ordinary way and returns null. Retries are idempotent either way.
 */
export async function sendInsteadOfForm<T = Record<string, unknown>>(
  e: FormEvent<HTMLFormElement>,
  event: string,
  payload: unknown,
  attempts?: number,
): Promise<Ack<T> | null> {
  const form = e.currentTarget;
  if (!getSocket().connected) return null; // the ordinary form post
  e.preventDefault();
  try {
    return await emitReliably<T>(event, payload, attempts);
  } catch {
    form.submit();
    return null;
  }
}
