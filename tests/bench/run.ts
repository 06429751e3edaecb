/**
 * The benchmark runner: `npm run bench` runs every scenario; `npm run bench -- threads` one
 * group; `npm run bench -- fanout` (or `threads/fanout`) one scenario. Prints a table and the
 * targets, and merges the figures into the JSON file named by BENCH_OUT (bench-results.json).
 *
 * Shorter runs for a smoke test: BENCH_FANOUT_SIZES=200 BENCH_FANOUT_SECONDS=3
 * BENCH_SUSTAINED_SECONDS=5 BENCH_PAGE_POSTS=200 BENCH_PAGE_SECONDS=3; the cluster group:
 * BENCH_CLUSTER_LISTENERS=200 BENCH_CLUSTER_EDITORS=10 BENCH_NOTES_SECONDS=5; search: SEARCH_POSTS=5000
 * SEARCH_RUNS=50 (SEARCH_DATABASES=sqlite to leave PostgreSQL out).
 * BENCH_WAIT_IDLE_SECONDS=N waits up to N s before each scenario for other processes to
 * quieten (they share the 2 cores and distort the figures; their CPU use is reported).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cluster, CLUSTER_OVERHEAD_TARGET_MS } from './cluster';
import { compilation } from './compilation';
import { exportsScenario } from './exports';
import { fanout } from './fanout';
import { notes } from './notes';
import type { Scenario, ScenarioResult } from './scenario';
import { cpuWindow, waitForQuiet } from './machine';
import { RAISED_LIMITS, stopAllChildren } from './server';
import { search } from './search';
import { sustained } from './sustained';
import { threadPage } from './thread-page';
import { pageWeight } from './page-weight';

/** group → scenario name → scenario. A later group (notes…) adds its own entry. */
const REGISTRY: Record<string, Record<string, Scenario>> = {
  threads: {
    fanout,
    sustained,
    'thread-page': threadPage,
  },
  notes: {
    notes,
  },
  pages: {
    'page-weight': pageWeight,
  },
  compilation: {
    compilation,
  },
  exports: {
    exports: exportsScenario,
  },
  cluster: {
    cluster,
  },
  search: {
    search,
  },
};

/** Longest a scenario may take before the runner gives up on it. */
const SCENARIO_TIMEOUT_MS = 20 * 60_000;

interface Target {
  label: string;
  check(r: Record<string, number>): { met: boolean; detail: string } | null;
}

const has = (r: Record<string, number>, ...keys: string[]) => keys.every((k) => typeof r[k] === 'number');

