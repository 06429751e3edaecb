/**
 * Two Palabre nodes in one test process, on one PostgreSQL database and one Redis
 * (docs/decisions/0018): the fast checks of what crosses nodes. The process-level tests beside
 * this file start real server processes, kill them and restart Redis.
 */
import crypto from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { loadNoteState } from '../../app/notes/note-store.server';
import { POSTGRES_URL, SKIP_POSTGRES_MESSAGE } from '../support/env';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, doc, openClient, threadId } from '../support/sockets';
import { openCoEditor, type CoEditor } from '../support/yjs-client';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `palabre-test-${crypto.randomBytes(4).toString('hex')}`;
const env = { REDIS_URL, REDIS_PREFIX: prefix };
let a: TestServer;
let b: TestServer;
const editors: CoEditor[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!POSTGRES_URL)('two nodes in one process', () => {
  beforeAll(async () => {
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
    expect(JSON.stringify(onB.received)).not.toMatch(/Zqxw/);
    for (const c of [onA, onB, modOnB]) c.close();
  });

  it('a malformed message on a cluster channel is logged and dropped', async () => {
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    const before = a.server.cluster.redis ? (b.server as any).cluster : null;
    expect(before).not.toBeNull();
    await redis.publish(`${prefix}:bus:threads`, 'not json');
    await redis.publish(`${prefix}:bus:threads`, JSON.stringify({ n: 'intruder', m: { type: 'post:created', threadId: 1, seq: 1, public: { author: { attribution: 'chatham', stakeholderGroup: 'x', name: 'Leak' } } } }));
    await redis.close();
    await sleep(300);
    // Nothing reached a listener: no exception either.
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
