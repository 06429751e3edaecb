/**
 * Several real Palabre processes (`tsx server/index.ts`, production build) on one PostgreSQL
 * database and one Redis, as a deployment behind a load balancer runs them (issue 14), for the
 * tests of tests/cluster/. Each node is a process of its own: what one node's memory holds
 * (rooms, open notes, rate limits) the others can only learn through Redis or the database, which
 * is what these tests check. Nodes are stopped (SIGTERM), killed (SIGKILL) and restarted; a
 * private redis-server can be stopped and started again on the same port.
 *
 * The test process reaches the same database directly (users, sessions, notes as fixtures; reading
 * back what the nodes stored) with the domain services of server/services.ts, without Redis and
 * without listening: whatever must reach the nodes' sockets goes through a node (a socket event,
 * a form post), never through these services.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { afterEach } from 'vitest';
import { createClient } from 'redis';
import { io as connect, type Socket } from 'socket.io-client';
import * as Y from 'yjs';
import { applyRole } from '../../app/accounts/accounts.server';
import type { Role } from '../../app/accounts/roles';
import { createNoteStore } from '../../app/notes/note-store.server';
import { openDatabase, type DatabaseHandle } from '../../db/database';
import { createServices, type Services } from '../../server/services';
import { createTestDatabase, type TestDatabase } from './database';
import { startProcess } from './process';
import { connectCoEditor, REMOTE, type CoEditor, type CoEditorOptions } from './yjs-client';

/** The shared Redis the cluster tests use unless told otherwise (TEST_REDIS_URL). */
export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
/** The default consultation the seed creates, and a thread of it. */
export const CONSULTATION_SLUG = 'gfmd-2020-partnerships';
export const THREAD_PATH = `/c/${CONSULTATION_SLUG}/q/2/2.4`;

/**
 * A node's start compiles the server with tsx and, on a fresh database, migrates and seeds it:
 * about 6 s alone on two cores, several times that when three start at once beside other tests.
 */
export const NODE_START_TIMEOUT_MS = 120_000;
/**
 * startCluster gives up (killing what it started) a little before the hook's timeout: a hook that
 * timed out would leave the nodes running, with no cluster returned to close them.
 */
const START_GIVE_UP_MS = NODE_START_TIMEOUT_MS - 10_000;

// -------------------------------------------------------------------------------------------------
// Redis
// -------------------------------------------------------------------------------------------------

/** A TCP port nobody listens on now (the kernel's pick, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a Redis answers PING at `url` within `timeoutMs` (a raw RESP exchange: no client to close). */
export function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    let reply = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d;
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

async function waitUntil(what: string, condition: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Whether the server runs now. */
  readonly running: boolean;
  /** Starts it (again) on the same port; resolves once it answers PING. */
  start(): Promise<void>;
  /** Stops it (SIGTERM, nothing saved) and waits for its exit. */
  stop(): Promise<void>;
  /** What it printed, for a failing test's report. */
  output(): string;
}

/**
 * A redis-server of the test's own (`--save '' --appendonly no`: it forgets everything when
 * stopped), on a free port it keeps across stops and starts: the nodes' REDIS_URL stays valid
 * while it is down, as when a real Redis restarts. Started before it is returned.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let log = '';
  const redis: PrivateRedis = {
    url,
    port,
    get running() {
      return child !== null;
    },
    async start() {
      if (child) return;
      const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      proc.stdout!.on('data', (d) => (log += d));
      proc.stderr!.on('data', (d) => (log += d));
      exited = new Promise((resolve) => proc.once('exit', () => resolve()));
      void exited.then(() => {
        if (child === proc) child = null;
      });
      await waitUntil(`redis-server on port ${port} answering PING`, async () => {
        if (child !== proc) throw new Error(`redis-server on port ${port} exited at start:\n${log}`);
        return redisAnswers(url, 500);
      }, 10_000);
    },
    async stop() {
      const proc = child;
      if (!proc) return;
      proc.kill('SIGTERM');
      await exited;
      child = null;
    },
    output: () => log,
  };
  await redis.start();
  return redis;
}

/**
 * The Redis a test file's cluster shares: the one at SHARED_REDIS_URL when it answers (each
 * cluster keeps to a prefix of its own there), else a private redis-server (a CI machine may
 * have the binary but no service running). `close()` stops the private one, if any.
 */
export async function redisForTests(): Promise<{ url: string; close(): Promise<void> }> {
  if (await redisAnswers(SHARED_REDIS_URL)) return { url: SHARED_REDIS_URL, close: async () => {} };
  const redis = await startPrivateRedis();
  return { url: redis.url, close: () => redis.stop() };
}

