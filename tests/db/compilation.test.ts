/**
 * The compilation service (app/compilation) on a real database: key points, clips, stances,
 * reordering and merging, what is stored (quote, fingerprint, offsets, audit), every bad input
 * refused with its message and nothing stored, and clips going stale when their source changes.
 * Coverage has its own file (compilation-coverage.test.ts).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRole, createAccountService } from '../../app/accounts/accounts.server';
import type { Role } from '../../app/accounts/roles';
import { createCaseStudyService } from '../../app/case-studies/case-studies.server';
import { createCompilationService } from '../../app/compilation/compilation.server';
import { createPostService } from '../../app/posts/posts.server';
import type { CaseStudyStatus } from '../../db/schema';
import { readConsultationContent, seedConsultation } from '../../db/seeds/consultation';
import { openTestDatabase } from '../support/database';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let consultationId: number;
let compilation: ReturnType<typeof createCompilationService>;
let posts: ReturnType<typeof createPostService>;
let studies: ReturnType<typeof createCaseStudyService>;
const users: Record<'moderator' | 'admin' | 'participant' | 'rapporteur' | 'author' | 'government', string> = {} as never;
/** Question 1 and its threads; question 2's sub-question 2.1; the other consultation's first thread. */
const q = { one: 0, two: 0, sub11: 0, sub21: 0, general1: 0, thread11: 0, thread21: 0, otherThread: 0, otherQuestion: 0 };
let clientSeq = 0;

const sha = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

async function user(name: string, role: Role | null, group = 'civil-society') {
  const id = await createAccountService(handle.db).register({
    email: `${name}@example.org`,
    name: `${name[0]!.toUpperCase()}${name.slice(1)} Example`,
    organisation: `${name} organisation`,
    stakeholderGroup: group,
    country: 'SN',
    password: 'a long enough password',
  });
  if (role) await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: id, consultationId, from: 'participant', to: role }));
  return id;
}

async function post(threadId: number, text: string, author = users.author, language: 'fr' | 'en' | 'es' = 'en') {
  const view = await posts.create(author, { threadId, clientId: `client-${++clientSeq}-abcdef`, text, language, attribution: 'named' }, 'fr');
  return view.id;
}

/** A case study by the author informing `subQuestionIds`, brought to `status` by the rightful hands. */
async function caseStudy(status: CaseStudyStatus, subQuestionIds: number[], overrides: Record<string, unknown> = {}, consultation = consultationId) {
  const id = await studies.save(
    users.author,
    consultation,
    {
      title: 'Circular labour mobility',
      summary: 'Seasonal workers recruited through a joint office.',
      text: 'The partnership pairs a public employment service with farmers’ associations.',
      partners: [{ name: 'National employment agency', group: 'government' }],
      origin: ['SN'],
      destination: ['ES'],
      implementation: ['SN'],
      level: 'regional',
      themes: ['labour-governance'],
      sdgTargets: ['10.7'],
      stage: 'implementing',
      funding: [],
      results: '1,450 workers placed over three seasons.',
      indicators: 'Placements; return rate',
      worked: 'A single recruitment office trusted by both sides.',
      didNotWork: 'Housing remained uneven.',
      subQuestions: subQuestionIds.map(String),
      contact: 'programme@example.org',
      attribution: 'named',
      visibility: 'public',
      language: 'en',
      ...overrides,
    },
    { submit: false },
  );
  const steps: Record<string, [string, string][]> = {
    draft: [],
    published: [['submit', users.author], ['review', users.moderator], ['verify', users.moderator], ['publish', users.moderator]],
    verified: [['submit', users.author], ['review', users.moderator], ['verify', users.moderator]],
  };
  for (const [action, by] of steps[status]!) await studies.transition(by, id, action as never, 'A note for the author');
  return id;
}

/** Rows stored by the compilation, to check that a refusal stored nothing. */
const counts = async () => {
  const [kp, clips, merges, audit] = await Promise.all(
    (['keyPoints', 'clips', 'keyPointMerges'] as const).map((t) => handle.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).concat([
      handle.db.selectFrom('auditLog').select((eb) => eb.fn.countAll<number>().as('n')).where('action', 'like', 'key_point.%').executeTakeFirstOrThrow(),
    ]),
  );
  return [kp, clips, merges, audit].map((r) => Number(r!.n));
};

