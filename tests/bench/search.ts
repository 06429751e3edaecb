/**
 * Benchmark scenario `search` (issue 15): full-text search over 100,000 posts of 40–250 words in
 * French (40%), English (35%) and Spanish (25%) (search-corpus.ts, search-fixture.ts), on SQLite
 * (a fresh temporary file) and on PostgreSQL (a fresh database beside BENCH_PG_URL, DATABASE_URL
 * or postgres://postgres@127.0.0.1:5432/test, dropped after).
 *
 * The service is called in this process, against the database directly, as the search page's
 * loader will: `search(viewer, { q, filters: {}, page: 1 })` (app/search/search.server.ts). Five query
 * categories, several queries each in the three languages (search-corpus.ts QUERIES): rare words
 * (5 posts), common words (~30% of a language's posts), two words, an exact phrase, a prefix.
 * Per category, as a participant: SEARCH_WARMUP calls (default 20), then SEARCH_RUNS calls
 * (default 200) round-robin over its queries, one after another; the common category once more as
 * the moderator (who also sees hidden posts). Per call: wall ms (p50/p99, stats.ts), this
 * process's CPU ms (SQLite runs in it: that is the database's CPU too), and on PostgreSQL the CPU
 * of this database's server backends (read from /proc: the server must run on this machine).
 * The floor, same run, same database: `select id from posts where id = ?` (random ids).
 *
 * Each query is also run once to count its results (`total`) and to check them: a participant
 * never gets a hidden or deleted post, and a query finds at least the posts that hold its words
 * token for token (more is fine: stemming, accent folding).
 *
 * The insert phase is timed: `search_insert_s` is the database's share of writing the posts
 * (the search index is kept by triggers, so it is included), text generation apart. PostgreSQL
 * gets an ANALYZE after the insert (autovacuum would run one within a minute in production);
 * SQLite none (Palabre never runs one).
 *
 * Keys (SQLite unless `_pg_`): search_p50_ms and search_p99_ms over all participant calls,
 * search_<category>_p50_ms / _p99_ms / _cpu_ms / _hits, search_moderator_common_p50_ms / _p99_ms,
 * search_floor_p50_ms / _p99_ms, search_insert_s (search_insert_100k_s at 100,000 posts),
 * search_pg_… the same on PostgreSQL (search_pg_<category>_db_cpu_ms: the backends' CPU).
 *
 * SEARCH_POSTS: posts to generate (default 100,000; fewer for a quick try: the `_100k_` keys are
 * then not written). SEARCH_DATABASES: `sqlite,postgres` (default) or one of them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { cpuWindow } from './machine';
import { envNumber, type Scenario, type ScenarioResult } from './scenario';
import { QUERIES, QUERY_CATEGORIES, prng, type QueryCategory } from './search-corpus';
import { seedSearchBench, type SearchFixture } from './search-fixture';
import { createSearchService, type SearchService, type Searcher as SearchViewer } from '../../app/search/search.server';
import { treeCpuSeconds } from './server';
import { round1, summarize } from './stats';
import { onFreshPostgres } from './fresh-postgres';

const DEFAULT_POSTS = 100_000;
/** Floor figures are fractions of a millisecond: two decimals. */
const round2 = (v: number) => (Number.isFinite(v) ? Math.round(v * 100) / 100 : -1);
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

const postgresUrl = () => [process.env.BENCH_PG_URL, process.env.DATABASE_URL].find((u) => u && /^postgres(ql)?:\/\//.test(u)) ?? DEFAULT_PG_URL;

/** One line of the printed table. */
interface Row {
  category: string;
  db: 'sqlite' | 'postgres';
  p50: number;
  p99: number;
  /** This process's CPU per call, ms. */
  cpuMs: number;
  /** PostgreSQL: its backends' CPU per call, ms (-1 when not readable); SQLite: null. */
  dbCpuMs: number | null;
  /** Sum of `total` over the category's queries, each run once. */
  hits: number;
}

/**
 * CPU seconds of this database's server backends (PostgreSQL on this machine), by pid; the
 * snapshot's own query is a few microseconds of the figure.
 */
async function backendCpu(handle: DatabaseHandle): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(handle.db);
  return new Map(rows.filter((r) => fs.existsSync(`/proc/${r.pid}`)).map((r) => [r.pid, treeCpuSeconds(r.pid)]));
}
const cpuDeltaMs = (before: Map<number, number>, after: Map<number, number>) =>
  after.size === 0 ? Number.NaN : [...after].reduce((sum, [pid, cpu]) => sum + cpu - (before.get(pid) ?? 0), 0) * 1000;

