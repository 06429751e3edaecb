/**
 * Two Palabre nodes in one test process, on one PostgreSQL database and one Redis
 * (docs/decisions/0018): the fast checks of what crosses nodes. The process-level tests beside
 * this file start real server processes, kill them and restart Redis.
 */
import crypto from 'node:crypto';
import { encode } from 'notepack.io';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { loadNoteState } from '../../app/notes/note-store.server';
import { clusterKey } from '../../server/cluster/bus';
import { POSTGRES_URL, SKIP_POSTGRES_MESSAGE } from '../support/env';
import { redisForTests } from '../support/cluster';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, doc, openClient, threadId } from '../support/sockets';
import { openCoEditor, type CoEditor } from '../support/yjs-client';

const prefix = `palabre-test-${crypto.randomBytes(4).toString('hex')}`;
/** The shared Redis if it answers, else a private redis-server (tests/support/cluster.ts). */
let testRedis: Awaited<ReturnType<typeof redisForTests>>;
let REDIS_URL: string;
let a: TestServer;
let b: TestServer;
const editors: CoEditor[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A message on a cluster channel as a node would sign it (with the nodes' key from the database), or as `raw`. */
async function publish(channel: string, message: unknown, options: { signed?: boolean; sender?: string; at?: number } = {}) {
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  const name = `${prefix}:bus:${channel}`;
  const body = typeof message === 'string' ? message : JSON.stringify({ n: options.sender ?? 'another', t: options.at ?? Date.now(), m: message });
  const key = await clusterKey(a.server.database.db);
  const signature = crypto.createHmac('sha256', key).update(name).update('\n').update(body).digest('base64');
  await redis.publish(name, options.signed === false ? body : `${signature}.${body}`);
  await redis.close();
}

describe.skipIf(!POSTGRES_URL)('two nodes in one process', () => {
  beforeAll(async () => {
    testRedis = await redisForTests();
    REDIS_URL = testRedis.url;
    const env = { REDIS_URL, REDIS_PREFIX: prefix };
    a = await startTestServer(env);
    b = await startTestServer(env, { database: a.database });
  });
  afterAll(async () => {
    for (const e of editors) e.close();
    await b?.server.close();
    await a?.close();
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}:*` })) if (keys.length) await redis.del(keys);
    await redis.close();
    await testRedis?.close();
  });

  it('a post made through one node reaches readers on the other, under the name its attribution allows', async () => {
    const thread = await threadId(a, '1.1');
    const author = await createUser(a, { name: 'Canary Zqxw Author', organisation: 'Canary Org Zqxw' });
    const reader = await createUser(a);
    const moderator = await createUser(a, { role: 'moderator' });
    const onB = await openClient(b, reader.cookie);
    const modOnB = await openClient(b, moderator.cookie);
    const onA = await openClient(a, author.cookie);
    await onB.emit('thread:join', { threadId: thread });
    await modOnB.emit('thread:join', { threadId: thread });
    await onA.emit('thread:join', { threadId: thread });
    const seen = onB.next('post:created');
    const seenByModerator = modOnB.next('post:created');
    const ack = await onA.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Across nodes'), attribution: 'chatham' });
    expect(ack.ok).toBe(true);
    const event = await seen;
    expect(event.post.id).toBe(ack.post.id);
    expect(event.post.author).toEqual({ attribution: 'chatham', stakeholderGroup: 'civil-society' });
    expect((await seenByModerator).post.realAuthor?.name).toBe('Canary Zqxw Author');
    // Every kind of change crosses too: an edit, an endorsement, a moderator hiding it, a deletion.
    const postId = ack.post.id;
    const edited = onB.next('post:updated', (p: { post: { editedAt: string | null; html: string | null } }) => p.post.editedAt !== null);
    expect((await onA.emit('post:edit', { postId, body: doc('Across nodes, edited') })).ok).toBe(true);
    expect((await edited).post.html).toContain('edited');
    const endorsed = onB.next('post:endorsed');
    const endorser = await openClient(a, reader.cookie);
    expect((await endorser.emit('post:endorse', { postId, endorse: true })).ok).toBe(true);
    expect((await endorsed).post.endorsements).toBe(1);
    const hidden = onB.next('post:updated', (p: { post: { status: string; html: string | null } }) => p.post.status === 'hidden');
    const hiddenForModerators = modOnB.next('post:updated', (p: { post: { status: string; html: string | null } }) => p.post.status === 'hidden');
    await a.server.services.posts.moderate(moderator.id, postId, true, 'off topic');
    expect((await hidden).post.html).toBeNull();
    expect((await hiddenForModerators).post.html).toContain('edited');
    await a.server.services.posts.moderate(moderator.id, postId, false, null);
    const deleted = onB.next('post:updated', (p: { post: { status: string; html: string | null } }) => p.post.status === 'deleted');
    expect((await onA.emit('post:delete', { postId })).ok).toBe(true);
    await deleted;
    expect(b.server.cluster.dropped()).toEqual({});
    expect(JSON.stringify(onB.received)).not.toMatch(/Zqxw/);
    for (const c of [onA, onB, modOnB, endorser]) c.close();
  });

  it('typing and readers present span the nodes; a forged typing signal naming someone is dropped', async () => {
    const thread = await threadId(a, '1.2');
    const writer = await createUser(a, { name: 'Canary Qwpz Writer' });
    const reader = await createUser(a);
    const onA = await openClient(a, writer.cookie);
    const onB = await openClient(b, reader.cookie);
    const first = await onA.emit('thread:join', { threadId: thread });
    const second = await onB.emit('thread:join', { threadId: thread });
    expect(first.readers).toBe(1);
    expect(second.readers).toBe(2);
    await onA.next('thread:presence', (p: { readers: number }) => p.readers === 2, 5_000);

    const typing = onB.next('thread:typing');
    await onA.emit('thread:typing', { threadId: thread, typing: true });
    expect(await typing).toMatchObject({ threadId: thread, typing: true, author: { attribution: 'chatham', stakeholderGroup: 'civil-society' } });

    // Someone with access to Redis forges a typing signal that names its writer, and garbage.
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    const forged = encode(['intruder', { type: 2, nsp: '/', data: ['thread:typing', { threadId: thread, token: 'abc', typing: true, author: { attribution: 'named', name: 'Canary Qwpz Forged', organisation: 'x', stakeholderGroup: 'y' } }] }, { rooms: [`thread:${thread}`], except: [], flags: {} }]);
    await redis.publish(Buffer.from(`${prefix}:socket.io#/#thread:${thread}#`), forged);
    await redis.publish(`${prefix}:socket.io#/#thread:${thread}#`, 'garbage');
    const other = encode(['intruder', { type: 2, nsp: '/', data: ['post:created', { threadId: thread, post: { author: { name: 'Canary Qwpz Forged' } } }] }, { rooms: [`thread:${thread}`], except: [], flags: {} }]);
    await redis.publish(Buffer.from(`${prefix}:socket.io#/#thread:${thread}#`), other);
    await redis.close();
    await sleep(300);
    expect(JSON.stringify(onB.received)).not.toMatch(/Qwpz/);
    onA.close();
    onB.close();
    await expect.poll(async () => (await openClient(b, reader.cookie).then(async (c) => { const r = await c.emit('thread:join', { threadId: thread }); c.close(); return r.readers; })), { timeout: 5_000 }).toBe(1);
  });

  it('a malformed message on a cluster channel is logged and dropped, never applied', async () => {
    const thread = await threadId(a, '1.3');
    const reader = await createUser(a);
    const onB = await openClient(b, reader.cookie);
    await onB.emit('thread:join', { threadId: thread });
    const before = b.server.cluster.dropped().threads ?? 0;
    const leak = { id: 1, threadId: thread, clientId: 'x', parentId: null, rootId: null, seq: 1, status: 'visible', html: '<p>x</p>', language: 'fr', endorsements: 0, createdAt: 'now', editedAt: null };
    const chatham = { attribution: 'chatham', stakeholderGroup: 'x' };
    const wellFormed = { type: 'post:created', threadId: thread, seq: 1, public: { ...leak, author: chatham }, moderator: { ...leak, author: chatham } };
    // Signed by the nodes' key but malformed: the schema refuses them.
    await publish('threads', 'not json');
    await publish('threads', { ...wellFormed, public: { ...leak, author: { ...chatham, name: 'Canary Vbnm' } } }); // a Chatham House author named
    await publish('threads', { ...wellFormed, public: { ...leak, author: chatham, realAuthor: { id: 'u', name: 'Canary Vbnm', organisation: 'o', stakeholderGroup: 'x' } } });
    // Well formed but not signed with the nodes' key, or signed but old (a replay).
    await publish('threads', wellFormed, { signed: false });
    await publish('threads', wellFormed, { at: Date.now() - 5 * 60_000 });
    await publish('notes', { noteId: 1, updateId: 1, update: '!!!' });
    await publish('access', { type: 'note.status', noteId: 1, status: 'final' }, { signed: false });
    await expect.poll(() => b.server.cluster.dropped().threads ?? 0).toBe(before + 5);
    await expect.poll(() => b.server.cluster.dropped().notes ?? 0).toBeGreaterThanOrEqual(1);
    await expect.poll(() => b.server.cluster.dropped().access ?? 0).toBeGreaterThanOrEqual(1);
    await sleep(100);
    expect(onB.received.filter((r) => r.event === 'post:created')).toEqual([]);
    onB.close();
  });

  it('co-editors on two nodes converge, and the stored document after both compact is their document', async () => {
    const moderator = await createUser(a, { role: 'moderator' });
    const consultation = await a.server.services.consultations.getDefault();
    const noteId = await a.server.services.notes.open(moderator.id, consultation!.id, { questionId: null, stakeholderGroup: null, title: 'Across nodes' });
    const x = await createUser(a, { name: 'Xavier Nodea' });
    const y = await createUser(a, { name: 'Yasmin Nodeb', stakeholderGroup: 'business' });
    const onA = await openCoEditor(a, noteId, { cookie: x.cookie, name: x.name, log: true });
    const onB = await openCoEditor(b, noteId, { cookie: y.cookie, name: y.name, log: true });
    editors.push(onA, onB);
    for (let i = 0; i < 40; i++) {
      onA.typeAt(1, `a${i} `);
      onB.appendParagraph(`b${i}`);
      if (i % 10 === 0) await sleep(20);
    }
    await onA.waitFor(() => onA.text() === onB.text() && onA.text().includes('b39') && onA.text().includes('a39'), 10_000, 'convergence');
    await onA.waitFor(() => [...onA.awareness.getStates().values()].some((s) => s.name === 'Yasmin Nodeb'), 5_000, 'awareness across nodes');
    // Xavier was there before node B opened the note's room: B asked the other nodes who was.
    await onB.waitFor(() => [...onB.awareness.getStates().values()].some((s) => s.name === 'Xavier Nodea'), 5_000, 'awareness of who was there first');
    onA.close();
    onB.close();
    // Both nodes settle (store, compact) as their last editor leaves.
    await sleep(500);
    await a.server.services.noteDocs.settle(noteId);
    await b.server.services.noteDocs.settle(noteId);
    const { state } = await loadNoteState(a.server.database.db, noteId);
    const stored = new Y.Doc();
    Y.applyUpdate(stored, state!);
    expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(onA.doc));
    const row = await a.server.database.db.selectFrom('notes').select('text').where('id', '=', noteId).executeTakeFirstOrThrow();
    expect(row.text).toContain('b39');
    expect(row.text).toContain('a39');
  });

  it('a node that missed another node\'s updates repairs its copy from the database', async () => {
    const moderator = await createUser(a, { role: 'moderator' });
    const consultation = await a.server.services.consultations.getDefault();
    const noteId = await a.server.services.notes.open(moderator.id, consultation!.id, { questionId: null, stakeholderGroup: 'government', title: 'Repair' });
    const editor = await createUser(a, { stakeholderGroup: 'government' });
    const onB = await openCoEditor(b, noteId, { cookie: editor.cookie, log: true });
    editors.push(onB);
    // An update stored behind the cluster's back (its relay lost), then one that depends on it,
    // relayed: node B finds the gap, reads the database, and its client gets both.
    const scratch = new Y.Doc();
    Y.applyUpdate(scratch, (await loadNoteState(a.server.database.db, noteId)).state!);
    const before = Y.encodeStateVector(scratch);
    const root = scratch.get('root', Y.XmlText);
    const first = root.toDelta()[1]!.insert as Y.XmlText;
    first.insert(0, 'lost ');
    const lost = Y.encodeStateAsUpdate(scratch, before);
    const middle = Y.encodeStateVector(scratch);
    first.insert(5, 'then found ');
    const dependent = Y.encodeStateAsUpdate(scratch, middle);
    await a.server.services.noteStore.append(noteId, lost);
    await publish('notes', { noteId, updateId: 999_999, update: Buffer.from(dependent).toString('base64') });
    await onB.waitFor(() => onB.text().includes('lost then found'), 5_000, 'repair');

    // An update stored and never relayed, with nothing after it to reveal the gap: the periodic
    // comparison of update ids with the database finds it.
    const quiet = scratch.get('root', Y.XmlText).toDelta()[1]!.insert as Y.XmlText;
    const sv = Y.encodeStateVector(scratch);
    quiet.insert(0, 'silent ');
    await a.server.services.noteStore.append(noteId, Y.encodeStateAsUpdate(scratch, sv));
    expect(await b.server.services.noteDocs.repairBehind()).toEqual([noteId]);
    await onB.waitFor(() => onB.text().includes('silent lost then found'), 5_000, 'repair by comparison');
    expect(await b.server.services.noteDocs.repairBehind()).toEqual([]);
  });

  it('a note signed off on one node refuses edits arriving on the other', async () => {
    const moderator = await createUser(a, { role: 'moderator' });
    const rapporteur = await createUser(a, { role: 'rapporteur' });
    const consultation = await a.server.services.consultations.getDefault();
    const noteId = await a.server.services.notes.open(moderator.id, consultation!.id, { questionId: null, stakeholderGroup: 'business', title: 'Signed off' });
    const editor = await createUser(a, { stakeholderGroup: 'business' });
    const onB = await openCoEditor(b, noteId, { cookie: editor.cookie, log: true });
    editors.push(onB);
    onB.appendParagraph('before the lock');
    await onB.waitFor(() => b.server.services.noteDocs.pendingCount(noteId) === 0, 5_000, 'stored');
    await sleep(100);
    await a.server.services.notes.setStatus(moderator.id, noteId, 'lock');
    await onB.waitFor(() => onB.statuses.some((s) => s.status === 'in_review'), 5_000, 'lock reaches node B');
    await a.server.services.notes.setStatus(rapporteur.id, noteId, 'finalise');
    await onB.waitFor(() => onB.statuses.some((s) => s.status === 'final' && !s.canEdit), 5_000, 'sign-off reaches node B');
    onB.appendParagraph('after the sign-off');
    await onB.waitFor(() => onB.refused.length > 0, 5_000, 'refusal');
    const row = await a.server.database.db.selectFrom('notes').select(['text', 'status']).where('id', '=', noteId).executeTakeFirstOrThrow();
    expect(row.status).toBe('final');
    expect(row.text).toContain('before the lock');
    expect(row.text).not.toContain('after the sign-off');
    // And the store itself refuses it, whichever node asks.
    await expect(b.server.services.noteStore.append(noteId, new Uint8Array([0, 0]))).rejects.toThrow(/signed off/);
  });
});

if (!POSTGRES_URL) it.skip(SKIP_POSTGRES_MESSAGE, () => {});