/** Deletes every key under `prefix` (a test file's namespace in a shared Redis). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  if (!(await redisAnswers(url))) return;
  const client = createClient({ url });
  client.on('error', () => {}); // reported by the commands below
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      const batch = ([] as string[]).concat(keys as string | string[]);
      if (batch.length) await client.del(batch);
    }
  } finally {
    await client.close();
  }
}

// -------------------------------------------------------------------------------------------------
// Nodes
// -------------------------------------------------------------------------------------------------

export interface ClusterNode {
  /** 'A', 'B', 'C'… (also its NODE_ID, and the prefix of its lines in a report). */
  name: string;
  /** Its address while it runs (a restart listens on a new port, as a new instance would). */
  url: string;
  /** Whether its process runs. */
  readonly running: boolean;
  /** The process's exit code, once it has exited (null: killed by a signal). */
  readonly exitCode: Promise<number | null>;
  /** Everything it printed since its last start. */
  output(): string;
  /** SIGTERM, then waits for the exit; resolves with the exit code (0: stopped cleanly). */
  stop(): Promise<number | null>;
  /** SIGKILL: gone at once, nothing flushed. */
  kill(): Promise<void>;
  /** Starts it again with the same environment; resolves once it listens. */
  restart(): Promise<void>;
}

export interface Cluster {
  nodes: ClusterNode[];
  database: TestDatabase;
  redisUrl: string;
  /** REDIS_PREFIX of this cluster: its keys and channels in the shared Redis. */
  prefix: string;
  /** The same database, opened by the test process (fixtures, reading back what nodes stored). */
  db: DatabaseHandle;
  /** Domain services over `db`, without Redis: nothing they publish reaches a node. */
  services: Services;
  /** Every node's output, each line prefixed with its name (for a failing test's report). */
  report(): string;
  /** Stops every node (SIGTERM), closes the test process's handle, drops the database, deletes the Redis keys. */
  close(): Promise<void>;
}

/** Environment every node gets: limits well above what a test sends (one address sends everything). */
const NODE_DEFAULTS: Record<string, string> = {
  REGISTRATIONS_PER_ADDRESS: '10000',
  SEARCHES_PER_MINUTE: '10000',
  SIGN_IN_ATTEMPTS_PER_ADDRESS: '10000',
  POSTS_PER_MINUTE: '1000',
  // Note messages are allowed ten times this: the co-editing tests type hundreds of small updates.
  SOCKET_EVENTS_PER_10S: '5000',
  SHUTDOWN_TIMEOUT_MS: '10000',
};

/** The processes below `pid`, deepest first (Linux: read from /proc). */
function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so read after the last ')'.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const below = (p: number): number[] => (children.get(p) ?? []).flatMap((c) => [...below(c), c]);
  return below(pid);
}