const livePositions = async (questionId: number) =>
  (await handle.db.selectFrom('keyPoints').select(['id', 'position']).where('questionId', '=', questionId).where('mergedIntoId', 'is', null).orderBy('position').execute()).map((r) => [r.id, r.position]);

beforeAll(async () => {
  handle = await openTestDatabase();
  ({ consultationId } = await seedConsultation(handle.db));
  const other = await seedConsultation(handle.db, { ...readConsultationContent(), slug: 'another-consultation' });
  compilation = createCompilationService(handle.db);
  posts = createPostService(handle.db, { publish: () => {}, postsPerMinute: 10_000 });
  studies = createCaseStudyService(handle.db);
  users.moderator = await user('moderator', 'moderator');
  users.admin = await user('admin', 'admin', 'government');
  users.participant = await user('participant', null, 'business');
  users.rapporteur = await user('rapporteur', 'rapporteur', 'government');
  users.author = await user('author', null, 'civil-society');
  users.government = await user('minister', null, 'government');
  const threads = await handle.db
    .selectFrom('threads')
    .select(['id', 'number', 'questionId', 'subQuestionId', 'consultationId'])
    .where('number', 'in', ['1', '1.1', '2.1'])
    .execute();
  const mine = threads.filter((t) => t.consultationId === consultationId);
  const byNumber = (n: string) => mine.find((t) => t.number === n)!;
  q.one = byNumber('1').questionId;
  q.two = byNumber('2.1').questionId;
  q.general1 = byNumber('1').id;
  q.thread11 = byNumber('1.1').id;
  q.sub11 = byNumber('1.1').subQuestionId!;
  q.thread21 = byNumber('2.1').id;
  q.sub21 = byNumber('2.1').subQuestionId!;
  q.otherThread = threads.find((t) => t.consultationId === other.consultationId && t.number === '1')!.id;
  q.otherQuestion = threads.find((t) => t.consultationId === other.consultationId && t.number === '1')!.questionId;
});
afterAll(() => handle?.drop());

