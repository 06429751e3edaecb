/**
 * The coverage of a question's compilation (app/compilation/coverage.server.ts) against a small
 * fixture whose table is worked out by hand, on both databases: what counts as received, what
 * as reflected (a clip of this question, a citation in a note of this question or of the whole
 * consultation, kept in note_citations by the note store), groups that said nothing, what a
 * participant sees, and the "not yet reflected" list with its filters and pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRole, createAccountService } from '../../app/accounts/accounts.server';
import type { Role } from '../../app/accounts/roles';
import { createCaseStudyService } from '../../app/case-studies/case-studies.server';
import { createCompilationService } from '../../app/compilation/compilation.server';
import { citationsOfContent } from '../../app/notes/note-citations.server';
import { createNoteStore } from '../../app/notes/note-store.server';
import { createPostService } from '../../app/posts/posts.server';
import { seedConsultation } from '../../db/seeds/consultation';
import { openTestDatabase } from '../support/database';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let consultationId: number;
let compilation: ReturnType<typeof createCompilationService>;
const users: Record<'moderator' | 'participant' | 'gov' | 'cs' | 'biz', string> = {} as never;
/** Question 2: its id, sub-questions by number, threads by number; question 3's id. */
let question: number;
let question3: number;
const subs: Record<string, number> = {};
const threads: Record<string, number> = {};
const ids: Record<string, number> = {};
let clientSeq = 0;

async function user(name: string, role: Role | null, group: string) {
  const id = await createAccountService(handle.db).register({
    email: `${name}@example.org`,
    name: `${name} Example`,
    organisation: `${name} organisation`,
    stakeholderGroup: group,
    country: 'SN',
    password: 'a long enough password',
  });
  if (role) await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: id, consultationId, from: 'participant', to: role }));
  return id;
}

/** A note's derived content citing `refs`, as the headless editor would write it. */
const noteContent = (refs: { kind: 'post' | 'case_study'; id: number }[]) =>
  JSON.stringify({
    root: {
      type: 'root',
      children: [{ type: 'paragraph', children: [{ type: 'text', text: 'As said ' }, ...refs.map((r) => ({ type: 'citation', kind: r.kind, targetId: r.id, text: `[x]` }))] }],
    },
  });