/**
 * `warm` calls, then `runs` calls round-robin over `calls`, one after another: wall ms samples,
 * this process's CPU ms per call, the database backends' CPU ms per call (PostgreSQL).
 */
async function timed(runs: number, warm: number, calls: (() => Promise<unknown>)[], handle: DatabaseHandle) {
  for (let i = 0; i < warm; i++) await calls[i % calls.length]!();
  const samples: number[] = [];
  const backends0 = handle.kind === 'postgres' ? await backendCpu(handle) : null;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const call = calls[i % calls.length]!;
    const t0 = performance.now();
    await call();
    samples.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  const dbCpuMs = backends0 ? cpuDeltaMs(backends0, await backendCpu(handle)) / runs : null;
  return { samples, ...summarize(samples), cpuMs: (cpu.user + cpu.system) / 1000 / runs, dbCpuMs: dbCpuMs === null ? null : Number.isFinite(dbCpuMs) ? dbCpuMs : -1 };
}

/** Runs each query once: the sum of totals, and problems with what came back. */
async function checkQueries(service: SearchService, viewer: SearchViewer, queries: string[], fx: SearchFixture, label: string, asModerator: boolean, problems: string[], notes: string[]) {
  let hits = 0;
  const counts: string[] = [];
  for (const q of queries) {
    const r = await service.search(viewer, { q, filters: {}, page: 1 });
    const expected = fx.expected[q]!;
    hits += r.total;
    counts.push(`${q} ${r.total} (token matches: ${asModerator ? expected.all : expected.visible})`);
    if (r.problem) problems.push(`${label}: "${q}" answered problem ${r.problem}`);
    const floor = asModerator ? expected.all : expected.visible;
    if (r.total < floor) problems.push(`${label}: "${q}" found ${r.total} results, but ${floor} posts hold it token for token`);
    if (!asModerator) {
      const leaked = r.hits.filter((h) => h.kind === 'post' && fx.notVisible.has(h.id));
      if (leaked.length) problems.push(`${label}: "${q}" showed a participant ${leaked.length} hidden or deleted posts (${leaked.slice(0, 5).map((h) => h.id).join(', ')})`);
      if (r.hits.some((h) => h.realAuthor)) problems.push(`${label}: "${q}" gave a participant the real author of a post`);
    }
    if (r.total > 0 && r.hits.length === 0) problems.push(`${label}: "${q}" counted ${r.total} results but returned none on page 1`);
  }
  notes.push(`${label}: ${counts.join('; ')}`);
  return hits;
}