describe('key points', () => {
  it('creates key points at the end of the list, with the audit entry, once per client id', async () => {
    const before = await counts();
    const a = await compilation.createKeyPoint(users.moderator, q.one, { heading: '  Shared case files  ', summary: 'Partners share one file per person.', clientId: 'kp-a' });
    const again = await compilation.createKeyPoint(users.moderator, q.one, { heading: 'Shared case files', clientId: 'kp-a' });
    const b = await compilation.createKeyPoint(users.admin, q.one, { heading: 'Monthly meetings', language: 'en' });
    expect(again).toBe(a);
    const row = await handle.db.selectFrom('keyPoints').selectAll().where('id', '=', a).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ questionId: q.one, consultationId, heading: 'Shared case files', summary: 'Partners share one file per person.', language: 'fr', authorId: users.moderator, mergedIntoId: null });
    expect((await handle.db.selectFrom('keyPoints').select('language').where('id', '=', b).executeTakeFirstOrThrow()).language).toBe('en');
    const positions = await livePositions(q.one);
    expect(positions.slice(-2)).toEqual([[a, positions.length - 1], [b, positions.length]]);
    expect((await counts())[0]).toBe(before[0] + 2);
    const audit = await handle.db.selectFrom('auditLog').selectAll().where('action', '=', 'key_point.create').where('subjectId', '=', String(a)).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: users.moderator, consultationId, subjectType: 'key_point' });
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ questionId: q.one, heading: 'Shared case files' });
  });

  it('edits a key point with before and after in the audit log', async () => {
    const id = await compilation.createKeyPoint(users.moderator, q.one, { heading: 'Draft heading' });
    await compilation.editKeyPoint(users.moderator, id, { heading: 'Better heading', summary: 'Now with a summary.' });
    const row = await handle.db.selectFrom('keyPoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([row.heading, row.summary]).toEqual(['Better heading', 'Now with a summary.']);
    const [entry] = await handle.db.selectFrom('auditLog').select('details').where('action', '=', 'key_point.edit').where('subjectId', '=', String(id)).execute();
    expect(JSON.parse(entry!.details)).toMatchObject({ before: { heading: 'Draft heading', summary: '' }, after: { heading: 'Better heading', summary: 'Now with a summary.' } });
  });

  it('reorders the live key points densely, refuses a stale order, and moves one point', async () => {
    const ids = [
      await compilation.createKeyPoint(users.moderator, q.two, { heading: 'First' }),
      await compilation.createKeyPoint(users.moderator, q.two, { heading: 'Second' }),
      await compilation.createKeyPoint(users.moderator, q.two, { heading: 'Third' }),
    ];
    await compilation.reorder(users.moderator, q.two, { keyPointIds: [ids[2]!, ids[0]!, ids[1]!] });
    expect(await livePositions(q.two)).toEqual([[ids[2], 1], [ids[0], 2], [ids[1], 3]]);
    const before = await counts();
    for (const keyPointIds of [[ids[0]!, ids[1]!], [ids[0]!, ids[0]!, ids[1]!], [...ids, 999_999]]) {
      await expect(compilation.reorder(users.moderator, q.two, { keyPointIds })).rejects.toMatchObject({ messageKey: 'compilation.orderStale' });
    }
    expect(await counts()).toEqual(before);
    await compilation.move(users.moderator, { keyPointId: ids[1]!, position: 1 });
    expect(await livePositions(q.two)).toEqual([[ids[1], 1], [ids[2], 2], [ids[0], 3]]);
    const reorders = await handle.db.selectFrom('auditLog').select('details').where('action', '=', 'key_point.reorder').where('subjectId', '=', String(q.two)).orderBy('id').execute();
    expect(reorders.map((r) => JSON.parse(r.details).after)).toEqual([[ids[2], ids[0], ids[1]], [ids[1], ids[2], ids[0]]]);
    // Clean up for the coverage of question 2 elsewhere in this file: nothing here clips.
  });

  it('creates once when the same creation is sent twice at once (one client id)', async () => {
    const [a, b] = await Promise.all([
      compilation.createKeyPoint(users.moderator, q.one, { heading: 'Sent twice', clientId: 'twice-at-once' }),
      compilation.createKeyPoint(users.moderator, q.one, { heading: 'Sent twice', clientId: 'twice-at-once' }),
    ]);
    expect(a).toBe(b);
    expect(await handle.db.selectFrom('keyPoints').select('id').where('clientId', '=', 'twice-at-once').execute()).toEqual([{ id: a }]);
    const postId = await post(q.thread11, 'Clipped twice at once.');
    const clip = () => compilation.clipWhole(users.moderator, { keyPointId: a, sourceKind: 'post', sourceId: postId, field: 'body', clientId: 'clip-twice' });
    const [c, d] = await Promise.all([clip(), clip()]);
    expect(c).toEqual(d);
    expect(await handle.db.selectFrom('clips').select('id').where('clientId', '=', 'clip-twice').execute()).toHaveLength(1);
  });

  it('keeps positions unique when two moderators add key points at once', async () => {
    const made = await Promise.all(Array.from({ length: 6 }, (_, i) => compilation.createKeyPoint(i % 2 ? users.moderator : users.admin, q.one, { heading: `Concurrent ${i}` })));
    const positions = (await livePositions(q.one)).map(([, p]) => p);
    expect(positions).toEqual(positions.map((_, i) => i + 1));
    expect(new Set(made).size).toBe(6);
  });
});

