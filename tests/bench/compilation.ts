/**
 * Benchmark scenario `compilation` (issue 12): one question with 2,000 posts, 200 case studies,
 * 100 key points holding 1,000 clips (a few of them stale) and a note citing 100 posts; p50/p99
 * of the coverage query and of the compilation service's `list`, and of a "not yet reflected"
 * page, measured in this process against the database directly; then the compilation page itself
 * (`/c/<slug>/q/1/compilation`, the moderator's, signed in), served by the Palabre server as
 * users run it (a child process), BENCH_COMPILATION_PAGES requests one after another (default
 * 100, after 10 warm-up), with the server's CPU time per page. SQLite always (a fresh file);
 * PostgreSQL too when BENCH_PG_URL or DATABASE_URL is a postgres:// URL (a fresh database
 * beside it, dropped after).
 *
 * Seeding goes straight through Kysely in batches: it is set-up, not what is measured.
 * BENCH_COMPILATION_RUNS: measured calls per figure (default 300, after 30 warm-up calls).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { createAuth } from '../../app/auth/auth.server';
import { createCompilationService, sha256Hex } from '../../app/compilation/compilation.server';
import { openDatabase, type DatabaseHandle } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import type { Database } from '../../db/schema';
import { seedConsultation } from '../../db/seeds/consultation';
import { contributionText, cpuPercent, envNumber, type Scenario, type ScenarioResult } from './scenario';
import { startApp } from './server';
import { round1, summarize } from './stats';
import { onFreshPostgres } from './fresh-postgres';

const POSTS = 2_000;
const CASE_STUDIES = 200;
const KEY_POINTS = 100;
const CLIPS = 1_000;
const GROUPS = ['government', 'civil-society', 'business', 'local-government'];
const LANGUAGES = ['fr', 'en', 'es'];

async function inBatches<T>(rows: T[], size: number, insert: (batch: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

/** Seeds the fixture; resolves to what the measurements need. */
export async function seedCompilationBench(db: Kysely<Database>) {
  const { consultationId } = await seedConsultation(db);
  const now = Date.now();
  const at = (i: number) => new Date(now - (POSTS + CASE_STUDIES - i) * 60_000).toISOString();
  const users = Array.from({ length: 200 }, (_, i) => ({
    id: `bench-user-${i}`,
    email: `bench-${i}@example.org`,
    name: `Bench author ${i}`,
    nameKey: `bench author ${i}`,
    organisation: `Organisation ${i % 37}`,
    // The last group says nothing: a missing voice, as in real consultations.
    stakeholderGroup: GROUPS[i % 3]!,
    country: 'SN',
    passwordHash: 'x',
    createdAt: at(0),
    updatedAt: at(0),
  }));
  users.push({ ...users[0]!, id: 'bench-moderator', email: 'moderator@example.org', name: 'Moderator', nameKey: 'moderator', stakeholderGroup: 'civil-society' });
  await inBatches(users, 100, (batch) => db.insertInto('users').values(batch).execute());
  await db.insertInto('consultationMembers').values({ consultationId, userId: 'bench-moderator', role: 'moderator', createdAt: at(0), updatedAt: at(0) }).execute();

  const question = await db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '1').executeTakeFirstOrThrow();
  const threads = await db.selectFrom('threads').select(['id', 'subQuestionId']).where('questionId', '=', question.id).orderBy('id').execute();
  const subQuestionIds = threads.map((t) => t.subQuestionId).filter((id): id is number => id !== null);

  const posts = Array.from({ length: POSTS }, (_, i) => {
    const text = contributionText(i);
    return {
      threadId: threads[i % threads.length]!.id,
      authorId: users[i % 200]!.id,
      clientId: `bench-${i}`,
      parentId: null,
      rootId: null,
      attribution: (['named', 'organisation', 'chatham'] as const)[i % 3]!,
      language: LANGUAGES[i % 3]!,
      body: JSON.stringify({ root: { type: 'root', children: [{ type: 'paragraph', children: [{ type: 'text', text }] }] } }),
      bodyText: text,
      bodyHtml: `<p>${text}</p>`,
      status: (i % 50 === 49 ? 'hidden' : 'visible') as 'hidden' | 'visible',
      seq: i + 1,
      createdAt: at(i),
      updatedAt: at(i),
      editedAt: null,
    };
  });
  await inBatches(posts, 200, (batch) => db.insertInto('posts').values(batch).execute());
  const postRows = await db.selectFrom('posts').innerJoin('threads', 'threads.id', 'posts.threadId').select(['posts.id', 'posts.bodyText', 'posts.status']).where('threads.questionId', '=', question.id).orderBy('posts.id').execute();

  const studies = Array.from({ length: CASE_STUDIES }, (_, i) => ({
    consultationId,
    authorId: users[(i * 7) % 200]!.id,
    status: 'published' as const,
    visibility: (i % 10 === 9 ? 'restricted' : 'public') as 'public' | 'restricted',
    attribution: 'named' as const,
    language: LANGUAGES[i % 3]!,
    title: `Case study ${i}: a partnership between a city and its diaspora`,
    summary: 'A joint desk, a shared file, a monthly meeting.',
    body: '{}',
    bodyText: contributionText(i),
    bodyHtml: '',
    results: 'Time to a first job offer halved.',
    indicators: 'Days to first offer',
    worked: 'A shared case file.',
    didNotWork: 'Housing.',
    partners: '[]',
    funding: '[]',
    contact: '',
    level: null,
    stage: null,
    reviewNote: null,
    createdAt: at(POSTS + i),
    updatedAt: at(POSTS + i),
    submittedAt: at(POSTS + i),
    publishedAt: at(POSTS + i),
  }));
  await inBatches(studies, 100, (batch) => db.insertInto('caseStudies').values(batch).execute());
  const studyRows = await db.selectFrom('caseStudies').select(['id', 'bodyText', 'visibility']).where('consultationId', '=', consultationId).orderBy('id').execute();
  const tags = studyRows.flatMap((s, i) => [
    { caseStudyId: s.id, kind: 'subQuestion' as const, value: String(subQuestionIds[i % subQuestionIds.length]) },
    ...(i % 4 === 0 ? [{ caseStudyId: s.id, kind: 'subQuestion' as const, value: String(subQuestionIds[(i + 1) % subQuestionIds.length]) }] : []),
  ]);
  await inBatches(tags, 300, (batch) => db.insertInto('caseStudyTags').values(batch).execute());

  const points = Array.from({ length: KEY_POINTS }, (_, i) => ({
    consultationId,
    questionId: question.id,
    heading: `Key point ${i + 1}: shared case files shorten the wait`,
    summary: 'Several contributions from three groups say that one shared file per person, kept by all partners, halves the time to a first offer.',
    position: i + 1,
    language: 'fr',
    authorId: 'bench-moderator',
    clientId: null,
    createdAt: at(0),
    updatedAt: at(0),
  }));
  await inBatches(points, 100, (batch) => db.insertInto('keyPoints').values(batch).execute());
  const pointIds = (await db.selectFrom('keyPoints').select('id').where('questionId', '=', question.id).orderBy('position').execute()).map((p) => p.id);
  const clippable = { posts: postRows.filter((p) => p.status === 'visible'), studies: studyRows.filter((s) => s.visibility === 'public') };
  const clips = Array.from({ length: CLIPS }, (_, i) => {
    const fromStudy = i % 10 === 0;
    const source = fromStudy ? clippable.studies[i % clippable.studies.length]! : clippable.posts[(i * 13) % clippable.posts.length]!;
    const start = (i * 7) % 100;
    const quote = source.bodyText.slice(start, start + 80);
    return {
      keyPointId: pointIds[i % KEY_POINTS]!,
      sourceKind: (fromStudy ? 'case_study' : 'post') as 'case_study' | 'post',
      sourceId: source.id,
      sourceField: 'body' as const,
      startOffset: start,
      endOffset: start + 80,
      quote,
      quoteSha256: sha256Hex(quote),
      stance: (['supports', 'qualifies', 'disagrees'] as const)[i % 3]!,
      clippedBy: 'bench-moderator',
      clippedAt: at(POSTS + CASE_STUDIES),
      clientId: null,
    };
  });
  await inBatches(clips, 100, (batch) => db.insertInto('clips').values(batch).execute());
  // A few sources changed since they were clipped: edited and hidden posts.
  const clippedPosts = [...new Set(clips.filter((c) => c.sourceKind === 'post').map((c) => c.sourceId))];
  for (const id of clippedPosts.slice(0, 10)) await db.updateTable('posts').set({ bodyText: `Edited. ${contributionText(id)}` }).where('id', '=', id).execute();
  await db.updateTable('posts').set({ status: 'hidden' }).where('id', 'in', clippedPosts.slice(10, 15)).execute();

  const { id: noteId } = await db
    .insertInto('notes')
    .values({ consultationId, questionId: question.id, stakeholderGroup: null, title: 'Synthesis of question 1', createdAt: at(0), updatedAt: at(0) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('noteCitations').values(postRows.slice(0, 100).map((p) => ({ noteId, sourceKind: 'post' as const, sourceId: p.id }))).execute();
  return { consultationId, questionId: question.id };
}

/**
 * Wall time per call (p50/p99) and this process's CPU per call (mean): on a machine shared with
 * other work the wall times stretch, the CPU per call much less (for SQLite it includes the
 * database's own work; for PostgreSQL it does not).
 */
async function timed(runs: number, call: () => Promise<unknown>) {
  for (let i = 0; i < 30; i++) await call();
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await call();
    samples.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  return { ...summarize(samples), cpuMs: (cpu.user + cpu.system) / 1000 / runs };
}

/** The compilation page over HTTP, as the bench moderator: wall time per page and the server's CPU per page. */
async function measurePage(handle: DatabaseHandle, location: string, suffix: '' | '_pg', result: ScenarioResult) {
  const pages = envNumber('BENCH_COMPILATION_PAGES', 100);
  const auth = createAuth(handle.db, { secureCookies: false });
  const session = await auth.createSession('bench-moderator', {});
  const cookie = `${auth.sessionCookieName}=${session.id}`;
  const app = await startApp(location);
  try {
    const url = `${app.url}/c/gfmd-2020-partnerships/q/1/compilation`;
    const get = async () => {
      const response = await fetch(url, { headers: { cookie, 'accept-language': 'en' } });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`GET compilation page answered ${response.status}: ${body.slice(0, 200)}`);
      return body.length;
    };
    const bytes = await get();
    for (let i = 0; i < 10; i++) await get();
    const samples: number[] = [];
    const cpu0 = app.cpuSeconds();
    for (let i = 0; i < pages; i++) {
      const t0 = performance.now();
      await get();
      samples.push(performance.now() - t0);
    }
    const cpuMs = ((app.cpuSeconds() - cpu0) * 1000) / pages;
    const wall = summarize(samples);
    Object.assign(result.metrics, {
      [`compilation_page${suffix}_p50_ms`]: round1(wall.p50),
      [`compilation_page${suffix}_p99_ms`]: round1(wall.p99),
      [`compilation_page${suffix}_server_cpu_ms`]: round1(cpuMs),
      [`compilation_page${suffix}_bytes`]: bytes,
    });
    result.notes.push(`compilation_page${suffix}: ${pages} GETs one after another (after 10 warm-up) of the moderator's page of question 1 (${bytes} bytes of HTML, uncompressed), through the Palabre server in its own process`);
    if (app.errors.length) result.problems.push(...app.errors.slice(0, 10).map((e) => `server log: ${e}`));
  } finally {
    await app.stop();
  }
}

