/**
 * Forms as a browser without JavaScript sends them. Each creation form (a new case study saved or
 * submitted, a report to the moderators, a note opened, a named version) comes with a key: sent
 * twice, on a slow link or by a double click, it creates once and both answers lead to the same
 * place. A refused case study comes back with everything typed, the errors listed in the form's
 * order. Runs on SQLite, and on PostgreSQL when DATABASE_URL names one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, threadId } from '../support/sockets';

let app: TestServer;
const BASE = '/c/gfmd-2020-partnerships';
let subQuestionId: number;

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
  subQuestionId = (await app.server.database.db.selectFrom('subQuestions').select('id').where('number', '=', '2.4').executeTakeFirstOrThrow()).id;
});
afterAll(() => app?.close());

type Role = 'participant' | 'moderator' | 'rapporteur';
const as = async (role: Role = 'participant') => {
  const user = await createUser(app, { role });
  return { user, http: new Client(app.url, { cookie: user.cookie, 'accept-language': 'en' }) };
};
const db = () => app.server.database.db;

/** The form as the page posts it: repeated fields for checkboxes and multiple selects. */
function form(fields: Record<string, string | string[]>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) params.append(key, v);
  return params;
}

const decode = (text: string) =>
  text.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
/** Every `<tag …>` of the page with its attributes. */
function tags(html: string, tag: string): Record<string, string>[] {
  return [...html.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map((a) => [a[1]!, decode(a[2] ?? '')])),
  );
}
/** The key a form of the page carries (the first, or the one after `marker`). */
function formKey(html: string, marker = ''): string {
  const key = tags(html.slice(html.indexOf(marker)), 'input').find((i) => i.name === 'formKey')?.value;
  expect(key, `a form key after ${marker || 'the start'}`).toMatch(/^[0-9a-f]{32}$/);
  return key!;
}
/** What the page shows in a field: an input's value, a textarea's text, a select's chosen options, checked boxes. */
function shown(html: string, name: string): string[] {
  const inputs = tags(html, 'input').filter((i) => i.name === name);
  if (inputs.some((i) => i.type === 'checkbox' || i.type === 'radio')) return inputs.filter((i) => 'checked' in i).map((i) => i.value!);
  if (inputs.length) return inputs.map((i) => i.value ?? '');
  const escaped = name.replace(/[[\].]/g, '\\$&');
  const textarea = new RegExp(`<textarea[^>]*name="${escaped}"[^>]*>([^<]*)</textarea>`).exec(html);
  if (textarea) return [decode(textarea[1]!)];
  const select = new RegExp(`<select[^>]*name="${escaped}"[^>]*>(.*?)</select>`, 's').exec(html);
  if (select) return tags(select[1]!, 'option').filter((o) => 'selected' in o).map((o) => o.value!);
  return [];
}
/** The error summary's lines, in order. */
function summary(html: string): string[] {
  const block = /<div class="error-summary"[^>]*>(.*?)<\/div>/s.exec(html)?.[1] ?? '';
  return [...block.matchAll(/<li>(.*?)<\/li>/gs)].map((m) => decode(m[1]!.replace(/<[^>]+>/g, '')));
}

const typed = {
  intent: 'submit',
  title: 'Skills partnership for care workers',
  summary: '',
  text: 'Nurses train at home with a curriculum both countries accredit.',
  'partners[0].name': 'Ministry of Health',
  'partners[0].group': 'government',
  'partners[1].name': 'Care employers federation',
  'partners[1].group': '',
  implementation: ['PH', 'DE'],
  origin: ['PH'],
  destination: ['XX'],
  level: 'regional',
  themes: ['skills', 'astrology', 'ufology'],
  sdgTargets: ['8.8'],
  stage: '',
  'funding[0].source': 'Development agency',
  'funding[0].amount': 'lots',
  'funding[0].currency': 'EUR',
  results: '300 nurses placed, 92 % still employed after two years.',
  indicators: 'Placements; retention',
  worked: 'Joint accreditation.',
  didNotWork: '',
  subQuestions: [] as string[],
  contact: 'care-partnership@example.org',
  attribution: 'organisation',
  visibility: 'restricted',
  language: 'fr',
};