describe('clips', () => {
  it('clips a passage: exact words, UTF-16 offsets, a SHA-256 computed by the server, the stance and the audit entry', async () => {
    const text = 'Our desk 🇸🇳 cut the wait by half. A shared case file made it work.';
    const postId = await post(q.thread11, text);
    const keyPointId = await compilation.createKeyPoint(users.moderator, q.one, { heading: 'Shorter waits' });
    const start = text.indexOf('cut');
    const end = text.indexOf('.') + 1;
    const quote = text.slice(start, end);
    expect(start).toBe(14); // the flag is four UTF-16 units
    const { clipId, keyPointId: into } = await compilation.clip(users.moderator, {
      keyPointId,
      sourceKind: 'post',
      sourceId: postId,
      field: 'body',
      start,
      end,
      quote,
      stance: 'qualifies',
      clientId: 'clip-1',
    });
    expect(into).toBe(keyPointId);
    const retry = await compilation.clip(users.moderator, { keyPointId, sourceKind: 'post', sourceId: postId, field: 'body', start, end, quote, clientId: 'clip-1' });
    expect(retry.clipId).toBe(clipId);
    const row = await handle.db.selectFrom('clips').selectAll().where('id', '=', clipId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ keyPointId, sourceKind: 'post', sourceId: postId, sourceField: 'body', startOffset: 14, endOffset: end, quote: 'cut the wait by half.', quoteSha256: sha('cut the wait by half.'), stance: 'qualifies', clippedBy: users.moderator, movedFromId: null });
    expect(await handle.db.selectFrom('clips').select('id').where('keyPointId', '=', keyPointId).execute()).toHaveLength(1);
    const [entry] = await handle.db.selectFrom('auditLog').select(['details', 'subjectId']).where('action', '=', 'key_point.clip').where('subjectId', '=', String(keyPointId)).execute();
    expect(JSON.parse(entry!.details)).toMatchObject({ clipId, source: `post:${postId}`, start, end, quoteSha256: sha(quote), stance: 'qualifies' });

    await compilation.setStance(users.moderator, { clipId, stance: 'disagrees' });
    expect((await handle.db.selectFrom('clips').select('stance').where('id', '=', clipId).executeTakeFirstOrThrow()).stance).toBe('disagrees');
    expect(await handle.db.selectFrom('auditLog').select('id').where('action', '=', 'key_point.stance').where('subjectId', '=', String(keyPointId)).execute()).toHaveLength(1);
    const view = (await compilation.list(users.moderator, q.one)).keyPoints.find((k) => k.id === keyPointId)!;
    expect(view.clips).toHaveLength(1);
    expect(view.clips[0]).toMatchObject({ state: 'fresh', quote, stance: 'disagrees', stakeholderGroup: 'civil-society', author: { attribution: 'named', name: 'Author Example' } });
    expect(view.groups).toEqual({ supports: [], qualifies: [], disagrees: ['civil-society'] });
  });

  it('clips into a new key point, and a whole field of a case study informing a sub-question', async () => {
    const postId = await post(q.general1, 'Language classes for the whole family.', users.government, 'en');
    const before = await counts();
    const made = await compilation.clip(users.moderator, {
      questionId: q.one,
      newKeyPoint: { heading: 'Family language classes', summary: '' },
      sourceKind: 'post',
      sourceId: postId,
      field: 'body',
      start: 0,
      end: 15,
      quote: 'Language classe',
    });
    expect(await counts()).toEqual([before[0] + 1, before[1] + 1, before[2], before[3] + 2]);
    const studyId = await caseStudy('published', [q.sub11]);
    const whole = await compilation.clipWhole(users.moderator, { keyPointId: made.keyPointId, sourceKind: 'case_study', sourceId: studyId, field: 'worked', stance: 'supports' });
    const row = await handle.db.selectFrom('clips').selectAll().where('id', '=', whole.clipId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ sourceField: 'worked', startOffset: 0, endOffset: 'A single recruitment office trusted by both sides.'.length, quote: 'A single recruitment office trusted by both sides.' });
    const view = (await compilation.list(users.moderator, q.one)).keyPoints.find((k) => k.id === made.keyPointId)!;
    expect(view.groups.supports).toEqual(['civil-society', 'government']);
  });

  it('refuses every bad input with its message and stores nothing', async () => {
    const text = 'Two partners, one office.';
    const postId = await post(q.thread11, text);
    const hiddenId = await post(q.thread11, 'A post that moderators hid.');
    await posts.moderate(users.moderator, hiddenId, true, 'Off topic');
    const otherConsultationPost = await post(q.otherThread, 'Elsewhere entirely.');
    const otherQuestionPost = await post(q.thread21, 'About question two.');
    const draftStudy = await caseStudy('draft', [q.sub11]);
    const restrictedStudy = await caseStudy('published', [q.sub11], { visibility: 'restricted' });
    const verifiedStudy = await caseStudy('verified', [q.sub11]);
    const keyPointId = await compilation.createKeyPoint(users.moderator, q.one, { heading: 'Refusals' });
    const otherPoint = await compilation.createKeyPoint(users.moderator, q.two, { heading: 'Other question' });
    const ok = { keyPointId, sourceKind: 'post' as const, sourceId: postId, field: 'body' as const, start: 0, end: 3, quote: 'Two' };
    const before = await counts();
    const refusals: [string, () => Promise<unknown>][] = [
      ['compilation.rangeOutside', () => compilation.clip(users.moderator, { ...ok, start: 20, end: text.length + 1, quote: text.slice(20) })],
      ['compilation.rangeOutside', () => compilation.clip(users.moderator, { ...ok, start: 3, end: 3, quote: '' })],
      ['compilation.rangeOutside', () => compilation.clip(users.moderator, { ...ok, start: -1 })],
      ['compilation.quoteMismatch', () => compilation.clip(users.moderator, { ...ok, quote: 'two' })],
      // A blank passage quotes no words, yet would count the contribution as reflected.
      ['compilation.quoteEmpty', () => compilation.clip(users.moderator, { ...ok, start: 3, end: 4, quote: ' ' })],
      ['compilation.quoteEmpty', () => compilation.clip(users.moderator, { ...ok, start: 12, end: 14, quote: ', ' })],
      ['compilation.sourceOtherConsultation', () => compilation.clip(users.moderator, { ...ok, sourceId: otherConsultationPost, end: 9, quote: 'Elsewhere' })],
      ['compilation.sourceOtherQuestion', () => compilation.clip(users.moderator, { ...ok, sourceId: otherQuestionPost, end: 5, quote: 'About' })],
      ['compilation.sourceNotFound', () => compilation.clip(users.moderator, { ...ok, sourceKind: 'case_study', sourceId: draftStudy, field: 'title', end: 8, quote: 'Circular' })],
      ['compilation.sourceNotFound', () => compilation.clip(users.moderator, { ...ok, sourceId: 99_999_999 })],
      ['compilation.sourceNotClippable', () => compilation.clip(users.moderator, { ...ok, sourceId: hiddenId, end: 6, quote: 'A post' })],
      ['compilation.sourceNotClippable', () => compilation.clip(users.moderator, { ...ok, sourceKind: 'case_study', sourceId: restrictedStudy, field: 'title', end: 8, quote: 'Circular' })],
      ['compilation.sourceNotClippable', () => compilation.clipWhole(users.moderator, { keyPointId, sourceKind: 'case_study', sourceId: verifiedStudy, field: 'title' })],
      ['compilation.field', () => compilation.clip(users.moderator, { ...ok, field: 'results' })],
      ['compilation.keyPointOtherQuestion', () => compilation.clip(users.moderator, { ...ok, keyPointId: otherPoint, questionId: q.one })],
      ['compilation.sourceOtherQuestion', () => compilation.clip(users.moderator, { ...ok, keyPointId: otherPoint })],
      ['compilation.target', () => compilation.clip(users.moderator, { ...ok, newKeyPoint: { heading: 'Both', summary: '' } })],
      ['compilation.forbidden', () => compilation.clip(users.participant, ok)],
      ['compilation.forbidden', () => compilation.clip(users.rapporteur, ok)],
      ['compilation.forbidden', () => compilation.createKeyPoint(users.participant, q.one, { heading: 'Mine' })],
      ['errors.required', () => compilation.createKeyPoint(users.moderator, q.one, { heading: ' \u200B ' })],
      ['errors.tooLong', () => compilation.createKeyPoint(users.moderator, q.one, { heading: 'x'.repeat(201) })],
      ['errors.tooLong', () => compilation.createKeyPoint(users.moderator, q.one, { heading: 'Fine', summary: 'y'.repeat(2001) })],
      ['errors.required', () => compilation.clip(users.moderator, { ...ok, keyPointId: undefined, questionId: q.one, newKeyPoint: { heading: '', summary: '' } })],
      ['errors.required', () => compilation.editKeyPoint(users.moderator, keyPointId, { heading: '   ' })],
      ['errors.choice', () => compilation.createKeyPoint(users.moderator, q.one, { heading: 'Fine', language: 'de' })],
      ['compilation.stance', () => compilation.setStance(users.moderator, { clipId: 1, stance: 'maybe' as never })],
      ['compilation.questionNotFound', () => compilation.createKeyPoint(users.moderator, 99_999_999, { heading: 'Nowhere' })],
    ];
    for (const [message, attempt] of refusals) {
      const error = await attempt().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, message).toMatchObject({ name: 'DomainError', messageKey: message });
    }
    expect(await counts()).toEqual(before);
    expect(await handle.db.selectFrom('keyPoints').select('heading').where('id', '=', keyPointId).executeTakeFirstOrThrow()).toEqual({ heading: 'Refusals' });
  });

  it('refuses a range that cuts a character in two', async () => {
    const text = 'Flag 🇸🇳 here';
    const postId = await post(q.thread11, text);
    const keyPointId = await compilation.createKeyPoint(users.moderator, q.one, { heading: 'Characters' });
    const before = await counts();
    await expect(compilation.clip(users.moderator, { keyPointId, sourceKind: 'post', sourceId: postId, field: 'body', start: 0, end: 6, quote: text.slice(0, 6) })).rejects.toMatchObject({
      messageKey: 'compilation.rangeSplitsCharacter',
    });
    expect(await counts()).toEqual(before);
  });
});

