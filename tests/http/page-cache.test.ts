/**
 * The anonymous thread-page cache (server/http/page-cache.ts): served as stored bytes while
 * nothing changed, rendered again after any change to the thread or any other write, never
 * for a signed-in reader (moderators see real authors; nobody else may), and its inline scripts
 * allowed by hash instead of a shared nonce.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser } from '../support/sockets';

let app: TestServer;
const BASE = '/c/gfmd-2020-partnerships';
const PATH = `${BASE}/q/2/2.4`;

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
});
afterAll(() => app?.close());

const stats = () => ({ ...app.server.pageCache!.stats });
const anonymous = (language = 'en') => new Client(app.url, { 'accept-language': language });
const as = async (role: 'participant' | 'moderator', name: string) => {
  const user = await createUser(app, { role, name, organisation: `${name} Organisation` });
  return new Client(app.url, { cookie: user.cookie, 'accept-language': 'en' });
};
const idFrom = (res: Response) => Number(/#post-(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]);

describe('the anonymous thread-page cache', () => {
  it('serves the same bytes while nothing changes, plain or gzip, its inline scripts allowed by hash', async () => {
    const first = await anonymous().get(PATH);
    const html = await first.text();
    expect(first.status).toBe(200);
    // The way to the composer, near the top, ahead of every post.
    expect(html.indexOf('<a href="#write-heading">Contribute</a>')).toBeGreaterThan(0);
    expect(html.indexOf('<a href="#write-heading">Contribute</a>')).toBeLessThan(html.indexOf('id="contributions-heading"'));
    expect(html).toContain('<h2 id="write-heading" tabindex="-1">');
    const before = stats();
    const again = await anonymous().get(PATH);
    expect(await again.text()).toBe(html);
    expect(stats().hits).toBe(before.hits + 1);

    const gz = await fetch(`${app.url}${PATH}`, { headers: { 'accept-language': 'en', 'accept-encoding': 'gzip' }, decompress: false } as RequestInit);
    // fetch decompresses on its own; what matters is that the server answered gzip.
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(await gz.text()).toBe(html);
    const raw = zlib.gzipSync(html);
    expect(raw.length).toBeLessThan(html.length);

    // No nonce in a shared page: each inline script is allowed by its hash, and only those.
    const csp = again.headers.get('content-security-policy')!;
    expect(csp).not.toMatch(/nonce-/);
    expect(html).not.toMatch(/nonce="/);
    const scripts = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(csp).toContain(`'sha256-${crypto.createHash('sha256').update(script).digest('base64')}'`);
  });

  it('keeps one page per language and per page cursor, and leaves other queries to the route', async () => {
    const en = await (await anonymous('en').get(PATH)).text();
    const fr = await (await anonymous('fr').get(PATH)).text();
    expect(en).toContain('lang="en"');
    expect(fr).toContain('lang="fr"');
    const before = stats();
    await anonymous().get(`${PATH}?flagged=1`);
    expect(stats()).toEqual(before); // neither hit nor miss: not cacheable
  });

  it('shows a new post, an edit and an endorsement at once (the thread’s sequence number)', async () => {
    await (await anonymous().get(PATH)).text();
    const author = await as('participant', 'Leila Haddad');
    const id = idFrom(await author.post(PATH, { intent: 'create', clientId: clientId(), text: 'Cities should sign the compact too.', attribution: 'named' }));
    expect(await (await anonymous().get(PATH)).text()).toContain('Cities should sign the compact too.');
    expect((await author.post(PATH, { intent: 'edit', postId: String(id), text: 'Cities and regions should sign the compact too.' })).status).toBe(302);
    expect(await (await anonymous().get(PATH)).text()).toContain('Cities and regions should sign the compact too.');
    const other = await as('participant', 'Tomas Berg');
    expect((await other.post(PATH, { intent: 'endorse', postId: String(id), endorse: 'true' })).status).toBe(302);
    const page = await (await anonymous().get(PATH)).text();
    expect(page.slice(page.indexOf(`id="post-${id}"`))).toContain('1 endorsement');
  });

  it('renders again after any other write, e.g. a case study published on the sub-question', async () => {
    expect(await (await anonymous().get(PATH)).text()).not.toContain('Diaspora bonds for rural clinics');
    const db = app.server.database.db;
    const subQuestion = await db.selectFrom('subQuestions').select('id').where('number', '=', '2.4').executeTakeFirstOrThrow();
    const author = await as('participant', 'Aminata Diallo');
    const created = await author.post(`${BASE}/case-studies/new`, {
      intent: 'save',
      title: 'Diaspora bonds for rural clinics',
      subQuestions: String(subQuestion.id),
      visibility: 'public',
      attribution: 'named',
      language: 'en',
    });
    expect(created.status).toBe(302);
    const caseId = Number(/\/case-studies\/(\d+)/.exec(created.headers.get('location') ?? '')?.[1]);
    // Published behind the pages' back (no request): the cache cannot know yet…
    await db.updateTable('caseStudies').set({ status: 'published' }).where('id', '=', caseId).execute();
    // …any finished write (here a moderator's form) is enough for it to render again.
    const moderator = await as('moderator', 'Grace Mensah');
    await moderator.post(`${BASE}/flag`, { subjectType: 'case_study', subjectId: String(caseId), reason: 'other', note: 'Checking the sources.', redirectTo: PATH });
    expect(await (await anonymous().get(PATH)).text()).toContain('Diaspora bonds for rural clinics');
  });

  it('is not emptied by requests that write nothing: anonymous posts, refused forms, other methods', async () => {
    await anonymous().get(PATH); // cached now
    const before = stats();
    const raw = (method: string, path: string) => fetch(`${app.url}${path}`, { method, redirect: 'manual' });
    for (const method of ['POST', 'DELETE', 'OPTIONS', 'PUT']) await raw(method, '/nope');
    await raw('POST', PATH); // an anonymous form post: sent to sign in
    await anonymous().post('/locale', { language: 'es', redirectTo: PATH });
    const participant = await as('participant', 'Refused Writer');
    expect((await participant.post(PATH, { intent: 'hide', postId: '1', reason: 'Not mine to hide' })).status).toBe(403);
    await anonymous().get(PATH);
    const after = stats();
    expect([after.hits - before.hits, after.misses - before.misses]).toEqual([1, 0]);
  });

  it('never serves a signed-in reader from it, nor a moderator’s view to anyone else', async () => {
    const author = await as('participant', 'Hidden Author Quispe');
    await author.post(PATH, { intent: 'create', clientId: clientId(), text: 'Under the Chatham House rule.', attribution: 'chatham' });
    const moderator = await as('moderator', 'Kofi Asante');
    const before = stats();
    const modPage = await (await moderator.get(PATH)).text();
    expect(modPage).toContain('Hidden Author Quispe'); // moderators see the real author
    expect(modPage).toMatch(/nonce="/); // rendered for them, with their own nonce
    const anonPage = await (await anonymous().get(PATH)).text();
    expect(anonPage).toContain('Under the Chatham House rule.');
    expect(anonPage).not.toContain('Hidden Author Quispe');
    expect(await (await anonymous().get(PATH)).text()).not.toContain('Hidden Author Quispe');
    const participantPage = await (await author.get(PATH)).text();
    expect(participantPage).toContain('class="post-you"'); // their own view, rendered for them
    const after = stats();
    expect(after.hits + after.misses - before.hits - before.misses).toBe(2); // the two anonymous GETs only
    // A stale session cookie is cleared by the answer, which is therefore not a shared one.
    const stale = new Client(app.url, { cookie: 'palabre_session=not-a-session', 'accept-language': 'en' });
    const res = await stale.get(PATH);
    expect(res.headers.get('content-security-policy')).toMatch(/nonce-/);
  });
});

describe.runIf(HAS_CHROMIUM)('a cached page in Chromium', () => {
  it('hydrates with its scripts allowed by hash (no CSP refusal)', async () => {
    const browser = await launchBrowser();
    try {
      await anonymous().get(PATH); // stored
      const page = await browser.newPage({ extraHTTPHeaders: { 'accept-language': 'en' } });
      const errors = watchErrors(page);
      const before = stats();
      await page.goto(`${app.url}${PATH}`);
      await page.waitForFunction(() => (window as unknown as { __remixRouter?: { state: { initialized: boolean } } }).__remixRouter?.state.initialized === true);
      expect(stats().hits).toBe(before.hits + 1);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
