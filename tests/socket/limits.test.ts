/**
 * Size limits on live connections. In: an event over the limit is answered `too_large` (the
 * composer shows the message) and the connection stays usable. Out: a reader that stops reading
 * is dropped once what waits for it passes SOCKET_MAX_BACKLOG_BYTES, while the others keep
 * receiving; it reconnects and catches up from its cursor.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import en from '../../app/i18n/locales/en.json';
import es from '../../app/i18n/locales/es.json';
import fr from '../../app/i18n/locales/fr.json';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, doc, openClient, threadId, type TestClient } from '../support/sockets';

const BACKLOG = 256 * 1024;
let app: TestServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '100000', SOCKET_EVENTS_PER_10S: '100000', SOCKET_MAX_BACKLOG_BYTES: String(BACKLOG) });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await app?.close();
});

async function open(cookie?: string) {
  const client = await openClient(app, cookie);
  clients.push(client);
  return client;
}

/** The TCP socket under a socket.io-client's WebSocket (the `ws` package, in Node). */
const tcpOf = (socket: Socket) => (socket.io.engine.transport as unknown as { ws: { _socket: import('node:net').Socket } }).ws._socket;

describe('an event over the size limit', () => {
  it('is answered too_large, in words the composer can show, and the connection stays usable', async () => {
    const user = await createUser(app);
    const client = await open(user.cookie);
    const thread = await threadId(app, '2.4');
    const huge = doc('x'.repeat(2 * 1024 * 1024)); // over the 1 MB an event may weigh, under the transport's 4 MB
    const answer = await client.socket.timeout(5_000).emitWithAck('post:create', { threadId: thread, clientId: clientId(), body: huge });
    expect(answer).toEqual({ ok: false, error: { code: 'too_large', messageKey: 'errors.tooLarge' } });
    for (const messages of [en, fr, es]) expect(messages.errors.tooLarge).toBeTruthy();
    expect(client.socket.connected).toBe(true);
    // Nothing was stored, and the same connection goes on working.
    const posts = await app.server.database.db.selectFrom('posts').select('id').where('authorId', '=', user.id).execute();
    expect(posts).toEqual([]);
    const ok = await client.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('A normal contribution after a refused one.') });
    expect(ok.ok).toBe(true);
  });

  it('is refused whatever the event, before its handler runs', async () => {
    const client = await open();
    const answer = await client.socket.timeout(5_000).emitWithAck('thread:join', { threadId: 1, padding: 'y'.repeat(1_200_000) });
    expect(answer).toEqual({ ok: false, error: { code: 'too_large', messageKey: 'errors.tooLarge' } });
    expect(await client.emit('thread:join', { threadId: await threadId(app, '2.4') })).toMatchObject({ ok: true });
  });
});

describe('a reader that stops reading', () => {
  it('is dropped once its backlog passes the bound, while a reading reader gets every post; it comes back and catches up', async () => {
    const warn = vi.spyOn(console, 'warn');
    const author = await createUser(app);
    const thread = await threadId(app, '1.1');
    const reader = await open();
    const slow = await open();
    const joined = await Promise.all([reader, slow].map((c) => c.emit('thread:join', { threadId: thread, since: 0 })));
    expect(joined.every((j) => j.ok)).toBe(true);
    const lastSeq = joined[1].seq as number;
    const slowId = slow.socket.id!;
    const onServer = () => app.server.io.sockets.sockets.get(slowId);
    expect(onServer()).toBeDefined();

    // The slow reader's process stops reading its socket: what the server sends piles up in the
    // kernel's buffers, then in the server's.
    tcpOf(slow.socket).pause();
    const text = 'A long contribution about labour migration partnerships. '.repeat(340); // ~20 KB of HTML per post
    const posted: number[] = [];
    for (let i = 0; i < 600 && onServer(); i++) {
      const post = await app.server.services.posts.create(author.id, { threadId: thread, clientId: clientId(), body: doc(`${i}: ${text}`) }, 'en');
      posted.push(post.id);
      // As posts arrive, one request at a time: the server's I/O runs between them, and the
      // reading reader takes each one (a loop without I/O would let nobody's writes finish).
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(onServer(), 'the slow reader was never dropped').toBeUndefined();
    expect(warn.mock.calls.some(([line]) => /dropped connection .* not reading/.test(String(line)))).toBe(true);

    // The reading reader got every post.
    const ids = () => new Set(reader.received.filter((r) => r.event === 'post:created').map((r) => (r.payload as { post: { id: number } }).post.id));
    await expect.poll(() => posted.every((id) => ids().has(id)), { timeout: 20_000 }).toBe(true);

    // Back to reading: the slow reader finds its connection closed, reconnects by itself, and
    // catches up from the last change it saw, as the thread page does (useThread's cursor).
    tcpOf(slow.socket).resume();
    await expect.poll(() => slow.socket.connected && slow.socket.id !== slowId, { timeout: 20_000 }).toBe(true);
    const missed = new Set<number>();
    let since = lastSeq;
    for (let page = 0; page < 10; page++) {
      const answer = await slow.emit(page === 0 ? 'thread:join' : 'thread:catchup', { threadId: thread, since });
      expect(answer.ok).toBe(true);
      for (const post of answer.missed as { id: number }[]) missed.add(post.id);
      since = answer.seq;
      if (!answer.truncated) break;
    }
    expect(posted.every((id) => missed.has(id))).toBe(true);
    warn.mockRestore();
    // Up to 600 posts of 20 KB, each indexed for search as it is stored (on PostgreSQL a
    // tsvector of 3,400 words): 5 s alone, several times that beside the rest of the suite.
  }, 120_000);
});
