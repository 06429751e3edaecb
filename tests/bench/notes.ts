/**
 * Co-editing a note (docs/decisions/0008): N headless co-editors each typing 5 characters a
 * second into their own paragraph of ONE note for 30 s, plus N read-only viewers (participants
 * of another stakeholder group on a civil-society note), at N = 10, 50, 100. The server runs as
 * users run it (tsx server/index.ts, its own process, fresh SQLite file); the co-editors run in
 * worker threads of this process (notes-worker.ts: socket.io-client + Yjs + y-protocols).
 *
 * Measured per N:
 * - keystroke → every other replica has it: per keystroke, the latest receipt over all other
 *   replicas minus the send time (p50/p99 over keystrokes); also per delivery (keystroke ×
 *   replica);
 * - convergence: from the last keystroke until every replica holds every keystroke, then whether
 *   all replicas (and a fresh reader) hold identical text and state;
 * - bytes stored (note_updates + snapshot) after the typing, and after the last client left
 *   (compacted); server CPU (its process tree) and peak RSS; the load generator's CPU and its
 *   threads' event-loop delay (to tell which side bounds the latency).
 * And `note_load_100k_ms`: opening a note whose history holds 100,000 single-character updates
 * (appended through the store) with a fresh NoteDocs.
 *
 * Shorter runs: BENCH_NOTES_SIZES=10,50 BENCH_NOTES_SECONDS=10 BENCH_NOTES_LOAD_EDITS=10000;
 * BENCH_NOTES_WORKERS (default 2) load-generator threads; BENCH_NOTES_RATE (default 5) keystrokes/s.
 * BENCH_NOTES_CURSORS=1: each keystroke also announces the editor's caret through awareness, as
 * the browser's editor does (keys `coedit_cursors_N_…`, so the issue's keys keep their meaning).
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import * as Y from 'yjs';
import { applyRole, createAccountService } from '../../app/accounts/accounts.server';
import { createAuth } from '../../app/auth/auth.server';
import { createNoteDocs } from '../../app/notes/note-docs.server';
import { createNoteStore } from '../../app/notes/note-store.server';
import { createNoteService } from '../../app/notes/notes.server';
import { openDatabase } from '../../db/database';
import { appendParagraph, noteText, openCoEditor, typeInto } from '../support/yjs-client';
import type { WorkerRequest, WorkerResult, WorkerSetup } from './notes-worker';
import { cpuPercent, envNumber, type Scenario, type ScenarioResult } from './scenario';
import { prepareDatabase, startApp, type BenchUser, type RunningServer } from './server';
import { nowMs, round1, sleep, summarize, waitUntil } from './stats';

const CLIENT_BASE = 1_000_000;
const HISTOGRAM_BINS = 600_001; // 0.1 ms bins up to 60 s

interface Prepared {
  file: string;
  editors: BenchUser[];
  viewers: BenchUser[];
  /** a civil-society note per size, and one for the load test */
  notes: number[];
  loadNote: number;
  remove(): void;
}

/** `count` signed-in users of `group`, as prepareDatabase makes them (argon2 a few at a time). */
async function addUsers(file: string, count: number, group: string, prefix: string): Promise<BenchUser[]> {
  const handle = await openDatabase(file);
  try {
    const accounts = createAccountService(handle.db);
    const auth = createAuth(handle.db, { secureCookies: false });
    const users: BenchUser[] = [];
    for (let start = 0; start < count; start += 4) {
      users.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(4, count - start) }, async (_, k) => {
            const n = start + k + 1;
            const id = await accounts.register({
              name: `${prefix} ${n}`,
              email: `${prefix.toLowerCase().replace(/\s+/g, '')}${n}@example.org`,
              password: 'a long enough benchmark password',
              organisation: `${prefix} Organisation ${n}`,
              stakeholderGroup: group,
              country: 'SN',
            });
            const session = await auth.createSession(id, {});
            return { id, cookie: `${auth.sessionCookieName}=${session.id}` };
          }),
        )),
      );
    }
    return users;
  } finally {
    await handle.close();
  }
}

