/**
 * The Socket.io gateway: the handshake checks the Origin and reads the session cookie, so every
 * socket carries its user (or none: anonymous sockets may only listen). Feature handlers
 * (threads, notes) register here and call the same domain services as the pages.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { SessionUser } from '../../app/auth/auth.server';
import { isAllowedOrigin } from '../http/origin';
import type { Services } from '../services';

export interface SocketData {
  user: SessionUser | null;
}

export type PalabreSocket = Socket<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>;

export function createSocketServer(httpServer: HttpServer, services: Services, allowedOrigins: readonly string[]) {
  const io = new Server<any, any, any, SocketData>(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 1_000_000,
    allowRequest: (req, callback) => {
      const ok = isAllowedOrigin(req, allowedOrigins);
      callback(ok ? null : 'origin not allowed', ok);
    },
  });

  io.use(async (socket, next) => {
    try {
      const sessionId = services.auth.readSessionCookie(socket.request.headers.cookie ?? '');
      const { user } = sessionId ? await services.auth.validateSession(sessionId) : { user: null };
      socket.data.user = user;
      next();
    } catch (error) {
      next(error as Error);
    }
  });

  io.on('connection', (socket) => {
    // Who the server takes this socket to be: what the client needs to show, nothing more.
    socket.on('session:whoami', (ack: unknown) => {
      if (typeof ack !== 'function') return;
      const user = socket.data.user;
      ack({ user: user ? { id: user.id, name: user.name } : null });
    });
  });

  return io;
}
