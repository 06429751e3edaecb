/**
 * One way to handle a client event: rate-limit the connection, validate the payload with the
 * same zod schema the forms use, run the domain, and answer through the acknowledgement with
 * `{ ok: true, ... }` or `{ ok: false, error: { code, messageKey, field } }`. A bad event never
 * throws out of the handler, so one client cannot disturb the others.
 */
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Role } from '../../app/accounts/roles';
import type { SessionUser } from '../../app/auth/auth.server';
import { isDomainError } from '../../app/utils/errors';
import { RateLimiter } from '../../app/utils/rate-limit.server';

export interface SocketData {
  user: SessionUser | null;
  /** consultation id → the user's role there, looked up once per connection */
  roles: Map<number, Role>;
}

export type AppSocket = Socket<any, any, any, SocketData>;

export interface Failure {
  ok: false;
  error: { code: string; messageKey: string; field?: string };
}

const fail = (code: string, messageKey: string, field?: string): Failure => ({ ok: false, error: { code, messageKey, field } });

export function createHandlerFactory(eventsPer10s: number) {
  const limiter = new RateLimiter(eventsPer10s, 10_000);

  return function on<S extends z.ZodType>(
    socket: AppSocket,
    event: string,
    schema: S,
    options: { signedIn: boolean },
    run: (input: z.infer<S>, user: SessionUser | null) => Promise<object | void>,
  ) {
    socket.on(event, async (payload: unknown, maybeAck?: unknown) => {
      const ack = typeof maybeAck === 'function' ? (maybeAck as (answer: object) => void) : () => {};
      if (!limiter.consume(socket.id).ok) return ack(fail('rate_limited', 'errors.rateLimited'));
      const user = socket.data.user;
      if (options.signedIn && !user) return ack(fail('unauthenticated', 'errors.unauthenticated'));
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return ack(fail('invalid', issue?.message?.startsWith('errors.') ? issue.message : 'errors.postInvalid', String(issue?.path[0] ?? '')));
      }
      try {
        ack({ ok: true, ...((await run(parsed.data, user)) ?? {}) });
      } catch (error) {
        if (isDomainError(error)) return ack(fail(error.code, error.messageKey, error.field));
        console.error(`[socket] ${event} failed:`, error);
        ack(fail('internal', 'errors.serverErrorText'));
      }
    });
  };
}