async function prepare(editors: number, viewers: number, phases: number): Promise<Prepared> {
  const base = await prepareDatabase(editors); // civil-society members, signed in
  const viewerUsers = await addUsers(base.file, viewers, 'business', 'Bench Viewer');
  const [moderator] = await addUsers(base.file, 1, 'civil-society', 'Bench Moderator');
  const handle = await openDatabase(base.file);
  try {
    const consultation = await handle.db.selectFrom('consultations').select('id').where('phase', '!=', 'draft').executeTakeFirstOrThrow();
    await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: moderator!.id, consultationId: consultation.id, from: 'participant', to: 'moderator' }));
    const questions = await handle.db.selectFrom('questions').select('id').where('consultationId', '=', consultation.id).orderBy('id').execute();
    const docs = createNoteDocs(createNoteStore(handle.db));
    const service = createNoteService(handle.db, docs, { publishStatus: () => {} });
    const notes: number[] = [];
    for (let k = 0; k <= phases; k++) {
      notes.push(await service.open(moderator!.id, consultation.id, { questionId: questions[k]?.id ?? null, stakeholderGroup: 'civil-society', title: `Benchmark note ${k + 1}` }));
    }
    await docs.close();
    return { file: base.file, editors: base.users, viewers: viewerUsers, notes: notes.slice(0, phases), loadNote: notes[phases]!, remove: base.remove };
  } finally {
    await handle.close();
  }
}

/** Stored bytes of a note: its updates and its snapshot (read-only connection beside the server). */
function storedBytes(file: string, noteId: number): { updates: number; updateRows: number; snapshot: number } {
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const u = sqlite.prepare('select count(*) as n, coalesce(sum(length(data)), 0) as bytes from note_updates where note_id = ?').get(noteId) as { n: number; bytes: number };
    const s = sqlite.prepare('select coalesce(length(data), 0) as bytes from note_snapshots where note_id = ?').get(noteId) as { bytes: number } | undefined;
    return { updates: u.bytes, updateRows: u.n, snapshot: s?.bytes ?? 0 };
  } finally {
    sqlite.close();
  }
}

