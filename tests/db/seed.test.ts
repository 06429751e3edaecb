import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../db/migrate';
import { readConsultationContent, seedConsultation } from '../../db/seeds/consultation';
import { createConsultationService } from '../../app/consultations/consultations.server';
import { seedDemo } from '../../db/seeds/demo';
import { seedDemoCaseStudies } from '../../db/seeds/demo-case-studies';
import { seedDemoCompilation } from '../../db/seeds/demo-compilation';
import { seedDemoNotes } from '../../db/seeds/demo-notes';
import { createCompilationService } from '../../app/compilation/compilation.server';
import { coverage } from '../../app/compilation/coverage.server';
import { seedDemoPosts } from '../../db/seeds/demo-posts';
import { openTestDatabase } from '../support/database';

type Handle = Awaited<ReturnType<typeof openTestDatabase>>;
let handle: Handle;

beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(() => handle?.drop());

async function dump() {
  const { db } = handle;
  return {
    consultations: await db.selectFrom('consultations').selectAll().orderBy('id').execute(),
    questions: await db.selectFrom('questions').selectAll().orderBy('id').execute(),
    subQuestions: await db.selectFrom('subQuestions').selectAll().orderBy('id').execute(),
    threads: await db.selectFrom('threads').selectAll().orderBy('id').execute(),
  };
}

