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

export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
export const userRoom = (userId: string) => `user:${userId}`;

/** Sent to a socket whose session ended, just before the server closes it. */
export const SESSION_ENDED = 'session:ended';

/** The handshake: reads the session cookie; a socket without a valid session may only listen. */
export async function authenticate(services: Services, socket: AppSocket): Promise<void> {
  const sessionId = services.auth.readSessionCookie(socket.request.headers.cookie ?? '');
  const { session, user } = sessionId ? await services.auth.validateSession(sessionId) : { session: null, user: null };
  socket.data.user = user;
  socket.data.sessionId = session?.id ?? null;
  socket.data.threads = new Map();
  socket.data.sessionEnded = false;
}

/**
 * The user this socket acts for now, read again from the session store; null for an anonymous
 * socket, and for one whose session has ended (then `socket.data.sessionEnded` is set: the
 * caller answers "signed out" and closes it with endSocket).
 */
export async function currentUser(services: Services, socket: AppSocket): Promise<SessionUser | null> {
  const sessionId = socket.data.sessionId;
  if (!sessionId) return null;
  const { user } = await services.auth.validateSession(sessionId);
  if (!user || socket.data.sessionId !== sessionId) {
    socket.data.user = null;
    socket.data.sessionEnded = true;
    return null;
  }
  socket.data.user = user;
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

export function registerIdentity(io: Server<any, any, any, SocketData>, services: Services) {
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

    // Who the server takes this socket to be: what the client needs to show, nothing more.
    socket.on('session:whoami', async (ack: unknown) => {
      if (typeof ack !== 'function') return;
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
