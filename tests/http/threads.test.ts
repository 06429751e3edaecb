import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, doc, threadId } from '../support/sockets';

let app: TestServer;
const PATH = '/c/gfmd-2020-partnerships/q/2/2.4';

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
});
afterAll(() => app?.close());

const signedIn = async (name?: string) => {
  const user = await createUser(app, name ? { name } : {});
  return { user, http: new Client(app.url, { cookie: user.cookie, 'accept-language': 'en' }) };
};
/** The href of a page's `rel` link (pagination), as a browser would follow it. */
const linkOf = (page: string, rel: 'next' | 'prev') => {
  const tag = new RegExp(`<a [^>]*rel="${rel}"[^>]*>`).exec(page)?.[0];
  return tag ? /href="([^"]*)"/.exec(tag)?.[1]?.replaceAll('&amp;', '&') : undefined;
};
const idFrom = (res: Response) => Number(/#post-(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]);

describe('threads without JavaScript', () => {
  it('posts a contribution with a plain form, once however often it is sent', async () => {
    const { http } = await signedIn('Ana Reyes');
    const form = { intent: 'create', clientId: clientId(), text: 'Regional partnerships gave us shared standards.\n\nBut funding was short.', attribution: 'named', language: '' };
    const res = await http.post(PATH, form);
    expect(res.status).toBe(302);
    const id = idFrom(res);
    expect(id).toBeGreaterThan(0);
    expect((await http.post(PATH, form)).headers.get('location')).toBe(res.headers.get('location')); // a double submit
    const page = await (await http.get(PATH)).text();
    expect(page).toContain(`id="post-${id}"`);
    expect(page).toContain('<p>Regional partnerships gave us shared standards.</p><p>But funding was short.</p>');
    expect(page.match(/<p>Regional partnerships gave us shared standards/g)).toHaveLength(1);
    expect(page).toContain('<bdi class="user-text">Ana Reyes</bdi>, '); // isolated: see components/UserText.tsx
  });

  it('refuses an empty or oversized post with a message in the user’s language, keeping what they typed', async () => {
    const { user } = await signedIn();
    const fr = new Client(app.url, { cookie: user.cookie, 'accept-language': 'fr' });
    const empty = await fr.post(PATH, { intent: 'create', clientId: clientId(), text: '   ' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Écrivez quelque chose avant de publier.');
    const long = `Mon expérience ${'très longue '.repeat(2_000)}`;
    const tooLong = await fr.post(PATH, { intent: 'create', clientId: clientId(), text: long });
    expect(tooLong.status).toBe(400);
    const html = await tooLong.text();
    expect(html).toContain('Cette contribution est trop longue.');
    expect(html).toContain('Mon expérience très longue très longue');
    const { n } = await app.server.database.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).where('authorId', '=', user.id).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(0);
  });

  it('replies, edits, endorses and deletes with forms', async () => {
    const { http: author } = await signedIn('Priya Raman');
    const { http: other } = await signedIn('Jonas Okafor');
    const postId = idFrom(await author.post(PATH, { intent: 'create', clientId: clientId(), text: 'Skills partnerships need employers at the table.' }));
    const replyId = idFrom(await other.post(PATH, { intent: 'create', clientId: clientId(), parentId: String(postId), text: 'Agreed, and trade unions too.' }));

    expect((await author.post(PATH, { intent: 'edit', postId: String(postId), text: 'Skills partnerships need employers and unions at the table.' })).status).toBe(302);
    expect((await other.post(PATH, { intent: 'edit', postId: String(postId), text: 'Hijacked.' })).status).toBe(403);
    expect((await other.post(PATH, { intent: 'endorse', postId: String(postId), endorse: 'true' })).status).toBe(302);

    let page = await (await other.get(PATH)).text();
    const article = page.slice(page.indexOf(`id="post-${postId}"`));
    expect(article).toContain('employers and unions at the table');
    expect(article).toMatch(/<span class="post-edited"> · (<!-- -->)?edited<\/span>/);
    expect(article).toContain('1 endorsement');
    expect(article).toContain('Withdraw endorsement');
    // The reply sits inside its parent's article.
    expect(article.indexOf(`id="post-${replyId}"`)).toBeLessThan(article.indexOf('</article>', article.indexOf(`id="post-${replyId}"`) - 1) + 1);
    expect(page).toContain('Replies to this contribution');

    expect((await author.post(PATH, { intent: 'delete', postId: String(postId) })).status).toBe(302);
    page = await (await other.get(PATH)).text();
    expect(page).toContain('Deleted by its author.');
    expect(page).not.toContain('employers and unions at the table');
    expect(page).toContain('Agreed, and trade unions too.'); // the reply stays
  });

  it('renders a post’s report or hide form only on the post the URL asks for, and comes back without it', async () => {
    const { user: writer } = await signedIn('Report Subject');
    const { http } = await signedIn('A Reader');
    const moderatorUser = await createUser(app, { role: 'moderator' });
    const moderator = new Client(app.url, { cookie: moderatorUser.cookie, 'accept-language': 'en' });
    const thread = await threadId(app, '2.4');
    const [first, second] = [
      (await app.server.services.posts.create(writer.id, { threadId: thread, clientId: clientId(), text: 'First to report.' }, 'en')).id,
      (await app.server.services.posts.create(writer.id, { threadId: thread, clientId: clientId(), text: 'Second to report.' }, 'en')).id,
    ];
    const reportForms = (html: string) => [...html.matchAll(/<p id="report-(\d+)-title"/g)].map((m) => Number(m[1]));
    const hideForms = (html: string) => [...html.matchAll(/<textarea id="moderate-(\d+)-reason"/g)].map((m) => Number(m[1]));
    const article = (html: string, id: number) => html.slice(html.indexOf(`id="post-${id}"`), html.indexOf('</article>', html.indexOf(`id="post-${id}"`)));

    // No form on the page, a link per post that opens it, keeping the page's sort.
    const plain = await (await http.get(`${PATH}?sort=newest`)).text();
    expect(reportForms(plain)).toEqual([]);
    expect(article(plain, first)).toContain(`<a href="?sort=newest&amp;report=${first}#post-${first}" class="post-disclosure-toggle" aria-expanded="false">Report</a>`);
    expect(plain).not.toContain('name="reason"');
    // Asked for: that post's form alone, open, with a Cancel link back to the page; it comes back without `report`.
    const asked = await (await http.get(`${PATH}?sort=newest&report=${second}`)).text();
    expect(reportForms(asked)).toEqual([second]);
    const opened = article(asked, second);
    expect(opened).toContain(`<a href="${PATH}?sort=newest#post-${second}" class="post-disclosure-toggle" aria-expanded="true"`);
    expect(opened).toContain(`<input type="hidden" name="redirectTo" value="${PATH}?sort=newest"/>`);
    expect(opened).toMatch(new RegExp(`<a href="${PATH}\\?sort=newest#post-${second}" class="post-action">Cancel</a>`));
    expect(article(asked, first)).not.toContain('name="reason"');
    // Sent as the form would (its redirectTo): back to the thread, form closed, the report said.
    const key = /name="formKey" value="([0-9a-f]{32})"/.exec(opened)![1]!;
    const sent = await http.post('/c/gfmd-2020-partnerships/flag', { formKey: key, subjectType: 'post', subjectId: String(second), reason: 'spam', redirectTo: `${PATH}?sort=newest&report=${second}` });
    expect(sent.headers.get('location')).toBe(`${PATH}?sort=newest&flagged=1#post-${second}`);
    // Anonymous readers have neither links nor forms (and their page may come from the cache).
    const anonymous = await (await new Client(app.url, { 'accept-language': 'en' }).get(`${PATH}?report=${second}`)).text();
    expect(reportForms(anonymous)).toEqual([]);
    expect(anonymous).not.toContain('post-disclosure-toggle');

    // Moderators: a Hide link per post, its form on the post asked for; a refused hide shows it again.
    const modPage = await (await moderator.get(PATH)).text();
    expect(hideForms(modPage)).toEqual([]);
    expect(article(modPage, first)).toContain(`<a href="?hide=${first}#post-${first}" class="post-disclosure-toggle" aria-expanded="false">Hide</a>`);
    expect(hideForms(await (await moderator.get(`${PATH}?hide=${first}`)).text())).toEqual([first]);
    const refused = await moderator.post(`${PATH}?hide=${first}`, { intent: 'hide', postId: String(first), reason: '' });
    expect(refused.status).toBe(400);
    const refusedPage = await refused.text();
    expect(hideForms(refusedPage)).toEqual([first]);
    expect(article(refusedPage, first)).toContain('aria-invalid="true"');
    const hidden = await moderator.post(`${PATH}?hide=${first}`, { intent: 'hide', postId: String(first), reason: 'Off topic' });
    expect(hidden.headers.get('location')).toBe(`${PATH}#post-${first}`);
  });

  it('sends an anonymous poster to sign in and stores nothing', async () => {
    const res = await new Client(app.url).post(PATH, { intent: 'create', clientId: clientId(), text: 'Anonymous?' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/sign-in\?redirectTo=/);
  });

  it('refuses a request body over the limit', async () => {
    const { http } = await signedIn();
    const res = await http.post(PATH, { intent: 'create', clientId: clientId(), body: 'x'.repeat(600 * 1024) });
    expect(res.status).toBe(413);
  });

  it('pages past 100 top-level posts and orders them as asked', async () => {
    const { user } = await signedIn('Many Posts');
    const thread = await threadId(app, '3.1');
    const ids: number[] = [];
    for (let i = 1; i <= 101; i++) {
      ids.push((await app.server.services.posts.create(user.id, { threadId: thread, clientId: clientId(), body: doc(`Numbered contribution ${i}.`) }, 'en')).id);
    }
    const http = new Client(app.url, { 'accept-language': 'en' });
    const base = '/c/gfmd-2020-partnerships/q/3/3.1';
    const first = await (await http.get(base)).text();
    expect(first.match(/<article class="post/g)).toHaveLength(100);
    expect(first).toContain('Contributions 1–100 of 101');
    expect(first).toContain('101 contributions');
    // The next page is a keyset page: its link carries the cursor of this page's last post.
    const next = linkOf(first, 'next');
    expect(next).toMatch(new RegExp(`^${base}\\?sort=oldest&after=[A-Za-z0-9_-]+$`));
    const second = await (await http.get(next!)).text();
    expect(second.match(/<article class="post/g)).toHaveLength(1);
    expect(second).toContain('Numbered contribution 101.');
    expect(second).toContain('Contributions 101–101 of 101');
    expect(second).not.toMatch(/rel="next"/);
    expect(second).toMatch(/rel="prev"/);
    const newest = await (await http.get(`${base}?sort=newest`)).text();
    expect(newest.indexOf('Numbered contribution 101.')).toBeLessThan(newest.indexOf('Numbered contribution 100.'));
  });

  it('takes a new contribution on a thread of more than one page to the page that shows it', async () => {
    const { user, http } = await signedIn('Deep Thread');
    const thread = await threadId(app, '3.2');
    const base = '/c/gfmd-2020-partnerships/q/3/3.2';
    for (let i = 1; i <= 100; i++) {
      await app.server.services.posts.create(user.id, { threadId: thread, clientId: clientId(), body: doc(`Earlier contribution ${i}.`) }, 'en');
    }
    // Posted from the first page (oldest first): it is the 101st, so it is on the second page.
    const res = await http.post(base, { intent: 'create', clientId: clientId(), text: 'The contribution just sent.' });
    expect(res.status).toBe(302);
    const id = idFrom(res);
    const location = res.headers.get('location')!;
    expect(location).toBe(`${base}?sort=oldest&at=${id}#post-${id}`);
    const landed = await (await http.get(location.split('#')[0]!)).text();
    expect(landed).toContain(`id="post-${id}"`);
    expect(landed).toContain('Contributions 2–101 of 101'); // the page that ends with it, full
    expect(landed).toMatch(/rel="prev"/);
    // Newest first it is on the first page; `at` of a reply opens its root's page; an unknown `at`, the first page.
    const newest = await http.post(`${base}?sort=newest`, { intent: 'create', clientId: clientId(), text: 'And another one.' });
    const newestId = idFrom(newest);
    expect(newest.headers.get('location')).toBe(`${base}?sort=newest&at=${newestId}#post-${newestId}`);
    expect(await (await http.get(`${base}?sort=newest&at=${newestId}`)).text()).toContain('Contributions 1–100 of 102');
    const reply = await app.server.services.posts.create(user.id, { threadId: thread, clientId: clientId(), parentId: id, body: doc('A reply deep down.') }, 'en');
    expect(await (await http.get(`${base}?at=${reply.id}`)).text()).toContain('A reply deep down.');
    expect(await (await http.get(`${base}?at=99999999`)).text()).toContain('Contributions 1–100 of 102');
    expect((await http.get(`${base}?at=nonsense`)).status).toBe(200);
  });
});

describe('default attribution', () => {
  it('is a user setting that new posts follow unless the author chooses otherwise', async () => {
    const { user, http } = await signedIn('Setting Person');
    expect((await http.post('/account', { defaultAttribution: 'chatham' })).status).toBe(200);
    const id = idFrom(await http.post(PATH, { intent: 'create', clientId: clientId(), text: 'Under the Chatham House rule by default.' }));
    const row = await app.server.database.db.selectFrom('posts').select('attribution').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.attribution).toBe('chatham');
    const page = await (await new Client(app.url, { 'accept-language': 'en' }).get(PATH)).text();
    expect(page).toContain('A participant from Civil society');
    expect(page).not.toContain(user.name);
    expect((await http.post('/account', { defaultAttribution: 'everyone' })).status).toBe(400);
  });
});