describe('a refused case study without JavaScript', () => {
  it('comes back with every typed value, the errors listed once each in the form’s order, and nothing stored', async () => {
    const { http, user } = await as();
    const res = await http.post(`${BASE}/case-studies/new`, form({ ...typed, subQuestions: [String(subQuestionId)] }));
    expect(res.status).toBe(400);
    const html = await res.text();
    for (const [name, value] of Object.entries({ ...typed, subQuestions: [String(subQuestionId)] })) {
      if (name === 'intent') continue;
      // The form offers 'XX', 'astrology' and 'ufology' nowhere: they are reported, not kept.
      const expected = [value].flat().filter((v) => !['', 'XX', 'astrology', 'ufology'].includes(v));
      const blankText = ['summary', 'didNotWork', 'partners[1].group', 'stage'].includes(name);
      expect(shown(html, name).filter((v) => v !== '').sort(), name).toEqual(blankText ? [] : expected.sort());
    }
    expect(summary(html)).toEqual([
      'Summary: This field is required.',
      'Partner 2, Stakeholder group: Choose one of the options.',
      'Countries of destination: Choose a country from the list.',
      'Themes: This theme is not one of the consultation’s thematic areas.', // once for the list
      'Stage: This field is required.',
      'Funding source 1, Amount: Enter an amount as a positive number, e.g. 250000.',
      'What did not work: This field is required.',
    ]);
    expect(await db().selectFrom('caseStudies').select('id').where('authorId', '=', user.id).execute()).toHaveLength(0);
  });
});

describe('adding a row without JavaScript', () => {
  it('answers with the form as typed and one more partner row, focused, without errors', async () => {
    const { http } = await as();
    const page = await (await http.get(`${BASE}/case-studies/new`)).text();
    const add = tags(page, 'button').find((b) => b.name === '__intent__' && b.value?.includes('"partners"'));
    expect(add).toBeDefined();
    const res = await http.post(`${BASE}/case-studies/new`, form({ title: 'Half written', 'partners[0].name': 'City of Dakar', 'partners[0].group': '', attribution: 'named', language: 'en', __intent__: add!.value! }));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(shown(html, 'title')).toEqual(['Half written']);
    expect(shown(html, 'partners[0].name')).toEqual(['City of Dakar']);
    expect(shown(html, 'partners[1].name')).toEqual(['']);
    expect(tags(html, 'input').find((i) => i.name === 'partners[1].name')).toHaveProperty('autofocus');
    expect(summary(html)).toEqual([]);
  });
});

/** Sends the same form twice at once (a double click on a slow link) and once more afterwards. */
async function thrice(send: () => Promise<Response>) {
  const [first, second] = await Promise.all([send(), send()]);
  const third = await send();
  return [first, second, third];
}
const locations = (answers: Response[]) => answers.map((r) => `${r.status} ${r.headers.get('location')}`);