/** Resident memory of a process and its descendants (tsx runs node as a child), in MB. */
function treeRssMb(pid: number): number {
  const page = 4096;
  const parents = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const p = Number(entry);
      rss.set(p, Number(fields[21]) * page); // field 24 of stat: rss in pages
      parents.set(Number(fields[1]), [...(parents.get(Number(fields[1])) ?? []), p]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const visit = (p: number) => {
    total += rss.get(p) ?? 0;
    for (const c of parents.get(p) ?? []) visit(c);
  };
  visit(pid);
  return Math.round((total / 1024 / 1024) * 10) / 10;
}

class Pool {
  private constructor(readonly workers: Worker[]) {}

  static async start(count: number, setup: Omit<WorkerSetup, never>): Promise<Pool> {
    const api = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./notes-worker.ts', import.meta.url).href;
    // tsx's loader must be registered inside the worker before the TypeScript entry is imported.
    const boot = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
    const workers = Array.from({ length: count }, () => new Worker(boot, { eval: true, workerData: { ...setup, notesWorker: true } }));
    const pool = new Pool(workers);
    await Promise.all(workers.map((w) => pool.request(w, null, 'started', 60_000)));
    return pool;
  }

  request<T = any>(worker: Worker, message: WorkerRequest | null, answer: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`notes worker ${worker.threadId}: no '${answer}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (m: { type: string }) => {
        if (m.type !== answer) return;
        done();
        resolve(m as T);
      };
      const onError = (error: Error) => {
        done();
        reject(error);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      if (message) worker.postMessage(message);
    });
  }

  all<T = any>(message: WorkerRequest | ((k: number) => WorkerRequest), answer: string, timeoutMs: number): Promise<T[]> {
    return Promise.all(this.workers.map((w, k) => this.request<T>(w, typeof message === 'function' ? message(k) : message, answer, timeoutMs)));
  }

  async close() {
    await this.all({ type: 'close' }, 'closed', 30_000).catch(() => undefined);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

interface PhaseOptions {
  label: string;
  server: RunningServer;
  file: string;
  noteId: number;
  editors: BenchUser[];
  viewers: BenchUser[];
  rate: number;
  /** announce the caret through awareness after every keystroke */
  cursors: boolean;
  seconds: number;
  threads: number;
}

async function phase(o: PhaseOptions, result: ScenarioResult): Promise<void> {
  const m = result.metrics;
  const key = (name: string) => `${o.label}_${name}`;
  const n = o.editors.length;
  const replicasTotal = n + o.viewers.length;
  const maxClock = Math.ceil(o.rate * o.seconds) + 256;
  const sab = new SharedArrayBuffer(n * maxClock * Int32Array.BYTES_PER_ELEMENT);
  const sendTimes = new Int32Array(sab);
  const pool = await Pool.start(o.threads, { sendTimes: sab, maxClock, clientBase: CLIENT_BASE, editorsTotal: n, histogramBins: HISTOGRAM_BINS });
  try {
    // Editors and viewers spread evenly over the threads.
    const ready = await pool.all<{ joined: number; failures: string[] }>(
      (k) => ({
        type: 'connect',
        url: o.server.url,
        noteId: o.noteId,
        editors: o.editors.map((u, index) => ({ index, cookie: u.cookie })).filter((_, index) => index % o.threads === k),
        viewers: o.viewers.map((u) => u.cookie).filter((_, index) => index % o.threads === k),
        batch: 20,
      }),
      'ready',
      180_000,
    );
    const joined = ready.reduce((s, r) => s + r.joined, 0);
    m[key('replicas')] = joined;
    const failures = ready.flatMap((r) => r.failures);
    if (failures.length || joined !== replicasTotal) result.problems.push(`${o.label}: ${replicasTotal - joined} of ${replicasTotal} clients failed to join: ${failures.slice(0, 10).join('; ')}`);

    // Each editor its own paragraph; wait until every replica has all of them.
    await pool.all({ type: 'paragraphs' }, 'paragraphs', 30_000);
    const allParagraphs = await waitUntil(async () => Math.min(...(await pool.all<{ min: number }>({ type: 'blocks' }, 'blocks', 30_000)).map((b) => b.min)) >= n + 2, 60_000, 250);
    if (!allParagraphs) result.problems.push(`${o.label}: not every replica received every editor's paragraph within 60 s`);
    await sleep(1_000);

    const t0 = nowMs();
    const startAt = t0 + 500;
    const cpuServer0 = o.server.cpuSeconds();
    const cpuLoad0 = process.cpuUsage();
    const wall0 = performance.now();
    let peakRss = treeRssMb(o.server.pid);
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, treeRssMb(o.server.pid))), 1_000);
    const typed = pool.all<{ sent: number; lastSend: number; lagP99: number; lagMax: number }>({ type: 'start', t0, startAt, rate: o.rate, seconds: o.seconds, cursors: o.cursors }, 'typed', (o.seconds + 120) * 1000);
    const done = await typed;
    const typingWallMs = performance.now() - wall0;
    const cpuServerTyping = o.server.cpuSeconds() - cpuServer0;
    const cpuLoadTyping = process.cpuUsage(cpuLoad0);
    const sent = done.reduce((s, d) => s + d.sent, 0);
    const lastSend = Math.max(...done.map((d) => d.lastSend));
    const expected = sent * (replicasTotal - 1);
    // Wait until every replica has every keystroke (at most 60 s).
    const complete = await waitUntil(async () => (await pool.all<{ received: number }>({ type: 'progress' }, 'progress', 30_000)).reduce((s, p) => s + p.received, 0) >= expected, 60_000, 100);
    clearInterval(rssTimer);
    const bytesLive = storedBytes(o.file, o.noteId);

    const results = await pool.all<WorkerResult>({ type: 'collect' }, 'result', 60_000);
    // Per keystroke: the latest receipt over every other replica.
    const slots = n * maxClock;
    const latest = new Float64Array(slots);
    const counts = new Uint32Array(slots);
    for (const r of results) {
      for (let s = 0; s < slots; s++) {
        if (r.maxReceipt[s]! > latest[s]!) latest[s] = r.maxReceipt[s]!;
        counts[s] += r.receipts[s]!;
      }
    }
    const allReplicas: number[] = [];
    let missing = 0;
    let keystrokes = 0;
    let lastReceipt = 0;
    for (let s = 0; s < slots; s++) {
      const v = sendTimes[s]!;
      if (v === 0) continue;
      keystrokes++;
      const sentAt = (v - 1) / 100;
      if (counts[s]! < replicasTotal - 1) {
        missing += replicasTotal - 1 - counts[s]!;
        continue;
      }
      allReplicas.push(latest[s]! - sentAt);
      lastReceipt = Math.max(lastReceipt, latest[s]!);
    }
    const perKeystroke = summarize(allReplicas);
    const histogram = new Uint32Array(HISTOGRAM_BINS);
    for (const r of results) for (let b = 0; b < HISTOGRAM_BINS; b++) histogram[b] += r.histogram[b]!;
    const delivery = histogramSummary(histogram);

    // Identical: every replica's text and state vector, and a fresh reader's text.
    const textHashes = results.flatMap((r) => r.textHashes);
    const stateHashes = results.flatMap((r) => r.stateHashes);
    const reader = await openCoEditor({ url: o.server.url }, o.noteId, { cookie: o.viewers[0]!.cookie, timeoutMs: 30_000 });
    const crypto = await import('node:crypto');
    const readerHash = crypto.createHash('sha1').update(reader.text()).digest('hex');
    const readerLength = reader.text().length;
    reader.close();
    const identical = complete && new Set(textHashes).size === 1 && new Set(stateHashes).size === 1 && textHashes[0] === readerHash;

    m[key('p50_ms')] = round1(perKeystroke.p50);
    m[key('p99_ms')] = round1(perKeystroke.p99);
    m[key('max_ms')] = round1(perKeystroke.max);
    m[key('delivery_p50_ms')] = round1(delivery.p50);
    m[key('delivery_p99_ms')] = round1(delivery.p99);
    m[key('converge_ms')] = complete ? round1(lastReceipt - lastSend) : -1;
    (result.flags ??= {})[key('identical')] = identical;
    m[key('keystrokes')] = keystrokes;
    m[key('keystrokes_sent')] = sent;
    m[key('deliveries')] = delivery.count;
    m[key('missing_deliveries')] = missing;
    m[key('text_chars')] = readerLength;
    m[key('updates_bytes')] = bytesLive.updates;
    m[key('update_rows')] = bytesLive.updateRows;
    m[key('snapshot_bytes')] = bytesLive.snapshot;
    m[key('server_cpu_pct')] = cpuPercent(cpuServerTyping, typingWallMs);
    // Per operation: one keystroke's update checked, stored and relayed to every other replica.
    m[key('server_cpu_ms_per_keystroke')] = Math.round(((cpuServerTyping * 1000) / Math.max(1, sent)) * 100) / 100;
    m[key('server_rss_peak_mb')] = peakRss;
    m[key('loadgen_cpu_pct')] = cpuPercent((cpuLoadTyping.user + cpuLoadTyping.system) / 1e6, typingWallMs);
    m[key('loadgen_eventloop_p99_ms')] = round1(Math.max(...results.map((r) => r.eventLoopP99Ms)));
    m[key('loadgen_eventloop_max_ms')] = round1(Math.max(...results.map((r) => r.eventLoopMaxMs)));
    m[key('typing_lag_p99_ms')] = round1(Math.max(...done.map((d) => d.lagP99)));
    m[key('refusals')] = results.reduce((s, r) => s + r.refusals, 0);
    if (!complete) result.problems.push(`${o.label}: ${missing} of ${expected} deliveries had not arrived 60 s after the last keystroke`);
    if (!identical) {
      result.problems.push(
        `${o.label}: replicas differ: ${new Set(textHashes).size} distinct texts, ${new Set(stateHashes).size} distinct state vectors; fresh reader ${textHashes[0] === readerHash ? 'agrees' : 'differs'} (lengths ${[...new Set(results.flatMap((r) => r.textLengths))].join(', ')} vs ${readerLength})`,
      );
    }
    if (m[key('refusals')]) result.problems.push(`${o.label}: ${m[key('refusals')]} updates refused by the server`);
    result.notes.push(
      `${o.label}: ${n} editors × ${o.rate} keystrokes/s for ${o.seconds} s + ${o.viewers.length} viewers over ${o.threads} worker threads; keystroke → all ${replicasTotal - 1} other replicas p50 ${m[key('p50_ms')]} / p99 ${m[key('p99_ms')]} ms; server ${m[key('server_cpu_pct')]}% of a core, load generator ${m[key('loadgen_cpu_pct')]}% (event loop p99 ${m[key('loadgen_eventloop_p99_ms')]} ms)`,
    );
  } finally {
    await pool.close();
    // The last client out has the note compacted: what it then weighs.
    await sleep(1_500);
    const compacted = storedBytes(o.file, o.noteId);
    m[key('compacted_updates_bytes')] = compacted.updates;
    m[key('compacted_snapshot_bytes')] = compacted.snapshot;
    // Printed now: a later phase failing must not lose these figures.
    const mine = Object.entries({ ...m, ...result.flags }).filter(([k]) => k.startsWith(`${o.label}_`));
    console.log(`  ${o.label}: ${mine.map(([k, v]) => `${k.slice(o.label.length + 1)}=${v}`).join(' ')}`);
  }
}