const TARGETS: Target[] = [
  { label: 'fan-out 1,000: p99 ≤ 50 ms', check: (r) => (has(r, 'fanout_1000_p99_ms') ? { met: r.fanout_1000_p99_ms <= 50, detail: `${r.fanout_1000_p99_ms} ms` } : null) },
  {
    label: 'fan-out 1,000: p99 ≤ 1.5 × bare Socket.io',
    check: (r) =>
      has(r, 'fanout_1000_p99_ms', 'fanout_1000_bare_p99_ms')
        ? { met: r.fanout_1000_p99_ms <= 1.5 * r.fanout_1000_bare_p99_ms, detail: `${r.fanout_1000_p99_ms} ms vs bare ${r.fanout_1000_bare_p99_ms} ms (×${(r.fanout_1000_p99_ms / r.fanout_1000_bare_p99_ms).toFixed(2)})` }
        : null,
  },
  { label: 'fan-out 5,000: p99 ≤ 150 ms', check: (r) => (has(r, 'fanout_5000_p99_ms') ? { met: r.fanout_5000_p99_ms <= 150, detail: `${r.fanout_5000_p99_ms} ms` } : null) },
  {
    label: 'fan-out: 0 lost, 0 duplicated',
    check: (r) => {
      const keys = Object.keys(r).filter((k) => /^fanout_\d+_(lost|duplicated)$/.test(k));
      if (!keys.length) return null;
      const bad = keys.filter((k) => r[k] !== 0);
      return { met: bad.length === 0, detail: keys.map((k) => `${k}=${r[k]}`).join(', ') };
    },
  },
  { label: 'sustained 200/s: ack p99 ≤ 50 ms', check: (r) => (has(r, 'sustained_ack_p99_ms') ? { met: r.sustained_ack_p99_ms <= 50, detail: `${r.sustained_ack_p99_ms} ms` } : null) },
  {
    label: 'sustained: 0 lost, 0 duplicated',
    check: (r) =>
      has(r, 'sustained_lost', 'sustained_duplicated')
        ? { met: r.sustained_lost === 0 && r.sustained_duplicated === 0, detail: `lost ${r.sustained_lost}, duplicated ${r.sustained_duplicated}` }
        : null,
  },
  { label: 'thread page: ≥ 250 req/s', check: (r) => (has(r, 'thread_page_rps') ? { met: r.thread_page_rps >= 250, detail: `${r.thread_page_rps} req/s` } : null) },
  { label: 'thread page: ≥ 250 req/s with gzip', check: (r) => (has(r, 'thread_page_gzip_rps') ? { met: r.thread_page_gzip_rps >= 250, detail: `${r.thread_page_gzip_rps} req/s` } : null) },
  {
    label: 'thread page: CPU per request ≤ 5 × a bare renderToString of its posts',
    check: (r) =>
      has(r, 'thread_page_floor_ratio')
        ? { met: r.thread_page_floor_ratio <= 5, detail: `${r.thread_page_cpu_ms} ms vs floor ${r.thread_page_floor_cpu_ms} ms (×${r.thread_page_floor_ratio})` }
        : null,
  },
  {
    label: 'thread page, signed in (always rendered): ≥ 250 req/s with gzip',
    check: (r) =>
      has(r, 'thread_page_signed_in_gzip_rps')
        ? { met: r.thread_page_signed_in_gzip_rps >= 250, detail: `${r.thread_page_signed_in_gzip_rps} req/s, ${r.thread_page_signed_in_gzip_cpu_ms ?? r.thread_page_signed_in_cpu_ms} ms CPU per request` }
        : null,
  },
  { label: 'thread page: p99 ≤ 50 ms', check: (r) => (has(r, 'thread_page_p99_ms') ? { met: r.thread_page_p99_ms <= 50, detail: `${r.thread_page_p99_ms} ms` } : null) },
  { label: 'thread page: JavaScript ≤ 150 KB gzip', check: (r) => (has(r, 'thread_js_gzip_kb') ? { met: r.thread_js_gzip_kb <= 150, detail: `${r.thread_js_gzip_kb} KB (+ ${r.thread_editor_js_gzip_kb} KB of editor on focus; note page ${r.note_js_gzip_kb} KB)` } : null) },
  {
    label: 'thread page, 400 kbps / 400 ms: rich composer editable ≤ 3,000 ms after readable',
    check: (r) => (has(r, 'thread_editor_ready_slow_ms') ? { met: r.thread_editor_ready_slow_ms <= 3000, detail: `${r.thread_editor_ready_slow_ms} ms (readable at ${r.thread_readable_slow_ms} ms)` } : null),
  },
  {
    label: 'thread page, 400 kbps / 400 ms: a contribution typed at once is shown ≤ 3,000 ms after readable',
    check: (r) => (has(r, 'thread_post_slow_ms') ? { met: r.thread_post_slow_ms <= 3000, detail: `${r.thread_post_slow_ms} ms (slowest ${r.thread_post_slow_max_ms} ms)` } : null),
  },
  { label: 'co-editing 100: keystroke → all replicas p99 ≤ 100 ms', check: (r) => (has(r, 'coedit_100_p99_ms') ? { met: r.coedit_100_p99_ms <= 100, detail: `${r.coedit_100_p99_ms} ms` } : null) },
  {
    label: 'co-editing 100: all replicas identical within 1 s of the last keystroke',
    check: (r) => {
      const identical = (r as Record<string, unknown>).coedit_100_identical;
      if (!has(r, 'coedit_100_converge_ms') || typeof identical !== 'boolean') return null;
      const met = identical && r.coedit_100_converge_ms >= 0 && r.coedit_100_converge_ms <= 1000;
      return { met, detail: `${identical ? 'identical' : 'NOT identical'}, converged ${r.coedit_100_converge_ms} ms after the last keystroke` };
    },
  },
  { label: 'compilation: coverage query p99 ≤ 20 ms (SQLite)', check: (r) => (has(r, 'coverage_p99_ms') ? { met: r.coverage_p99_ms <= 20, detail: `${r.coverage_p99_ms} ms` } : null) },
  {
    label: 'compilation: page p99 ≤ 100 ms (SQLite)',
    check: (r) =>
      has(r, 'compilation_page_p99_ms')
        ? { met: r.compilation_page_p99_ms <= 100, detail: `${r.compilation_page_p99_ms} ms (p50 ${r.compilation_page_p50_ms} ms, server CPU ${r.compilation_page_server_cpu_ms} ms per page; PostgreSQL p99 ${r.compilation_page_pg_p99_ms ?? 'not measured'} ms)` }
        : null,
  },
  { label: 'exports: 50-page note with 300 citations to DOCX ≤ 1,000 ms', check: (r) => (has(r, 'export_docx_ms') ? { met: r.export_docx_ms <= 1000, detail: `${r.export_docx_ms} ms median (p95 ${r.export_docx_p95_ms} ms, cold ${r.export_docx_cold_ms} ms; docx package ${r.export_docx_package_ms} ms of it)` } : null) },
  { label: 'exports: 50-page note with 300 citations to PDF ≤ 1,500 ms', check: (r) => (has(r, 'export_pdf_ms') ? { met: r.export_pdf_ms <= 1500, detail: `${r.export_pdf_ms} ms median (p95 ${r.export_pdf_p95_ms} ms, cold ${r.export_pdf_cold_ms} ms; Typst alone in the worker ${r.export_render_pdf_ms} ms)` } : null) },
  {
    label: 'exports: event-loop lag p99 ≤ 20 ms while exporting',
    check: (r) =>
      has(r, 'export_event_loop_lag_p99_ms')
        ? { met: r.export_event_loop_lag_p99_ms <= 20, detail: `${r.export_event_loop_lag_p99_ms} ms (max ${r.export_event_loop_lag_max_ms} ms; idle floor p99 ${r.export_event_loop_lag_idle_p99_ms} ms)` }
        : null,
  },
  {
    label: 'co-editing 100: a bare Socket.io relay of the same updates (the floor, same run)',
    check: (r) =>
      has(r, 'coedit_100_p99_ms', 'coedit_100_bare_p99_ms')
        ? {
            met: true,
            detail: `p99 ${r.coedit_100_p99_ms} ms vs bare ${r.coedit_100_bare_p99_ms} ms; server CPU ${r.coedit_server_cpu_us_per_update ?? r.coedit_100_server_cpu_us_per_update} µs per update received vs bare ${r.coedit_100_bare_server_cpu_us_per_update} µs; bare relay ${r.coedit_100_bare_missing_deliveries ?? '?'} deliveries missing 60 s after the last keystroke, replicas ${(r as Record<string, unknown>).coedit_100_bare_identical === true ? 'identical' : 'NOT identical'} (no target set)`,
          }
        : null,
  },
  {
    label: `cluster: fan-out 1,000 over two nodes (PostgreSQL + Redis): p99 ≤ one node + ${CLUSTER_OVERHEAD_TARGET_MS} ms`,
    check: (r) =>
      has(r, 'cluster_overhead_p99_ms', 'cluster_fanout_1000_p99_ms', 'cluster_fanout_1000_one_node_p99_ms')
        ? {
            met: r.cluster_overhead_p99_ms <= CLUSTER_OVERHEAD_TARGET_MS,
            detail: `${r.cluster_fanout_1000_p99_ms} ms vs ${r.cluster_fanout_1000_one_node_p99_ms} ms on one node without Redis (${r.cluster_overhead_p99_ms >= 0 ? '+' : ''}${r.cluster_overhead_p99_ms} ms); server CPU per post: node 1 ${r.cluster_fanout_1000_node1_server_cpu_ms_per_post} ms, node 2 ${r.cluster_fanout_1000_node2_server_cpu_ms_per_post} ms, Redis ${r.cluster_fanout_1000_redis_cpu_ms_per_post} ms; one node ${r.cluster_fanout_1000_one_node_server_cpu_ms_per_post} ms`,
          }
        : null,
  },
  {
    label: `cluster: co-editing 100 over two nodes: p99 ≤ one node + ${CLUSTER_OVERHEAD_TARGET_MS} ms`,
    check: (r) =>
      has(r, 'cluster_coedit_100_overhead_p99_ms', 'cluster_coedit_100_p99_ms', 'cluster_coedit_100_one_node_p99_ms')
        ? {
            met: r.cluster_coedit_100_overhead_p99_ms <= CLUSTER_OVERHEAD_TARGET_MS,
            detail: `${r.cluster_coedit_100_p99_ms} ms vs ${r.cluster_coedit_100_one_node_p99_ms} ms on one node without Redis (${r.cluster_coedit_100_overhead_p99_ms >= 0 ? '+' : ''}${r.cluster_coedit_100_overhead_p99_ms} ms); server CPU per update received: node 1 ${r.cluster_coedit_100_node1_server_cpu_us_per_update} µs, node 2 ${r.cluster_coedit_100_node2_server_cpu_us_per_update} µs, Redis ${r.cluster_coedit_100_redis_cpu_us_per_update} µs; one node ${r.cluster_coedit_100_one_node_server_cpu_us_per_update} µs`,
          }
        : null,
  },
  {
    label: 'cluster: 0 lost, 0 duplicated, replicas identical',
    check: (r) => {
      const counts = Object.keys(r).filter((k) => /^cluster_fanout_\d+(_one_node)?_(lost|duplicated)$/.test(k));
      const flags = Object.keys(r).filter((k) => /^cluster_coedit_\d+(_one_node)?_identical$/.test(k));
      if (!counts.length && !flags.length) return null;
      const bad = [...counts.filter((k) => r[k] !== 0), ...flags.filter((k) => (r as Record<string, unknown>)[k] !== true)];
      return { met: bad.length === 0, detail: [...counts.map((k) => `${k}=${r[k]}`), ...flags.map((k) => `${k}=${(r as Record<string, unknown>)[k]}`)].join(', ') };
    },
  },

  {
    label: 'search, 100,000 posts: p50 ≤ 5 ms (SQLite)',
    check: (r) =>
      has(r, 'search_p50_ms')
        ? { met: r.search_p50_ms <= 5, detail: `${r.search_p50_ms} ms over all categories (floor ${r.search_floor_p50_ms ?? '?'} ms; ${r.search_posts ?? '?'} posts; PostgreSQL p50 ${r.search_pg_p50_ms ?? 'not measured'} ms)` }
        : null,
  },
  {
    label: 'search, 100,000 posts: p99 ≤ 50 ms (SQLite)',
    check: (r) =>
      has(r, 'search_p99_ms')
        ? { met: r.search_p99_ms <= 50, detail: `${r.search_p99_ms} ms over all categories, common words ${r.search_common_p99_ms ?? '?'} ms (PostgreSQL p99 ${r.search_pg_p99_ms ?? 'not measured'} ms)` }
        : null,
  },
  { label: 'notes: loading a 100k-update history', check: (r) => (has(r, 'note_load_100k_ms') ? { met: true, detail: `${r.note_load_100k_ms} ms (no target set)` } : null) },
];