describe('a creation form sent twice creates once', () => {
  it('a new case study, saved as a draft', async () => {
    const { http, user } = await as();
    const key = formKey(await (await http.get(`${BASE}/case-studies/new`)).text());
    const answers = await thrice(() => http.post(`${BASE}/case-studies/new`, form({ formKey: key, intent: 'save', title: 'Draft sent twice', attribution: 'named', language: 'en' })));
    const rows = await db().selectFrom('caseStudies').select(['id', 'status']).where('authorId', '=', user.id).execute();
    expect(rows).toEqual([{ id: rows[0]!.id, status: 'draft' }]);
    expect(locations(answers)).toEqual(Array(3).fill(`302 ${BASE}/case-studies/${rows[0]!.id}?saved=1`));
  });

  it('a new case study, submitted', async () => {
    const { http, user } = await as();
    const key = formKey(await (await http.get(`${BASE}/case-studies/new`)).text());
    const complete = {
      ...typed,
      formKey: key,
      summary: 'Training at home, recognised abroad.',
      'partners[1].group': 'business',
      destination: ['DE'],
      themes: ['skills'],
      stage: 'evaluating',
      'funding[0].amount': '2500000',
      didNotWork: 'Language training started too late.',
      subQuestions: [String(subQuestionId)],
    };
    const answers = await thrice(() => http.post(`${BASE}/case-studies/new`, form(complete)));
    const rows = await db().selectFrom('caseStudies').select(['id', 'status']).where('authorId', '=', user.id).execute();
    expect(rows).toEqual([{ id: rows[0]!.id, status: 'submitted' }]);
    expect(locations(answers)).toEqual(Array(3).fill(`302 ${BASE}/case-studies/${rows[0]!.id}?submitted=1`));
    // One submission in the history, not three attempts.
    const entries = await db().selectFrom('auditLog').select('action').where('subjectType', '=', 'case_study').where('subjectId', '=', String(rows[0]!.id)).execute();
    expect(entries.map((e) => e.action)).toEqual(['case_study.submit']);

    // A moderator's decision on it, clicked twice: one review started, both answers "done".
    const { http: moderator } = await as('moderator');
    const path = `${BASE}/case-studies/${rows[0]!.id}`;
    const reviewKey = crypto.randomUUID().replace(/-/g, '');
    const review = await thrice(() => moderator.post(path, { formKey: reviewKey, intent: 'transition', action: 'review' }));
    expect(locations(review)).toEqual(Array(3).fill(`302 ${path}?done=review`));
    const after = await db().selectFrom('auditLog').select('action').where('subjectType', '=', 'case_study').where('subjectId', '=', String(rows[0]!.id)).execute();
    expect(after.map((e) => e.action)).toEqual(['case_study.submit', 'case_study.review']);
  });

  it('a report to the moderators, even after they dismissed it', async () => {
    const writer = await createUser(app);
    const { id: postId } = await app.server.services.posts.create(writer.id, { threadId: await threadId(app, '2.4'), clientId: clientId(), text: 'Report me once.' }, 'en');
    const { http, user } = await as();
    const thread = `${BASE}/q/2/2.4`;
    // The post's report form, as its Report link opens it (one post's form per page).
    const page = await (await http.get(`${thread}?report=${postId}`)).text();
    const key = formKey(page, `id="report-${postId}-title"`);
    const report = () => http.post(`${BASE}/flag`, { formKey: key, subjectType: 'post', subjectId: String(postId), reason: 'spam', note: 'An advert', redirectTo: thread });
    const [first, second] = await Promise.all([report(), report()]);
    const { http: moderator } = await as('moderator');
    expect((await moderator.post(`${BASE}/moderation`, { intent: 'dismiss', subjectType: 'post', subjectId: String(postId) })).status).toBe(302);
    // The same form again (a browser resending it): answered as before, not a new report.
    const third = await report();
    expect(locations([first!, second!, third])).toEqual(Array(3).fill(`302 ${thread}?flagged=1#post-${postId}`));
    const flags = await db().selectFrom('flags').select('status').where('subjectId', '=', postId).where('reporterId', '=', user.id).execute();
    expect(flags).toEqual([{ status: 'dismissed' }]);
    // A new report is a new form.
    expect((await http.post(`${BASE}/flag`, { formKey: formKey(await (await http.get(`${thread}?report=${postId}`)).text(), `id="report-${postId}-title"`), subjectType: 'post', subjectId: String(postId), reason: 'spam', redirectTo: thread })).status).toBe(302);
    expect(await db().selectFrom('flags').select('id').where('subjectId', '=', postId).where('reporterId', '=', user.id).execute()).toHaveLength(2);
  });

  it('a note opened by a moderator', async () => {
    const { http } = await as('moderator');
    const key = formKey(await (await http.get(`${BASE}/notes`)).text(), 'note-open-form');
    const question = await db().selectFrom('questions').select('id').where('number', '=', '3').executeTakeFirstOrThrow();
    const answers = await thrice(() => http.post(`${BASE}/notes`, { formKey: key, intent: 'open', questionId: String(question.id), stakeholderGroup: 'business', title: 'Business view on question 3' }));
    const notes = await db().selectFrom('notes').select('id').where('title', '=', 'Business view on question 3').execute();
    expect(notes).toHaveLength(1);
    expect(locations(answers)).toEqual(Array(3).fill(`302 ${BASE}/notes/${notes[0]!.id}?done=opened`));
  });

  it('a named version of a note', async () => {
    const { http } = await as('moderator');
    const opened = await http.post(`${BASE}/notes`, { intent: 'open', questionId: '', stakeholderGroup: 'local-government', title: 'Cities’ synthesis' });
    const path = opened.headers.get('location')!.replace(/\?.*$/, '');
    const noteId = Number(/\/notes\/(\d+)$/.exec(path)![1]);
    const key = formKey(await (await http.get(path)).text(), 'note-version-form');
    const answers = await thrice(() => http.post(path, { formKey: key, intent: 'version', name: 'Before the forum' }));
    const versions = await db().selectFrom('noteVersions').select(['id', 'name']).where('noteId', '=', noteId).execute();
    expect(versions.map((v) => v.name)).toEqual(['Before the forum']);
    expect(locations(answers)).toEqual(Array(3).fill(`302 ${path}?done=version&version=${versions[0]!.id}`));
    // The same key with another name (a form left with its key after a save): refused, not passed off as saved.
    const reused = await http.post(path, { formKey: key, intent: 'version', name: 'After the forum' });
    expect(reused.status).toBe(409);
    expect(await reused.text()).toContain('This form was already sent, with other content.');
    expect(await db().selectFrom('noteVersions').select('name').where('noteId', '=', noteId).execute()).toEqual([{ name: 'Before the forum' }]);
  });
});

