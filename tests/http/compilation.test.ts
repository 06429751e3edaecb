/**
 * The compilation page over HTTP, as a browser without JavaScript uses it: who may open it
 * (moderators, rapporteurs and admins; participants only from the synthesis phase), each plain
 * form storing what it says once however often it is sent, refusals answered 400 in the user's
 * language with nothing stored, and a Chatham House source's clip that never shows its author's
 * name or organisation to a participant, on the page or in its `.data` JSON.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyPointSchema } from '../../app/compilation/compilation.schema';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, threadId } from '../support/sockets';

let app: TestServer;
const SLUG = 'gfmd-2020-partnerships';
const PAGE = `/c/${SLUG}/q/1/compilation`;
/** The page's data as the router fetches it (single fetch: `.data`, turbo-stream encoded). */
const DATA = `${PAGE}.data`;
type User = Awaited<ReturnType<typeof createUser>>;
let consultationId: number;
let questionId: number;
let moderator: User;
let participant: User;
let rapporteur: User;
let postId: number;

const en = JSON.parse(readFileSync(new URL('../../app/i18n/locales/en.json', import.meta.url), 'utf8'));
/** An i18n key's English text, escaped as the page writes it. */
const english = (key: string) =>
  String(key.split('.').reduce((node: any, part) => node?.[part], en))
    .replaceAll('&', '&amp;')
    .replaceAll("'", '&#x27;')
    .replaceAll('"', '&quot;');

const http = (user?: User) => new Client(app.url, { 'accept-language': 'en', ...(user ? { cookie: user.cookie } : {}) });
const formKey = () => clientId() + clientId();
const db = () => app.server.database.db;

const keyPointsOf = (qid = questionId) => db().selectFrom('keyPoints').selectAll().where('questionId', '=', qid).orderBy('id').execute();
const count = async (table: 'keyPoints' | 'clips' | 'keyPointMerges') => Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const idFrom = (res: Response) => Number(/#key-point-(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]);

async function post(author: User, thread: string, text: string, attribution: 'named' | 'organisation' | 'chatham') {
  return (await app.server.services.posts.create(author.id, { threadId: await threadId(app, thread), clientId: clientId(), text, attribution }, 'en')).id;
}

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
  consultationId = (await app.server.services.consultations.getDefault())!.id;
  questionId = (await db().selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '1').executeTakeFirstOrThrow()).id;
  moderator = await createUser(app, { role: 'moderator', name: 'Mona Moderator' });
  rapporteur = await createUser(app, { role: 'rapporteur', name: 'Rita Rapporteur' });
  participant = await createUser(app, { name: 'Pablo Participant', stakeholderGroup: 'business' });
  postId = await post(participant, '1.1', 'Bilateral labour agreements worked when unions sat at the table.', 'named');
});
afterAll(() => app?.close());

describe('who may open the compilation', () => {
  it('is for moderators and rapporteurs while the consultation is open; participants are refused, anonymous readers asked to sign in', async () => {
    expect((await http().get(PAGE)).status).toBe(302);
    expect((await http(participant).get(PAGE)).status).toBe(403);
    expect((await http(participant).get(DATA)).status).toBe(403);
    const page = await http(moderator).get(PAGE);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Compilation of question 1');
    expect(html).toContain('Bilateral labour agreements worked when unions sat at the table.');
    expect((await http(rapporteur).get(PAGE)).status).toBe(200);
    // The question page links to it for those who may read it only.
    expect(await (await http(moderator).get(`/c/${SLUG}/q/1`)).text()).toContain('href="/c/gfmd-2020-partnerships/q/1/compilation"');
    expect(await (await http(participant).get(`/c/${SLUG}/q/1`)).text()).not.toContain('/q/1/compilation');
  });

  it('refuses a participant’s form as the page is refused, storing nothing', async () => {
    const before = await count('keyPoints');
    const res = await http(participant).post(PAGE, { intent: 'create', heading: 'Not mine to write', formKey: formKey() });
    expect(res.status).toBe(403);
    expect(await count('keyPoints')).toBe(before);
  });

  it('a rapporteur reads but gets no forms, and the service refuses their writes', async () => {
    const html = await (await http(rapporteur).get(PAGE)).text();
    expect(html).not.toContain('name="intent" value="create"');
    const res = await http(rapporteur).post(PAGE, { intent: 'create', heading: 'A rapporteur’s point', formKey: formKey() });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(english('compilation.forbidden'));
  });
});