describe('phases', () => {
  it('lets moderators compile from open to synthesis, and nobody once the consultation is final', async () => {
    const postId = await post(q.thread11, 'Words to keep.');
    const keyPointId = await compilation.createKeyPoint(users.moderator, q.one, { heading: 'Before final' });
    try {
      for (const phase of ['compiling', 'synthesis'] as const) {
        await handle.db.updateTable('consultations').set({ phase }).where('id', '=', consultationId).execute();
        await compilation.editKeyPoint(users.moderator, keyPointId, { heading: `Edited in ${phase}` });
      }
      await handle.db.updateTable('consultations').set({ phase: 'final' }).where('id', '=', consultationId).execute();
      const before = await counts();
      for (const write of [
        () => compilation.createKeyPoint(users.admin, q.one, { heading: 'Too late' }),
        () => compilation.editKeyPoint(users.moderator, keyPointId, { heading: 'Too late' }),
        () => compilation.clipWhole(users.moderator, { keyPointId, sourceKind: 'post', sourceId: postId, field: 'body' }),
      ]) {
        await expect(write()).rejects.toMatchObject({ messageKey: 'compilation.closed' });
      }
      expect(await counts()).toEqual(before);
      // Still readable, by staff and participants alike.
      expect((await compilation.list(users.participant, q.one)).keyPoints.some((k) => k.heading === 'Edited in synthesis')).toBe(true);
    } finally {
      await handle.db.updateTable('consultations').set({ phase: 'open' }).where('id', '=', consultationId).execute();
    }
  });
});

