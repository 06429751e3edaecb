/**
 * Phase changes on live connections (docs/decisions/0015-phases.md): a thread's readers hear the
 * move at once and its writes are refused over the socket; a note's co-editors become readers
 * the moment the consultation is final, their updates refused and the note locked.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Phase } from '../../app/consultations/phases';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, doc, openClient, threadId, type TestClient } from '../support/sockets';
import { openCoEditor, type CoEditor } from '../support/yjs-client';

let app: TestServer;
let consultationId: number;
let admin: Awaited<ReturnType<typeof createUser>>;
const clients: (TestClient | CoEditor)[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const setPhase = (phase: Phase) => app.server.database.db.updateTable('consultations').set({ phase }).where('id', '=', consultationId).execute();

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
  consultationId = (await app.server.services.consultations.getDefault())!.id;
  admin = await createUser(app, { name: 'Ada Admin' });
  await app.server.database.db.updateTable('users').set({ siteRole: 'admin' }).where('id', '=', admin.id).execute();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await app?.close();
});
beforeEach(() => setPhase('open'));

describe('threads', () => {
  it('readers hear the move at once; in compiling a post, a reply and typing are refused over the socket, nothing stored', async () => {
    const thread = await threadId(app, '2.4');
    const author = await createUser(app, { name: 'Awa Diallo' });
    const socket = await openClient(app, author.cookie);
    clients.push(socket);
    expect(await socket.emit('thread:join', { threadId: thread })).toMatchObject({ ok: true });
    const first = await socket.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Écrit pendant l’ouverture.') });
    expect(first).toMatchObject({ ok: true });

    const heard = socket.next('consultation:phase');
    await app.server.services.phases.move(admin.id, consultationId, 'open', 'forward');
    expect(await heard).toEqual({ consultationId, phase: 'compiling' });

    const { n: before } = await app.server.database.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const refused = { ok: false, error: { code: 'forbidden', messageKey: 'errors.phaseClosed' } };
    expect(await socket.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Trop tard.') })).toMatchObject(refused);
    expect(await socket.emit('post:create', { threadId: thread, clientId: clientId(), parentId: first.post.id, body: doc('Une réponse.') })).toMatchObject(refused);
    expect(await socket.emit('post:edit', { postId: first.post.id, body: doc('Modifié.') })).toMatchObject(refused);
    expect(await socket.emit('thread:typing', { threadId: thread, typing: true })).toMatchObject(refused);
    const { n: after } = await app.server.database.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(after)).toBe(Number(before));

    // Back to open: the same socket posts again, without reconnecting.
    await app.server.services.phases.move(admin.id, consultationId, 'compiling', 'back');
    expect(await socket.emit('thread:typing', { threadId: thread, typing: true })).toMatchObject({ ok: true });
    expect(await socket.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('De nouveau ouvert.') })).toMatchObject({ ok: true });
  });
});

describe('notes', () => {
  it('in final, co-editors become readers at once, a Yjs update is refused and the note is locked', async () => {
    await setPhase('synthesis');
    const moderator = await createUser(app, { role: 'moderator', name: 'Moussa Moderator' });
    const participant = await createUser(app, { name: 'Paula Participant' });
    const noteId = await app.server.services.notes.open(moderator.id, consultationId, { questionId: null, stakeholderGroup: null, title: 'Synthèse finale' });
    const m = await openCoEditor(app, noteId, { cookie: moderator.cookie, name: moderator.name });
    const p = await openCoEditor(app, noteId, { cookie: participant.cookie, name: participant.name });
    clients.push(m, p);
    expect([m.canEdit, p.canEdit]).toEqual([true, true]);
    p.typeAt(1, 'Écrit en synthèse.');
    await m.waitForText('Synthèse finale\n\nÉcrit en synthèse.');

    const pageTold = new Promise((resolve) => p.socket.once('consultation:phase', resolve));
    await app.server.services.phases.move(admin.id, consultationId, 'synthesis', 'forward');
    expect(await pageTold).toEqual({ consultationId, phase: 'final' });
    for (const e of [m, p]) await e.waitFor(() => e.statuses.some((s) => s.status === 'in_review'), 3_000, 'the lock');
    expect(m.statuses.every((s) => s.canEdit === false)).toBe(true);
    expect(p.statuses.every((s) => s.canEdit === false)).toBe(true);
    expect((await app.server.database.db.selectFrom('notes').select('status').where('id', '=', noteId).executeTakeFirstOrThrow()).status).toBe('in_review');

    // Even the moderator's edit is refused; what others read does not change.
    m.typeAt(1, ' Trop tard.');
    await m.waitFor(() => m.refused.length === 1, 3_000, 'the refusal');
    expect(m.refused[0]).toEqual({ noteId, reason: 'read_only' });
    await sleep(100);
    expect(p.text()).toBe('Synthèse finale\n\nÉcrit en synthèse.');
    const late = await openCoEditor(app, noteId, { cookie: moderator.cookie });
    clients.push(late);
    expect(late.ack).toMatchObject({ ok: true, canEdit: false, status: 'in_review' });
    expect(late.text()).toBe('Synthèse finale\n\nÉcrit en synthèse.');
  });
});
