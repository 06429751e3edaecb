/**
 * Citations in synthesis notes over HTTP: what an editor may cite (the sources route's search,
 * scoped to the note's question, never a hidden post or a case study the caller may not read),
 * and the footnotes under a note, on the page without JavaScript, in its `.data` JSON and from
 * the sources route, each honouring the contribution's attribution (Chatham House included).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { reviewedCaseStudy, type ReviewStep } from '../support/case-studies';
import { clientId, createUser, threadId } from '../support/sockets';

let app: TestServer;
const BASE = '/c/gfmd-2020-partnerships';
type User = Awaited<ReturnType<typeof createUser>>;
let consultationId: number;
let moderator: User;
let editor: User;
let named: User;
let secret: User;
let noteId: number;
const ids = {} as Record<'named' | 'chatham' | 'organisation' | 'hidden' | 'otherQuestion' | 'caseStudy' | 'restricted', number>;

const http = (user?: User) => new Client(app.url, { 'accept-language': 'en', ...(user ? { cookie: user.cookie } : {}) });
const sourcesOf = async (user: User | undefined, query: string) => {
  const res = await http(user).get(`${BASE}/notes/${noteId}/sources?${query}`);
  return { status: res.status, body: (await res.json()) as { sources?: { kind: string; id: number; state: string; author: unknown; excerpt: string | null }[]; error?: string } };
};

async function post(author: User, thread: string, text: string, attribution: 'named' | 'organisation' | 'chatham') {
  const { services } = app.server;
  return (await services.posts.create(author.id, { threadId: await threadId(app, thread), clientId: clientId(), text, attribution }, 'en')).id;
}

async function caseStudy(author: User, title: string, visibility: 'public' | 'restricted', steps: ReviewStep[] = ['review', 'verify', 'publish']) {
  return reviewedCaseStudy(app, { authorId: author.id, moderatorId: moderator.id }, title, { visibility, steps });
}

const citation = (kind: 'post' | 'case_study', id: number) => ({
  type: 'citation', text: `[${kind}]`, kind, targetId: id, format: 0, detail: 0, mode: 'token', style: '', version: 1,
});
const paragraph = (...children: object[]) => ({ type: 'paragraph', direction: 'ltr', format: '', indent: 0, version: 1, textFormat: 0, textStyle: '', children });
const words = (text: string) => ({ type: 'text', text, format: 0, detail: 0, mode: 'normal', style: '', version: 1 });

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
  const { services, database } = app.server;
  consultationId = (await services.consultations.getDefault())!.id;
  moderator = await createUser(app, { role: 'moderator', name: 'Mona Moderator' });
  editor = await createUser(app, { name: 'Eddie Editor', stakeholderGroup: 'civil-society' });
  named = await createUser(app, { name: 'Mariama Sow', organisation: 'Ville de Dakar', stakeholderGroup: 'local-government' });
  secret = await createUser(app, { name: 'Chatham Person', organisation: 'Secret Org', stakeholderGroup: 'business' });
  ids.named = await post(named, '2.4', 'The city council was at the table from the start.', 'named');
  ids.chatham = await post(secret, '2.4', 'Skills are recognised regionally but applied by local offices.', 'chatham');
  ids.organisation = await post(named, '2', 'A general remark on municipal partnerships.', 'organisation');
  ids.hidden = await post(secret, '2.4', 'Buy cheap watches, municipal discount.', 'named');
  await services.posts.moderate(moderator.id, ids.hidden, true, 'Advertising');
  ids.otherQuestion = await post(named, '1.1', 'A municipal challenge under question 1.', 'named');
  ids.caseStudy = await caseStudy(named, 'A municipal desk for diplomas', 'public');
  ids.restricted = await caseStudy(named, 'A restricted municipal agreement', 'restricted');
  const question = await database.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '2').executeTakeFirstOrThrow();
  noteId = await services.notes.open(moderator.id, consultationId, { questionId: question.id, stakeholderGroup: 'civil-society', title: 'Question 2: civil society input' });
});
afterAll(() => app?.close());

describe('what an editor may cite', () => {
  it('lists the question’s visible posts and readable published case studies, searchable by words or marker', async () => {
    const all = await sourcesOf(editor, 'q=');
    expect(all.status).toBe(200);
    const keys = all.body.sources!.map((s) => `${s.kind}:${s.id}`);
    expect(keys).toEqual(expect.arrayContaining([`post:${ids.named}`, `post:${ids.chatham}`, `post:${ids.organisation}`, `case_study:${ids.caseStudy}`]));
    expect(keys).not.toContain(`post:${ids.hidden}`); // hidden by a moderator
    expect(keys).not.toContain(`post:${ids.otherQuestion}`); // question 1
    expect(keys).not.toContain(`case_study:${ids.restricted}`); // a participant may not read it
    expect(all.body.sources!.every((s) => s.state === 'available')).toBe(true);

    const municipal = await sourcesOf(editor, 'q=MUNICIPAL');
    expect(municipal.body.sources!.map((s) => `${s.kind}:${s.id}`).sort()).toEqual([`case_study:${ids.caseStudy}`, `post:${ids.organisation}`].sort());
    expect((await sourcesOf(editor, `q=${encodeURIComponent(`[C-${ids.chatham}]`)}`)).body.sources!.map((s) => s.id)).toEqual([ids.chatham]);
    expect((await sourcesOf(editor, `q=CS-${ids.caseStudy}`)).body.sources!.map((s) => s.id)).toEqual([ids.caseStudy]);
    expect((await sourcesOf(editor, 'q=%25')).body.sources).toEqual([]); // a LIKE wildcard is a plain character

    // The Chatham House post names its group only, nothing else about its author.
    const raw = await (await http(editor).get(`${BASE}/notes/${noteId}/sources?q=`)).text();
    expect(raw).not.toContain('Chatham Person');
    expect(raw).not.toContain('Secret Org');
    expect(raw).not.toContain(secret.id);

    // Moderators read restricted case studies, so they may cite them.
    const staff = await sourcesOf(moderator, 'q=restricted');
    expect(staff.body.sources!.map((s) => `${s.kind}:${s.id}`)).toEqual([`case_study:${ids.restricted}`]);
  });

  it('answers readers, visitors and bad queries with clear refusals', async () => {
    const business = await createUser(app, { stakeholderGroup: 'business' }); // reads the civil-society note, may not edit it
    expect((await sourcesOf(business, 'q=')).status).toBe(403);
    expect((await sourcesOf(business, `refs=post:${ids.named}`)).status).toBe(200);
    const anonymous = await sourcesOf(undefined, 'q=');
    expect(anonymous).toEqual({ status: 401, body: { error: 'errors.unauthenticated' } });
    expect((await sourcesOf(editor, 'refs=post:1,<script>')).status).toBe(400);
    expect((await sourcesOf(editor, `q=${'x'.repeat(201)}`)).status).toBe(400);
    expect((await sourcesOf(editor, 'refs=post:9999999999')).status).toBe(400); // beyond any id: refused, not a database error
    expect(await sourcesOf(editor, 'q=C-9999999999')).toEqual({ status: 200, body: { sources: [] } });
    expect((await http(editor).get(`${BASE}/notes/999999/sources?q=`)).status).toBe(404);
  });
});

describe('footnotes under a note', () => {
  it('show each cited contribution as its author chose, and only what the reader may see', async () => {
    const { services } = app.server;
    const content = JSON.stringify({
      root: {
        type: 'root', direction: 'ltr', format: '', indent: 0, version: 1,
        children: [
          paragraph(words('Cities lead '), citation('post', ids.named), words(', offices apply '), citation('post', ids.chatham), words('.')),
          paragraph(citation('case_study', ids.caseStudy), citation('case_study', ids.restricted), citation('post', ids.hidden), citation('post', 987654), citation('post', ids.named)),
        ],
      },
    });
    expect(await services.noteDocs.replace(noteId, content)).toBe(true);
    await services.noteDocs.save(noteId);

    const page = await http(editor).get(`${BASE}/notes/${noteId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Sources cited');
    // In the text: the markers, linking to their footnotes.
    expect(html).toContain(`<a class="citation" href="#source-post-${ids.named}" data-citation="post:${ids.named}">[C-${ids.named}]</a>`);
    // The footnotes, in reading order, each once.
    const footnotes = [...html.matchAll(/<li id="(source-[a-z_]+-\d+)"[^>]*data-state="(\w+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(footnotes).toEqual([
      `source-post-${ids.named} available`,
      `source-post-${ids.chatham} available`,
      `source-case_study-${ids.caseStudy} available`,
      `source-case_study-${ids.restricted} missing`,
      `source-post-${ids.hidden} hidden`,
      'source-post-987654 missing',
    ]);
    expect(html).toContain(`[C-${ids.named}, Mariama Sow, Ville de Dakar]`);
    expect(html).toContain(`[C-${ids.chatham}, Business]`);
    expect(html).toContain(`[CS-${ids.restricted}, not found]`); // as one that does not exist
    expect(html).toContain(`[C-${ids.hidden}, hidden by a moderator]`);
    expect(html).toContain('[C-987654, not found]');
    expect(html).toContain(`href="${BASE}/q/2/2.4#post-${ids.named}"`);
    for (const leak of ['Chatham Person', 'Secret Org', 'Buy cheap watches', 'A restricted municipal agreement']) expect(html).not.toContain(leak);

    // The page's data for client navigation holds the same, and no more.
    const json = await (await http(editor).get(`${BASE}/notes/${noteId}.data`)).text();
    expect(json).toContain('Ville de Dakar');
    for (const leak of ['Chatham Person', 'Secret Org', 'Buy cheap watches', 'A restricted municipal agreement', secret.id]) expect(json).not.toContain(leak);

    // The sources route answers the same footnotes for citations the live editor meets.
    const refs = await sourcesOf(editor, `refs=post:${ids.chatham},case_study:${ids.restricted},post:${ids.named}`);
    expect(refs.body.sources!.map((s) => [s.id, s.state])).toEqual([[ids.chatham, 'available'], [ids.restricted, 'missing'], [ids.named, 'available']]);
    expect(refs.body.sources![0]!.author).toEqual({ attribution: 'chatham', stakeholderGroup: 'business' });

    // Whoever may read the restricted case study sees its footnote in full.
    const staffPage = await (await http(moderator).get(`${BASE}/notes/${noteId}`)).text();
    expect(staffPage).toContain(`[CS-${ids.restricted}, Mariama Sow, Ville de Dakar]`);
    expect(staffPage).toContain('A restricted municipal agreement');
    expect(staffPage).not.toContain('Chatham Person'); // not even moderators: the note is a shared document

    // A named version keeps its citations, with their footnotes on the version's page.
    await services.notes.saveVersion(moderator.id, noteId, 'With sources');
    const version = await app.server.database.db.selectFrom('noteVersions').select('id').where('noteId', '=', noteId).executeTakeFirstOrThrow();
    const versionPage = await (await http(editor).get(`${BASE}/notes/${noteId}/versions/${version.id}`)).text();
    expect(versionPage).toContain(`id="source-post-${ids.chatham}"`);
    expect(versionPage).toContain(`[C-${ids.chatham}, Business]`);
    expect(versionPage).not.toContain('Chatham Person');
  });
});

describe('sources one may not read', () => {
  it('a restricted, an unpublished and a missing case study answer alike to a participant, and apart to a moderator', async () => {
    const { services } = app.server;
    // Sent back to review after publication, and a draft never published.
    const unpublished = await caseStudy(named, 'A case study sent back to review', 'public');
    await services.caseStudies.transition(moderator.id, unpublished, 'unpublish', 'Figures to check');
    const submitted = await caseStudy(named, 'A case study waiting for review', 'public', []);
    const missing = 987_654;
    const query = (id: number) => `refs=case_study:${id}`;
    const answers = await Promise.all([ids.restricted, unpublished, submitted, missing].map(async (id) => (await sourcesOf(editor, query(id))).body.sources![0]!));
    // Apart from the id asked about (and its marker), the four answers are the same, to the letter.
    const anonymised = answers.map(({ id: _id, marker: _marker, ...rest }: Record<string, unknown>) => rest);
    for (const answer of anonymised) expect(answer).toEqual(anonymised[3]);
    expect(anonymised[3]).toMatchObject({ state: 'missing', author: null, excerpt: null, href: null });

    // A moderator, who may read them, is told what they are.
    const staff = await Promise.all([ids.restricted, unpublished, missing].map(async (id) => (await sourcesOf(moderator, query(id))).body.sources![0]!.state));
    expect(staff).toEqual(['available', 'withdrawn', 'missing']);
  });
});