async function measure(handle: DatabaseHandle, location: string, suffix: '' | '_pg', runs: number, result: ScenarioResult) {
  const t0 = performance.now();
  await migrateToLatest(handle.db);
  const { consultationId, questionId } = await seedCompilationBench(handle.db);
  result.notes.push(`compilation${suffix || ' (SQLite)'}: seeded ${POSTS} posts, ${CASE_STUDIES} case studies, ${KEY_POINTS} key points, ${CLIPS} clips in ${Math.round(performance.now() - t0)} ms`);
  const service = createCompilationService(handle.db);
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const coverage = await timed(runs, () => service.coverage('bench-moderator', consultationId, questionId));
  const list = await timed(runs, () => service.list('bench-moderator', questionId));
  const unreflected = await timed(runs, () => service.notYetReflected('bench-moderator', consultationId, questionId, { group: 'business' }));
  const cpu = process.cpuUsage(cpu0);
  const view = await service.list('bench-moderator', questionId);
  const table = await service.coverage('bench-moderator', consultationId, questionId);
  const clips = view.keyPoints.reduce((n, k) => n + k.clips.length, 0);
  const stale = view.keyPoints.reduce((n, k) => n + k.clips.filter((c) => c.state !== 'fresh').length, 0);
  if (view.keyPoints.length !== KEY_POINTS || clips !== CLIPS) result.problems.push(`compilation${suffix}: list returned ${view.keyPoints.length} key points, ${clips} clips`);
  result.notes.push(
    `compilation${suffix || ' (SQLite)'}: ${runs} calls each after 30 warm-up; list = ${view.keyPoints.length} points, ${clips} clips (${stale} not fresh); coverage = ${table.length} rows; ` +
      `CPU of this process while measuring: ${cpuPercent((cpu.user + cpu.system) / 1e6, performance.now() - wall0)}% of a core (the database runs in-process for SQLite, in its own server for PostgreSQL)`,
  );
  Object.assign(result.metrics, {
    [`coverage${suffix}_p50_ms`]: round1(coverage.p50),
    [`coverage${suffix}_p99_ms`]: round1(coverage.p99),
    [`compilation_list${suffix}_p50_ms`]: round1(list.p50),
    [`compilation_list${suffix}_p99_ms`]: round1(list.p99),
    [`not_reflected${suffix}_p50_ms`]: round1(unreflected.p50),
    [`not_reflected${suffix}_p99_ms`]: round1(unreflected.p99),
    [`coverage${suffix}_cpu_per_call_ms`]: round1(coverage.cpuMs),
    [`compilation_list${suffix}_cpu_per_call_ms`]: round1(list.cpuMs),
    [`compilation${suffix}_cpu_pct`]: cpuPercent((cpu.user + cpu.system) / 1e6, performance.now() - wall0),
  });
  await measurePage(handle, location, suffix, result);
}

const postgresUrl = () => [process.env.BENCH_PG_URL, process.env.DATABASE_URL].find((u) => u && /^postgres(ql)?:\/\//.test(u)) ?? null;

export const compilation: Scenario = {
  description: `coverage, compilation list and page of one question: ${POSTS} posts, ${CASE_STUDIES} case studies, ${KEY_POINTS} key points, ${CLIPS} clips (SQLite; PostgreSQL with BENCH_PG_URL or DATABASE_URL)`,
  async run() {
    const runs = envNumber('BENCH_COMPILATION_RUNS', 300);
    const result: ScenarioResult = { metrics: {}, notes: [], problems: [] };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palabre-bench-compilation-'));
    const file = path.join(dir, 'palabre.sqlite');
    const sqlite = await openDatabase(file);
    try {
      await measure(sqlite, file, '', runs, result);
    } finally {
      await sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const url = postgresUrl();
    if (!url) {
      result.notes.push('compilation: PostgreSQL not measured (set BENCH_PG_URL or DATABASE_URL to a postgres:// URL)');
      return result;
    }
    await onFreshPostgres(url, 'palabre_bench', (handle, target) => measure(handle, target, '_pg', runs, result));
    return result;
  },
};
