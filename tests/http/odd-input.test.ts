/**
 * Odd and hostile text through the real server (forms and sockets), on SQLite and PostgreSQL
 * alike: invisible-only names and posts refused as empty, control characters (NUL above all,
 * which PostgreSQL cannot store) refused in one-line fields and removed from long text without
 * a 500, direction overrides refused in names, look-alike names refused at registration, and
 * names shown isolated wherever they sit inside other text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../app/i18n/locales/en.json';
import fr from '../../app/i18n/locales/fr.json';
import { Client, validRegistration } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, doc, openClient, threadId, type TestClient } from '../support/sockets';

let app: TestServer;
const BASE = '/c/gfmd-2020-partnerships';
const THREAD = `${BASE}/q/2/2.4`;
const clients: TestClient[] = [];

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await app?.close();
});

/** As React writes text into the page. */
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
const fieldError = (field: string, message: string) => `<p class="field-error" id="${field}-error">${html(message)}</p>`;

const INVISIBLE: [string, string][] = [
  ['U+200B', '\u200B'],
  ['U+200B U+200C U+2060', '\u200B\u200C\u2060'],
  ['a soft hyphen', '\u00AD'],
  ['a lone combining accent', '\u0301'],
  ['U+3164 HANGUL FILLER', '\u3164'],
  ['U+2800 BRAILLE BLANK', '\u2800'],
];

async function register(fields: Record<string, string>, language = 'en') {
  const client = new Client(app.url, { 'accept-language': language });
  const form = validRegistration(fields);
  const res = await client.post('/register', form);
  return { res, body: res.status === 302 ? '' : await res.text(), client, form };
}
const userByEmail = (email: string) => app.server.database.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();

describe('registration', () => {
  it.each(INVISIBLE)('refuses a name made only of %s as empty', async (_what, name) => {
    const { res, body, form } = await register({ name });
    expect(res.status).toBe(400);
    expect(body).toContain(fieldError('name', en.errors.required));
    expect(await userByEmail(form.email)).toBeUndefined();
  });

  it('refuses NUL in a name or an organisation with a message, not a 500', async () => {
    for (const field of ['name', 'organisation']) {
      const { res, body, form } = await register({ [field]: `Collectif\u0000 Dakar` });
      expect(res.status, field).toBe(400);
      expect(body).toContain(fieldError(field, en.errors.controlCharacters));
      expect(await userByEmail(form.email)).toBeUndefined();
    }
  });

  it('refuses a direction override in a name and an unclosed isolate in an organisation', async () => {
    const override = await register({ name: 'Mallory\u202E' });
    expect(override.res.status).toBe(400);
    expect(override.body).toContain(fieldError('name', en.errors.bidiOverride));
    const isolate = await register({ organisation: 'ENDA \u2067Tiers Monde' });
    expect(isolate.res.status).toBe(400);
    expect(isolate.body).toContain(fieldError('organisation', en.errors.bidiUnbalanced));
  });

  it('stores names in NFC, on one line, without the blanks around them', async () => {
    const { res, form } = await register({ name: '\u2800 Jose\u0301\tFerna\u0301ndez\u200B ', organisation: 'Red  Migración\ny Desarrollo' });
    expect(res.status).toBe(302);
    expect(await userByEmail(form.email)).toMatchObject({ name: 'José Fernández', organisation: 'Red Migración y Desarrollo' });
  });

  it('refuses a name that looks like another account’s, however it is disguised', async () => {
    const first = await register({ name: 'Lucía Fernández' });
    expect(first.res.status).toBe(302);
    expect((await userByEmail(first.form.email))?.nameKey).toBeTruthy();
    for (const name of ['Lucía Fernández', 'Lucía Fer\u200Dnández', 'LUCÍA  FERNÁNDEZ', 'Lu\u0441ía Fernández' /* Cyrillic с */, 'Luci\u0301a Ferna\u0301ndez', 'Lucía Fernández\u2800']) {
      const { res, body, form } = await register({ name });
      expect(res.status, JSON.stringify(name)).toBe(409);
      expect(body).toContain(fieldError('name', en.errors.nameLookAlike));
      expect(await userByEmail(form.email)).toBeUndefined();
    }
    const inFrench = await register({ name: 'lucía fernández' }, 'fr');
    expect(inFrench.body).toContain(fieldError('name', fr.errors.nameLookAlike));
    // A different name is not a look-alike.
    expect((await register({ name: 'Lucia Fernandez' })).res.status).toBe(302);
  });

  it('renaming follows the same rule', async () => {
    const { services } = app.server;
    const a = await createUser(app, { name: 'Ana Reyes' });
    const b = await createUser(app, { name: 'Priya Raman' });
    await expect(services.accounts.rename(b.id, 'Аna Rеyes')).rejects.toMatchObject({ messageKey: 'errors.nameLookAlike', field: 'name' });
    await services.accounts.rename(a.id, 'Ana María Reyes');
    await services.accounts.rename(b.id, 'Ana Reyes'); // free again
    expect((await userByEmail(b.email))?.name).toBe('Ana Reyes');
  });
});

