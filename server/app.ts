/**
 * Assembles one Palabre server: database (migrated, seeded), domain services, Express with the
 * Remix handler, and Socket.io on the same HTTP server. Used by server/index.ts and by tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerBuild } from '@remix-run/node';
import compression from 'compression';
import express from 'express';
import { databaseErrorCode, openDatabase, pingDatabase, type DatabaseHandle } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { seedConsultation } from '../db/seeds/consultation';
import { ASSETS_PATH, ROOT } from './build';
import type { Config } from './config';
import { bodyLimit } from './http/body-limit';
import { originCheck } from './http/origin';
import { threadPageCache } from './http/page-cache';
import { loadContextFor, remixHandler } from './http/remix';
import { securityHeaders } from './http/security';
import { sessionMiddleware } from './http/session';
import { createServices, type Services } from './services';
import { createSocketServer } from './socket';
import { joinCluster, singleNode, type Cluster } from './cluster';
import { newNodeId } from './cluster/bus';
import { connectRedis, type RedisConnection } from './cluster/redis';

/** Form posts are small: a post is at most ~100 KB of Lexical JSON, plus its fields. */
const MAX_BODY_BYTES = 512 * 1024;
/** A database write taking longer than this makes /healthz answer 503 ('timeout'). */
const HEALTH_PROBE_TIMEOUT_MS = 3_000;

