/**
 * Posts are stored once and never silently dropped (a client id names one submission), a hidden
 * post keeps its record whatever its author does, and a thread's pages neither repeat nor skip
 * posts that arrive between two pages. Over the socket and the no-JavaScript form alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, doc, openClient, threadId, type TestClient } from '../support/sockets';

let app: TestServer;
let thread: number;
const PATH = '/c/gfmd-2020-partnerships/q/2/2.4';
const clients: TestClient[] = [];

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
  thread = await threadId(app, '2.4');
});
afterAll(async () => {
  for (const c of clients) c.close();
  await app?.close();
});

const socketOf = async (cookie: string) => {
  const c = await openClient(app, cookie);
  clients.push(c);
  return c;
};
const idFrom = (res: Response) => Number(/#post-(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]);
const postsOf = (authorId: string) => app.server.database.db.selectFrom('posts').selectAll().where('authorId', '=', authorId).orderBy('id').execute();

describe('a client id names one submission', () => {
  it('over the socket: a retry returns the stored post; another text, parent or attribution under the same id is refused', async () => {
    const user = await createUser(app);
    const s = await socketOf(user.cookie);
    const id = clientId();
    const first = await s.emit('post:create', { threadId: thread, clientId: id, body: doc('Cities should be at the table.') });
    expect(first.ok).toBe(true);
    // The same submission again (a retry over a flaky link): the stored post, once.
    expect((await s.emit('post:create', { threadId: thread, clientId: id, body: doc('Cities should be at the table.') })).post.id).toBe(first.post.id);

    const conflict = { ok: false, error: { code: 'conflict', messageKey: 'errors.clientIdConflict', field: 'clientId' } };
    expect(await s.emit('post:create', { threadId: thread, clientId: id, body: doc('A different contribution.') })).toEqual(conflict);
    expect(await s.emit('post:create', { threadId: thread, clientId: id, parentId: first.post.id, body: doc('Cities should be at the table.') })).toEqual(conflict);
    expect(await s.emit('post:create', { threadId: thread, clientId: id, attribution: 'chatham', body: doc('Cities should be at the table.') })).toEqual(conflict);
    expect((await postsOf(user.id)).map((p) => p.bodyText)).toEqual(['Cities should be at the table.']);

    // Still a retry after its author edited it: compared with the post as first sent.
    expect((await s.emit('post:edit', { postId: first.post.id, body: doc('Cities and regions should be at the table.') })).ok).toBe(true);
    expect((await s.emit('post:create', { threadId: thread, clientId: id, body: doc('Cities should be at the table.') })).post.id).toBe(first.post.id);
  });

  it('over the socket: a reply, then a top-level post sent under the same id, is refused instead of dropped', async () => {
    const author = await createUser(app);
    const replier = await createUser(app);
    const a = await socketOf(author.cookie);
    const r = await socketOf(replier.cookie);
    const { post: parent } = await a.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Question for the group.') });
    const shared = clientId();
    expect((await r.emit('post:create', { threadId: thread, clientId: shared, parentId: parent.id, body: doc('My reply.') })).ok).toBe(true);
    const second = await r.emit('post:create', { threadId: thread, clientId: shared, body: doc('My own contribution.') });
    expect(second).toMatchObject({ ok: false, error: { messageKey: 'errors.clientIdConflict' } });
    // Sent again as a new submission (the composer takes a new id), it is stored.
    expect((await r.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('My own contribution.') })).ok).toBe(true);
    expect((await postsOf(replier.id)).map((p) => [p.bodyText, p.parentId])).toEqual([
      ['My reply.', parent.id],
      ['My own contribution.', null],
    ]);
  });

  it('without JavaScript: another text under a used id is refused with a message, the text kept and a new id given', async () => {
    const user = await createUser(app);
    const http = new Client(app.url, { cookie: user.cookie, 'accept-language': 'en' });
    const id = clientId();
    expect((await http.post(PATH, { intent: 'create', clientId: id, text: 'First contribution.' })).status).toBe(302);
    const refused = await http.post(PATH, { intent: 'create', clientId: id, text: 'Second contribution, different.' });
    expect(refused.status).toBe(409);
    const html = await refused.text();
    expect(html).toContain('This form already sent a different contribution, so this one was not posted.');
    expect(html).toContain('Second contribution, different.'); // what they wrote is kept
    const ids = [...html.matchAll(/name="clientId" value="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).not.toContain(id);
    // Posting again from that page stores it.
    expect((await http.post(PATH, { intent: 'create', clientId: ids[0]!, text: 'Second contribution, different.' })).status).toBe(302);
    expect((await postsOf(user.id)).map((p) => p.bodyText)).toEqual(['First contribution.', 'Second contribution, different.']);

    const fr = new Client(app.url, { cookie: user.cookie, 'accept-language': 'fr' });
    expect(await (await fr.post(PATH, { intent: 'create', clientId: id, text: 'Autre chose.' })).text()).toContain('Ce formulaire a déjà envoyé une autre contribution');
  });

  it('gives each composer of a page its own id (the reply form and the contribution form)', async () => {
    const user = await createUser(app);
    const http = new Client(app.url, { cookie: user.cookie, 'accept-language': 'en' });
    const parent = idFrom(await http.post(PATH, { intent: 'create', clientId: clientId(), text: 'A post to reply to.' }));
    const page = await (await http.get(`${PATH}?reply=${parent}`)).text();
    const ids = [...page.matchAll(/name="clientId" value="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    // Both forms post: the reply, then a contribution.
    expect((await http.post(`${PATH}?reply=${parent}`, { intent: 'create', clientId: ids[0]!, parentId: String(parent), text: 'The reply.' })).status).toBe(302);
    expect((await http.post(PATH, { intent: 'create', clientId: ids[1]!, text: 'The contribution.' })).status).toBe(302);
    expect((await postsOf(user.id)).map((p) => p.bodyText)).toEqual(['A post to reply to.', 'The reply.', 'The contribution.']);
  });
});

describe('a hidden post keeps its record', () => {
  it('its author can neither delete nor edit it, over the socket or with forms; moderators still read its text and reason', async () => {
    const author = await createUser(app, { name: 'Hidden Author' });
    const moderator = await createUser(app, { role: 'moderator' });
    const s = await socketOf(author.cookie);
    const { post } = await s.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Something a moderator will hide.') });
    const mod = new Client(app.url, { cookie: moderator.cookie, 'accept-language': 'en' });
    expect((await mod.post(PATH, { intent: 'hide', postId: String(post.id), reason: 'Personal attack on a delegate.' })).status).toBe(302);

    const locked = { ok: false, error: { code: 'forbidden', messageKey: 'errors.postHiddenLocked' } };
    expect(await s.emit('post:delete', { postId: post.id })).toEqual(locked);
    expect(await s.emit('post:edit', { postId: post.id, body: doc('Rewritten to look harmless.') })).toEqual(locked);
    const http = new Client(app.url, { cookie: author.cookie, 'accept-language': 'en' });
    const deleted = await http.post(PATH, { intent: 'delete', postId: String(post.id) });
    expect(deleted.status).toBe(403);
    expect(await deleted.text()).toContain('A moderator hid this contribution, so it can no longer be edited or deleted.');
    expect((await http.post(PATH, { intent: 'edit', postId: String(post.id), text: 'Rewritten.' })).status).toBe(403);

    const row = await app.server.database.db.selectFrom('posts').selectAll().where('id', '=', post.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'hidden', hiddenReason: 'Personal attack on a delegate.', bodyText: 'Something a moderator will hide.', editedAt: null });
    const page = await (await mod.get(PATH)).text();
    const article = page.slice(page.indexOf(`id="post-${post.id}"`), page.indexOf('</article>', page.indexOf(`id="post-${post.id}"`)));
    expect(article).toContain('Something a moderator will hide.');
    expect(article).toContain('Personal attack on a delegate.');
    // And it can still be restored as it was.
    expect((await mod.post(PATH, { intent: 'restore', postId: String(post.id) })).status).toBe(302);
    expect((await app.server.database.db.selectFrom('posts').select(['status', 'bodyText']).where('id', '=', post.id).executeTakeFirstOrThrow())).toEqual({
      status: 'visible',
      bodyText: 'Something a moderator will hide.',
    });
  });

  it('a deletion racing a hide never erases the hidden record', async () => {
    const author = await createUser(app);
    const moderator = await createUser(app, { role: 'moderator' });
    const { posts } = app.server.services;
    for (let i = 0; i < 5; i++) {
      const post = await posts.create(author.id, { threadId: thread, clientId: clientId(), body: doc(`Racing ${i}.`) }, 'en');
      const [hide, remove] = await Promise.allSettled([
        posts.moderate(moderator.id, post.id, true, 'Off topic.'),
        posts.remove(author.id, post.id),
      ]);
      const row = await app.server.database.db.selectFrom('posts').selectAll().where('id', '=', post.id).executeTakeFirstOrThrow();
      // Exactly one of them won, and a hidden post still has its text and reason.
      expect([hide.status, remove.status].filter((s) => s === 'fulfilled')).toHaveLength(1);
      if (row.status === 'hidden') expect(row).toMatchObject({ hiddenReason: 'Off topic.', bodyText: `Racing ${i}.` });
      else expect(row.status).toBe('deleted');
    }
  });
});

describe('keyset pages', () => {
  const base = '/c/gfmd-2020-partnerships/q/3/3.2';
  const numbersOn = (html: string) => [...html.matchAll(/<p>Paged contribution (\d+)\.<\/p>/g)].map((m) => Number(m[1]));
  const linkOf = (html: string, rel: 'next' | 'prev') => {
    const tag = new RegExp(`<a [^>]*rel="${rel}"[^>]*>`).exec(html)?.[0];
    return tag ? /href="([^"]*)"/.exec(tag)?.[1]?.replaceAll('&amp;', '&') : undefined;
  };
  let paged: number;
  let writer: Awaited<ReturnType<typeof createUser>>;
  let made = 0;
  const add = async (count: number) => {
    for (let i = 0; i < count; i++) {
      made++;
      await app.server.services.posts.create(writer.id, { threadId: paged, clientId: clientId(), body: doc(`Paged contribution ${made}.`) }, 'en');
    }
  };

  beforeAll(async () => {
    paged = await threadId(app, '3.2');
    writer = await createUser(app);
    await add(230);
    // Endorsements, with many ties, for the "most endorsed" order.
    const rows = await app.server.database.db.selectFrom('posts').select(['id', 'bodyText']).where('threadId', '=', paged).execute();
    const fans = [await createUser(app), await createUser(app)];
    for (const row of rows) {
      const n = Number(/(\d+)/.exec(row.bodyText)![1]);
      for (const [i, fan] of fans.entries()) if (n % (i === 0 ? 3 : 10) === 0) await app.server.services.posts.endorse(fan.id, row.id, true);
    }
  }, 120_000);

  for (const sort of ['newest', 'oldest', 'endorsed'] as const) {
    it(`${sort}: five posts arriving between pages neither repeat nor leave a gap`, async () => {
      const http = new Client(app.url, { 'accept-language': 'en' });
      const before = new Set(
        (await app.server.database.db.selectFrom('posts').select('bodyText').where('threadId', '=', paged).execute()).map((r) => Number(/(\d+)/.exec(r.bodyText)![1])),
      );
      const first = await (await http.get(`${base}?sort=${sort}`)).text();
      const seen = numbersOn(first);
      expect(seen).toHaveLength(100);
      await add(5); // between page 1 and page 2
      let next = linkOf(first, 'next');
      let pages = 1;
      let previous: string | undefined;
      while (next) {
        const html = await (await http.get(next)).text();
        if (pages === 1) previous = linkOf(html, 'prev');
        seen.push(...numbersOn(html));
        next = linkOf(html, 'next');
        pages++;
        expect(pages).toBeLessThan(10);
      }
      expect(seen.length).toBe(new Set(seen).size); // no repeat
      for (const n of before) expect(seen).toContain(n); // no gap
      // Back from page 2: exactly what page 1 showed.
      expect(numbersOn(await (await http.get(previous!)).text())).toEqual(numbersOn(first));
    });
  }

  it('orders most endorsed by (endorsements, id) and newest by time', async () => {
    const list = async (sort: 'newest' | 'endorsed', after?: string | null) => app.server.services.posts.list(paged, null, { sort, after });
    const endorsed: { n: number; id: number }[] = [];
    for (let page = await list('endorsed'); ; page = await list('endorsed', page.next)) {
      endorsed.push(...page.posts.map((p) => ({ n: p.endorsements, id: p.id })));
      if (!page.next) break;
    }
    const sorted = [...endorsed].sort((a, b) => b.n - a.n || a.id - b.id);
    expect(endorsed).toEqual(sorted);
    const newest = (await list('newest')).posts.map((p) => p.id);
    expect(newest).toEqual([...newest].sort((a, b) => b - a));
    // A cursor that is not one (tampered or foreign) is the first page, not an error.
    expect((await (await new Client(app.url).get(`${base}?sort=newest&after=bm90LWEtY3Vyc29y`)).text()).match(/<p>Paged contribution/g)).toHaveLength(100);
  });
});