describe('merging', () => {
  it('moves every clip to the survivor, keeps the merged point and the history, and closes up the positions', async () => {
    const postA = await post(q.thread11, 'Shared files help.');
    const postB = await post(q.thread11, 'One file per person helps.');
    const survivor = await compilation.createKeyPoint(users.moderator, q.one, { heading: 'Shared files' });
    const merged = await compilation.createKeyPoint(users.moderator, q.one, { heading: 'One file per person' });
    const later = await compilation.createKeyPoint(users.moderator, q.one, { heading: 'After both' });
    const a = await compilation.clipWhole(users.moderator, { keyPointId: survivor, sourceKind: 'post', sourceId: postA, field: 'body' });
    const b = await compilation.clipWhole(users.moderator, { keyPointId: merged, sourceKind: 'post', sourceId: postB, field: 'body', stance: 'disagrees' });
    await compilation.merge(users.moderator, { survivorId: survivor, mergedId: merged });

    const clips = await handle.db.selectFrom('clips').select(['id', 'keyPointId', 'movedFromId', 'quote']).where('id', 'in', [a.clipId, b.clipId]).orderBy('id').execute();
    expect(clips).toEqual([
      { id: a.clipId, keyPointId: survivor, movedFromId: null, quote: 'Shared files help.' },
      { id: b.clipId, keyPointId: survivor, movedFromId: merged, quote: 'One file per person helps.' },
    ]);
    const kept = await handle.db.selectFrom('keyPoints').selectAll().where('id', '=', merged).executeTakeFirstOrThrow();
    expect(kept).toMatchObject({ mergedIntoId: survivor, heading: 'One file per person' });
    expect(await handle.db.selectFrom('keyPointMerges').select(['survivorId', 'mergedId', 'clipsMoved', 'mergedBy']).where('mergedId', '=', merged).execute()).toEqual([
      { survivorId: survivor, mergedId: merged, clipsMoved: 1, mergedBy: users.moderator },
    ]);
    const positions = await livePositions(q.one);
    expect(positions.map(([, p]) => p)).toEqual(positions.map((_, i) => i + 1));
    expect(positions.map(([id]) => id)).not.toContain(merged);
    expect(positions.at(-1)![0]).toBe(later);

    const view = await compilation.list(users.moderator, q.one);
    expect(view.keyPoints.map((k) => k.id)).not.toContain(merged);
    const point = view.keyPoints.find((k) => k.id === survivor)!;
    expect(point.clips.map((c) => c.id)).toEqual([a.clipId, b.clipId]);
    expect(point.mergedFrom).toEqual([merged]);
    const history = await compilation.history(users.moderator, q.one);
    expect(history.find((h) => h.action === 'key_point.merge')).toMatchObject({ subjectId: String(survivor), details: { survivorId: survivor, mergedId: merged, clipsMoved: 1 } });
    expect(history.some((h) => h.action === 'key_point.create' && h.subjectId === String(merged))).toBe(true);

    // A merged point takes no more work; nor can a point be merged into itself or across questions.
    const elsewhere = await compilation.createKeyPoint(users.moderator, q.two, { heading: 'Question two' });
    const before = await counts();
    for (const [message, attempt] of [
      ['compilation.keyPointMerged', () => compilation.merge(users.moderator, { survivorId: later, mergedId: merged })],
      ['compilation.keyPointMerged', () => compilation.merge(users.moderator, { survivorId: merged, mergedId: later })],
      ['compilation.keyPointMerged', () => compilation.editKeyPoint(users.moderator, merged, { heading: 'Revived' })],
      ['compilation.keyPointMerged', () => compilation.clipWhole(users.moderator, { keyPointId: merged, sourceKind: 'post', sourceId: postA, field: 'body' })],
      ['compilation.mergeSelf', () => compilation.merge(users.moderator, { survivorId: later, mergedId: later })],
      ['compilation.mergeAcrossQuestions', () => compilation.merge(users.moderator, { survivorId: later, mergedId: elsewhere })],
      ['compilation.forbidden', () => compilation.merge(users.participant, { survivorId: survivor, mergedId: later })],
    ] as const) {
      await expect((attempt as () => Promise<unknown>)(), message).rejects.toMatchObject({ messageKey: message });
    }
    expect(await counts()).toEqual(before);
  });
});