/** A node's process, started; `listening` resolves with its URL (the first start's: startCluster awaits it). */
function startNode(name: string, env: Record<string, string>): { node: ClusterNode; listening: Promise<string> } {
  let proc = startProcess({ ...NODE_DEFAULTS, NODE_ID: name, ...env });
  let running = true;
  const watch = () => {
    const current = proc;
    void current.exited.then(() => {
      if (proc === current) running = false;
    });
  };
  watch();
  const node: ClusterNode = {
    name,
    url: '',
    get running() {
      return running;
    },
    get exitCode() {
      return proc.exited;
    },
    output: () => proc.output(),
    async stop() {
      if (running) proc.child.kill('SIGTERM');
      return proc.exited;
    },
    async kill() {
      if (!running) return;
      // tsx runs the server in a child process of its own, which a SIGKILL to tsx would leave
      // serving: the server goes first (and tsx exits with it), then whatever is left.
      for (const pid of [...descendantsOf(proc.child.pid!), proc.child.pid!]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      await proc.exited;
    },
    async restart() {
      if (running) await node.stop();
      proc = startProcess({ ...NODE_DEFAULTS, NODE_ID: name, ...env });
      running = true;
      watch();
      node.url = await proc.listening;
    },
  };
  return { node, listening: proc.listening };
}

/**
 * Starts `size` nodes at the same moment on a fresh PostgreSQL database (they migrate and seed it
 * concurrently) and one Redis (`redisUrl`, default the shared one, under a prefix of this call's
 * own). `env` goes to every node. Rejects, with every node's output, if one does not listen.
 */
export async function startCluster(options: { size: number; redisUrl?: string; env?: Record<string, string> }): Promise<Cluster> {
  const database = await createTestDatabase();
  if (database.kind !== 'postgres') throw new Error('a cluster needs PostgreSQL (DATABASE_URL=postgres://…)');
  const redisUrl = options.redisUrl ?? SHARED_REDIS_URL;
  const prefix = `palabre-test-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const env = { DATABASE_URL: database.url, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, ...options.env };
  const names = 'ABCDEFGH'.slice(0, options.size).split('');
  const starts = names.map((name) => startNode(name, env));
  const nodes = starts.map((s) => s.node);
  const report = () => reportOf(nodes);
  let timer: NodeJS.Timeout | undefined;
  const tooLate = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), START_GIVE_UP_MS)));
  const started = await Promise.race([Promise.allSettled(starts.map((s) => s.listening)), tooLate]);
  clearTimeout(timer);
  if (started === 'late' || started.some((s) => s.status === 'rejected')) {
    await Promise.all(nodes.map((n) => n.kill()));
    await database.drop();
    throw new Error(`the cluster did not start${started === 'late' ? ` within ${START_GIVE_UP_MS} ms` : ''}:\n${report()}`);
  }
  started.forEach((s, i) => (nodes[i]!.url = (s as PromiseFulfilledResult<string>).value));
  // Opened once the nodes have migrated it.
  const db = await openDatabase(database.url);
  const services = createServices(db.db, { secureCookies: true, signInAttemptsPerAddress: 10_000, registrationsPerAddress: 10_000, postsPerMinute: 1_000 });
  let closing: Promise<void> | undefined;
  return {
    nodes,
    database,
    redisUrl,
    prefix,
    db,
    services,
    report,
    close: () =>
      (closing ??= (async () => {
        // A node whose shutdown hangs (a test failed half-way) is killed: never left behind.
        await Promise.all(
          nodes.map(async (n) => {
            const timer = setTimeout(() => void n.kill(), 30_000);
            await n.stop();
            clearTimeout(timer);
          }),
        );
        await services.exportPool.close();
        await db.close();
        await database.drop();
        await deleteRedisKeys(redisUrl, prefix).catch(() => {});
      })()),
  };
}

/** The last `maxChars` of each node's output, its lines prefixed with its name. */
export function reportOf(nodes: ClusterNode[], maxChars = 6_000): string {
  return nodes
    .map((n) => {
      const out = n.output();
      const tail = out.length > maxChars ? `…${out.slice(-maxChars)}` : out;
      return `--- node ${n.name} (${n.running ? n.url : 'not running'}) ---\n${tail
        .split('\n')
        .map((l) => `[${n.name}] ${l}`)
        .join('\n')}`;
    })
    .join('\n');
}

/**
 * Prints what the nodes (and anything else reported) printed after a failing test of this file:
 * a failure across processes is read from their logs.
 */
export function reportOnFailure(...sources: (() => string | undefined)[]): void {
  afterEach((context) => {
    if (context.task.result?.state !== 'fail') return;
    const text = sources.map((s) => s()).filter(Boolean).join('\n');
    if (text) console.error(`\n==== what the processes printed (${context.task.name}) ====\n${text}\n====\n`);
  });
}

// -------------------------------------------------------------------------------------------------
// Fixtures through the database
// -------------------------------------------------------------------------------------------------

export type ClusterUser = Awaited<ReturnType<typeof createClusterUser>>;

let counter = 0;

/**
 * A user with a session, written in the cluster's database (no node is involved: sessions are
 * read from the database by whichever node a request reaches). `role` in the default consultation;
 * `siteRole: 'admin'` for an administrator. `cookie` is the session cookie (`name=value`).
 */
export async function createClusterUser(
  cluster: Cluster,
  { role, siteRole, ...overrides }: Partial<{ name: string; organisation: string; stakeholderGroup: string; country: string; role: Role; siteRole: 'admin' }> = {},
) {
  const { services } = cluster;
  counter++;
  const tag = crypto.randomBytes(4).toString('hex');
  const input = {
    name: `Cluster Person ${counter} ${tag}`,
    email: `cluster${counter}.${tag}@example.org`,
    password: 'a long enough password',
    organisation: `Organisation ${counter}`,
    stakeholderGroup: 'civil-society',
    country: 'SN',
    ...overrides,
  };
  const id = await services.accounts.register(input, siteRole ? { siteRole } : {});
  if (role && role !== 'participant') {
    const consultation = await services.consultations.getDefault();
    await services.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: id, consultationId: consultation!.id, from: 'participant', to: role }));
  }
  const session = await services.auth.createSession(id, {});
  return { id, ...input, cookie: `${services.auth.sessionCookieName}=${session.id}` };
}

/** A thread's id from its number ('2.4'). */
export async function threadIdOf(cluster: Cluster, number: string): Promise<number> {
  const row = await cluster.db.db.selectFrom('threads').select('id').where('number', '=', number).executeTakeFirstOrThrow();
  return row.id;
}

/**
 * A note's document as stored: the snapshot merged with every later update, as a node loads it
 * (app/notes/note-store.server.ts `load`), and how many updates follow the snapshot.
 */
export async function storedNote(cluster: Cluster, noteId: number): Promise<{ doc: Y.Doc; updates: number }> {
  const { state, updates } = await createNoteStore(cluster.db.db).load(noteId);
  const doc = new Y.Doc();
  if (state) Y.applyUpdate(doc, state);
  return { doc, updates };
}

// -------------------------------------------------------------------------------------------------
// Live clients
// -------------------------------------------------------------------------------------------------

/**
 * A socket.io client of one node, carrying a session cookie and the node's Origin as a browser
 * would. Every event received is kept (`received`), and every raw frame too (`frames`: the
 * text of each engine.io message, acknowledgements included), for assertions on what crossed the
 * wire. `connectTo(url)` moves it to another node, as a load balancer does when its node is gone.
 */
export class LiveClient {
  socket!: Socket;
  url: string;
  readonly received: { event: string; payload: any; at: number }[] = [];
  readonly frames: string[] = [];
  private waiters = new Set<() => void>();
  /** Called when the socket reconnects by itself (not on connectTo): a reader rejoins then. */
  onReconnect: (() => Promise<void>) | null = null;
  private handlers = new Map<string, ((payload: any) => void)[]>();

  constructor(
    url: string,
    readonly cookie?: string,
    private readonly options: { reconnection?: boolean } = {},
  ) {
    this.url = url;
  }

  /** Connects to `url` (default: the node it was made for), closing any previous connection. */
  async connectTo(url = this.url): Promise<void> {
    this.socket?.close();
    this.url = url;
    const headers: Record<string, string> = { origin: new URL(url).origin };
    if (this.cookie) headers.cookie = this.cookie;
    const socket = connect(url, {
      transports: ['websocket'],
      extraHeaders: headers,
      forceNew: true,
      reconnection: this.options.reconnection ?? true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
      timeout: 10_000,
    });
    this.socket = socket;
    socket.io.on('open', () => {
      socket.io.engine.on('packet', (packet: { type: string; data?: unknown }) => {
        if (typeof packet.data === 'string') this.frames.push(packet.data);
        else if (packet.data instanceof Uint8Array) this.frames.push(Buffer.from(packet.data).toString('latin1'));
      });
    });
    socket.onAny((event, payload) => {
      this.received.push({ event, payload, at: Date.now() });
      for (const handler of this.handlers.get(event) ?? []) handler(payload);
      this.wake();
    });
    let connected = false;
    socket.on('connect', () => {
      if (connected && this.onReconnect) this.onReconnect().then(() => this.wake(), (error) => console.error('[cluster test] rejoin failed:', error));
      connected = true;
      this.wake();
    });
    socket.on('disconnect', () => this.wake());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection to ${url} within 10 s`)), 10_000);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('connect_error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Calls `handler` with every `event` received, on this connection and any later one. */
  on(event: string, handler: (payload: any) => void): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
  }

  /** Sends an event and resolves with its acknowledgement. */
  emit<T = any>(event: string, payload: unknown): Promise<T> {
    return this.socket.timeout(10_000).emitWithAck(event, payload);
  }

  /** Events named `event` received so far (payloads). */
  all<T = any>(event: string, predicate: (payload: T) => boolean = () => true): T[] {
    return this.received.filter((e) => e.event === event && predicate(e.payload)).map((e) => e.payload as T);
  }

  /** Resolves with the first payload of `event` (received already or later) that matches. */
  async next<T = any>(event: string, predicate: (payload: T) => boolean = () => true, timeoutMs = 5_000): Promise<T> {
    await this.waitFor(() => this.all(event, predicate).length > 0, timeoutMs, `${event} on ${this.url}`);
    return this.all(event, predicate)[0]!;
  }

  /** Resolves when `condition()` holds (checked on every event, and every 20 ms). */
  waitFor(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      };
      const poll = setInterval(check, 20);
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        clearInterval(poll);
        reject(new Error(`${what}: not within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private wake() {
    for (const waiter of [...this.waiters]) waiter();
  }

  close(): void {
    this.socket?.close();
  }
}

/** Connects a LiveClient to `url`. */
export async function openLiveClient(url: string, cookie?: string, options: { reconnection?: boolean } = {}): Promise<LiveClient> {
  const client = new LiveClient(url, cookie, options);
  await client.connectTo(url);
  return client;
}

/**
 * A thread reader as the browser's useThread is (app/live/useThread.ts): joins with a `since`
 * cursor, applies live events and what a rejoin reports missed (page after page with
 * 'thread:catchup' while the answer is truncated), and rejoins on every reconnection. `posts`
 * holds the newest view of every post it learnt of, live or caught up.
 */
export class ThreadReader {
  /** Every change up to this seq has been applied (the cursor a rejoin sends). */
  seq = 0;
  readonly posts = new Map<number, any>();
  /** Post ids learnt through a join's or a catch-up's `missed`, not live. */
  readonly caughtUp = new Set<number>();
  lastJoin: any = null;
  /** 'live:resync' events heard. */
  resyncs = 0;

  constructor(
    readonly client: LiveClient,
    readonly threadId: number,
  ) {
    client.on('post:created', (e) => this.take(e));
    client.on('post:updated', (e) => this.take(e));
    client.onReconnect = () => this.join();
    // The node may have missed other nodes' events (its Redis was away): catch up, as useThread
    // does (at once here: the browser waits a random moment so that a crowd does not ask at once).
    client.on('live:resync', () => {
      this.resyncs++;
      this.join().catch((error) => console.error('[cluster test] resync failed:', error));
    });
  }

  private take(event: { threadId: number; seq: number; post: any }) {
    if (event.threadId !== this.threadId) return;
    this.posts.set(event.post.id, event.post);
    if (event.seq > this.seq) this.seq = event.seq;
  }

  /** Joins (or rejoins, with `since`) and catches up; resolves with the join's answer. */
  async join(): Promise<any> {
    const ack = await this.client.emit('thread:join', { threadId: this.threadId, since: this.seq });
    if (!ack.ok) throw new Error(`thread:join refused: ${JSON.stringify(ack)}`);
    this.lastJoin = ack;
    let page = ack;
    for (;;) {
      for (const post of page.missed ?? []) {
        this.posts.set(post.id, post);
        this.caughtUp.add(post.id);
      }
      const next = typeof page.seq === 'number' ? page.seq : this.seq;
      if (next > this.seq) this.seq = next;
      if (!page.truncated) break;
      page = await this.client.emit('thread:catchup', { threadId: this.threadId, since: this.seq });
      if (!page.ok) throw new Error(`thread:catchup refused: ${JSON.stringify(page)}`);
    }
    return ack;
  }

  /** Moves to another node (its own was killed: the load balancer sends it elsewhere) and rejoins. */
  async moveTo(url: string): Promise<void> {
    await this.client.connectTo(url);
    await this.join();
  }

  /** Resolves once the post `id` is known (live or caught up). */
  waitForPost(id: number, timeoutMs = 5_000): Promise<void> {
    return this.client.waitFor(() => this.posts.has(id), timeoutMs, `post ${id} on the reader at ${this.client.url}`);
  }
}

/**
 * A co-editor that was on a node now gone comes back on another with the document it holds, as
 * the browser's provider does on reconnection: the new connection starts from the old replica
 * (edits the dead node never stored included), joins, and the sync exchange sends the server
 * what it lacks. Resolves once the first sync is done.
 */
export async function reconnectCoEditor(url: string, old: CoEditor, options: CoEditorOptions): Promise<CoEditor> {
  const editor = await connectCoEditor({ url }, old.noteId, options);
  // As received from elsewhere: sent to the server through the sync exchange, not as an update.
  Y.applyUpdate(editor.doc, Y.encodeStateAsUpdate(old.doc), REMOTE);
  const ack = await editor.join();
  if (!ack.ok) throw new Error(`rejoining note ${old.noteId} refused: ${JSON.stringify(ack)}`);
  await Promise.race([editor.synced, new Promise((_, reject) => setTimeout(() => reject(new Error('no sync after rejoining')), 10_000))]);
  return editor;
}

/** Fetches a node's /healthz: its status and JSON body (null if it answered no JSON). */
export async function health(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/healthz`);
  const text = await res.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, body };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