export interface PalabreServer {
  config: Config;
  database: DatabaseHandle;
  services: Services;
  /** The other nodes (REDIS_URL), or this node alone. */
  cluster: Cluster;
  httpServer: http.Server;
  io: ReturnType<typeof createSocketServer>;
  /** The anonymous thread-page cache's hit and miss counts (null under `remix dev`). */
  pageCache: { stats: { hits: number; misses: number } } | null;
  listen(): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

export async function createPalabreServer(config: Config, build: ServerBuild): Promise<PalabreServer> {
  // Redis first: a node that cannot reach it must not start (RedisConnectError names REDIS_URL).
  const redis: RedisConnection | null = config.REDIS_URL ? await connectRedis(config.REDIS_URL, config.REDIS_PREFIX) : null;
  let database: DatabaseHandle;
  try {
    database = await openDatabase(config.DATABASE_URL);
  } catch (error) {
    await redis?.close();
    throw error;
  }
  try {
    // Several nodes may start at once on a fresh database: the migrator and the seed each take a
    // lock on PostgreSQL, so one node does the work and the others find it done.
    await migrateToLatest(database.db);
    if (config.SEED_ON_START) await seedConsultation(database.db);
  } catch (error) {
    await database.close();
    await redis?.close();
    throw error;
  }
  const services = createServices(database.db, {
    secureCookies: config.COOKIE_SECURE,
    signInAttemptsPerAddress: config.SIGN_IN_ATTEMPTS_PER_ADDRESS,
    registrationsPerAddress: config.REGISTRATIONS_PER_ADDRESS,
    postsPerMinute: config.POSTS_PER_MINUTE,
    searchesPerMinute: config.SEARCHES_PER_MINUTE,
    exportWorkers: config.EXPORT_WORKERS,
    redis: redis ? { client: redis.client, prefix: redis.prefix } : null,
  });
  const nodeId = config.NODE_ID ?? newNodeId();
  const cluster = redis ? await joinCluster(services, redis, nodeId) : singleNode(nodeId);
  const development = config.NODE_ENV === 'development';

  const app = express();
  app.disable('x-powered-by');
  // A number of hops, never `true`: Express would then take the leftmost X-Forwarded-For address,
  // which the client writes, and anyone could step around the per-address rate limits.
  app.set('trust proxy', config.TRUST_PROXY > 0 ? config.TRUST_PROXY : false);
  app.use(securityHeaders({ development }));
  app.use(compression());
  // Fingerprinted assets never change; everything else in public/ may.
  app.use('/build', express.static(ASSETS_PATH, { immutable: true, maxAge: '1y' }));
  // A missing asset is a plain 404, not an HTML page a browser would refuse as a stylesheet.
  app.use('/build', (_req, res) => res.status(404).type('text/plain').send('Not Found'));
  // Only a path whose last segment has an extension (favicon.svg…) can name a file there: pages
  // skip the file-system lookup, a failed stat (and its error object) per page view. An
  // extension starts with a letter: a sub-question's thread (`/q/2/2.4`) is a page, not a file.
  const publicFiles = express.static(`${ROOT}/public`, { maxAge: '1h', index: false });
  app.use((req, res, next) => (/\.[a-z][a-z0-9]*$/i.test(req.path) ? publicFiles(req, res, next) : next()));

  // Healthy means "what people write is saved": the database takes a write (one upsert of one
  // row), and no open note has saves failing. Probes do not pile up: while one runs (even one that
  // hangs), requests share it, and wait for it at most HEALTH_PROBE_TIMEOUT_MS.
  let probe: Promise<string | null> | null = null;
  let lastProblem: string | null = null;
  const probeDatabase = (): Promise<string | null> => {
    probe ??= pingDatabase(database.db)
      .then(
        () => null,
        (error: unknown) => {
          const code = databaseErrorCode(error);
          // The raw message goes to the log, once per new problem; the answer has the code.
          if (code !== lastProblem) console.error(`[healthz] the database refused a write (${code}):`, (error as Error).message);
          return code;
        },
      )
      .then((problem) => {
        lastProblem = problem;
        probe = null;
        return problem;
      });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timeout'), HEALTH_PROBE_TIMEOUT_MS)));
    return Promise.race([probe, late]).finally(() => clearTimeout(timer));
  };

  // Each service that is down is named: `down: ['database', 'redis']`; `error` keeps the
  // database's own code (or notes_not_saved, or redis) for monitors that read it.
  app.get('/healthz', async (_req, res) => {
    const [problem, clusterProblem] = await Promise.all([probeDatabase(), cluster.problem()]);
    const notesNotSaved = services.noteDocs.failing();
    const down = [...(problem ? ['database'] : []), ...(clusterProblem ? [clusterProblem] : [])];
    res.set('Cache-Control', 'no-store');
    // Nothing about the node itself (its id holds the host name): /healthz is public.
    const about = { database: database.kind, ...(redis ? { redis: clusterProblem ? 'down' : 'ok' } : {}) };
    if (down.length > 0 || notesNotSaved.length > 0) {
      res.status(503).json({
        status: 'error',
        ...about,
        error: problem ?? clusterProblem ?? 'notes_not_saved',
        down,
        ...(notesNotSaved.length > 0 ? { notesNotSaved } : {}),
      });
      return;
    }
    res.json({ status: 'ok', ...about });
  });

  app.use(originCheck({ allowed: config.ALLOWED_ORIGINS, proxies: config.TRUST_PROXY }));
  app.use(bodyLimit({ maxBytes: MAX_BODY_BYTES, proxies: config.TRUST_PROXY }));
  app.use(sessionMiddleware(services));
  // Anonymous thread pages, rendered once per change (server/http/page-cache.ts); not under
  // `remix dev`, whose builds change under a running process.
  const pageCache = development
    ? null
    : threadPageCache({ build, mode: config.NODE_ENV, services, loadContext: loadContextFor(services), onWrite: cluster.publishWrite });
  if (pageCache) {
    cluster.onWrite(pageCache.invalidate);
    app.use(pageCache.middleware);
  }
  const handler = remixHandler(build, services, config.NODE_ENV);
  app.all('*', pageCache ? pageCache.countWrites(handler) : handler);

  const httpServer = http.createServer(app);
  const io = createSocketServer(httpServer, services, config, cluster);

  let closing: Promise<void> | undefined;
  return {
    config,
    database,
    services,
    cluster,
    httpServer,
    io,
    pageCache,
    listen: () =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.PORT, config.HOST, () => {
          const { port } = httpServer.address() as AddressInfo;
          resolve({ port, url: `http://${config.HOST && config.HOST !== '0.0.0.0' ? config.HOST : 'localhost'}:${port}` });
        });
      }),
    /**
     * Stops taking connections, lets requests in flight finish, stores every open note, then
     * closes the database. Rejects (NotesNotSavedError, naming them) if some notes' edits could
     * not be stored within SHUTDOWN_TIMEOUT_MS; the database is closed all the same.
     */
    close: () =>
      (closing ??= (async () => {
        // This node's sockets only: with the Redis adapter, `io.disconnectSockets` would end every
        // node's (a rolling restart would disconnect everyone).
        io.local.disconnectSockets(true);
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
        const notes = await services.noteDocs.close(config.SHUTDOWN_TIMEOUT_MS).then(
          () => null,
          (error: unknown) => ({ error }),
        );
        await services.exportPool.close();
        await cluster.close();
        await redis?.close();
        await database.close();
        if (notes) throw notes.error;
      })()),
  };
}
