/**
 * One way to handle a client event: rate-limit the connection, validate the payload with the
 * same zod schema the forms use, run the domain, and answer through the acknowledgement with
 * `{ ok: true, ... }` or `{ ok: false, error: { code, messageKey, field } }`. A bad event never
 * throws out of the handler, so one client cannot disturb the others.
 */
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { SessionUser } from '../../app/auth/auth.server';
import { isDomainError } from '../../app/utils/errors';
import { databaseErrorCode } from '../../db/database';
import type { Services } from '../services';
import { currentUser, endSocket } from './identity';

export interface SocketData {
  /** Who the socket acts for, as of its last event (identity.ts re-reads it at every event). */
  user: SessionUser | null;
  /** The session the handshake carried (null: anonymous). */
  sessionId: string | null;
  /** When that session expires, as last read (ms since the epoch; Infinity when anonymous). */
  sessionExpiresAt: number;
  /** The session ended while the socket was open: it is answered "signed out" and closed. */
  sessionEnded: boolean;
  /** thread id → its consultation id, for the threads this socket joined */
  threads: Map<number, number>;
}

export type AppSocket = Socket<any, any, any, SocketData>;

export interface Failure {
  ok: false;
  error: { code: string; messageKey: string; field?: string };
}

const fail = (code: string, messageKey: string, field?: string): Failure => ({ ok: false, error: { code, messageKey, field } });

export function createHandlerFactory(services: Services, eventsPer10s: number) {
  const limiter = services.limits.make('socket-events', eventsPer10s, 10_000, 'connection');

  return function on<S extends z.ZodType>(
    socket: AppSocket,
    event: string,
    schema: S,
    options: { signedIn: boolean },
    run: (input: z.infer<S>, user: SessionUser | null) => Promise<object | void>,
  ) {
    socket.on(event, async (payload: unknown, maybeAck?: unknown) => {
      const ack = typeof maybeAck === 'function' ? (maybeAck as (answer: object) => void) : () => {};
      if (!(await limiter.consume(socket.id)).ok) return ack(fail('rate_limited', 'errors.rateLimited'));
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return ack(fail('invalid', issue?.message?.startsWith('errors.') ? issue.message : 'errors.postInvalid', String(issue?.path[0] ?? '')));
      }
      try {
        // Acts for the session as it is now: an event from an ended session does nothing.
        const user = await currentUser(services, socket);
        if (socket.data.sessionEnded) {
          ack(fail('signed_out', 'errors.signedOut'));
          return endSocket(socket);
        }
        if (options.signedIn && !user) return ack(fail('unauthenticated', 'errors.unauthenticated'));
        ack({ ok: true, ...((await run(parsed.data, user)) ?? {}) });
      } catch (error) {
        if (isDomainError(error)) return ack(fail(error.code, error.messageKey, error.field));
        console.error(`[socket] ${event} failed:`, error);
        // The database is down or refuses writes: say so (the writer keeps the text and retries),
        // rather than "an unexpected error".
        if (databaseErrorCode(error) !== 'error') return ack(fail('service_unavailable', 'errors.storageUnavailable'));
        ack(fail('internal', 'errors.serverErrorText'));
      }
    });
  };
}
