/**
 * Assembles one Palabre server: database (migrated, seeded), domain services, Express with the
 * Remix handler, and Socket.io on the same HTTP server. Used by server/index.ts and by tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerBuild } from '@remix-run/node';
import compression from 'compression';
import express from 'express';
import { openDatabase, pingDatabase, type DatabaseHandle } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { seedConsultation } from '../db/seeds/consultation';
import { ASSETS_PATH, ROOT } from './build';
import type { Config } from './config';
import { bodyLimit } from './http/body-limit';
import { originCheck } from './http/origin';
import { remixHandler } from './http/remix';
import { securityHeaders } from './http/security';
import { sessionMiddleware } from './http/session';
import { createServices, type Services } from './services';
import { createSocketServer } from './socket';

/** Form posts are small: a post is at most ~100 KB of Lexical JSON, plus its fields. */
const MAX_BODY_BYTES = 512 * 1024;

export interface PalabreServer {
  config: Config;
  database: DatabaseHandle;
  services: Services;
  httpServer: http.Server;
  io: ReturnType<typeof createSocketServer>;
  listen(): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

export async function createPalabreServer(config: Config, build: ServerBuild): Promise<PalabreServer> {
  const database = await openDatabase(config.DATABASE_URL);
  try {
    await migrateToLatest(database.db);
    if (config.SEED_ON_START) await seedConsultation(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  const services = createServices(database.db, {
    secureCookies: config.COOKIE_SECURE,
    signInAttemptsPerAddress: config.SIGN_IN_ATTEMPTS_PER_ADDRESS,
    registrationsPerAddress: config.REGISTRATIONS_PER_ADDRESS,
    postsPerMinute: config.POSTS_PER_MINUTE,
  });
  const development = config.NODE_ENV === 'development';

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(securityHeaders({ development }));
  app.use(compression());
  // Fingerprinted assets never change; everything else in public/ may.
  app.use('/build', express.static(ASSETS_PATH, { immutable: true, maxAge: '1y' }));
  // A missing asset is a plain 404, not an HTML page a browser would refuse as a stylesheet.
  app.use('/build', (_req, res) => res.status(404).type('text/plain').send('Not Found'));
  app.use(express.static(`${ROOT}/public`, { maxAge: '1h', index: false }));

  app.get('/healthz', async (_req, res) => {
    try {
      await pingDatabase(database.db);
      res.json({ status: 'ok', database: database.kind });
    } catch (error) {
      res.status(503).json({ status: 'error', database: database.kind, error: (error as Error).message });
    }
  });

  app.use(originCheck(config.ALLOWED_ORIGINS));
  app.use(bodyLimit(MAX_BODY_BYTES));
  app.use(sessionMiddleware(services));
  app.all('*', remixHandler(build, services, config.NODE_ENV));

  const httpServer = http.createServer(app);
  const io = createSocketServer(httpServer, services, config);

  let closing: Promise<void> | undefined;
  return {
    config,
    database,
    services,
    httpServer,
    io,
    listen: () =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.PORT, config.HOST, () => {
          const { port } = httpServer.address() as AddressInfo;
          resolve({ port, url: `http://${config.HOST && config.HOST !== '0.0.0.0' ? config.HOST : 'localhost'}:${port}` });
        });
      }),
    /** Stops taking connections, lets requests in flight finish, then closes the database. */
    close: () =>
      (closing ??= (async () => {
        io.disconnectSockets(true);
        const closed = new Promise<void>((resolve) => {
          if (!httpServer.listening) return resolve();
          httpServer.close(() => resolve());
        });
        // io.close() also closes the HTTP server; keep-alive sockets would otherwise hold it open.
        void io.close();
        httpServer.closeIdleConnections();
        const timer = setTimeout(() => httpServer.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
        await closed;
        clearTimeout(timer);
        // Every open note is stored, compacted and derived before the database goes.
        await services.noteDocs.close(config.SHUTDOWN_TIMEOUT_MS);
        await database.close();
      })()),
  };
}