describe('the forms without JavaScript', () => {
  it('creates a key point once however often the form is sent', async () => {
    const before = await count('keyPoints');
    const form = { intent: 'create', clientId: clientId(), heading: 'Unions at the table', summary: 'Agreements hold when workers are represented.', formKey: formKey() };
    const first = await http(moderator).post(PAGE, form);
    expect(first.status).toBe(302);
    const id = idFrom(first);
    expect(id).toBeGreaterThan(0);
    const again = await http(moderator).post(PAGE, form);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(await count('keyPoints')).toBe(before + 1);
    const stored = await db().selectFrom('keyPoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ heading: 'Unions at the table', summary: 'Agreements hold when workers are represented.', questionId, authorId: moderator.id });
    expect(await (await http(moderator).get(PAGE)).text()).toContain(`id="key-point-${id}"`);
  });

  it('edits, moves and merges key points', async () => {
    const create = async (heading: string) => idFrom(await http(moderator).post(PAGE, { intent: 'create', heading, formKey: formKey() }));
    const a = await create('Portable pensions');
    const b = await create('Pensions that travel');
    expect((await http(moderator).post(PAGE, { intent: 'edit', keyPointId: String(a), heading: 'Portable social security', summary: 'Contributions follow the worker.' })).status).toBe(302);
    expect(await db().selectFrom('keyPoints').select(['heading', 'summary']).where('id', '=', a).executeTakeFirstOrThrow()).toEqual({ heading: 'Portable social security', summary: 'Contributions follow the worker.' });

    const positionOf = async (id: number) => (await db().selectFrom('keyPoints').select('position').where('id', '=', id).executeTakeFirstOrThrow()).position;
    const bAt = await positionOf(b);
    const move = { intent: 'move', keyPointId: String(b), position: String(bAt - 1) };
    expect((await http(moderator).post(PAGE, move)).status).toBe(302);
    expect(await positionOf(b)).toBe(bAt - 1);
    expect(await positionOf(a)).toBe(bAt);
    await http(moderator).post(PAGE, move); // sent twice: still one place up
    expect(await positionOf(b)).toBe(bAt - 1);

    expect((await http(moderator).post(PAGE, { intent: 'merge', survivorId: String(a), mergedId: String(b) })).status).toBe(302);
    const merged = await db().selectFrom('keyPoints').select('mergedIntoId').where('id', '=', b).executeTakeFirstOrThrow();
    expect(merged.mergedIntoId).toBe(a);
    const again = await http(moderator).post(PAGE, { intent: 'merge', survivorId: String(a), mergedId: String(b) });
    expect(again.status).toBe(409); // already merged: refused, nothing more recorded
    expect(await db().selectFrom('keyPointMerges').selectAll().where('mergedId', '=', b).execute()).toHaveLength(1);
    const html = await (await http(moderator).get(PAGE)).text();
    expect(html).not.toContain(`id="key-point-${b}"`);
    expect(html).toContain('Merges 1 other key point.');
  });

  it('keeps the new heading a moderator typed when a clip of a whole contribution is refused', async () => {
    const clipsBefore = await count('clips');
    const heading = `Kept heading ${'x'.repeat(400)}`;
    const res = await http(moderator).post(`${PAGE}?clip=post-${postId}`, {
      intent: 'clipWhole',
      formKey: formKey(),
      sourceKind: 'post',
      sourceId: String(postId),
      field: 'body',
      keyPointId: '',
      'newKeyPoint.heading': heading,
      stance: 'disagrees',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(english('errors.tooLong'));
    expect(html).toMatch(new RegExp(`name="newKeyPoint.heading"[^>]*value="${heading}"`));
    expect(await count('clips')).toBe(clipsBefore);
  });

  it('clips a whole contribution into a new key point once, then changes its stance', async () => {
    const clipsBefore = await count('clips');
    const form = {
      intent: 'clipWhole',
      formKey: formKey(),
      sourceKind: 'post',
      sourceId: String(postId),
      field: 'body',
      keyPointId: '',
      'newKeyPoint.heading': 'Social dialogue',
      stance: 'qualifies',
    };
    const first = await http(moderator).post(PAGE, form);
    expect(first.status).toBe(302);
    const keyPointId = idFrom(first);
    expect((await http(moderator).post(PAGE, form)).headers.get('location')).toBe(first.headers.get('location'));
    expect(await count('clips')).toBe(clipsBefore + 1);
    const clip = await db().selectFrom('clips').selectAll().where('keyPointId', '=', keyPointId).executeTakeFirstOrThrow();
    expect(clip).toMatchObject({ sourceKind: 'post', sourceId: postId, sourceField: 'body', startOffset: 0, quote: 'Bilateral labour agreements worked when unions sat at the table.', stance: 'qualifies' });
    expect((await db().selectFrom('keyPoints').select('heading').where('id', '=', keyPointId).executeTakeFirstOrThrow()).heading).toBe('Social dialogue');

    // Into an existing key point.
    const into = await http(moderator).post(PAGE, { ...form, formKey: formKey(), keyPointId: String(keyPointId), 'newKeyPoint.heading': '', stance: 'supports' });
    expect(into.status).toBe(302);
    expect(await db().selectFrom('clips').selectAll().where('keyPointId', '=', keyPointId).execute()).toHaveLength(2);

    expect((await http(moderator).post(PAGE, { intent: 'stance', clipId: String(clip.id), stance: 'disagrees' })).status).toBe(302);
    expect((await db().selectFrom('clips').select('stance').where('id', '=', clip.id).executeTakeFirstOrThrow()).stance).toBe('disagrees');
    const html = await (await http(moderator).get(PAGE)).text();
    expect(html).toContain('Disputed by');
    expect(html).toContain('Reflected in key point(s)');
  });

  it('clips a selected passage (the fetcher’s intent) with exact offsets, and refuses words that are not there', async () => {
    const text = 'Bilateral labour agreements worked when unions sat at the table.';
    const start = text.indexOf('unions');
    const form = { intent: 'clip', sourceKind: 'post', sourceId: String(postId), field: 'body', start: String(start), end: String(start + 6), quote: 'unions', keyPointId: '', 'newKeyPoint.heading': 'Unions', stance: 'supports' };
    const before = await count('clips');
    const ok = await http(moderator).post(PAGE, form);
    expect(ok.status).toBe(200);
    expect(await count('clips')).toBe(before + 1);
    const stored = await db().selectFrom('clips').select(['startOffset', 'endOffset', 'quote', 'quoteSha256']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ startOffset: start, endOffset: start + 6, quote: 'unions' });
    expect(stored.quoteSha256).toMatch(/^[0-9a-f]{64}$/);
    const wrong = await http(moderator).post(PAGE, { ...form, quote: 'employers' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain(english('compilation.quoteMismatch'));
    expect(await count('clips')).toBe(before + 1);
  });
});

describe('bad input', () => {
  it('answers an empty or oversized heading, and a merge across questions, with 400 and the message in the user’s language, storing nothing', async () => {
    const before = [await count('keyPoints'), await count('keyPointMerges')];
    const empty = await http(moderator).post(PAGE, { intent: 'create', heading: '   ', summary: 'Kept as typed', formKey: formKey() });
    expect(empty.status).toBe(400);
    const emptyKey = keyPointSchema.safeParse({ heading: '   ' }).error!.issues[0]!.message;
    const emptyHtml = await empty.text();
    expect(emptyHtml).toContain(english(emptyKey));
    expect(emptyHtml).toContain('Kept as typed'); // nothing lost

    const fr = new Client(app.url, { 'accept-language': 'fr', cookie: moderator.cookie });
    const long = await fr.post(PAGE, { intent: 'create', heading: 'Titre '.repeat(60), formKey: formKey() });
    expect(long.status).toBe(400);
    const longKey = keyPointSchema.safeParse({ heading: 'Titre '.repeat(60) }).error!.issues[0]!.message;
    const frText = JSON.parse(readFileSync(new URL('../../app/i18n/locales/fr.json', import.meta.url), 'utf8'));
    expect(await long.text()).toContain(String(longKey.split('.').reduce((n: any, p) => n[p], frText)).replaceAll("'", '&#x27;'));

    const mine = (await keyPointsOf()).find((p) => p.mergedIntoId === null)!;
    const q2 = (await db().selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '2').executeTakeFirstOrThrow()).id;
    const other = await app.server.services.compilation.createKeyPoint(moderator.id, q2, { heading: 'Elsewhere' });
    const across = await http(moderator).post(PAGE, { intent: 'merge', survivorId: String(mine.id), mergedId: String(other) });
    expect(across.status).toBe(400);
    expect(await across.text()).toContain(english('compilation.mergeAcrossQuestions'));
    expect([await count('keyPoints'), await count('keyPointMerges')]).toEqual([before[0]! + 1, before[1]]); // only the one made directly above
    expect((await db().selectFrom('keyPoints').select('mergedIntoId').where('id', '=', other).executeTakeFirstOrThrow()).mergedIntoId).toBeNull();
  });
});

describe('Chatham House sources', () => {
  it('never show a participant their author’s name or organisation, on the page or in its data, in the synthesis phase', async () => {
    const secret = await createUser(app, { name: 'Zainab Quietname', organisation: 'Undisclosed Alliance', stakeholderGroup: 'civil-society' });
    const hiddenPost = await post(secret, '1.1', 'Recruitment fees were the real barrier for us.', 'chatham');
    await app.server.services.compilation.clip(moderator.id, {
      questionId,
      newKeyPoint: { heading: 'Recruitment fees' },
      sourceKind: 'post',
      sourceId: hiddenPost,
      field: 'body',
      start: 0,
      end: 'Recruitment fees'.length,
      quote: 'Recruitment fees',
      stance: 'supports',
    });
    await db().updateTable('consultations').set({ phase: 'synthesis' }).where('id', '=', consultationId).execute();
    try {
      const page = await http(participant).get(`${PAGE}?sq=1.1`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Recruitment fees were the real barrier for us.');
      expect(html).toContain('<blockquote class="compilation-quote" lang="en">Recruitment fees</blockquote>');
      const data = await (await http(participant).get(`${DATA}?sq=1.1`)).text();
      expect(data).toContain('Recruitment fees');
      for (const body of [html, data]) {
        expect(body).not.toContain('Quietname');
        expect(body).not.toContain('Undisclosed Alliance');
        expect(body).not.toContain(secret.id);
      }
      // Reading, not writing: no forms for a participant, and a form sent anyway is refused.
      expect(html).not.toContain('name="intent"');
      expect((await http(participant).post(PAGE, { intent: 'create', heading: 'Mine', formKey: formKey() })).status).toBe(403);
    } finally {
      await db().updateTable('consultations').set({ phase: 'open' }).where('id', '=', consultationId).execute();
    }
  });
});