describe('staleness', () => {
  it('tells when a clipped post is edited, hidden or deleted, or a case study rejected or made restricted', async () => {
    const edited = await post(q.thread11, 'We cut waiting times by half.');
    const hidden = await post(q.thread11, 'Moderators will hide this one.');
    const deleted = await post(q.thread11, 'The author withdraws this one.');
    const gone = await post(q.thread11, 'This row disappears.');
    const rejected = await caseStudy('published', [q.sub11]);
    const restricted = await caseStudy('published', [q.sub11]);
    const untouched = await post(q.thread11, 'Nothing happens to this one.');
    const point = await compilation.createKeyPoint(users.moderator, q.one, { heading: 'Stale sources' });
    const clipOf = async (kind: 'post' | 'case_study', sourceId: number, field: 'body' | 'title' = 'body', end = 4) => {
      const source = await handle.db.selectFrom(kind === 'post' ? 'posts' : 'caseStudies').select(kind === 'post' ? 'bodyText as text' : 'title as text').where('id', '=', sourceId).executeTakeFirstOrThrow();
      return (await compilation.clip(users.moderator, { keyPointId: point, sourceKind: kind, sourceId, field, start: 0, end, quote: (source as { text: string }).text.slice(0, end) })).clipId;
    };
    const ids = {
      edited: (await compilation.clip(users.moderator, { keyPointId: point, sourceKind: 'post', sourceId: edited, field: 'body', start: 7, end: 20, quote: 'waiting times' })).clipId,
      hidden: await clipOf('post', hidden),
      deleted: await clipOf('post', deleted),
      gone: await clipOf('post', gone),
      rejected: await clipOf('case_study', rejected, 'title', 8),
      restricted: await clipOf('case_study', restricted, 'title', 8),
      untouched: await clipOf('post', untouched),
    };
    const states = async (viewer = users.moderator) => {
      const view = (await compilation.list(viewer, q.one)).keyPoints.find((k) => k.id === point)!;
      return Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, view.clips.find((c) => c.id === id)!]));
    };
    expect(Object.values(await states()).map((c) => c.state)).toEqual(Array(7).fill('fresh'));

    await posts.edit(users.author, { postId: edited, text: 'We cut the queues by half.' });
    await posts.moderate(users.moderator, hidden, true, 'Off topic');
    await posts.remove(users.author, deleted);
    await handle.db.deleteFrom('posts').where('id', '=', gone).execute();
    await studies.transition(users.moderator, rejected, 'unpublish', 'Figures to check');
    await studies.transition(users.moderator, rejected, 'reject', 'The figures do not hold');
    await handle.db.updateTable('caseStudies').set({ visibility: 'restricted' }).where('id', '=', restricted).execute();

    const now = await states();
    expect(Object.fromEntries(Object.entries(now).map(([name, c]) => [name, c.state]))).toEqual({
      edited: 'changed',
      hidden: 'hidden',
      deleted: 'withdrawn',
      gone: 'missing',
      rejected: 'rejected',
      restricted: 'restricted',
      untouched: 'fresh',
    });
    // What changed: the words now at the range; the stored quote is kept as clipped.
    expect(now.edited).toMatchObject({ quote: 'waiting times', currentWords: 'the queues by', foundAt: null });
    expect(now.hidden).toMatchObject({ quote: 'Mode', author: { name: 'Author Example' } });

    // Rapporteurs read restricted case studies, but not what moderators hid or authors withdrew
    // (app/contributions/visibility.ts: hidden text is its author's and moderators' alone).
    const reviewed = await states(users.rapporteur);
    for (const name of ['hidden', 'deleted', 'rejected']) {
      expect(reviewed[name], name).toMatchObject({ quote: null, currentWords: null, author: null, stakeholderGroup: null });
    }
    expect(reviewed.restricted).toMatchObject({ state: 'restricted', quote: 'Circular' });

    // Participants read the compilation once the consultation is in synthesis, without the words of sources gone.
    await expect(compilation.list(users.participant, q.one)).rejects.toMatchObject({ messageKey: 'compilation.forbiddenRead' });
    await handle.db.updateTable('consultations').set({ phase: 'synthesis' }).where('id', '=', consultationId).execute();
    try {
      const seen = await states(users.participant);
      expect(seen.untouched).toMatchObject({ state: 'fresh', quote: 'Noth' });
      expect(seen.edited).toMatchObject({ state: 'changed', quote: 'waiting times', currentWords: 'the queues by' });
      for (const name of ['hidden', 'deleted', 'gone', 'rejected', 'restricted']) {
        expect(seen[name], name).toMatchObject({ quote: null, currentWords: null, author: null, stakeholderGroup: null });
      }
      // A case study participants may not read is "missing" to them, as its page answers 404:
      // another state would tell that it exists and what became of it.
      expect([seen.rejected!.state, seen.restricted!.state]).toEqual(['missing', 'missing']);
      await expect(compilation.history(users.participant, q.one)).rejects.toMatchObject({ messageKey: 'compilation.forbiddenRead' });
      expect((await compilation.list(users.participant, q.one)).canEdit).toBe(false);
    } finally {
      await handle.db.updateTable('consultations').set({ phase: 'open' }).where('id', '=', consultationId).execute();
    }
  });
});
