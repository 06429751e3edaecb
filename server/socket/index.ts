/**
 * The Socket.io gateway: the handshake checks the Origin and reads the session cookie, so every
 * socket carries its session (or none: anonymous sockets may only listen), and acts for it only
 * while it is valid (identity.ts). Feature handlers register here and call the same domain
 * services as the pages.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Config } from '../config';
import { isAllowedOrigin } from '../http/origin';
import type { Services } from '../services';
import { registerNoteHandlers } from './notes';
import { registerThreadHandlers } from './threads';
import type { SocketData } from './handler';
import { authenticate, registerIdentity } from './identity';

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
      await authenticate(services, socket);
      next();
    } catch (error) {
      // The session could not be read (the database is down, most likely). The real error stays
      // in the server's log; the client gets a stable code and an i18n key, never internals
      // such as a database address, and retries with backoff (app/live/socket.client.ts).
      console.error('[socket] handshake failed, the client will retry:', error);
      next(Object.assign(new Error('service_unavailable'), { data: { retryable: true, messageKey: 'errors.serviceUnavailable' } }));
    }
  });

  registerIdentity(io, services);
  registerThreadHandlers(io, services, { eventsPer10s: config.SOCKET_EVENTS_PER_10S });
  // Typing in a note sends an update and an awareness change per keystroke or two.
  registerNoteHandlers(io, services, { eventsPer10s: config.SOCKET_EVENTS_PER_10S, messagesPer10s: 10 * config.SOCKET_EVENTS_PER_10S });
  return io;
}