function select(args: string[]): { group: string; name: string; scenario: Scenario }[] {
  const all = Object.entries(REGISTRY).flatMap(([group, scenarios]) => Object.entries(scenarios).map(([name, scenario]) => ({ group, name, scenario })));
  if (!args.length) return all;
  const picked: typeof all = [];
  for (const arg of args) {
    const normalized = arg.replace(/_/g, '-');
    const matches = all.filter((s) => s.group === arg || s.name === normalized || `${s.group}/${s.name}` === normalized);
    if (!matches.length) {
      const names = Object.entries(REGISTRY).map(([g, ss]) => `${g} (${Object.keys(ss).join(', ')})`);
      throw new Error(`unknown group or scenario "${arg}"; known: ${names.join('; ')}`);
    }
    for (const m of matches) if (!picked.includes(m)) picked.push(m);
  }
  return picked;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 60_000} min`)), ms);
    }),
  ]);
}

function printTable(rows: { scenario: string; metric: string; value: number | boolean }[]) {
  const w1 = Math.max(8, ...rows.map((r) => r.scenario.length));
  const w2 = Math.max(6, ...rows.map((r) => r.metric.length));
  const line = `${'-'.repeat(w1)}-+-${'-'.repeat(w2)}-+-${'-'.repeat(10)}`;
  console.log(line);
  console.log(`${'scenario'.padEnd(w1)} | ${'metric'.padEnd(w2)} | ${'value'.padStart(10)}`);
  console.log(line);
  for (const r of rows) console.log(`${r.scenario.padEnd(w1)} | ${r.metric.padEnd(w2)} | ${String(r.value).padStart(10)}`);
  console.log(line);
}

async function main() {
  const selected = select(process.argv.slice(2).filter((a) => a !== '--'));
  const out = path.resolve(process.env.BENCH_OUT || 'bench-results.json');
  const started = Date.now();
  console.log(`Palabre benchmark: ${selected.map((s) => `${s.group}/${s.name}`).join(', ')}`);
  console.log(
    `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}. Load generators and the server under test share these cores.`,
  );
  console.log(`Server under test: tsx server/index.ts, NODE_ENV=production, fresh SQLite file per scenario (cluster: a fresh PostgreSQL database and Redis prefix).`);
  console.log(`Policy limits raised for the benchmark (not performance figures): ${Object.entries(RAISED_LIMITS).map(([k, v]) => `${k}=${v}`).join(', ')}`);

  const machine: Record<string, number> = {};
  const idleWait = Number(process.env.BENCH_WAIT_IDLE_SECONDS ?? 0) || 0;
  const results: { group: string; name: string; result?: ScenarioResult; error?: string; seconds: number }[] = [];
  for (const { group, name, scenario } of selected) {
    const key = name.replace(/-/g, '_');
    console.log(`\n▶ ${group}/${name}: ${scenario.description}`);
    const quiet = await waitForQuiet(idleWait);
    console.log(
      `  other processes before: ${quiet.otherPercent}% of a core${quiet.waitedSeconds > 2 ? ` (waited ${quiet.waitedSeconds} s for the machine to quieten)` : ''}`,
    );
    machine[`${key}_other_cpu_pct_before`] = quiet.otherPercent;
    const window = cpuWindow();
    const t0 = Date.now();
    try {
      const result = await withTimeout(scenario.run(), SCENARIO_TIMEOUT_MS, `${group}/${name}`);
      const other = window.otherPercent();
      machine[`${key}_other_cpu_pct_during`] = other;
      if (other > 10) {
        result.problems.push(
          `${group}/${name}: other processes on this machine used ${other}% of a core during the scenario: its figures are distorted (run again on a quiet machine, or set BENCH_WAIT_IDLE_SECONDS)`,
        );
      }
      results.push({ group, name, result, seconds: (Date.now() - t0) / 1000 });
      console.log(`  done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    } catch (error) {
      const message = (error as Error).stack ?? String(error);
      results.push({ group, name, error: message, seconds: (Date.now() - t0) / 1000 });
      console.error(`  FAILED: ${message}`);
      stopAllChildren();
    }
  }

  const metrics: Record<string, number | boolean> = {};
  const rows: { scenario: string; metric: string; value: number | boolean }[] = [];
  for (const r of results) {
    for (const [metric, value] of [...Object.entries(r.result?.metrics ?? {}), ...Object.entries(r.result?.flags ?? {})]) {
      metrics[metric] = value;
      rows.push({ scenario: `${r.group}/${r.name}`, metric, value });
    }
    metrics[`${r.name.replace(/-/g, '_')}_duration_s`] = Math.round(r.seconds);
  }
  for (const [metric, value] of Object.entries(machine)) {
    metrics[metric] = value;
    rows.push({ scenario: 'machine', metric, value });
  }

  console.log('\nResults (ms unless the name says otherwise; *_cpu_pct: 100 = one core):');
  printTable(rows);

  const notes = results.flatMap((r) => r.result?.notes ?? []);
  if (notes.length) {
    console.log('\nNotes:');
    for (const n of notes) console.log(`  - ${n}`);
  }
  const problems = results.flatMap((r) => [...(r.result?.problems ?? []), ...(r.error ? [`${r.group}/${r.name} failed: ${r.error}`] : [])]);
  console.log(`\nProblems seen: ${problems.length ? '' : 'none'}`);
  for (const p of problems) console.log(`  ! ${p}`);

  let previous: Record<string, unknown> = {};
  if (fs.existsSync(out)) {
    try {
      previous = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      console.warn(`\n${out} is not valid JSON (${(error as Error).message}); it is replaced.`);
    }
  }
  const merged = { ...previous, ...metrics };
  fs.writeFileSync(out, `${JSON.stringify(merged, null, 2)}\n`);

  console.log('\nTargets (figures of this run; "earlier" = kept in the JSON file from a previous run):');
  for (const target of TARGETS) {
    const now = target.check(metrics as Record<string, number>);
    const earlier = now ? null : target.check(merged as Record<string, number>);
    const verdict = now ?? earlier;
    if (!verdict) console.log(`  -     ${target.label}: not measured`);
    else console.log(`  ${verdict.met ? 'MET ' : 'MISS'}  ${target.label}: ${verdict.detail}${now ? '' : ' (earlier)'}`);
  }
  console.log(`\nWrote ${out}. Total time ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  return results.some((r) => r.error) ? 1 : 0;
}

process.on('SIGINT', () => {
  stopAllChildren();
  process.exit(130);
});

main().then(
  (code) => {
    stopAllChildren();
    process.exit(code);
  },
  (error) => {
    console.error((error as Error).message);
    stopAllChildren();
    process.exit(2);
  },
);
