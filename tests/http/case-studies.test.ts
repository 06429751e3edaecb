/**
 * Case studies and moderation over HTTP, as a browser without JavaScript uses them: the form
 * (errors per field, nothing typed lost), the lifecycle through the pages' forms and who may
 * use them, restricted and Chatham House case studies on every page and in the `.data` JSON,
 * flags reaching the queue, hiding audited, and the author told; a submission refused on the
 * case study's own page, featuring told to the author, the audit log in people's words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser } from '../support/sockets';

let app: TestServer;
const BASE = '/c/gfmd-2020-partnerships';
let subQuestionId: number;

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
  subQuestionId = (await app.server.database.db.selectFrom('subQuestions').select('id').where('number', '=', '2.4').executeTakeFirstOrThrow()).id;
});
afterAll(() => app?.close());

type Role = 'participant' | 'moderator' | 'rapporteur';
const as = async (role: Role, overrides: Record<string, string> = {}) => {
  const user = await createUser(app, { role, ...overrides });
  return { user, http: new Client(app.url, { cookie: user.cookie, 'accept-language': 'en' }) };
};
const anonymous = () => new Client(app.url, { 'accept-language': 'en' });

/** The form as the page posts it: repeated fields for checkboxes and multiple selects. */
function form(fields: Record<string, string | string[]>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) params.append(key, v);
  return params;
}
const complete = (overrides: Record<string, string | string[]> = {}) =>
  form({
    intent: 'submit',
    title: 'Skills partnership for care workers',
    summary: 'Training in the country of origin, recognised in the country of destination.',
    text: 'Nurses train at home with a curriculum both countries accredit.',
    'partners[0].name': 'Ministry of Health',
    'partners[0].group': 'government',
    'partners[1].name': 'Care employers federation',
    'partners[1].group': 'business',
    origin: ['PH'],
    destination: ['DE'],
    implementation: ['PH', 'DE'],
    level: 'regional',
    themes: ['skills'],
    sdgTargets: ['8.8'],
    stage: 'evaluating',
    'funding[0].source': 'Development agency',
    'funding[0].amount': '2500000',
    'funding[0].currency': 'EUR',
    results: '300 nurses placed, 92 % still employed after two years.',
    indicators: 'Placements; retention',
    worked: 'Joint accreditation.',
    didNotWork: 'Language training started too late.',
    subQuestions: [String(subQuestionId)],
    contact: 'care-partnership@example.org',
    attribution: 'named',
    visibility: 'public',
    language: 'en',
    ...overrides,
  });
const idFrom = (res: Response) => Number(/\/case-studies\/(\d+)/.exec(res.headers.get('location') ?? '')?.[1]);

