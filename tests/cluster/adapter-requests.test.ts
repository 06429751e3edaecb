/**
 * The Socket.io Redis adapter's *request* channel (`<prefix>:socket.io-request#/#`), which the
 * guard in server/socket/redis-adapter.ts does not cover (it wraps `onmessage`, the broadcast
 * channel, only). Anyone who can PUBLISH on the cluster's Redis can, through that channel: end
 * every node with one malformed message, put readers in a thread's moderators' room (they then
 * get the real author of Chatham House posts), broadcast any event to every socket, and read
 * every socket's handshake (its session cookie). ADR 0018 says anything but a checked typing
 * signal on the adapter's channels is dropped.
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../support/env';
import { deleteRedisKeys, redisForTests } from '../support/cluster';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startProcess } from '../support/process';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, doc, openClient, threadId } from '../support/sockets';

/** The shared Redis if it answers, else a private redis-server (tests/support/cluster.ts); only with PostgreSQL. */
let testRedis: Awaited<ReturnType<typeof redisForTests>> | undefined;
let REDIS_URL = '';
beforeAll(async () => {
  if (!POSTGRES_URL) return;
  testRedis = await redisForTests();
  REDIS_URL = testRedis.url;
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Every prefix this file used on the shared Redis, its keys deleted at the end. */
const prefixes: string[] = [];
const newPrefix = () => {
  const prefix = `palabre-attack-${crypto.randomBytes(4).toString('hex')}`;
  prefixes.push(prefix);
  return prefix;
};
afterAll(async () => {
  if (!testRedis) return;
  for (const prefix of prefixes) await deleteRedisKeys(REDIS_URL, `${prefix}:`);
  await testRedis.close();
});

async function publish(channel: string, message: string) {
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  await redis.publish(channel, message);
  await redis.close();
}

describe.skipIf(!POSTGRES_URL)('the adapter request channel', () => {
  const prefix = newPrefix();
  const requests = `${prefix}:socket.io-request#/#`;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    a = await startTestServer({ REDIS_URL, REDIS_PREFIX: prefix });
    b = await startTestServer({ REDIS_URL, REDIS_PREFIX: prefix }, { database: a.database });
  });
  afterAll(async () => {
    await b?.server.close();
    await a?.close();
  });

  it('a forged REMOTE_JOIN does not put a reader in the moderators\' room (no real author of a Chatham House post)', async () => {
    const thread = await threadId(a, '1.1');
    const author = await createUser(a, { name: 'Canary Jrtq Author', organisation: 'Canary Jrtq Org' });
    const reader = await createUser(a);
    const onB = await openClient(b, reader.cookie);
    await onB.emit('thread:join', { threadId: thread });
    await publish(requests, JSON.stringify({ uid: 'intruder', requestId: 'r1', type: 2, opts: { rooms: [`thread:${thread}`], except: [] }, rooms: [`thread:${thread}:mod`] }));
    await sleep(300);
    const onA = await openClient(a, author.cookie);
    await onA.emit('thread:join', { threadId: thread });
    expect((await onA.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Chatham House'), attribution: 'chatham' })).ok).toBe(true);
    await sleep(500);
    expect(JSON.stringify(onB.received)).not.toMatch(/Jrtq/);
    onA.close();
    onB.close();
  });

  it('a forged BROADCAST request reaches no socket', async () => {
    const reader = await createUser(a);
    const onB = await openClient(b, reader.cookie);
    await publish(requests, JSON.stringify({ uid: 'intruder', requestId: 'r2', type: 7, packet: { type: 2, nsp: '/', data: ['post:created', { post: { author: { attribution: 'named', name: 'Forged Jrtq' } } }] }, opts: { rooms: [], except: [] } }));
    await sleep(500);
    expect(onB.received.map((r) => r.event)).not.toContain('post:created');
    onB.close();
  });

  it('a forged REMOTE_FETCH gets no socket\'s handshake (session cookies) back', async () => {
    const reader = await createUser(a);
    const onB = await openClient(b, reader.cookie);
    const sub = createClient({ url: REDIS_URL });
    await sub.connect();
    const heard: string[] = [];
    await sub.pSubscribe(`${prefix}:socket.io-response#*`, (message) => heard.push(message));
    await publish(requests, JSON.stringify({ uid: 'intruder', requestId: 'r3', type: 5, opts: { rooms: [], except: [] } }));
    await sleep(500);
    await sub.close();
    expect(heard.join('\n')).not.toContain(reader.cookie.split('=')[1]!);
    onB.close();
  });
});

describe.skipIf(!POSTGRES_URL)('a node process and a malformed adapter request', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('stays up (one PUBLISH of {"type":7} must not end every node)', async () => {
    const prefix = newPrefix();
    const node = startProcess({ REDIS_URL, REDIS_PREFIX: prefix, DATABASE_URL: database.url });
    const url = await node.listening;
    try {
      await publish(`${prefix}:socket.io-request#/#`, JSON.stringify({ uid: 'intruder', requestId: 'r4', type: 7 }));
      await sleep(1_000);
      const health = await fetch(`${url}/healthz`).then((r) => r.status).catch(() => 'down');
      expect(health, node.output()).toBe(200);
    } finally {
      node.child.kill('SIGTERM');
      await node.exited;
    }
  }, 60_000);
});

describe.skipIf(!POSTGRES_URL)('one node stopping', () => {
  it('disconnects its own sockets only, not every node\'s (io.disconnectSockets goes through the Redis adapter)', async () => {
    const prefix = newPrefix();
    const a = await startTestServer({ REDIS_URL, REDIS_PREFIX: prefix });
    const b = await startTestServer({ REDIS_URL, REDIS_PREFIX: prefix }, { database: a.database });
    try {
      const reader = await createUser(b);
      const onB = await openClient(b, reader.cookie);
      let reason = '';
      onB.socket.on('disconnect', (why) => (reason = why));
      await a.server.close(); // SIGTERM of node A in a rolling restart
      await sleep(500);
      expect(reason).toBe('');
      expect(onB.socket.connected).toBe(true);
      onB.close();
    } finally {
      await b.server.close();
      await a.database.drop();
    }
  });
});

describe.skipIf(!POSTGRES_URL)('a sign-off on one node while an editor types on another', () => {
  const prefix = newPrefix();
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer({ REDIS_URL, REDIS_PREFIX: prefix });
    b = await startTestServer({ REDIS_URL, REDIS_PREFIX: prefix }, { database: a.database });
  });
  afterAll(async () => {
    await b?.server.close();
    await a?.close();
  });

  it('tells the editor whose typing the store refused: none of it vanishes without a refusal', async () => {
    const { openCoEditor } = await import('../support/yjs-client');
    const admin = await createUser(a, { role: 'admin' });
    const consultation = await a.server.services.consultations.getDefault();
    const noteId = await a.server.services.notes.open(admin.id, consultation!.id, { questionId: null, stakeholderGroup: null, title: 'Race' });
    await a.server.services.notes.setStatus(admin.id, noteId, 'lock');
    const onB = await openCoEditor(b, noteId, { cookie: admin.cookie, log: true });
    const block = onB.appendParagraph('');
    await sleep(300);
    // As a sign-off on node A does, a transaction holds the note's row while B's last words
    // reach node B (its append waits for the lock), and commits 'final'; the status event is
    // left out so that the refusal is the only way the editor can learn of it.
    await a.server.database.db.transaction().execute(async (trx) => {
      await sql`select id from notes where id = ${noteId} for update`.execute(trx);
      onB.typeInto(block, 'last words typed before the editor heard of the sign-off');
      await sleep(500);
      await trx.updateTable('notes').set({ status: 'final' }).where('id', '=', noteId).execute();
    });
    await sleep(1_500);
    const row = await a.server.database.db.selectFrom('notes').select(['text', 'status']).where('id', '=', noteId).executeTakeFirstOrThrow();
    expect(row.status).toBe('final');
    const stored = row.text.includes('last words');
    // Either the words are in what was signed, or the editor was told they were refused.
    expect(stored || onB.refused.length > 0, `stored: ${stored}, refusals: ${JSON.stringify(onB.refused)}`).toBe(true);
    onB.close();
  });
});