/** Percentiles of a 0.1 ms histogram. */
function histogramSummary(histogram: Uint32Array) {
  let count = 0;
  for (const c of histogram) count += c;
  const at = (p: number) => {
    const rank = Math.max(1, Math.ceil((p / 100) * count));
    let seen = 0;
    for (let b = 0; b < histogram.length; b++) {
      seen += histogram[b]!;
      if (seen >= rank) return b / 10;
    }
    return Number.NaN;
  };
  return { count, p50: count ? at(50) : Number.NaN, p99: count ? at(99) : Number.NaN };
}

/** 100,000 single-character updates appended through the store, then a fresh NoteDocs opens the note. */
async function loadHistory(file: string, noteId: number, edits: number, result: ScenarioResult): Promise<void> {
  const m = result.metrics;
  const handle = await openDatabase(file);
  try {
    // The issue's key is for 100,000 edits; a shortened run reports under its own name.
    const label = edits === 100_000 ? 'note_load_100k' : `note_load_${edits}`;
    const store = createNoteStore(handle.db);
    const author = new Y.Doc();
    author.clientID = 4242;
    const { state } = await store.load(noteId);
    Y.applyUpdate(author, state!);
    const updates: Uint8Array[] = [];
    author.on('update', (u: Uint8Array) => updates.push(u));
    const paragraph = appendParagraph(author);
    const started = performance.now();
    const letters = 'abcdefghijklmnopqrstuvwxyz ';
    typeInto(paragraph, letters[0]!); // the text node, then one character per update
    for (let i = 1; i < edits; i++) author.transact(() => paragraph.insert(paragraph.length, letters[i % letters.length]!));
    const expectedText = noteText(author);
    for (const u of updates) await store.append(noteId, u);
    m.note_load_insert_ms = Math.round(performance.now() - started);
    const bytes = storedBytes(file, noteId);
    m[`${label}_update_rows`] = bytes.updateRows;
    m[`${label}_updates_bytes`] = bytes.updates;

    const docs = createNoteDocs(createNoteStore(handle.db));
    const t0 = performance.now();
    const doc = await docs.open(noteId);
    m[`${label}_ms`] = round1(performance.now() - t0);
    console.log(`  ${label}: ${edits} updates appended in ${m.note_load_insert_ms} ms, opened in ${m[`${label}_ms`]} ms`);
    const same = noteText(doc) === expectedText;
    if (!same) result.problems.push(`${label}: the loaded note does not hold the text written`);
    // What the first compaction of such a history costs (close: store, compact, derive).
    const t1 = performance.now();
    await docs.close();
    m[`${label}_close_ms`] = round1(performance.now() - t1);
    m[`${label}_compacted_snapshot_bytes`] = storedBytes(file, noteId).snapshot;
    // And a second open, from the snapshot alone.
    const again = createNoteDocs(createNoteStore(handle.db));
    const t2 = performance.now();
    await again.open(noteId);
    m[`${label}_after_compaction_ms`] = round1(performance.now() - t2);
    await again.close();
    result.notes.push(`${label}: ${edits} single-character updates (${bytes.updates} bytes in note_updates) loaded in ${m[`${label}_ms`]} ms; compacted at close in ${m[`${label}_close_ms`]} ms, then loaded in ${m[`${label}_after_compaction_ms`]} ms`);
  } finally {
    await handle.close();
  }
}