/** Submits a case study and has moderators take it to `status` through the page's forms. */
async function published(author: Client, overrides: Record<string, string | string[]> = {}) {
  const res = await author.post(`${BASE}/case-studies/new`, complete(overrides));
  expect(res.status).toBe(302);
  const id = idFrom(res);
  const { http: moderator } = await as('moderator');
  for (const action of ['review', 'verify', 'publish']) {
    const step = await moderator.post(`${BASE}/case-studies/${id}`, { intent: 'transition', action });
    expect(step.status, action).toBeLessThan(400);
  }
  return id;
}
/** The visible text of each row of a page's tables, tags dropped. */
const rowsOf = (html: string) =>
  html
    .split('<tr')
    .slice(1)
    .map((row) => row.slice(0, row.indexOf('</tr>')).replace(/<[^>]*>/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim());
const statusOf = async (id: number) =>
  (await app.server.database.db.selectFrom('caseStudies').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

describe('the case study form without JavaScript', () => {
  it('shows every field error at once, keeps what was typed, and stores nothing', async () => {
    const { http, user } = await as('participant');
    const page = await http.get(`${BASE}/case-studies/new`);
    expect(page.status).toBe(200);
    const res = await http.post(
      `${BASE}/case-studies/new`,
      complete({ origin: ['XX'], themes: ['astrology'], 'funding[0].currency': 'ZZZ', summary: '', title: 'My unfinished practice' }),
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('This theme is not one of the consultation’s thematic areas.');
    expect(html).toContain('Choose a currency from the list');
    expect(html).toMatch(/value="My unfinished practice"/);
    expect(html).toContain('Care employers federation');
    expect(html).toContain('Language training started too late.');
    const rows = await app.server.database.db.selectFrom('caseStudies').select('id').where('authorId', '=', user.id).execute();
    expect(rows).toHaveLength(0);
  });

  it('saves a draft, then submits it; the author follows its review and is told of the decision', async () => {
    const { http } = await as('participant');
    const draft = await http.post(`${BASE}/case-studies/new`, form({ intent: 'save', title: 'Draft practice', attribution: 'named', language: 'en' }));
    expect(draft.status).toBe(302);
    const id = idFrom(draft);
    expect(await statusOf(id)).toBe('draft');
    expect((await http.post(`${BASE}/case-studies/${id}/edit`, complete({ title: 'Draft practice' }))).status).toBe(302);
    expect(await statusOf(id)).toBe('submitted');

    const { http: moderator } = await as('moderator');
    await moderator.post(`${BASE}/case-studies/${id}`, { intent: 'transition', action: 'review' });
    await moderator.post(`${BASE}/case-studies/${id}`, { intent: 'transition', action: 'request_changes', note: 'Say how many nurses returned.' });
    expect(await statusOf(id)).toBe('changes_requested');
    const page = await (await http.get(`${BASE}/case-studies/${id}`)).text();
    expect(page).toContain('Say how many nurses returned.');
    const notices = await (await http.get('/notifications')).text();
    expect(notices).toContain('Draft practice');
  });
});

describe('submitting from the case study’s own page', () => {
  it('lists what the stored case study lacks in the form’s order, each linking to its field on the edit page', async () => {
    const { http } = await as('participant');
    const id = idFrom(await http.post(`${BASE}/case-studies/new`, form({ intent: 'save', title: 'Half-written practice', attribution: 'named', language: 'en', results: 'Some results.' })));
    const page = await (await http.get(`${BASE}/case-studies/${id}`)).text();
    // A draft with no partners, countries, level, stage or themes has no facts: no empty box for them.
    expect(page).not.toContain('class="cs-facts"');

    const res = await http.post(`${BASE}/case-studies/${id}`, { intent: 'transition', action: 'submit' });
    expect(res.status).toBe(400);
    const html = await res.text();
    const summary = /<div class="error-summary" role="alert">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
    // Nothing was typed on this page: it does not say anything typed was kept.
    expect(summary).toContain('This case study cannot be submitted yet. Complete these fields on its edit page, then submit it again:');
    expect(html).not.toContain('everything you typed');
    const links = [...summary.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
    const edit = `${BASE}/case-studies/${id}/edit`;
    // The form's order (Description right after Summary); Results was given, so it is not listed.
    expect(links.map(([href]) => href)).toEqual(
      ['summary', 'body', 'partners', 'implementation', 'level', 'themes', 'stage', 'worked', 'didNotWork', 'subQuestions'].map((field) => `${edit}#${field}`),
    );
    expect(links[1]![1]).toBe('Description: This field is required.');
    expect(links[2]![1]).toBe('Partners: Name at least one partner.');
    expect(await statusOf(id)).toBe('draft');

    // Each target exists on the edit page, as the id of the field it names.
    const editPage = await (await http.get(edit)).text();
    for (const [href] of links) expect(editPage, href).toContain(`id="${href!.split('#')[1]}"`);
  });
});

describe('the lifecycle through the pages', () => {
  it('refuses a participant’s or rapporteur’s moderator step and a skipped step, changing nothing', async () => {
    const { http: author } = await as('participant');
    const id = idFrom(await author.post(`${BASE}/case-studies/new`, complete({ title: 'Guarded practice' })));
    const { http: other } = await as('participant');
    const { http: rapporteur } = await as('rapporteur');
    const { http: moderator } = await as('moderator');
    expect((await other.post(`${BASE}/case-studies/${id}`, { intent: 'transition', action: 'review' })).status).toBe(404);
    expect((await rapporteur.post(`${BASE}/case-studies/${id}`, { intent: 'transition', action: 'review' })).status).toBe(404);
    expect((await author.post(`${BASE}/case-studies/${id}`, { intent: 'transition', action: 'review' })).status).toBe(403);
    const skipped = await moderator.post(`${BASE}/case-studies/${id}`, { intent: 'transition', action: 'publish' });
    expect(skipped.status).toBe(409);
    expect(await skipped.text()).toContain('This step is not possible for this case study now');
    expect(await statusOf(id)).toBe('submitted');
    expect((await anonymous().post(`${BASE}/case-studies/${id}`, { intent: 'transition', action: 'review' })).status).toBe(302); // to sign in
    expect(await statusOf(id)).toBe('submitted');
  });
});

describe('who sees what', () => {
  it('never shows a restricted case study to a participant or a visitor: page, catalogue, thread, JSON', async () => {
    const { http: author } = await as('participant');
    const id = await published(author, { title: 'Restricted readmission protocol', visibility: 'restricted' });
    for (const reader of [anonymous(), (await as('participant')).http]) {
      expect((await reader.get(`${BASE}/case-studies/${id}`)).status).toBe(404);
      expect((await reader.get(`${BASE}/case-studies/${id}.data`)).status).toBe(404);
      for (const path of [`${BASE}/case-studies`, `${BASE}/case-studies.data`, `${BASE}/case-studies?subQuestion=${subQuestionId}`, `${BASE}/q/2/2.4`, `${BASE}/q/2/2.4.data`]) {
        const body = await (await reader.get(path)).text();
        expect(body, path).not.toContain('Restricted readmission protocol');
      }
    }
    const { http: rapporteur } = await as('rapporteur');
    expect(await (await rapporteur.get(`${BASE}/case-studies`)).text()).toContain('Restricted readmission protocol');
    expect((await rapporteur.get(`${BASE}/case-studies/${id}`)).status).toBe(200);
  });

  it('holds Chatham House attribution on the page, the catalogue, the thread and their JSON', async () => {
    const { http: author, user } = await as('participant', { name: 'Hidden Author Name', organisation: 'Hidden Organisation' });
    const id = await published(author, { title: 'Anonymous return programme', attribution: 'chatham', contact: 'hidden-contact@example.org' });
    const { http: reader } = await as('participant');
    for (const client of [reader, anonymous()]) {
      for (const path of [
        `${BASE}/case-studies/${id}`,
        `${BASE}/case-studies/${id}.data`,
        `${BASE}/case-studies`,
        `${BASE}/case-studies.data`,
        `${BASE}/q/2/2.4`,
        `${BASE}/q/2/2.4.data`,
      ]) {
        const body = await (await client.get(path)).text();
        expect(body, path).toContain('Anonymous return programme');
        for (const secret of ['Hidden Author Name', 'Hidden Organisation', user.id, user.email, 'hidden-contact@example.org']) {
          expect(body, `${secret} in ${path}`).not.toContain(secret);
        }
      }
    }
  });
});

describe('moderation', () => {
  it('takes a flag from a form to the queue; a moderator hides the post, which is audited and told to the author', async () => {
    const { http: author } = await as('participant', { name: 'Flagged Author' });
    const thread = `${BASE}/q/2/2.4`;
    const res = await author.post(thread, { intent: 'create', clientId: clientId(), text: 'Totally off-topic advert for cheap flights', attribution: 'named' });
    const postId = Number(/#post-(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]);
    const { http: reporter } = await as('participant');
    const flagged = await reporter.post(`${BASE}/flag`, { subjectType: 'post', subjectId: String(postId), reason: 'spam', note: 'An advert', redirectTo: thread });
    expect(flagged.status).toBe(302);
    expect(flagged.headers.get('location')).toContain('flagged=1');

    const { http: moderator } = await as('moderator');
    expect((await reporter.get(`${BASE}/moderation`)).status).toBe(403);
    expect((await reporter.get(`${BASE}/moderation/audit`)).status).toBe(403);
    const queue = await (await moderator.get(`${BASE}/moderation`)).text();
    expect(queue).toContain('Totally off-topic advert for cheap flights');
    expect(queue).toContain('An advert');

    expect((await reporter.post(thread, { intent: 'hide', postId: String(postId), reason: 'Not a moderator' })).status).toBe(403);
    const hide = await moderator.post(`${BASE}/moderation`, { intent: 'hide', subjectType: 'post', subjectId: String(postId), reason: 'Advertising' });
    expect(hide.status).toBe(302);
    const publicPage = await (await anonymous().get(thread)).text();
    expect(publicPage).not.toContain('Totally off-topic advert');
    expect(publicPage).toContain('Hidden by a moderator');
    expect(await (await author.get(thread)).text()).toContain('Advertising');

    const audit = await (await moderator.get(`${BASE}/moderation/audit?action=post.`)).text();
    expect(audit).toContain('Advertising');
    expect((await moderator.post(thread, { intent: 'restore', postId: String(postId) })).status).toBe(302);
    expect(await (await anonymous().get(thread)).text()).toContain('Totally off-topic advert');
    expect(await (await author.get('/notifications')).text()).toContain('Advertising');
  });

  it('lists submitted case studies in the queue and lets moderators feature a published one on its sub-question', async () => {
    const { http: author } = await as('participant');
    const pending = idFrom(await author.post(`${BASE}/case-studies/new`, complete({ title: 'Awaiting review practice' })));
    const { http: moderator } = await as('moderator');
    const queue = await (await moderator.get(`${BASE}/moderation?tab=case-studies`)).text();
    expect(queue).toContain('Awaiting review practice');
    expect(queue).toContain(`/case-studies/${pending}`);

    const id = await published(author, { title: 'Featured practice' });
    expect((await author.post(`${BASE}/case-studies/${id}`, { intent: 'feature', subQuestionId: String(subQuestionId), featured: 'true' })).status).toBe(403);
    expect((await moderator.post(`${BASE}/case-studies/${id}`, { intent: 'feature', subQuestionId: String(subQuestionId), featured: 'true' })).status).toBeLessThan(400);
    const thread = await (await anonymous().get(`${BASE}/q/2/2.4`)).text();
    const featured = thread.indexOf('Featured practice');
    expect(featured).toBeGreaterThan(0);
    expect(thread.indexOf('Anonymous return programme') === -1 || thread.indexOf('Anonymous return programme') > featured).toBe(true);

    // The author is told, in the language they read in (the notice is worded when shown).
    const inFrench = new Client(app.url, { cookie: author.defaultHeaders.cookie!, 'accept-language': 'fr' });
    expect(await (await author.get('/notifications')).text()).toContain('Your case study “<bdi class="user-text">Featured practice</bdi>” is now featured in the thread of sub-question 2.4');
    expect(await (await inFrench.get('/notifications')).text()).toContain('Votre étude de cas « <bdi class="user-text">Featured practice</bdi> » est mise à la une dans le fil de la sous-question 2.4');
    // Featuring again changes nothing and tells no one; stopping is told too.
    const notices = async () => (await app.server.database.db.selectFrom('notifications').select('kind').where('subjectType', '=', 'case_study').where('subjectId', '=', String(id)).orderBy('id').execute()).map((n) => n.kind);
    await moderator.post(`${BASE}/case-studies/${id}`, { intent: 'feature', subQuestionId: String(subQuestionId), featured: 'true' });
    expect((await notices()).filter((k) => k === 'case_study.feature')).toHaveLength(1);
    await moderator.post(`${BASE}/case-studies/${id}`, { intent: 'feature', subQuestionId: String(subQuestionId), featured: 'false' });
    expect((await notices()).slice(-2)).toEqual(['case_study.feature', 'case_study.unfeature']);
    expect(await (await author.get('/notifications')).text()).toContain('is no longer featured in the thread of sub-question 2.4');
  });
});

describe('the audit log in people’s words', () => {
  it('names subjects by title, name, thread and sub-question number, with statuses in the reader’s language', async () => {
    const { services } = app.server;
    const consultation = (await services.consultations.getDefault())!;
    const { http: author } = await as('participant');
    const id = await published(author, { title: 'Audited seasonal work scheme' });
    const { http: moderator, user: moderatorUser } = await as('moderator', { name: 'Audit Moderator' });
    await moderator.post(`${BASE}/case-studies/${id}`, { intent: 'feature', subQuestionId: String(subQuestionId), featured: 'true' });
    const question = (await services.consultations.getQuestion(consultation.id, '2'))!;
    const noteId = await services.notes.open(moderatorUser.id, consultation.id, { questionId: question.id, stakeholderGroup: null, title: 'Audited note on question 2' });
    await services.notes.setStatus(moderatorUser.id, noteId, 'lock');

    const html = await (await moderator.get(`${BASE}/moderation/audit`)).text();
    const rows = rowsOf(html);
    const row = (...parts: string[]) => rows.filter((r) => parts.every((p) => r.includes(p)));
    expect(row('Case study featured', 'Audited seasonal work scheme', 'On sub-question 2.4')).toHaveLength(1);
    expect(row('Review started', 'Audited seasonal work scheme', 'Submitted → In review')).toHaveLength(1);
    // A note's entries all carry its title, and its statuses are translated like the others.
    expect(row('Note opened', 'Audited note on question 2')).toHaveLength(1);
    expect(row('Note locked for review', 'Audited note on question 2', 'Drafting → In review')).toHaveLength(1);
    const shown = rows.join('\n');
    for (const code of ['Sub-question id', 'Synthesis note #', 'drafting →', 'in_review', '→ published', 'submitted →']) expect(shown).not.toContain(code);
    expect(html).toContain(`href="${BASE}/notes/${noteId}"`);

    const { http: moderatorFr } = await as('moderator');
    const fr = rowsOf(await (await new Client(app.url, { cookie: moderatorFr.defaultHeaders.cookie!, 'accept-language': 'fr' }).get(`${BASE}/moderation/audit`)).text());
    expect(fr.filter((r) => r.includes('Audited note on question 2') && r.includes('En rédaction → En relecture'))).toHaveLength(1);
    expect(fr.filter((r) => r.includes('Audited seasonal work scheme') && r.includes('Sur la sous-question 2.4'))).toHaveLength(1);
  });

  it('filters by kind and by a name or title, never asking for an id', async () => {
    const { services } = app.server;
    const consultation = (await services.consultations.getDefault())!;
    const { http: author } = await as('participant');
    const id = await published(author, { title: 'Filterable 100% practice' });
    const admin = await createUser(app, { name: 'Filter Admin' });
    await services.db.updateTable('users').set({ siteRole: 'admin' }).where('id', '=', admin.id).execute();
    const promoted = await createUser(app, { name: 'Zoé Promoted' });
    await services.accounts.setRole(admin.id, promoted.id, consultation.id, 'rapporteur');
    const { http: moderator } = await as('moderator');
    const audit = (query: string) => moderator.get(`${BASE}/moderation/audit?${query}`).then((r) => r.text());

    const page = await audit('');
    expect(page).toContain('<label for="audit-q">Name or title</label>');
    expect(page).not.toContain('name="subjectId"');

    // A title, any case: that case study's entries only.
    const byTitle = rowsOf(await audit('q=FILTERABLE'));
    expect(byTitle.length).toBeGreaterThan(3); // the header row and its submit, review, verify and publish
    expect(byTitle.slice(1).every((r) => r.includes('Filterable 100% practice'))).toBe(true);
    // The wildcards of a search are its own characters: "100%" is not "anything".
    expect(rowsOf(await audit('q=100%25 practice')).slice(1).every((r) => r.includes('Filterable 100% practice'))).toBe(true);
    expect(await audit('q=0%25p')).toContain('No entry matches these filters.');
    // A person's name: the role change of the user named, shown by name and in words.
    const byName = rowsOf(await audit(`q=${encodeURIComponent('zoé prom')}`));
    expect(byName.slice(1)).toHaveLength(1);
    expect(byName[1]).toContain('Role changed');
    expect(byName[1]).toContain('Zoé Promoted');
    expect(byName[1]).toContain('Participant → Rapporteur');
    // The one who acted is found by name too; with a kind, only that kind.
    expect(rowsOf(await audit('q=filter admin')).slice(1).every((r) => r.includes('Filter Admin'))).toBe(true);
    expect(rowsOf(await audit('q=filterable&action=case_study.&subjectType=case_study')).slice(1).length).toBeGreaterThan(2);
    expect(await audit('q=filterable&action=post.')).toContain('No entry matches these filters.');
    // A search too long to run is said, with no rows, never answered with the whole log.
    const tooLong = await audit(`q=${'a'.repeat(101)}`);
    expect(tooLong).toContain('This is too long.');
    expect(tooLong).toContain('aria-invalid="true"');
    expect(rowsOf(tooLong).slice(1)).toHaveLength(0);
    // Control characters are not text: removed, as from stored text, and the rest searched.
    const cleaned = rowsOf(await audit('q=FILTER%00ABLE')).slice(1);
    expect(cleaned.length).toBeGreaterThan(2);
    expect(cleaned.every((r) => r.includes('Filterable 100% practice'))).toBe(true);
    expect(id).toBeGreaterThan(0);
  });
});
