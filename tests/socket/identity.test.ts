/**
 * Live connections act as who the user is now (docs/decisions/0010): a session that ends ends
 * its sockets' rights, a role change takes effect on open sockets at once, and live signals
 * (typing, note presence) reveal no more than a Chatham House post would.
 */
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTE_EVENTS } from '../../app/notes/protocol';
import { checkSession } from '../../server/socket/identity';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, doc, openClient, threadId, type TestClient } from '../support/sockets';
import { openCoEditor, type CoEditor } from '../support/yjs-client';

type User = Awaited<ReturnType<typeof createUser>>;

let app: TestServer;
let thread: number;
let consultationId: number;
let admin: User;
const clients: TestClient[] = [];
const editors: CoEditor[] = [];
const open = async (cookie?: string) => {
  const c = await openClient(app, cookie);
  clients.push(c);
  return c;
};
const browser = (user: User) => new Client(app.url, { cookie: user.cookie, 'accept-language': 'en', origin: app.url });
const disconnected = (c: TestClient) => new Promise<string>((resolve) => c.socket.once('disconnect', (reason) => resolve(reason)));
const postCount = async () => Number((await app.server.database.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
  thread = await threadId(app, '2.4');
  consultationId = (await app.server.services.consultations.getDefault())!.id;
  admin = await createUser(app, { role: 'admin', name: 'Ada Admin' });
});
afterAll(async () => {
  for (const c of clients) c.close();
  for (const e of editors) e.close();
  await app?.close();
});

