import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';
import { Client } from '../support/http';
import { clientId, createUser, doc, openClient, threadId, type TestClient } from '../support/sockets';

let app: TestServer;
let thread: number;
const clients: TestClient[] = [];
const open = async (cookie?: string) => {
  const c = await openClient(app, cookie);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '5' });
  thread = await threadId(app, '2.4');
});
afterAll(async () => {
  for (const c of clients) c.close();
  await app?.close();
});

describe('live threads', () => {
  it('two participants see each other’s posts, replies, edits, endorsements and deletions', async () => {
    const mariama = await createUser(app, { name: 'Mariama Sow', organisation: 'Collectif Migrations Dakar' });
    const julien = await createUser(app, { name: 'Julien Tremblay', organisation: 'Ville de Montréal', stakeholderGroup: 'local-government' });
    const a = await open(mariama.cookie);
    const b = await open(julien.cookie);
    expect((await a.emit('thread:join', { threadId: thread })).ok).toBe(true);
    expect((await b.emit('thread:join', { threadId: thread })).ok).toBe(true);

    const seen = b.next('post:created');
    const ack = await a.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Les partenariats locaux fonctionnent mieux.') });
    expect(ack.ok).toBe(true);
    const { post } = await seen;
    expect(post).toMatchObject({ id: ack.post.id, html: '<p>Les partenariats locaux fonctionnent mieux.</p>', language: 'fr', author: { attribution: 'named', name: 'Mariama Sow' } });
    // The post was committed before the acknowledgement.
    const row = await app.server.database.db.selectFrom('posts').selectAll().where('id', '=', ack.post.id).executeTakeFirst();
    expect(row?.bodyText).toBe('Les partenariats locaux fonctionnent mieux.');

    const reply = a.next('post:created', (p: any) => p.post.parentId === post.id);
    const replyAck = await b.emit('post:create', { threadId: thread, clientId: clientId(), parentId: post.id, body: doc('At city level, yes: we saw it in Montréal.') });
    expect(replyAck.ok).toBe(true);
    expect((await reply).post).toMatchObject({ rootId: post.id, language: 'en' });

    const edited = b.next('post:updated');
    expect((await a.emit('post:edit', { postId: post.id, body: doc('Les partenariats locaux fonctionnent souvent mieux.') })).ok).toBe(true);
    expect((await edited).post).toMatchObject({ html: '<p>Les partenariats locaux fonctionnent souvent mieux.</p>', editedAt: expect.any(String) });
    expect(await app.server.services.posts.history(post.id)).toHaveLength(1);

    const endorsed = a.next('post:endorsed');
    expect((await b.emit('post:endorse', { postId: post.id, endorse: true })).ok).toBe(true);
    expect((await endorsed).post.endorsements).toBe(1);
    expect((await b.emit('post:endorse', { postId: post.id, endorse: true })).post.endorsements).toBe(1); // once per user
    const withdrawn = a.next('post:endorsed');
    await b.emit('post:endorse', { postId: post.id, endorse: false });
    expect((await withdrawn).post.endorsements).toBe(0);

    const deleted = b.next('post:updated', (p: any) => p.post.status === 'deleted');
    expect((await a.emit('post:delete', { postId: post.id })).ok).toBe(true);
    expect((await deleted).post).toMatchObject({ id: post.id, status: 'deleted', html: null });
    const listed = await app.server.services.posts.list(thread, null, { sort: 'oldest' });
    const kept = listed.posts.find((p) => p.id === post.id)!;
    expect(kept.status).toBe('deleted');
    expect(kept.replies.map((r) => r.id)).toEqual([replyAck.post.id]); // replies stay in place
  });

  it('a reconnecting client receives what it missed', async () => {
    const writer = await createUser(app);
    const reader = await createUser(app);
    const w = await open(writer.cookie);
    const r = await open(reader.cookie);
    await w.emit('thread:join', { threadId: thread });
    const { seq } = await r.emit('thread:join', { threadId: thread, since: 0 });
    r.socket.disconnect();
    const first = await w.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Posted while you were away, one.') });
    const second = await w.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Posted while you were away, two.') });
    r.socket.connect();
    await new Promise<void>((resolve) => r.socket.once('connect', () => resolve()));
    const caughtUp = await r.emit('thread:join', { threadId: thread, since: seq });
    expect(caughtUp.missed.map((p: any) => p.id)).toEqual([first.post.id, second.post.id]);
    expect(caughtUp.seq).toBeGreaterThan(seq);
  });

  it('a retried post is stored and broadcast once', async () => {
    const user = await createUser(app);
    const other = await open((await createUser(app)).cookie);
    await other.emit('thread:join', { threadId: thread });
    const c = await open(user.cookie);
    const payload = { threadId: thread, clientId: clientId(), body: doc('Sent twice over a flaky link.') };
    const [x, y] = await Promise.all([c.emit('post:create', payload), c.emit('post:create', payload)]);
    const z = await c.emit('post:create', payload);
    expect(x.post.id).toBe(y.post.id);
    expect(z.post.id).toBe(x.post.id);
    const rows = await app.server.database.db.selectFrom('posts').select('id').where('clientId', '=', payload.clientId).execute();
    expect(rows).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(other.received.filter((e) => e.event === 'post:created' && (e.payload as any).post.clientId === payload.clientId)).toHaveLength(1);
  });

  it('an anonymous socket may listen but not post', async () => {
    const anonymous = await open();
    expect((await anonymous.emit('thread:join', { threadId: thread })).ok).toBe(true);
    const ack = await anonymous.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Who am I?') });
    expect(ack).toEqual({ ok: false, error: { code: 'unauthenticated', messageKey: 'errors.unauthenticated' } });
  });

  it('a participant cannot edit or delete another’s post', async () => {
    const author = await open((await createUser(app)).cookie);
    const intruder = await open((await createUser(app)).cookie);
    const { post } = await author.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Mine.') });
    const edit = await intruder.emit('post:edit', { postId: post.id, body: doc('Now mine.') });
    expect(edit).toMatchObject({ ok: false, error: { code: 'forbidden', messageKey: 'errors.notYourPost' } });
    expect((await intruder.emit('post:delete', { postId: post.id })).ok).toBe(false);
    const row = await app.server.database.db.selectFrom('posts').selectAll().where('id', '=', post.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ bodyText: 'Mine.', status: 'visible', editedAt: null });
  });

  it('a chatham post carries no name, organisation or user id in any event, page or JSON', async () => {
    const secret = await createUser(app, { name: 'Zanele Secretname', organisation: 'Hidden Org Ltd' });
    const watcher = await open((await createUser(app)).cookie);
    const anonymous = await open();
    await watcher.emit('thread:join', { threadId: thread });
    await anonymous.emit('thread:join', { threadId: thread });
    const author = await open(secret.cookie);
    await author.emit('thread:join', { threadId: thread });
    const created = watcher.next('post:created');
    const { post } = await author.emit('post:create', { threadId: thread, clientId: clientId(), attribution: 'chatham', body: doc('Off the record.') });
    await created;
    const typing = watcher.next('thread:typing');
    await author.emit('thread:typing', { threadId: thread, typing: true, attribution: 'chatham' });
    await typing;
    const endorsed = anonymous.next('post:endorsed');
    await watcher.emit('post:endorse', { postId: post.id, endorse: true });
    await endorsed;
    const updated = anonymous.next('post:updated');
    await author.emit('post:edit', { postId: post.id, body: doc('Off the record, edited.'), attribution: 'chatham' });
    await updated;

    const leaks = (raw: string) => ['Secretname', 'Hidden Org', secret.id, secret.email].filter((s) => raw.includes(s));
    for (const client of [watcher, anonymous]) {
      const mine = client.received.filter((e) => JSON.stringify(e.payload).includes(String(post.id)) || e.event === 'thread:typing');
      expect(mine.length).toBeGreaterThan(0);
      expect(leaks(JSON.stringify(client.received))).toEqual([]);
    }
    expect(watcher.received.find((e) => e.event === 'post:created')?.payload).toMatchObject({
      post: { author: { attribution: 'chatham', stakeholderGroup: 'civil-society' } },
    });
    const path = '/c/gfmd-2020-partnerships/q/2/2.4';
    for (const cookie of [undefined, (await createUser(app)).cookie]) {
      const http = new Client(app.url, cookie ? { cookie } : {});
      const page = await (await http.get(path)).text();
      expect(page).toContain('Off the record, edited.');
      expect(leaks(page)).toEqual([]);
      const data = await (await http.get(`${path}.data`)).text();
      expect(data).toContain('Off the record, edited.');
      expect(leaks(data)).toEqual([]);
    }
  });

  it('moderators see the real author of a chatham post', async () => {
    const secret = await createUser(app, { name: 'Real Author Name' });
    const moderator = await createUser(app);
    const { consultationId } = (await app.server.services.consultations.threadContext(thread))!;
    await app.server.database.db.insertInto('consultationMembers').values({ consultationId, userId: moderator.id, role: 'moderator', createdAt: '', updatedAt: '' }).execute();
    const mod = await open(moderator.cookie);
    await mod.emit('thread:join', { threadId: thread });
    const author = await open(secret.cookie);
    const seen = mod.next('post:created');
    await author.emit('post:create', { threadId: thread, clientId: clientId(), attribution: 'chatham', body: doc('Moderators know.') });
    expect((await seen).post).toMatchObject({ author: { attribution: 'chatham' }, realAuthor: { id: secret.id, name: 'Real Author Name' } });
  });

  it('refuses script, javascript: links, unknown nodes and malformed documents, and renders text inert', async () => {
    const c = await open((await createUser(app)).cookie);
    const post = (body: unknown) => c.emit('post:create', { threadId: thread, clientId: clientId(), body });
    const script = { root: { type: 'root', children: [{ type: 'script', children: [] }] } };
    const jsLink = { root: { type: 'root', children: [{ type: 'paragraph', children: [{ type: 'link', url: 'javascript:alert(1)', children: [{ type: 'text', text: 'click' }] }] }] } };
    const html = { root: { type: 'root', children: [{ type: 'html', html: '<img src=x onerror=alert(1)>' }] } };
    for (const [body, key] of [
      [script, 'errors.postInvalid'],
      [jsLink, 'errors.linkScheme'],
      [html, 'errors.postInvalid'],
      ['{"root": [', 'errors.postInvalid'],
      [{ nope: true }, 'errors.postInvalid'],
      [doc('   '), 'errors.postEmpty'],
      [doc('x'.repeat(20_001)), 'errors.postTooLong'],
    ] as const) {
      expect(await post(body), JSON.stringify(body).slice(-80)).toMatchObject({ ok: false, error: { code: 'invalid', messageKey: key } });
    }
    const inert = await post(doc('<script>alert(1)</script><img src=x onerror=alert(1)>', { onerror: 'alert(1)', style: 'background:url(javascript:alert(1))' }));
    expect(inert.ok).toBe(true);
    expect(inert.post.html).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</p>');
    const stored = await app.server.database.db.selectFrom('posts').select('body').where('id', '=', inert.post.id).executeTakeFirstOrThrow();
    expect(stored.body).not.toContain('onerror":');
    expect(stored.body).not.toContain('background');
  });

  it('keeps the threads of a draft consultation closed to listeners, as its pages are', async () => {
    const anonymous = await open();
    await app.server.database.db.updateTable('consultations').set({ phase: 'draft' }).execute();
    try {
      expect(await anonymous.emit('thread:join', { threadId: thread })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    } finally {
      await app.server.database.db.updateTable('consultations').set({ phase: 'open' }).execute();
    }
    expect((await anonymous.emit('thread:join', { threadId: thread })).ok).toBe(true);
  });

  it('refuses posts when the consultation is not open', async () => {
    const c = await open((await createUser(app)).cookie);
    await app.server.database.db.updateTable('consultations').set({ phase: 'compiling' }).execute();
    try {
      const ack = await c.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Too late.') });
      expect(ack).toMatchObject({ ok: false, error: { code: 'forbidden', messageKey: 'errors.phaseClosed' } });
    } finally {
      await app.server.database.db.updateTable('consultations').set({ phase: 'open' }).execute();
    }
  });

  it('limits a flood of posts with a clear error while serving others', async () => {
    const flooder = await open((await createUser(app)).cookie);
    const acks = [];
    for (let i = 0; i < 7; i++) acks.push(await flooder.emit('post:create', { threadId: thread, clientId: clientId(), body: doc(`Flood ${i}`) }));
    expect(acks.filter((a) => a.ok)).toHaveLength(5);
    expect(acks.at(-1)).toMatchObject({ ok: false, error: { code: 'rate_limited', messageKey: 'errors.rateLimitedPosts' } });
    const other = await open((await createUser(app)).cookie);
    expect((await other.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Still served.') })).ok).toBe(true);
  });

  it('shows that someone is typing, by stakeholder group only, and a reader who leaves costs the room nothing but the presence count', async () => {
    const watcher = await open((await createUser(app)).cookie);
    const typist = await open((await createUser(app, { name: 'Typing Person', organisation: 'Typing Org' })).cookie);
    const reader = await open((await createUser(app)).cookie);
    for (const c of [watcher, typist, reader]) await c.emit('thread:join', { threadId: thread });
    const typing = watcher.next('thread:typing');
    await typist.emit('thread:typing', { threadId: thread, typing: true, attribution: 'organisation' });
    // Whatever the composer shows, typing shows what a Chatham House post would (see identity.test.ts).
    expect(await typing).toMatchObject({ threadId: thread, typing: true, author: { attribution: 'chatham', stakeholderGroup: 'civil-society' } });
    expect(JSON.stringify(await typing)).not.toMatch(/Typing Person|Typing Org/);

    const before = watcher.received.filter((e) => e.event === 'thread:typing').length;
    reader.close();
    const presence = await watcher.next('thread:presence');
    expect(presence.readers).toBeGreaterThan(0);
    expect(watcher.received.filter((e) => e.event === 'thread:typing')).toHaveLength(before);

    const stopped = watcher.next('thread:typing', (p: any) => p.typing === false);
    typist.close();
    expect(await stopped).toMatchObject({ threadId: thread, typing: false });
  });
});
