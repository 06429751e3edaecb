/**
 * Coming back after time away: a reader who missed more than one page of changes gets every one
 * of them through catch-up pages (useThread's own loop), and a handshake during a database
 * outage is refused with a stable, retryable code instead of the raw database error, then
 * accepted once the database is back. On PostgreSQL the outage is real: the server reaches the
 * database through a TCP proxy that the test closes and reopens.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { catchUp } from '../../app/live/useThread';
import type { PostView } from '../../app/posts/post-view';
import { createTestDatabase } from '../support/database';
import { POSTGRES_URL } from '../support/env';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, openClient, threadId, type TestClient } from '../support/sockets';
import { hostOf, startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const clients: TestClient[] = [];
afterAll(() => {
  for (const c of clients) c.close();
});

describe('catching up after missing more than a page of changes', () => {
  let app: TestServer;
  let thread: number;
  beforeAll(async () => {
    app = await startTestServer({ POSTS_PER_MINUTE: '100000' });
    thread = await threadId(app, '2.4');
  });
  afterAll(() => app?.close());

  it('a reader who rejoins after 600 changes receives all 600, none missing, none twice', { timeout: 60_000 }, async () => {
    const writer = await createUser(app);
    const reader = await createUser(app);
    const r = await openClient(app, reader.cookie);
    clients.push(r);
    const joined = await r.emit('thread:join', { threadId: thread, since: 0 });
    expect(joined.ok).toBe(true);
    const since: number = joined.seq;
    r.socket.disconnect();

    const made: number[] = [];
    for (let i = 1; i <= 600; i++) {
      const post = await app.server.services.posts.create(writer.id, { threadId: thread, clientId: clientId(), text: `Change ${i} while you were away.` }, 'en');
      made.push(post.id);
    }
    const lastSeq = (await app.server.database.db.selectFrom('threads').select('lastSeq').where('id', '=', thread).executeTakeFirstOrThrow()).lastSeq;

    r.socket.connect();
    await new Promise<void>((resolve) => r.socket.once('connect', () => resolve()));
    const first = await r.emit('thread:join', { threadId: thread, since });
    expect(first).toMatchObject({ ok: true, truncated: true });
    expect(first.missed).toHaveLength(500);
    // The cursor of a truncated answer is where it stops, not the thread's end.
    expect(first.seq).toBe(first.missed.at(-1).seq);
    expect(first.seq).toBeLessThan(lastSeq);

    const received: number[] = first.missed.map((p: PostView) => p.id);
    let cursor = first.seq;
    const outcome = await catchUp(r.socket, thread, first.seq, (posts, seq) => {
      received.push(...posts.map((p) => p.id));
      cursor = seq;
    });
    expect(outcome).toBe('complete');
    expect(cursor).toBe(lastSeq);
    expect(received).toHaveLength(600);
    expect(new Set(received).size).toBe(600);
    expect([...received].sort((a, b) => a - b)).toEqual([...made].sort((a, b) => a - b));

    // Nothing more to fetch from the final cursor.
    const after = await r.emit('thread:catchup', { threadId: thread, since: cursor });
    expect(after).toEqual({ ok: true, seq: lastSeq, missed: [], truncated: false });
  });

  it('catch-up is validated and only answers for a thread the socket joined', async () => {
    const c = await openClient(app, (await createUser(app)).cookie);
    clients.push(c);
    expect(await c.emit('thread:catchup', { threadId: thread, since: 0 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await c.emit('thread:join', { threadId: thread });
    expect(await c.emit('thread:catchup', { threadId: thread })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await c.emit('thread:catchup', { threadId: thread, since: -1 })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await c.emit('thread:catchup', { threadId: thread, since: 0 })).toMatchObject({ ok: true, truncated: true });
  });
});

/**
 * A database outage the server cannot hide: on PostgreSQL the proxy between them is closed
 * (ECONNREFUSED, as when PostgreSQL is down); on SQLite, whose file cannot go away under an open
 * handle, the session lookup fails as a disk error would.
 */
interface Outage {
  begin(): Promise<void>;
  end(): Promise<void>;
  /** What the real error says, which must reach the log and never the client. */
  raw: RegExp;
}

describe('the handshake during a database outage', () => {
  let app: TestServer;
  let proxy: TcpProxy | undefined;
  let outage: Outage;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    if (POSTGRES_URL) {
      const database = await createTestDatabase();
      proxy = await startTcpProxy(hostOf(database.url));
      app = await startTestServer({}, { database: { ...database, url: proxy.via(database.url) } });
      outage = { begin: () => proxy!.stop(), end: () => proxy!.start(), raw: /ECONNREFUSED|127\.0\.0\.1|5432/ };
    } else {
      app = await startTestServer();
      const { auth } = app.server.services;
      const validateSession = auth.validateSession;
      outage = {
        begin: async () => {
          auth.validateSession = () => Promise.reject(Object.assign(new Error('SQLITE_IOERR: disk I/O error'), { code: 'SQLITE_IOERR' }));
        },
        end: async () => {
          auth.validateSession = validateSession;
        },
        raw: /SQLITE_IOERR|disk I\/O/,
      };
    }
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    for (const s of sockets) s.close();
    await outage?.end();
    await app?.close();
    await proxy?.stop();
  });

  const open = (cookie: string) => {
    const socket = connect(app.url, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, forceNew: true, autoConnect: false });
    sockets.push(socket);
    return socket;
  };
  const outcome = (socket: Socket) =>
    new Promise<{ connected: true } | { connected: false; error: Error & { data?: unknown } }>((resolve) => {
      socket.once('connect', () => resolve({ connected: true }));
      socket.once('connect_error', (error) => resolve({ connected: false, error }));
      socket.connect();
    });

  it('answers service_unavailable (retryable, with a message key), logs the real error, and lets the client in once the database is back', { timeout: 30_000 }, async () => {
    const user = await createUser(app, { name: 'Amina Diallo' });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    await outage.begin();
    const socket = open(user.cookie);
    const refused = await outcome(socket);
    expect(refused.connected).toBe(false);
    if (refused.connected) return;
    expect(refused.error.message).toBe('service_unavailable');
    expect(refused.error.data).toEqual({ retryable: true, messageKey: 'errors.serviceUnavailable' });
    expect(JSON.stringify({ message: refused.error.message, data: refused.error.data })).not.toMatch(outage.raw);
    // A refused handshake is final for Socket.io: the app's client must retry by itself.
    expect(socket.active).toBe(false);
    // The operator sees what happened.
    expect(logged.mock.calls.some((args) => args.some((a) => outage.raw.test(a instanceof Error ? `${a.message} ${(a as NodeJS.ErrnoException).code ?? ''}` : String(a))))).toBe(true);

    await outage.end();
    // The retry that follows (the app's backoff does the same) is let in, as the signed-in user.
    await expect.poll(async () => (await outcome(socket)).connected, { timeout: 15_000 }).toBe(true);
    const whoami = await socket.timeout(5_000).emitWithAck('session:whoami');
    expect(whoami.user).toEqual({ id: user.id, name: 'Amina Diallo' });
  });
});
