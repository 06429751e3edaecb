/**
 * The Socket.io gateway: the handshake checks the Origin and reads the session cookie, so every
 * socket carries its user (or none: anonymous sockets may only listen). Feature handlers
 * register here and call the same domain services as the pages.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Config } from '../config';
import { isAllowedOrigin } from '../http/origin';
import type { Services } from '../services';
import { registerNoteHandlers } from './notes';
import { registerThreadHandlers } from './threads';
import type { SocketData } from './handler';

export function createSocketServer(httpServer: HttpServer, services: Services, config: Pick<Config, 'ALLOWED_ORIGINS' | 'SOCKET_EVENTS_PER_10S'>) {
  const io = new Server<any, any, any, SocketData>(httpServer, {
    serveClient: false,
    // Posts are at most ~100 KB of Lexical JSON and note messages 512 KB (app/notes/protocol.ts);
    // anything far larger is refused by the transport.
    maxHttpBufferSize: 1_000_000,
    allowRequest: (req, callback) => {
      const ok = isAllowedOrigin(req, config.ALLOWED_ORIGINS);
      callback(ok ? null : 'origin not allowed', ok);
    },
  });

  io.use(async (socket, next) => {
    try {
      const sessionId = services.auth.readSessionCookie(socket.request.headers.cookie ?? '');
      const { user } = sessionId ? await services.auth.validateSession(sessionId) : { user: null };
      socket.data.user = user;
      socket.data.roles = new Map();
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

  registerThreadHandlers(io, services, { eventsPer10s: config.SOCKET_EVENTS_PER_10S });
  // Typing in a note sends an update and an awareness change per keystroke or two.
  registerNoteHandlers(io, services, { eventsPer10s: config.SOCKET_EVENTS_PER_10S, messagesPer10s: 10 * config.SOCKET_EVENTS_PER_10S });
  return io;
}
