/**
 * Who a socket acts for (docs/decisions/0010): the session its handshake carried, and only while
 * that session is valid. Every event a client sends is answered for the session as it is now in
 * the database (signed out, expired, or the user renamed since the socket opened), and the access
 * events of app/auth/access-events.ts act on open sockets at once: a session that ends closes
 * its sockets (after telling them `session:ended`, so the page can reload its data), and a
 * profile change is re-read. Role changes are handled where rooms are (threads.ts, notes.ts).
 */
import type { Server } from 'socket.io';
import type { SessionUser } from '../../app/auth/auth.server';
import type { Services } from '../services';
import type { AppSocket, SocketData } from './handler';

/**
 * The handshake named a user (the one its page shows) who is not the cookie's: the page is stale
 * (someone else signed in in another tab). Refused, not retried: the page reloads its data first
 * (app/live/useLiveSession.ts), then opens a connection for the user it then shows.
 */
export class UserChangedError extends Error {
  constructor() {
    super('user_changed');
  }
}

/** Longest a timer may wait in Node (about 24.8 days); a later expiry is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
export const userRoom = (userId: string) => `user:${userId}`;

/** Sent to a socket whose session ended, just before the server closes it. */
export const SESSION_ENDED = 'session:ended';

/**
 * The handshake: reads the session cookie; a socket without a valid session may only listen.
 * A browser says in `auth.expect` which user its page shows (null: nobody); a socket is never
 * opened for another (UserChangedError), so a stale tab cannot act, post or appear in a note
 * under the name of whoever signed in since in another tab.
 */
export async function authenticate(services: Services, socket: AppSocket): Promise<void> {
  const sessionId = services.auth.readSessionCookie(socket.request.headers.cookie ?? '');
  const { session, user } = sessionId ? await services.auth.validateSession(sessionId) : { session: null, user: null };
  const expected = (socket.handshake.auth as { expect?: unknown } | undefined)?.expect;
  if ((typeof expected === 'string' || expected === null) && expected !== (user?.id ?? null)) throw new UserChangedError();
  socket.data.user = user;
  socket.data.sessionId = session?.id ?? null;
  socket.data.sessionExpiresAt = session ? session.expiresAt.getTime() : Infinity;
  socket.data.threads = new Map();
  socket.data.sessionEnded = false;
}

/**
 * True if the socket's session may have expired since it was last read: its events must then
 * read it again (currentUser) before acting. Cheap enough for every note message.
 */
export const sessionMayHaveExpired = (socket: AppSocket) => socket.data.sessionId !== null && Date.now() >= socket.data.sessionExpiresAt;

/**
 * The user this socket acts for now, read again from the session store; null for an anonymous
 * socket, and for one whose session has ended (then `socket.data.sessionEnded` is set: the
 * caller answers "signed out" and closes it with endSocket).
 */
export async function currentUser(services: Services, socket: AppSocket): Promise<SessionUser | null> {
  const sessionId = socket.data.sessionId;
  if (!sessionId) return null;
  const { session, user } = await services.auth.validateSession(sessionId);
  if (!user || !session || socket.data.sessionId !== sessionId) {
    socket.data.user = null;
    socket.data.sessionEnded = true;
    return null;
  }
  socket.data.user = user;
  socket.data.sessionExpiresAt = session.expiresAt.getTime(); // Lucia extends an active session
  return user;
}

/** Tells the client its session is over and closes the connection (the client reconnects anonymous). */
export function endSocket(socket: AppSocket) {
  socket.data.user = null;
  socket.data.sessionId = null;
  socket.data.sessionEnded = true;
  if (socket.disconnected) return;
  socket.emit(SESSION_ENDED);
  // After the current event's answer ("signed out"), which is sent in this same turn when the
  // session was found ended while answering it (Lucia deletes an expired one as it looks).
  setImmediate(() => socket.disconnect(true));
}

/** This node's sockets in a room (access events reach every node; each acts on its own). */
export function localSocketsIn(io: Server<any, any, any, SocketData>, room: string): AppSocket[] {
  const ids = io.sockets.adapter.rooms.get(room);
  if (!ids) return [];
  return [...ids].map((id) => io.sockets.sockets.get(id)).filter((s): s is AppSocket => s !== undefined);
}

/** Reads the socket's session again and ends the socket if it is over. */
export async function checkSession(services: Services, socket: AppSocket): Promise<void> {
  await currentUser(services, socket);
  if (socket.data.sessionEnded) endSocket(socket);
}

/**
 * Ends the socket when its session expires, even if it sends nothing (a listener in the
 * moderators' room must stop hearing authors' names then). The session is read again at that
 * time: an active one has been extended meanwhile, and the watch moves on.
 */
function watchExpiry(services: Services, socket: AppSocket) {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (socket.disconnected || !Number.isFinite(socket.data.sessionExpiresAt)) return;
    timer = setTimeout(check, Math.min(MAX_TIMER_MS, Math.max(0, socket.data.sessionExpiresAt - Date.now()) + 1_000));
    timer.unref();
  };
  const check = () => {
    checkSession(services, socket).then(
      () => arm(),
      () => {
        // The session store did not answer: look again shortly rather than keep an expired socket.
        timer = setTimeout(check, 30_000);
        timer.unref();
      },
    );
  };
  arm();
  socket.on('disconnect', () => clearTimeout(timer));
}

export function registerIdentity(io: Server<any, any, any, SocketData>, services: Services, options: { eventsPer10s: number }) {
  const limiter = services.limits.make('socket-whoami', options.eventsPer10s, 10_000, 'connection');
  services.accessEvents.subscribe((event) => {
    if (event.type === 'sessions.ended') {
      const room = event.sessionId !== undefined ? sessionRoom(event.sessionId) : userRoom(event.userId);
      for (const socket of localSocketsIn(io, room)) endSocket(socket);
    } else if (event.type === 'user.changed') {
      for (const socket of localSocketsIn(io, userRoom(event.userId))) {
        currentUser(services, socket).then(
          () => socket.data.sessionEnded && endSocket(socket),
          (error) => console.error('[socket] re-reading a user failed:', (error as Error).message),
        );
      }
    }
  });

  io.on('connection', (socket: AppSocket) => {
    const { sessionId, user } = socket.data;
    if (sessionId && user) void Promise.all([socket.join(sessionRoom(sessionId)), socket.join(userRoom(user.id))]);
    watchExpiry(services, socket);

    // Who the server takes this socket to be: what the client needs to show, nothing more.
    socket.on('session:whoami', async (ack: unknown) => {
      if (typeof ack !== 'function') return;
      if (!(await limiter.consume(socket.id)).ok) return ack({ user: null, error: 'errors.rateLimited' });
      try {
        const current = await currentUser(services, socket);
        ack({ user: current ? { id: current.id, name: current.name } : null });
        if (socket.data.sessionEnded) endSocket(socket);
      } catch {
        ack({ user: null, error: 'errors.serviceUnavailable' });
      }
    });
  });
}