describe('a decision sent twice (a double click without JavaScript) is answered as done both times', () => {
  it('hide and restore (thread and queue), dismiss, and a note’s status', async () => {
    const writer = await createUser(app);
    const thread = `${BASE}/q/2/2.4`;
    const post = async (text: string) =>
      (await app.server.services.posts.create(writer.id, { threadId: await threadId(app, '2.4'), clientId: clientId(), text }, 'en')).id;
    const { http, user } = await as('moderator');
    /** The form as one page showed it: its key, sent with each click. */
    const keyed = (path: string, fields: Record<string, string>) => {
      const key = crypto.randomUUID().replace(/-/g, '');
      return () => http.post(path, { ...fields, formKey: key });
    };
    const statusOf = async (id: number) => (await db().selectFrom('posts').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

    const hidden = await post('Hide me twice.');
    const hide = await thrice(keyed(thread, { intent: 'hide', postId: String(hidden), reason: 'Off topic' }));
    expect(locations(hide)).toEqual(Array(3).fill(`302 ${thread}#post-${hidden}`));
    expect(await statusOf(hidden)).toBe('hidden');
    const restore = await thrice(keyed(`${BASE}/moderation`, { intent: 'restore', subjectType: 'post', subjectId: String(hidden) }));
    expect(locations(restore)).toEqual(Array(3).fill(`302 ${BASE}/moderation?done=restore`));
    expect(await statusOf(hidden)).toBe('visible');

    const flagged = await post('Report me, then dismiss twice.');
    await app.server.services.moderation.flag((await createUser(app)).id, { subjectType: 'post', subjectId: flagged, reason: 'spam' });
    const dismiss = await thrice(keyed(`${BASE}/moderation`, { intent: 'dismiss', subjectType: 'post', subjectId: String(flagged) }));
    expect(locations(dismiss)).toEqual(Array(3).fill(`302 ${BASE}/moderation?done=dismiss`));
    const audit = await db().selectFrom('auditLog').select('action').where('subjectType', '=', 'post').where('subjectId', 'in', [String(hidden), String(flagged)]).execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['flags.dismiss', 'post.hide', 'post.restore']);

    const consultation = (await app.server.services.consultations.getDefault())!;
    const question = (await app.server.services.consultations.getQuestion(consultation.id, '5'))!;
    const noteId = await app.server.services.notes.open(user.id, consultation.id, { questionId: question.id, stakeholderGroup: null, title: 'Locked twice' });
    const note = `${BASE}/notes/${noteId}`;
    const lock = await thrice(keyed(note, { intent: 'status', action: 'lock' }));
    expect(locations(lock)).toEqual(Array(3).fill(`302 ${note}?done=lock`));
  });
});

describe('a form key', () => {
  it('refused, is free again: the corrected form is saved', async () => {
    const { http, user } = await as();
    const key = formKey(await (await http.get(`${BASE}/case-studies/new`)).text());
    const refused = await http.post(`${BASE}/case-studies/new`, form({ formKey: key, intent: 'save', title: '', attribution: 'named', language: 'en' }));
    expect(refused.status).toBe(400);
    const saved = await http.post(`${BASE}/case-studies/new`, form({ formKey: key, intent: 'save', title: 'Corrected', attribution: 'named', language: 'en' }));
    expect(saved.status).toBe(302);
    expect(await db().selectFrom('caseStudies').select('title').where('authorId', '=', user.id).execute()).toEqual([{ title: 'Corrected' }]);
  });

  it('is answered only to its user: another user sending it creates their own', async () => {
    const a = await as();
    const b = await as();
    const key = formKey(await (await a.http.get(`${BASE}/case-studies/new`)).text());
    const fields = { formKey: key, intent: 'save', attribution: 'named', language: 'en' };
    const mine = await a.http.post(`${BASE}/case-studies/new`, form({ ...fields, title: 'Mine' }));
    const theirs = await b.http.post(`${BASE}/case-studies/new`, form({ ...fields, title: 'Theirs' }));
    expect(theirs.headers.get('location')).not.toBe(mine.headers.get('location'));
    expect(await db().selectFrom('caseStudies').select('title').where('authorId', '=', b.user.id).execute()).toEqual([{ title: 'Theirs' }]);
  });

  it('is new on every form shown', async () => {
    const { http } = await as();
    const keys = await Promise.all([1, 2].map(async () => formKey(await (await http.get(`${BASE}/case-studies/new`)).text())));
    expect(keys[0]).not.toBe(keys[1]);
  });
});