export const notes: Scenario = {
  description: 'N co-editors typing 5 chars/s into one note for 30 s + N viewers (N = 10, 50, 100); loading a 100k-update history',
  async run() {
    const result: ScenarioResult = { metrics: {}, notes: [], problems: [] };
    const sizes = (process.env.BENCH_NOTES_SIZES ?? '10,50,100').split(',').map((s) => Number(s.trim()));
    if (sizes.some((s) => !Number.isInteger(s) || s <= 0)) throw new Error(`BENCH_NOTES_SIZES=${process.env.BENCH_NOTES_SIZES}: expected sizes like 10,50,100`);
    const seconds = envNumber('BENCH_NOTES_SECONDS', 30);
    const rate = envNumber('BENCH_NOTES_RATE', 5);
    const threads = envNumber('BENCH_NOTES_WORKERS', 2);
    const loadEdits = envNumber('BENCH_NOTES_LOAD_EDITS', 100_000);
    const cursors = process.env.BENCH_NOTES_CURSORS === '1';
    const prefix = cursors ? 'coedit_cursors' : 'coedit';
    const most = Math.max(...sizes);

    const prepared = await prepare(most, most, sizes.length);
    let server: RunningServer | undefined;
    try {
      server = await startApp(prepared.file);
      for (const [k, n] of sizes.entries()) {
        await phase(
          { label: `${prefix}_${n}`, server, file: prepared.file, noteId: prepared.notes[k]!, editors: prepared.editors.slice(0, n), viewers: prepared.viewers.slice(0, n), rate, seconds, threads, cursors },
          result,
        );
        await sleep(2_000);
      }
      const flags = (result.flags ??= {});
      const measured = sizes.filter((n) => typeof flags[`${prefix}_${n}_identical`] === 'boolean');
      flags[`${prefix}_identical`] = measured.length > 0 && measured.every((n) => flags[`${prefix}_${n}_identical`] === true);
      if (server.errors.length) result.problems.push(...server.errors.slice(0, 30).map((e) => `server log: ${e}`));
      await server.stop();
      server = undefined;
      await loadHistory(prepared.file, prepared.loadNote, loadEdits, result);
      result.notes.push(
        cursors
          ? 'notes: editors, viewers and the server share the 2 cores of this machine; every keystroke also sends the editor’s caret (awareness), as the browser’s editor does'
          : 'notes: editors, viewers and the server share the 2 cores of this machine; the editors do not send cursor (awareness) updates per keystroke, only their name at join and y-protocols’ 15 s renewals (BENCH_NOTES_CURSORS=1 adds them)',
      );
    } finally {
      if (server) await server.stop();
      prepared.remove();
    }
    return result;
  },
};