async function measure(handle: DatabaseHandle, suffix: '' | '_pg', count: number, result: ScenarioResult, rows: Row[]) {
  const m = result.metrics;
  const dbName = handle.kind === 'postgres' ? 'PostgreSQL' : 'SQLite';
  const db = handle.kind === 'postgres' ? 'postgres' : 'sqlite';
  const runs = envNumber('SEARCH_RUNS', 200);
  const warm = envNumber('SEARCH_WARMUP', 20);

  await migrateToLatest(handle.db);
  // The service first: without it, nothing is worth generating.
  const service = createSearchService(handle.db);
  const load = os.loadavg()[0]!;
  const fx = await seedSearchBench(handle.db, count);
  let analyzeMs = 0;
  if (handle.kind === 'postgres') {
    const a0 = performance.now();
    await sql`analyze`.execute(handle.db);
    analyzeMs = performance.now() - a0;
  }
  const insertS = fx.insertMs / 1000;
  Object.assign(m, {
    [`search${suffix}_posts`]: count,
    [`search${suffix}_insert_s`]: round1(insertS),
    [`search${suffix}_generate_s`]: round1(fx.generateMs / 1000),
    ...(count === DEFAULT_POSTS ? { [`search${suffix}_insert_100k_s`]: round1(insertS) } : {}),
  });
  result.notes.push(
    `search (${dbName}): ${fx.posts} posts over the ${fx.threads} threads of the default consultation (${Object.entries(fx.byLanguage).map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
      `${Object.entries(fx.byStatus).map(([k, v]) => `${k} ${v}`).join(', ')}; ${fx.words.min}–${fx.words.max} words, mean ${fx.words.mean}), ${USERS_NOTE}; ` +
      `insert ${round1(insertS)} s (${Math.round(count / Math.max(insertS, 0.001))} posts/s, index triggers included), text generation ${round1(fx.generateMs / 1000)} s apart, users ${Math.round(fx.usersMs)} ms` +
      `${handle.kind === 'postgres' ? `, ANALYZE ${Math.round(analyzeMs)} ms` : ''}; load average before ${load.toFixed(2)}`,
  );

  const participant: SearchViewer = { userId: fx.participantId, consultationId: fx.consultationId };
  const moderator: SearchViewer = { userId: fx.moderatorId, consultationId: fx.consultationId };
  const call = (viewer: SearchViewer, q: string) => () => service.search(viewer, { q, filters: {}, page: 1 });

  const window = cpuWindow();
  const wall0 = performance.now();
  // The floor: a primary-key lookup through the same Kysely handle.
  const random = prng(7);
  const [lo, hi] = fx.idRange;
  const floorCall = () => handle.db.selectFrom('posts').select('id').where('id', '=', lo + Math.floor(random() * (hi - lo + 1))).executeTakeFirst();
  const floor = await timed(runs, warm, [floorCall], handle);
  Object.assign(m, { [`search${suffix}_floor_p50_ms`]: round2(floor.p50), [`search${suffix}_floor_p99_ms`]: round2(floor.p99) });
  rows.push({ category: 'floor (id lookup)', db, p50: floor.p50, p99: floor.p99, cpuMs: floor.cpuMs, dbCpuMs: floor.dbCpuMs, hits: -1 });

  const all: number[] = [];
  for (const category of QUERY_CATEGORIES) {
    const queries = QUERIES[category];
    const hits = await checkQueries(service, participant, queries, fx, `search${suffix} ${category}`, false, result.problems, result.notes);
    const t = await timed(runs, warm, queries.map((q) => call(participant, q)), handle);
    all.push(...t.samples);
    rows.push({ category, db, p50: t.p50, p99: t.p99, cpuMs: t.cpuMs, dbCpuMs: t.dbCpuMs, hits });
    Object.assign(m, {
      [`search${suffix}_${category}_p50_ms`]: round1(t.p50),
      [`search${suffix}_${category}_p99_ms`]: round1(t.p99),
      [`search${suffix}_${category}_cpu_ms`]: round1(t.cpuMs),
      [`search${suffix}_${category}_hits`]: hits,
      ...(t.dbCpuMs !== null ? { [`search${suffix}_${category}_db_cpu_ms`]: round1(t.dbCpuMs) } : {}),
    });
  }
  const moderatorCategory: QueryCategory = 'common';
  const modHits = await checkQueries(service, moderator, QUERIES[moderatorCategory], fx, `search${suffix} ${moderatorCategory} (moderator)`, true, result.problems, result.notes);
  const mod = await timed(runs, warm, QUERIES[moderatorCategory].map((q) => call(moderator, q)), handle);
  rows.push({ category: `${moderatorCategory} (moderator)`, db, p50: mod.p50, p99: mod.p99, cpuMs: mod.cpuMs, dbCpuMs: mod.dbCpuMs, hits: modHits });
  const overall = summarize(all);
  const other = window.otherPercent();
  Object.assign(m, {
    [`search${suffix}_moderator_${moderatorCategory}_p50_ms`]: round1(mod.p50),
    [`search${suffix}_moderator_${moderatorCategory}_p99_ms`]: round1(mod.p99),
    [`search${suffix}_p50_ms`]: round1(overall.p50),
    [`search${suffix}_p99_ms`]: round1(overall.p99),
    [`search${suffix}_other_cpu_pct`]: other,
  });
  result.notes.push(
    `search (${dbName}): per category ${warm} warm-up then ${runs} calls round-robin over its queries, one after another, page 1, no filter, as a participant (common: also as the moderator); ` +
      `${Math.round((performance.now() - wall0) / 1000)} s of measuring, other processes meanwhile ${other}% of a core${handle.kind === 'postgres' ? ' (the PostgreSQL server counts as other: its backends’ CPU is in the db CPU column)' : ''}`,
  );
  if (other > 10) result.problems.push(`search (${dbName}): other processes used ${other}% of a core while measuring: the wall-clock figures are stretched (CPU per call much less)`);
}

const USERS_NOTE = '300 participants in 4 stakeholder groups and 30 countries, a moderator';

function printTable(rows: Row[]) {
  const head = ['category', 'db', 'p50 ms', 'p99 ms', 'CPU ms/op', 'db CPU ms/op', 'hits total'];
  const cells = rows.map((r) => [
    r.category,
    r.db,
    r.p50.toFixed(2),
    r.p99.toFixed(2),
    r.cpuMs.toFixed(2),
    r.dbCpuMs === null ? '(in CPU)' : r.dbCpuMs < 0 ? 'n/a' : r.dbCpuMs.toFixed(2),
    r.hits < 0 ? '' : String(r.hits),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = widths.map((w) => '-'.repeat(w)).join('-+-');
  const fmt = (c: string[]) => c.map((v, i) => (i < 2 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(' | ');
  console.log(`\n  Search, per call (CPU: this process, which holds SQLite; db CPU: PostgreSQL's backends):`);
  console.log(`  ${line}\n  ${fmt(head)}\n  ${line}`);
  for (const c of cells) console.log(`  ${fmt(c)}`);
  console.log(`  ${line}`);
}

export const search: Scenario = {
  description: `full-text search over ${DEFAULT_POSTS.toLocaleString('en')} posts in fr/en/es (SEARCH_POSTS): p50/p99 of rare, common, two-word, phrase and prefix queries on SQLite and PostgreSQL, with a primary-key floor`,
  async run() {
    const count = envNumber('SEARCH_POSTS', DEFAULT_POSTS);
    const databases = (process.env.SEARCH_DATABASES || 'sqlite,postgres').split(',').map((s) => s.trim());
    const result: ScenarioResult = { metrics: {}, notes: [], problems: [] };
    const rows: Row[] = [];
    try {
      if (databases.includes('sqlite')) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palabre-bench-search-'));
        const sqlite = await openDatabase(path.join(dir, 'palabre.sqlite'));
        try {
          await measure(sqlite, '', count, result, rows);
        } finally {
          await sqlite.close();
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
      if (databases.includes('postgres')) {
        try {
          await onPostgres(postgresUrl(), (handle) => measure(handle, '_pg', count, result, rows));
        } catch (error) {
          // The SQLite figures stand on their own: kept, and the failure said.
          if (!databases.includes('sqlite')) throw error;
          result.problems.push(`search (PostgreSQL) not measured: ${(error as Error).message}`);
        }
      }
    } finally {
      if (rows.length) printTable(rows);
    }
    if (count !== DEFAULT_POSTS) result.notes.push(`search: SEARCH_POSTS=${count}, not ${DEFAULT_POSTS}: the figures are not the issue's, and search_insert_100k_s is not written`);
    return result;
  },
};

/** A fresh PostgreSQL database beside `url` for `work`, dropped after (others' data untouched). */
const onPostgres = (url: string, work: (handle: DatabaseHandle) => Promise<void>) => onFreshPostgres(url, 'palabre_bench_search', work);