describe('posts', () => {
  const signedIn = async () => {
    const user = await createUser(app);
    return { user, http: new Client(app.url, { cookie: user.cookie, 'accept-language': 'en' }) };
  };
  const postsOf = (userId: string) => app.server.database.db.selectFrom('posts').select(['bodyText', 'bodyHtml']).where('authorId', '=', userId).orderBy('id').execute();

  it.each(INVISIBLE)('refuses a post made only of %s, from the form and from a socket', async (_what, text) => {
    const { user, http } = await signedIn();
    const res = await http.post(THREAD, { intent: 'create', clientId: clientId(), text });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(html(en.errors.postEmpty));
    const socket = await openClient(app, user.cookie);
    clients.push(socket);
    const ack = await socket.emit('post:create', { threadId: await threadId(app, '2.4'), clientId: clientId(), body: doc(text) });
    expect(ack).toMatchObject({ ok: false, error: { messageKey: 'errors.postEmpty' } });
    expect(await postsOf(user.id)).toEqual([]);
  });

  it('removes NUL and other control characters from a post instead of failing', async () => {
    const { user, http } = await signedIn();
    const res = await http.post(THREAD, { intent: 'create', clientId: clientId(), text: 'Shared\u0000 standards\u0007 first.\r\n\r\nThen\u0085funding.' });
    expect(res.status).toBe(302);
    const socket = await openClient(app, user.cookie);
    clients.push(socket);
    const ack = await socket.emit('post:create', { threadId: await threadId(app, '2.4'), clientId: clientId(), body: doc('Local\u0000 offices\u009B apply it.') });
    expect(ack.ok).toBe(true);
    expect(ack.post.html).toBe('<p>Local offices apply it.</p>');
    const edited = await socket.emit('post:edit', { postId: ack.post.id, body: doc('Jose\u0301\u0000 agrees.') });
    expect(edited.ok).toBe(true);
    expect(await postsOf(user.id)).toEqual([
      { bodyText: 'Shared standards first.\n\nThen\nfunding.', bodyHtml: '<p>Shared standards first.</p><p>Then<br>funding.</p>' },
      { bodyText: 'José agrees.', bodyHtml: '<p>José agrees.</p>' },
    ]);
  });

  it('refuses a link whose address holds a control character', async () => {
    const { user } = await signedIn();
    const socket = await openClient(app, user.cookie);
    clients.push(socket);
    const body = { root: { type: 'root', children: [{ type: 'paragraph', children: [{ type: 'link', url: 'https://example.org/\u0000', children: [{ type: 'text', text: 'a link' }] }] }] } };
    const ack = await socket.emit('post:create', { threadId: await threadId(app, '2.4'), clientId: clientId(), body });
    expect(ack).toMatchObject({ ok: false, error: { messageKey: 'errors.postInvalid' } });
  });

  it('shows names isolated and breakable, whatever they hold', async () => {
    const long = 'W'.repeat(110);
    const wide = await createUser(app, { name: long, organisation: `${'O'.repeat(110)}` });
    await app.server.services.posts.create(wide.id, { threadId: await threadId(app, '2.4'), clientId: clientId(), text: 'A long name.', attribution: 'named' }, 'en');
    // A name stored before the policy, ending with a right-to-left override.
    const legacy = await createUser(app, { organisation: 'Legacy Org' });
    await app.server.database.db.updateTable('users').set({ name: 'Mallory\u202E' }).where('id', '=', legacy.id).execute();
    await app.server.services.posts.create(legacy.id, { threadId: await threadId(app, '2.4'), clientId: clientId(), text: 'An old name.', attribution: 'named' }, 'en');

    const page = await (await new Client(app.url, { 'accept-language': 'en' }).get(THREAD)).text();
    expect(page).toContain(`<bdi class="user-text">${long}</bdi>, <bdi class="user-text">${'O'.repeat(110)}</bdi>`);
    expect(page).toContain('<bdi class="user-text">Mallory\u202E</bdi>, <bdi class="user-text">Legacy Org</bdi>');
    const css = await Promise.all([...page.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map(async (m) => (await fetch(new URL(m[1]!, app.url))).text()));
    expect(css.join('\n')).toMatch(/\.user-text[^{]*\{[^}]*overflow-wrap:\s*anywhere/);
  });
});

describe('case studies, flags, moderation and notes', () => {
  it('refuses NUL in a case study’s title (not a 500), removes it from its texts, and counts a blank summary as missing', async () => {
    const author = await createUser(app);
    const http = new Client(app.url, { cookie: author.cookie, 'accept-language': 'en' });
    const fields = { intent: 'save', attribution: 'named', language: 'en', summary: '\u2800', results: 'Placed\u0000 300 nurses.' };
    const refused = await http.post(`${BASE}/case-studies/new`, { ...fields, title: 'Care\u0000 workers' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(html(en.errors.controlCharacters));
    const partner = await http.post(`${BASE}/case-studies/new`, { ...fields, title: 'Care workers', 'partners[0].name': 'Ministry\u202E', 'partners[0].group': 'government' });
    expect(partner.status).toBe(400);
    expect(await partner.text()).toContain(html(en.errors.bidiOverride));

    const saved = await http.post(`${BASE}/case-studies/new`, { ...fields, title: '\u200BCare workers\u200B' });
    expect(saved.status).toBe(302);
    const row = await app.server.database.db.selectFrom('caseStudies').select(['title', 'summary', 'results']).where('authorId', '=', author.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ title: 'Care workers', summary: '', results: 'Placed 300 nurses.' });
  });

  it('cleans flag notes and moderation reasons, and a blank reason is no reason', async () => {
    const writer = await createUser(app);
    const { id: postId } = await app.server.services.posts.create(writer.id, { threadId: await threadId(app, '2.4'), clientId: clientId(), text: 'Flag me.' }, 'en');
    const reporter = await createUser(app);
    const flagged = await new Client(app.url, { cookie: reporter.cookie }).post(`${BASE}/flag`, { subjectType: 'post', subjectId: String(postId), reason: 'spam', note: 'Looks\u0000 like spam', redirectTo: THREAD });
    expect(flagged.status).toBe(302);
    expect(flagged.headers.get('location')).toContain('flagged=1');
    const flag = await app.server.database.db.selectFrom('flags').select('note').where('subjectId', '=', postId).executeTakeFirstOrThrow();
    expect(flag.note).toBe('Looks like spam');

    const moderator = await createUser(app, { role: 'moderator' });
    const mod = new Client(app.url, { cookie: moderator.cookie, 'accept-language': 'en' });
    const blank = await mod.post(THREAD, { intent: 'hide', postId: String(postId), reason: '\u200B\u3164' });
    expect(blank.status).toBe(400);
    expect(await blank.text()).toContain(html(en.errors.noteRequired));
    expect((await mod.post(THREAD, { intent: 'hide', postId: String(postId), reason: 'Spam\u0000.' })).status).toBe(302);
    const post = await app.server.database.db.selectFrom('posts').select(['status', 'hiddenReason']).where('id', '=', postId).executeTakeFirstOrThrow();
    expect(post).toEqual({ status: 'hidden', hiddenReason: 'Spam.' });
  });

  it('checks note titles and version names with the same policy', async () => {
    const moderator = await createUser(app, { role: 'moderator' });
    const http = new Client(app.url, { cookie: moderator.cookie, 'accept-language': 'en' });
    const blank = await http.post(`${BASE}/notes`, { intent: 'open', questionId: '', stakeholderGroup: '', title: '\u3164' });
    expect(blank.status).toBe(400);
    const nul = await http.post(`${BASE}/notes`, { intent: 'open', questionId: '', stakeholderGroup: '', title: 'Synthesis\u0000' });
    expect(nul.status).toBe(400);
    expect(await nul.text()).toContain(html(en.errors.controlCharacters));
    const opened = await http.post(`${BASE}/notes`, { intent: 'open', questionId: '', stakeholderGroup: '', title: ' Synthe\u0300se\n2020 ' });
    expect(opened.status).toBe(302);
    const noteId = Number(/\/notes\/(\d+)/.exec(opened.headers.get('location')!)![1]);
    const note = await app.server.database.db.selectFrom('notes').select('title').where('id', '=', noteId).executeTakeFirstOrThrow();
    expect(note.title).toBe('Synthèse 2020');

    const version = await http.post(`${BASE}/notes/${noteId}`, { intent: 'version', name: 'Draft \u2067one' });
    expect(version.status).toBe(400);
    expect(await version.text()).toContain(html(en.errors.bidiUnbalanced));
    // The service refuses what a caller that skipped the schema sends.
    await expect(app.server.services.notes.saveVersion(moderator.id, noteId, '\u0000')).rejects.toMatchObject({ messageKey: 'errors.controlCharacters' });
    await expect(app.server.services.notes.saveVersion(moderator.id, noteId, '\u2800')).rejects.toMatchObject({ messageKey: 'errors.required' });

    // Searches and filters with a NUL (PostgreSQL cannot compare one): answered, not a 500.
    expect((await http.get(`${BASE}/notes/${noteId}/sources?q=%00skills`)).status).toBe(200);
    expect((await http.get(`${BASE}/moderation/audit?q=%00`)).status).toBe(200);
    expect((await http.get(`${BASE}/moderation/audit?q=${encodeURIComponent('\\%_')}`)).status).toBe(200);
  });
});