describe.skipIf(!POSTGRES_URL)('a forged note update on the cluster channel', () => {
  const prefix = newPrefix();
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer({ REDIS_URL, REDIS_PREFIX: prefix });
    b = await startTestServer({ REDIS_URL, REDIS_PREFIX: prefix }, { database: a.database });
  });
  afterAll(async () => {
    await b?.server.close();
    await a?.close();
  });

  it('does not make an editor\'s real words unrecoverable (stored depending on text that was never stored)', async () => {
    const Y = await import('yjs');
    const { openCoEditor } = await import('../support/yjs-client');
    const { loadNoteState } = await import('../../app/notes/note-store.server');
    const moderator = await createUser(a, { role: 'moderator' });
    const consultation = await a.server.services.consultations.getDefault();
    const noteId = await a.server.services.notes.open(moderator.id, consultation!.id, { questionId: null, stakeholderGroup: null, title: 'Phantom' });
    const onB = await openCoEditor(b, noteId, { cookie: moderator.cookie, log: true });
    // A well-formed update no node stored, with an update id no node wrote, published by an intruder.
    const scratch = new Y.Doc();
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(onB.doc));
    const before = Y.encodeStateVector(scratch);
    const block = scratch.get('root', Y.XmlText).toDelta()[0]!.insert as InstanceType<typeof Y.XmlText>;
    block.insert(block.length, 'phantom ');
    await publish(`${prefix}:bus:notes`, JSON.stringify({ n: 'intruder', m: { noteId, updateId: 1, update: Buffer.from(Y.encodeStateAsUpdate(scratch, before)).toString('base64') } }));
    await sleep(500);
    // The editor types after what it now sees.
    onB.typeInto(onB.blocks()[0]!, 'real words');
    await sleep(1_000);
    await b.server.services.noteDocs.settle(noteId);
    const stored = new Y.Doc();
    Y.applyUpdate(stored, (await loadNoteState(a.server.database.db, noteId)).state!);
    expect(JSON.stringify(stored.get('root', Y.XmlText).toDelta(), (_k, v) => (v instanceof Y.XmlText ? v.toString() : v))).toContain('real words');
    onB.close();
  });
});

describe('a REDIS_URL the Redis client cannot parse', () => {
  it.each(['redis://127.0.0.1:6379/abc', 'redis://127.0.0.1:6379/0/extra'])('%s: one line naming REDIS_URL, exit non-zero, no stack trace', async (url) => {
    const node = startProcess({ REDIS_URL: url, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
    const code = await node.exited;
    expect(code).not.toBe(0);
    expect(node.output()).toContain('REDIS_URL');
    expect(node.output()).not.toMatch(/\n\s+at /);
  }, 30_000);
});