describe('a malformed form intent', () => {
  it('is refused with a message on every form, never a server error, and nothing is stored', async () => {
    const { http } = await as('moderator');
    const before = (await db().selectFrom('caseStudies').select('id').execute()).length;
    for (const path of ['/register', '/sign-in', '/account', `${BASE}/flag`, `${BASE}/case-studies/new`, `${BASE}/notes`]) {
      for (const intent of ['{bad', '{"type":"insert","payload":{"name":"__proto__"}}']) {
        const res = await http.post(path, { __intent__: intent, name: 'x', title: 'A title' }, { origin: app.url });
        expect(res.status, `${path} ${intent}`).toBeLessThan(500);
      }
    }
    const res = await http.post(`${BASE}/case-studies/new`, { __intent__: '{bad', title: 'Never stored' }, { origin: app.url });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('This form could not be read.');
    expect((await db().selectFrom('caseStudies').select('id').execute()).length).toBe(before);
  });
});

describe('pages of several forms (a thread, a note, a version, the queue, a case study, notices)', () => {
  /** Every such page, with one form's intent that it has. */
  async function pages(stakeholderGroup: string) {
    const writer = await createUser(app);
    const { id: postId } = await app.server.services.posts.create(writer.id, { threadId: await threadId(app, '2.4'), clientId: clientId(), text: 'A post for the forms.' }, 'en');
    const { http, user } = await as('moderator');
    const opened = await http.post(`${BASE}/notes`, { intent: 'open', questionId: '', stakeholderGroup, title: 'Forms note' });
    const note = opened.headers.get('location')!.replace(/\?.*$/, '');
    const noteId = Number(/\/notes\/(\d+)$/.exec(note)![1]);
    const versionId = await app.server.services.notes.saveVersion(user.id, noteId, 'First');
    const caseStudy = await http.post(`${BASE}/case-studies/new`, form({ intent: 'save', title: 'Forms case study', attribution: 'named', language: 'en' }));
    const caseStudyPath = caseStudy.headers.get('location')!.replace(/\?.*$/, '');
    return {
      http,
      postId,
      paths: [`${BASE}/q/2/2.4`, note, `${note}/versions/${versionId}`, `${BASE}/moderation`, caseStudyPath, '/notifications'],
    };
  }

  it('answer an intent they do not have with a 400 and a message, a malformed conform intent never with a 500', async () => {
    const { http, paths } = await pages('civil-society');
    for (const path of paths) {
      for (const intent of ['unknown', '__proto__', 'constructor', '']) {
        const res = await http.post(path, { intent, postId: '1' });
        expect([path, intent, res.status]).toEqual([path, intent, 400]);
        expect(await res.text()).toContain('Choose one of the options.');
      }
      const res = await http.post(path, { intent: 'delete', __intent__: '{bad' });
      expect(res.status, path).toBeLessThan(500);
    }
  });

  it('a refused form comes back as typed, with its message, on the form it came from', async () => {
    const { http, postId } = await pages('government');
    const thread = `${BASE}/q/2/2.4`;
    // Hiding needs a reason: refused, and the post's hide form shows the refusal.
    const hide = await http.post(thread, { intent: 'hide', postId: String(postId), reason: '\u200B\u2060' });
    expect(hide.status).toBe(400);
    const page = await hide.text();
    expect(page).toContain('Write a note explaining the decision.');
    // The queue's hide takes posts only.
    const queue = await http.post(`${BASE}/moderation`, { intent: 'hide', subjectType: 'case_study', subjectId: String(postId), reason: 'Spam' });
    expect(queue.status).toBe(400);
    expect(await queue.text()).toContain('Choose one of the options.');
    // A post that does not exist.
    const gone = await http.post(thread, { intent: 'delete', postId: '999999999' });
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain('This contribution does not exist.');
    // A participant cannot hide.
    const { http: participant } = await as();
    const forbidden = await participant.post(thread, { intent: 'hide', postId: String(postId), reason: 'Mine now' });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).toContain('You are not allowed to do this.');
    expect((await db().selectFrom('posts').select('status').where('id', '=', postId).executeTakeFirstOrThrow()).status).toBe('visible');
  });
});