describe('a socket acts for its session only while it is valid', () => {
  it('signing out through the form closes the socket, after telling it so', async () => {
    const amina = await createUser(app, { name: 'Amina Diallo' });
    const socket = await open(amina.cookie);
    expect((await socket.emit('thread:join', { threadId: thread })).ok).toBe(true);
    const ended = socket.next('session:ended');
    const closed = disconnected(socket);
    const res = await browser(amina).post('/sign-out', {});
    expect(res.status).toBe(302);
    await ended;
    expect(await closed).toBe('io server disconnect');
  });

  it('an event from a session that ended elsewhere answers "signed out" and stores nothing', async () => {
    const amina = await createUser(app, { name: 'Amina Elsewhere' });
    const socket = await open(amina.cookie);
    expect((await socket.emit('thread:join', { threadId: thread })).ok).toBe(true);
    // Ended behind the server's back (another node, a database edit): no access event at all.
    await app.server.database.db.deleteFrom('sessions').where('userId', '=', amina.id).execute();
    const before = await postCount();
    const closed = disconnected(socket);
    const ack = await socket.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Posted after signing out') });
    expect(ack).toEqual({ ok: false, error: { code: 'signed_out', messageKey: 'errors.signedOut' } });
    expect(await postCount()).toBe(before);
    expect(await closed).toBe('io server disconnect');
  });

  it('an expired session answers "signed out" too', async () => {
    const amina = await createUser(app, { name: 'Amina Expired' });
    const socket = await open(amina.cookie);
    await app.server.database.db.updateTable('sessions').set({ expiresAt: new Date(Date.now() - 1_000).toISOString() }).where('userId', '=', amina.id).execute();
    const ack = await socket.emit('thread:typing', { threadId: thread, typing: true });
    expect(ack).toMatchObject({ ok: false, error: { code: 'signed_out' } });
  });

  it('a password change ends every other session’s sockets and keeps this browser signed in', async () => {
    const amina = await createUser(app, { name: 'Amina Password' });
    const other = await app.server.services.auth.createSession(amina.id, {});
    const phone = await open(`${app.server.services.auth.sessionCookieName}=${other.id}`);
    const laptop = await open(amina.cookie);
    const closed = Promise.all([disconnected(phone), disconnected(laptop)]);
    const client = browser(amina);
    const wrong = await client.post('/account', { intent: 'password', currentPassword: 'not my password', newPassword: 'a brand new password', confirmPassword: 'a brand new password' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Your current password is not right.');
    expect(phone.socket.connected).toBe(true);

    const res = await client.post('/account', { intent: 'password', currentPassword: 'a long enough password', newPassword: 'a brand new password', confirmPassword: 'a brand new password' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Your password is changed.');
    expect(await closed).toEqual(['io server disconnect', 'io server disconnect']);
    // The new cookie opens a socket that acts for Amina; the old one is anonymous now.
    const again = await open(client.cookieHeader);
    expect(await again.socket.timeout(5_000).emitWithAck('session:whoami')).toEqual({ user: { id: amina.id, name: 'Amina Password' } });
    const stale = await open(amina.cookie);
    expect(await stale.socket.timeout(5_000).emitWithAck('session:whoami')).toEqual({ user: null });
    expect(await app.server.services.accounts.authenticate(amina.email, 'a brand new password')).toBe(amina.id);
  });

  it('"sign out everywhere" ends every session’s sockets', async () => {
    const amina = await createUser(app, { name: 'Amina Everywhere' });
    const other = await app.server.services.auth.createSession(amina.id, {});
    const sockets = [await open(amina.cookie), await open(`${app.server.services.auth.sessionCookieName}=${other.id}`)];
    const closed = Promise.all(sockets.map(disconnected));
    const res = await browser(amina).post('/account', { intent: 'signOutEverywhere' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/sign-in');
    expect(await closed).toEqual(['io server disconnect', 'io server disconnect']);
    expect(await app.server.database.db.selectFrom('sessions').select('id').where('userId', '=', amina.id).execute()).toEqual([]);
  });

  it('a renamed user posts under the new name on the socket opened before', async () => {
    const amina = await createUser(app, { name: 'Amina Before' });
    const socket = await open(amina.cookie);
    await app.server.database.db.updateTable('users').set({ name: 'Amina After' }).where('id', '=', amina.id).execute();
    const ack = await socket.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Which name?'), attribution: 'named' });
    expect(ack.post.author).toMatchObject({ attribution: 'named', name: 'Amina After' });
  });
});

describe('a stale page, an expired session, a busy socket', () => {
  const handshake = (cookie: string | undefined, expect: string | null) =>
    new Promise<{ message: string; data?: unknown } | 'connected'>((resolve) => {
      const socket = connect(app.url, { transports: ['websocket'], extraHeaders: cookie ? { cookie } : {}, auth: { expect }, forceNew: true, reconnection: false });
      socket.once('connect', () => {
        socket.close();
        resolve('connected');
      });
      socket.once('connect_error', (error: Error & { data?: unknown }) => {
        socket.close();
        resolve({ message: error.message, data: error.data });
      });
    });

  it('a page showing one user never gets a connection for another (signed in since in another tab)', async () => {
    const julien = await createUser(app, { name: 'Julien Stale' });
    const canary = await createUser(app, { name: 'Canary Stale' });
    // The cookie is now the canary's; the page still shows Julien.
    expect(await handshake(canary.cookie, julien.id)).toEqual({ message: 'user_changed', data: { retryable: false, messageKey: 'errors.userChanged' } });
    // A page showing nobody, with a cookie that signs someone in: refused too (the page reloads).
    expect(await handshake(canary.cookie, null)).toMatchObject({ message: 'user_changed' });
    expect(await handshake(undefined, julien.id)).toMatchObject({ message: 'user_changed' });
    // The page that shows who the cookie says connects.
    expect(await handshake(canary.cookie, canary.id)).toBe('connected');
    expect(await handshake(undefined, null)).toBe('connected');
  });

  /**
   * Time passing past a session's end, for one socket: Lucia extends a session each time it is
   * read in its second half, so a short-lived session cannot be made; the row is expired and the
   * server's socket told the expiry it would have read.
   */
  async function expire(userId: string) {
    await app.server.database.db.updateTable('sessions').set({ expiresAt: new Date(Date.now() - 1_000).toISOString() }).where('userId', '=', userId).execute();
    for (const socket of app.server.io.sockets.sockets.values()) if (socket.data.user?.id === userId) socket.data.sessionExpiresAt = Date.now() - 1_000;
  }

  it('the expiry watch ends a socket whose session is over, even if it sends nothing', async () => {
    const mod = await createUser(app, { role: 'moderator', name: 'Moderator Expiring' });
    const socket = await open(mod.cookie);
    expect((await socket.emit('thread:join', { threadId: thread })).ok).toBe(true);
    const server = [...app.server.io.sockets.sockets.values()].find((s) => s.data.user?.id === mod.id)!;
    await checkSession(app.server.services, server); // a live session: nothing happens
    expect(socket.socket.connected).toBe(true);
    const closed = disconnected(socket);
    const ended = socket.next('session:ended');
    await expire(mod.id);
    await checkSession(app.server.services, server); // what the watch runs at the session's expiry
    await ended;
    expect(await closed).toBe('io server disconnect');
  });

  it('an expired session edits no note', async () => {
    const moderator = await createUser(app, { role: 'moderator' });
    const question = await app.server.database.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '1').executeTakeFirstOrThrow();
    const noteId = await app.server.services.notes.open(moderator.id, consultationId, { questionId: question.id, stakeholderGroup: 'business', title: 'Expiry note' });
    const user = await createUser(app, { name: 'Editor Expiring', stakeholderGroup: 'business' });
    const editor = await openCoEditor(app, noteId, { cookie: user.cookie, log: true });
    editors.push(editor);
    const gone = new Promise((resolve) => editor.socket.once('disconnect', resolve));
    await expire(user.id);
    editor.appendParagraph('Typed after the session expired');
    await gone;
    await app.server.services.noteDocs.save(noteId);
    const row = await app.server.database.db.selectFrom('notes').select('text').where('id', '=', noteId).executeTakeFirstOrThrow();
    expect(row.text).toBe('Expiry note');
  });

  it('another user cannot take over a co-editor’s awareness id while they are away', async () => {
    const moderator = await createUser(app, { role: 'moderator' });
    const question = await app.server.database.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '1').executeTakeFirstOrThrow();
    const noteId = await app.server.services.notes.open(moderator.id, consultationId, { questionId: question.id, stakeholderGroup: 'government', title: 'Takeover note' });
    const mariama = await createUser(app, { name: 'Mariama Takeover', stakeholderGroup: 'government' });
    const mallory = await createUser(app, { name: 'Mallory Takeover', stakeholderGroup: 'government' });
    const observer = await openCoEditor(app, noteId, { cookie: (await createUser(app, { name: 'Observer Takeover' })).cookie });
    editors.push(observer);
    const first = await openCoEditor(app, noteId, { cookie: mariama.cookie, clientID: 777_001 });
    await observer.waitFor(() => observer.awareness.getStates().has(777_001), 3_000, 'Mariama');
    first.close();
    await observer.waitFor(() => !observer.awareness.getStates().has(777_001), 3_000, 'Mariama gone');
    // Mallory announces Mariama's id while she is away: dropped.
    const m = await openCoEditor(app, noteId, { cookie: mallory.cookie, clientID: 777_001 });
    editors.push(m);
    // Mariama returns with the same document (same id): she is seen again, as herself.
    const back = await openCoEditor(app, noteId, { cookie: mariama.cookie, clientID: 777_001 });
    editors.push(back);
    // Her browser keeps its awareness across a reconnection: its clock goes on from where it was.
    for (let i = 0; i < 5; i++) back.awareness.setLocalStateField('focusing', i % 2 === 0);
    await observer.waitFor(() => observer.awareness.getStates().has(777_001), 3_000, 'Mariama back');
    expect(observer.awareness.getStates().get(777_001)).toMatchObject({ awarenessData: { author: { name: 'Mariama Takeover' } } });
  });

  it('session:whoami is rate-limited like every event', async () => {
    const socket = await open((await createUser(app)).cookie);
    const answers = await Promise.all(Array.from({ length: 120 }, () => socket.socket.timeout(5_000).emitWithAck('session:whoami')));
    expect(answers.filter((a: { error?: string }) => a.error === 'errors.rateLimited').length).toBeGreaterThan(0);
  });
});

describe('role changes take effect on open sockets at once', () => {
  it('a demoted moderator receives only public payloads, even after a fresh join; promoted back, the real author again', async () => {
    const mod = await createUser(app, { role: 'moderator', name: 'Moussa Moderator' });
    const canary = await createUser(app, { name: 'Canary Chatham', organisation: 'Canary Org', stakeholderGroup: 'business' });
    const socket = await open(mod.cookie);
    const writer = await open(canary.cookie);
    expect((await socket.emit('thread:join', { threadId: thread })).ok).toBe(true);

    const post = async (text: string) => {
      const seen = socket.next('post:created', (p: any) => p.post.clientId === id);
      const id = clientId();
      expect((await writer.emit('post:create', { threadId: thread, clientId: id, body: doc(text), attribution: 'chatham' })).ok).toBe(true);
      return (await seen).post;
    };
    expect((await post('Seen by a moderator')).realAuthor).toMatchObject({ name: 'Canary Chatham' });

    await app.server.services.accounts.setRole(admin.id, mod.id, consultationId, 'participant');
    const demoted = await post('Seen by a participant');
    expect(JSON.stringify(demoted)).not.toMatch(/Canary Chatham|Canary Org|realAuthor/);
    expect(JSON.stringify(demoted)).not.toContain(canary.id);

    expect((await socket.emit('thread:join', { threadId: thread })).ok).toBe(true);
    const rejoined = await post('Seen after joining again');
    expect(JSON.stringify(rejoined)).not.toMatch(/Canary Chatham|Canary Org|realAuthor/);
    // Catch-up answers as the current role too.
    const caughtUp = await socket.emit('thread:join', { threadId: thread, since: 0 });
    expect(JSON.stringify(caughtUp.missed)).not.toMatch(/Canary Chatham|Canary Org/);

    await app.server.services.accounts.setRole(admin.id, mod.id, consultationId, 'moderator');
    expect((await post('Seen by a moderator again')).realAuthor).toMatchObject({ name: 'Canary Chatham' });
  });

  it('a participant promoted to moderator may edit a note locked for review at once, and loses it when demoted', async () => {
    const moderator = await createUser(app, { role: 'moderator' });
    const question = await app.server.database.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '3').executeTakeFirstOrThrow();
    const noteId = await app.server.services.notes.open(moderator.id, consultationId, { questionId: question.id, stakeholderGroup: null, title: 'Locked note' });
    await app.server.services.notes.setStatus(moderator.id, noteId, 'lock');
    const user = await createUser(app, { name: 'Promoted Person' });
    const editor = await openCoEditor(app, noteId, { cookie: user.cookie, log: true });
    editors.push(editor);
    expect(editor.ack).toMatchObject({ ok: true, canEdit: false, status: 'in_review' });

    await app.server.services.accounts.setRole(admin.id, user.id, consultationId, 'moderator');
    await editor.waitFor(() => editor.statuses.length === 1, 3_000, 'status');
    expect(editor.statuses[0]).toEqual({ noteId, status: 'in_review', canEdit: true });

    await app.server.services.accounts.setRole(admin.id, user.id, consultationId, 'participant');
    await editor.waitFor(() => editor.statuses.length === 2, 3_000, 'status');
    expect(editor.statuses[1]).toEqual({ noteId, status: 'in_review', canEdit: false });
  });
});

describe('live signals reveal no more than a Chatham House post', () => {
  it('typing shows the stakeholder group only, with a new token for each burst, whatever the composer shows', async () => {
    const watcher = await open((await createUser(app)).cookie);
    const canary = await createUser(app, { name: 'Typing Canary', organisation: 'Canary Typing Org', stakeholderGroup: 'business' });
    const typist = await open(canary.cookie);
    for (const c of [watcher, typist]) await c.emit('thread:join', { threadId: thread });

    const frames = () => watcher.received.filter((e) => e.event === 'thread:typing').map((e) => e.payload as { token: string; typing: boolean; author?: unknown });
    const burst = async (attribution: string) => {
      const start = watcher.next('thread:typing', (p: any) => p.typing);
      await typist.emit('thread:typing', { threadId: thread, typing: true, attribution });
      await start;
      const stop = watcher.next('thread:typing', (p: any) => !p.typing);
      await typist.emit('thread:typing', { threadId: thread, typing: false, attribution });
      await stop;
    };
    await burst('named');
    await burst('chatham');
    const seen = frames();
    expect(seen).toHaveLength(4);
    for (const frame of seen.filter((f) => f.typing)) expect(frame.author).toEqual({ attribution: 'chatham', stakeholderGroup: 'business' });
    expect(JSON.stringify(seen)).not.toMatch(/Typing Canary|Canary Typing Org/);
    expect(JSON.stringify(seen)).not.toContain(canary.id);
    // Start and stop of one burst share a token; two bursts do not.
    expect(seen[0]!.token).toBe(seen[1]!.token);
    expect(seen[2]!.token).toBe(seen[3]!.token);
    expect(seen[0]!.token).not.toBe(seen[2]!.token);
    // A stop without a start announces nothing.
    await typist.emit('thread:typing', { threadId: thread, typing: false });
    expect(frames()).toHaveLength(4);
  });

  it('a Chatham House co-editor shows in a note by stakeholder group only, and may choose to be named there', async () => {
    const moderator = await createUser(app, { role: 'moderator' });
    const question = await app.server.database.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '4').executeTakeFirstOrThrow();
    const noteId = await app.server.services.notes.open(moderator.id, consultationId, { questionId: question.id, stakeholderGroup: null, title: 'Presence note' });
    const canary = await createUser(app, { name: 'Note Canary', organisation: 'Canary Note Org', stakeholderGroup: 'business' });
    await app.server.services.accounts.setDefaultAttribution(canary.id, 'chatham');
    const observer = await openCoEditor(app, noteId, { cookie: (await createUser(app, { name: 'Olu Observer' })).cookie, log: true });
    editors.push(observer);
    const rawFrames: string[] = [];
    observer.socket.on(NOTE_EVENTS.message, (_id: number, payload: Buffer) => rawFrames.push(Buffer.from(payload).toString('latin1')));

    const c = await openCoEditor(app, noteId, { cookie: canary.cookie, name: 'Note Canary' });
    editors.push(c);
    const state = () => observer.awareness.getStates().get(c.doc.clientID);
    await observer.waitFor(() => state() !== undefined, 3_000, 'the canary’s presence');
    expect(state()).toMatchObject({ awarenessData: { author: { attribution: 'chatham', stakeholderGroup: 'business' } } });
    const leaks = /Note Canary|Canary Note Org/;
    expect(JSON.stringify(state())).not.toMatch(leaks);
    expect(rawFrames.join('')).not.toMatch(leaks);
    expect(rawFrames.join('')).not.toContain(canary.id);
    const chathamKey = (state()!.awarenessData as { key: string }).key;

    // Choosing to be named in the note: a new presence (key and colour), nothing that links the two.
    c.close();
    await observer.waitFor(() => state() === undefined, 3_000, 'the canary gone');
    const named = await openCoEditor(app, noteId, { cookie: canary.cookie, name: 'Note Canary', presenceAs: 'named' });
    editors.push(named);
    const namedState = () => observer.awareness.getStates().get(named.doc.clientID);
    await observer.waitFor(() => namedState() !== undefined, 3_000, 'the named presence');
    expect(namedState()).toMatchObject({ name: 'Note Canary', awarenessData: { author: { attribution: 'named', name: 'Note Canary', organisation: 'Canary Note Org' } } });
    expect((namedState()!.awarenessData as { key: string }).key).not.toBe(chathamKey);
    expect(JSON.stringify(namedState())).not.toContain(canary.id);
  });
});
