/**
 * The Socket.io gateway: the handshake checks the Origin and reads the session cookie, so every
 * socket carries its session (or none: anonymous sockets may only listen), and acts for it only
 * while it is valid (identity.ts). Feature handlers register here and call the same domain
 * services as the pages.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Cluster } from '../cluster';
import type { Config } from '../config';
import { isAllowedOrigin } from '../http/origin';
import type { Services } from '../services';
import { registerCompilationHandlers } from './compilation';
import { registerNoteHandlers } from './notes';
import { registerThreadHandlers } from './threads';
import type { SocketData } from './handler';
import { limitBacklog, refuseOversizeEvents } from './limits';
import { checkedRedisAdapter } from './redis-adapter';
import { authenticate, registerIdentity, UserChangedError } from './identity';

/**
 * Posts are at most ~100 KB of Lexical JSON and note messages 512 KB (app/notes/protocol.ts): an
 * event over this is answered `too_large` (limits.ts).
 */
const MAX_EVENT_BYTES = 1024 * 1024;
/**
 * The transport closes the connection on a message over this. Well above MAX_EVENT_BYTES, so
 * that a writer who pastes too much gets the answer above, not a dropped connection.
 */
const MAX_MESSAGE_BYTES = 4 * MAX_EVENT_BYTES;
/** Many small messages waiting for one reader (typing, presence) cost memory too. */
const MAX_BACKLOG_PACKETS = 10_000;

/** Sent to every socket of a node when it may have missed other nodes' events: rejoin with the since-cursor. */
export const LIVE_RESYNC = 'live:resync';

export function createSocketServer(
  httpServer: HttpServer,
  services: Services,
  config: Pick<Config, 'ALLOWED_ORIGINS' | 'TRUST_PROXY' | 'SOCKET_EVENTS_PER_10S' | 'SOCKET_MAX_BACKLOG_BYTES'>,
  cluster: Cluster,
) {
  const originPolicy = { allowed: config.ALLOWED_ORIGINS, proxies: config.TRUST_PROXY };
  const io = new Server<any, any, any, SocketData>(httpServer, {
    serveClient: false,
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    allowRequest: (req, callback) => {
      const ok = isAllowedOrigin(req, originPolicy);
      callback(ok ? null : 'origin not allowed', ok);
    },
  });
  // Several nodes: what a socket sends to a room (typing) reaches that room's sockets on every
  // node through Redis pub/sub. Domain events do not go this way: each node hears them on the
  // cluster bus and emits to its own sockets (`io.local`), so they are sent once per node.
  if (cluster.redis) io.adapter(checkedRedisAdapter(cluster.redis.client, cluster.redis.adapterSubscriber, { key: `${cluster.redis.prefix}:socket.io` }) as never);
  limitBacklog(io, { maxBytes: config.SOCKET_MAX_BACKLOG_BYTES, maxPackets: MAX_BACKLOG_PACKETS });
  // First of the connection's middlewares: an oversize event reaches no handler.
  io.on('connection', (socket) => refuseOversizeEvents(socket, MAX_EVENT_BYTES));

  io.use(async (socket, next) => {
    try {
      await authenticate(services, socket);
      next();
    } catch (error) {
      if (error instanceof UserChangedError) {
        return next(Object.assign(new Error(error.message), { data: { retryable: false, messageKey: 'errors.userChanged' } }));
      }
      // The session could not be read (the database is down, most likely). The real error stays
      // in the server's log; the client gets a stable code and an i18n key, never internals
      // such as a database address, and retries with backoff (app/live/socket.client.ts).
      console.error('[socket] handshake failed, the client will retry:', error);
      next(Object.assign(new Error('service_unavailable'), { data: { retryable: true, messageKey: 'errors.serviceUnavailable' } }));
    }
  });

  registerIdentity(io, services, { eventsPer10s: config.SOCKET_EVENTS_PER_10S });
  registerThreadHandlers(io, services, cluster, { eventsPer10s: config.SOCKET_EVENTS_PER_10S });
  registerCompilationHandlers(io, services, { eventsPer10s: config.SOCKET_EVENTS_PER_10S });
  // Typing in a note sends an update and an awareness change per keystroke or two.
  registerNoteHandlers(io, services, cluster, { eventsPer10s: config.SOCKET_EVENTS_PER_10S, messagesPer10s: 10 * config.SOCKET_EVENTS_PER_10S });
  // Redis is back after an outage: every client catches up from its since-cursor (what crossed
  // the channels meanwhile is lost; what was written is in the database). Each client waits a
  // moment of its own first, so that a crowd does not rejoin at once.
  cluster.onResync(() => io.local.emit(LIVE_RESYNC));
  return io;
}