describe(`migrations and seeding`, () => {
  it('migrating again applies nothing', async () => {
    expect(await migrateToLatest(handle.db)).toEqual([]);
  });

  it('seeds the GFMD 2020 consultation, open, with 5 questions, 19 sub-questions and a thread for each', async () => {
    const result = await seedConsultation(handle.db);
    expect(result.inserted).toBe(1 + 5 + 19 + 5 + 19);
    const before = await dump();
    expect(before.consultations).toHaveLength(1);
    expect(before.consultations[0]).toMatchObject({ slug: 'gfmd-2020-partnerships', phase: 'open', sourceLanguage: 'fr' });
    expect(before.questions.map((q) => q.number)).toEqual(['1', '2', '3', '4', '5']);
    expect(before.subQuestions).toHaveLength(19);
    expect(before.threads).toHaveLength(24);
    expect(before.threads.filter((t) => t.subQuestionId === null).map((t) => t.number)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('seeding twice changes nothing', async () => {
    const before = await dump();
    const again = await seedConsultation(handle.db);
    expect(again).toMatchObject({ inserted: 0, updated: 0 });
    expect(await dump()).toEqual(before);
  });

  it('never resets a phase an admin set, but does carry corrected texts', async () => {
    await handle.db.updateTable('consultations').set({ phase: 'compiling' }).execute();
    const content = readConsultationContent();
    content.questions[0].en = 'Corrected question one';
    const result = await seedConsultation(handle.db, content);
    expect(result).toMatchObject({ inserted: 0, updated: 1 });
    const service = createConsultationService(handle.db);
    const consultation = await service.getBySlug('gfmd-2020-partnerships');
    expect(consultation?.phase).toBe('compiling');
    expect((await service.getQuestion(consultation!.id, '1'))?.text.en).toBe('Corrected question one');
  });

  it('reads questions, sub-questions and threads by their stable numbers', async () => {
    const service = createConsultationService(handle.db);
    const consultation = (await service.getBySlug('gfmd-2020-partnerships'))!;
    expect(consultation.stakeholderGroups.map((g) => g.id)).toEqual(['government', 'civil-society', 'business', 'local-government']);
    expect(consultation.background.fr!.length).toBeGreaterThan(3);
    const thread = await service.getThread(consultation.id, '2.4');
    expect(thread?.subQuestion?.text.en).toMatch(/local, regional or global/);
    expect(thread?.question.number).toBe('2');
    const general = await service.getThread(consultation.id, '4');
    expect(general?.subQuestion).toBeNull();
    expect(await service.getThread(consultation.id, '9.9')).toBeNull();
    expect(await service.getQuestion(consultation.id, '6')).toBeNull();
  });
});

describe('seeded texts and demo data', () => {
  it('stores the forum’s name in every language the content gives, translating a name stored before in French alone', async () => {
    const service = createConsultationService(handle.db);
    const { id } = (await service.getBySlug('gfmd-2020-partnerships'))!;
    await handle.db.updateTable('consultations').set({ forum: 'Forum mondial sur la migration et le développement (FMMD) 2020' }).where('id', '=', id).execute();
    expect((await service.getBySlug('gfmd-2020-partnerships'))!.forum).toEqual({ fr: 'Forum mondial sur la migration et le développement (FMMD) 2020' });
    expect((await seedConsultation(handle.db)).updated).toBeGreaterThan(0); // (question 1's text too, corrected above)
    expect((await service.getBySlug('gfmd-2020-partnerships'))!.forum).toEqual({
      fr: 'Forum mondial sur la migration et le développement (FMMD) 2020',
      en: 'Global Forum on Migration and Development (GFMD) 2020',
      es: 'Foro Mundial sobre Migración y Desarrollo (FMMD) 2020',
    });
  });

  it('tells the author of a featured demo case study, once however often the demo is seeded', { timeout: 60_000 }, async () => {
    await handle.db.updateTable('consultations').set({ phase: 'open' }).execute(); // an earlier test closed it
    const { consultationId } = await seedConsultation(handle.db);
    const featuredNotices = () =>
      handle.db
        .selectFrom('notifications')
        .innerJoin('users', 'users.id', 'notifications.userId')
        .select(['users.email', 'notifications.details'])
        .where('notifications.kind', '=', 'case_study.feature')
        .execute();
    for (let run = 0; run < 2; run++) {
      await seedDemo(handle.db, consultationId);
      await seedDemoPosts(handle.db, consultationId);
      const summary = await seedDemoCaseStudies(handle.db, consultationId);
      expect(summary.featured.length).toBeGreaterThan(0);
      const notices = await featuredNotices();
      expect(notices).toHaveLength(summary.featured.length);
      expect(notices.map((n) => JSON.parse(n.details).thread).sort()).toEqual([...summary.featured].sort());
      expect(notices.some((n) => n.email === 'ana@demo.palabre.org')).toBe(true);
    }
  });

  it('compiles questions 1 and 2 for the demo: merged points, every stance, one stale clip, a group not heard; once however often it runs', { timeout: 60_000 }, async () => {
    const { consultationId } = await seedConsultation(handle.db);
    await seedDemo(handle.db, consultationId);
    await seedDemoPosts(handle.db, consultationId);
    await seedDemoCaseStudies(handle.db, consultationId);
    await seedDemoNotes(handle.db, consultationId);
    const first = await seedDemoCompilation(handle.db, consultationId);
    const again = await seedDemoCompilation(handle.db, consultationId);
    expect(first).toMatchObject({ keyPoints: 4, clips: 9, merged: 1, stale: 1 });
    const counts = async () => ({
      points: Number((await handle.db.selectFrom('keyPoints').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
      clips: Number((await handle.db.selectFrom('clips').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
      merges: Number((await handle.db.selectFrom('keyPointMerges').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    });
    expect(await counts()).toEqual({ points: 4, clips: 9, merges: 1 });
    expect(again.keyPoints).toBe(4);

    const moderator = await handle.db.selectFrom('users').select('id').where('email', '=', 'moderator@demo.palabre.org').executeTakeFirstOrThrow();
    const questions = new Map((await handle.db.selectFrom('questions').select(['id', 'number']).where('consultationId', '=', consultationId).execute()).map((q) => [q.number, q.id]));
    const compilation = createCompilationService(handle.db);
    const q2 = await compilation.list(moderator.id, questions.get('2')!);
    expect(q2.keyPoints).toHaveLength(2); // the third was merged into the first
    expect(q2.keyPoints[0]!.mergedFrom).toHaveLength(1);
    expect(new Set(q2.keyPoints.flatMap((k) => k.clips.map((c) => c.stance)))).toEqual(new Set(['supports', 'qualifies', 'disagrees']));
    const q1 = await compilation.list(moderator.id, questions.get('1')!);
    expect(q1.keyPoints.flatMap((k) => k.clips.map((c) => c.state))).toContain('changed');
    // In 1.1, where business and civil society spoke, some group has not: the table shows it.
    const table = (await coverage(handle.db, consultationId, questions.get('1')!, moderator.id)).filter((r) => r.number === '1.1');
    const received = new Map<string, number>();
    for (const row of table) received.set(row.group, (received.get(row.group) ?? 0) + row.received);
    expect(received.get('business')).toBeGreaterThan(0);
    expect([...received.values()].filter((n) => n === 0).length).toBeGreaterThan(0);
    expect(received.size).toBe(4); // every group has its rows, heard or not
  });
});