async function note(questionId: number | null, refs: { kind: 'post' | 'case_study'; id: number }[]) {
  const now = new Date().toISOString();
  const { id } = await handle.db
    .insertInto('notes')
    .values({ consultationId, questionId, stakeholderGroup: null, title: `Note ${questionId}`, createdAt: now, updatedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const content = noteContent(refs);
  expect(await createNoteStore(handle.db).writeDerived(id, { content, text: 'As said', html: '<p>As said</p>' })).toBe(true);
  return id;
}

beforeAll(async () => {
  handle = await openTestDatabase();
  ({ consultationId } = await seedConsultation(handle.db));
  compilation = createCompilationService(handle.db);
  const posts = createPostService(handle.db, { publish: () => {}, postsPerMinute: 10_000 });
  const studies = createCaseStudyService(handle.db);
  users.moderator = await user('Moderator', 'moderator', 'civil-society');
  users.participant = await user('Participant', null, 'business');
  users.gov = await user('Gov', null, 'government');
  users.cs = await user('Civil', null, 'civil-society');
  users.biz = await user('Biz', null, 'business');
  for (const t of await handle.db.selectFrom('threads').select(['id', 'number', 'questionId', 'subQuestionId']).where('consultationId', '=', consultationId).execute()) {
    threads[t.number] = t.id;
    if (t.subQuestionId) subs[t.number] = t.subQuestionId;
    if (t.number === '2') question = t.questionId;
    if (t.number === '3') question3 = t.questionId;
  }
  const post = async (name: string, thread: string, author: string, language: 'fr' | 'en' | 'es') => {
    ids[name] = (await posts.create(author, { threadId: threads[thread]!, clientId: `coverage-${++clientSeq}-abc`, text: `${name} says something.`, language, attribution: 'chatham' }, 'fr')).id;
    await new Promise((r) => setTimeout(r, 3)); // distinct creation times: the list is newest first
  };
  // The fixture (question 2): see the expected table below.
  await post('P1', '2.1', users.gov, 'fr'); // clipped
  await post('P2', '2.1', users.cs, 'en'); // cited in a note of question 3 only: not reflected here
  await post('P3', '2.1', users.cs, 'en'); // cited in the note of question 2
  await post('P4', '2', users.biz, 'es'); // hidden: not counted
  await post('P5', '2', users.biz, 'es'); // nothing
  await post('P6', '2.2', users.gov, 'fr'); // deleted: not counted
  await post('P7', '3.1', users.gov, 'fr'); // question 3: not counted, but cited in the consultation's note
  await posts.moderate(users.moderator, ids.P4!, true, 'Off topic');
  await posts.remove(users.gov, ids.P6!);
  const study = async (name: string, subQuestions: string[], visibility: 'public' | 'restricted', language: 'fr' | 'en') => {
    const id = await studies.save(
      users.cs,
      consultationId,
      {
        title: `${name} title`,
        summary: `${name} summary.`,
        indicators: 'Indicators.',
        funding: [{ source: 'European Union', amount: '1000', currency: 'EUR' }],
        text: `${name} body text.`,
        partners: [{ name: 'Agency', group: 'government' }],
        origin: ['SN'],
        destination: ['ES'],
        implementation: ['SN'],
        level: 'regional',
        themes: ['labour-governance'],
        sdgTargets: ['10.7'],
        stage: 'implementing',
        results: 'Results.',
        worked: 'Worked.',
        didNotWork: 'Did not.',
        subQuestions: subQuestions.map((n) => String(subs[n])),
        contact: 'a@example.org',
        attribution: 'named',
        visibility,
        language,
      },
      { submit: false },
    );
    for (const [action, by] of [['submit', users.cs], ['review', users.moderator], ['verify', users.moderator], ['publish', users.moderator]] as const) {
      await studies.transition(by, id, action, 'A note');
    }
    ids[name] = id;
    await new Promise((r) => setTimeout(r, 3));
  };
  await study('CS1', ['2.1', '2.3'], 'public', 'en'); // clipped
  await study('CS2', ['2.1'], 'restricted', 'fr'); // counted for moderators only; nothing
  await study('CS3', ['2.4'], 'public', 'en'); // cited in the whole consultation's note
  await study('CS4', ['2.4'], 'public', 'en'); // clipped by a key point of question 3? impossible: cited in question 3's note only
  const point = await compilation.createKeyPoint(users.moderator, question, { heading: 'Coverage' });
  await compilation.clipWhole(users.moderator, { keyPointId: point, sourceKind: 'post', sourceId: ids.P1!, field: 'body' });
  await compilation.clipWhole(users.moderator, { keyPointId: point, sourceKind: 'case_study', sourceId: ids.CS1!, field: 'title' });
  // A second point merged into the first: its clip still reflects P1 (twice clipped counts once).
  const merged = await compilation.createKeyPoint(users.moderator, question, { heading: 'Merged' });
  await compilation.clipWhole(users.moderator, { keyPointId: merged, sourceKind: 'post', sourceId: ids.P1!, field: 'body' });
  await compilation.merge(users.moderator, { survivorId: point, mergedId: merged });
  await note(question, [{ kind: 'post', id: ids.P3! }]);
  await note(question3, [{ kind: 'post', id: ids.P2! }, { kind: 'case_study', id: ids.CS4! }]);
  await note(null, [{ kind: 'case_study', id: ids.CS3! }, { kind: 'post', id: ids.P7! }]);
});
afterAll(() => handle?.drop());

/** [number, group, language, received, reflected] */
type Row = [string, string, string | null, number, number];
const table = (rows: Awaited<ReturnType<typeof compilation.coverage>>): Row[] => rows.map((r) => [r.number, r.group, r.language, r.received, r.reflected]);

const GROUPS = ['government', 'civil-society', 'business', 'local-government'];
/** Every group of a bucket with no contribution, but `except` (group → rows). */
const bucket = (number: string, rows: Partial<Record<string, Row[]>> = {}): Row[] => GROUPS.flatMap((g) => rows[g] ?? [[number, g, null, 0, 0] as Row]);

describe('coverage', () => {
  it('counts received and reflected contributions per sub-question, group and language, with the silent groups', async () => {
    expect(table(await compilation.coverage(users.moderator, consultationId, question))).toEqual([
      ...bucket('2', { business: [['2', 'business', 'es', 1, 0]] }),
      ...bucket('2.1', {
        government: [['2.1', 'government', 'fr', 1, 1]],
        'civil-society': [
          ['2.1', 'civil-society', 'en', 3, 2], // P2 (no), P3 (cited), CS1 (clipped)
          ['2.1', 'civil-society', 'fr', 1, 0], // CS2, restricted
        ],
      }),
      ...bucket('2.2'), // P6 deleted
      ...bucket('2.3', { 'civil-society': [['2.3', 'civil-society', 'en', 1, 1]] }),
      ...bucket('2.4', { 'civil-society': [['2.4', 'civil-society', 'en', 2, 1]] }), // CS3 cited in the consultation's note, CS4 only in question 3's
    ]);
  });

  it('leaves restricted case studies out of what a participant sees, in synthesis; refuses before', async () => {
    await expect(compilation.coverage(users.participant, consultationId, question)).rejects.toMatchObject({ messageKey: 'compilation.forbiddenRead' });
    await expect(compilation.coverage(users.moderator, consultationId + 1000, question)).rejects.toMatchObject({ messageKey: 'compilation.questionNotFound' });
    await handle.db.updateTable('consultations').set({ phase: 'synthesis' }).where('id', '=', consultationId).execute();
    try {
      const rows = table(await compilation.coverage(users.participant, consultationId, question));
      expect(rows.filter((r) => r[0] === '2.1')).toEqual([
        ['2.1', 'government', 'fr', 1, 1],
        ['2.1', 'civil-society', 'en', 3, 2],
        ['2.1', 'business', null, 0, 0],
        ['2.1', 'local-government', null, 0, 0],
      ]);
    } finally {
      await handle.db.updateTable('consultations').set({ phase: 'open' }).where('id', '=', consultationId).execute();
    }
  });

  it('keeps note citations in note_citations as the derived content changes', async () => {
    expect(citationsOfContent(noteContent([{ kind: 'post', id: 4 }, { kind: 'post', id: 4 }, { kind: 'case_study', id: 9 }]))).toEqual([
      { kind: 'post', id: 4 },
      { kind: 'case_study', id: 9 },
    ]);
    const noteId = await note(question, [{ kind: 'post', id: ids.P5! }]);
    const reflected = async () => (await compilation.coverage(users.moderator, consultationId, question)).find((r) => r.number === '2' && r.group === 'business')!.reflected;
    expect(await reflected()).toBe(1);
    await createNoteStore(handle.db).writeDerived(noteId, { content: noteContent([]), text: 'As said', html: '<p>As said</p>' });
    expect(await handle.db.selectFrom('noteCitations').selectAll().where('noteId', '=', noteId).execute()).toEqual([]);
    expect(await reflected()).toBe(0);
  });
});

describe('not yet reflected', () => {
  const names = async (filters = {}) => {
    const page = await compilation.notYetReflected(users.moderator, consultationId, question, filters);
    return page.items.map((i) => Object.entries(ids).find(([n, v]) => v === i.id && (i.kind === 'post') === n.startsWith('P'))![0]);
  };

  it('lists what nothing reflects, newest first, filtered by sub-question, group and language', async () => {
    expect(await names()).toEqual(['CS4', 'CS2', 'P5', 'P2']);
    expect(await names({ group: 'civil-society' })).toEqual(['CS4', 'CS2', 'P2']);
    expect(await names({ subQuestionId: 'general' })).toEqual(['P5']);
    expect(await names({ subQuestionId: String(subs['2.1']) })).toEqual(['CS2', 'P2']);
    expect(await names({ language: 'es' })).toEqual(['P5']);
    expect(await names({ group: 'local-government' })).toEqual([]);
    const [first] = (await compilation.notYetReflected(users.moderator, consultationId, question, { group: 'business' })).items;
    expect(first).toMatchObject({ kind: 'post', id: ids.P5, subQuestionId: null, group: 'business', language: 'es', excerpt: 'P5 says something.', author: { attribution: 'chatham', stakeholderGroup: 'business' } });
    expect(first!.author).not.toHaveProperty('name');
  });

  it('pages by a cursor without gaps or repeats, and refuses a forged cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await compilation.notYetReflected(users.moderator, consultationId, question, { limit: 1, cursor });
      seen.push(...page.items.map((item) => `${item.kind}:${item.id}`));
      if (!page.next) break;
      cursor = page.next;
    }
    expect(seen).toEqual([`case_study:${ids.CS4}`, `case_study:${ids.CS2}`, `post:${ids.P5}`, `post:${ids.P2}`]);
    await expect(compilation.notYetReflected(users.moderator, consultationId, question, { cursor: 'bm90IGpzb24' })).rejects.toMatchObject({ messageKey: 'compilation.cursor' });
  });
});
