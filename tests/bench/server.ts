/**
 * The Palabre server under test, as users run it: a child process `tsx server/index.ts` with
 * NODE_ENV=production over a fresh SQLite file. The database is prepared beforehand with the
 * app's own code (migrations, seed, accounts, sessions) so the benchmark needs no HTTP sign-in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { openDatabase } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { seedConsultation } from '../../db/seeds/consultation';
import { createAccountService } from '../../app/accounts/accounts.server';
import { createAuth } from '../../app/auth/auth.server';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Policy limits raised for the benchmark (they are not performance figures). */
export const RAISED_LIMITS = {
  POSTS_PER_MINUTE: '100000',
  SOCKET_EVENTS_PER_10S: '100000',
  REGISTRATIONS_PER_ADDRESS: '100000',
  SEARCHES_PER_MINUTE: '100000',
} as const;

export interface BenchUser {
  id: string;
  cookie: string;
}

export interface PreparedDatabase {
  dir: string;
  file: string;
  users: BenchUser[];
  /** thread number ("2.4", "1"…) → id */
  threads: Map<string, number>;
  /** ids of the sub-question threads (numbers like "2.4") */
  subQuestionThreads: number[];
  remove(): void;
}

/**
 * A fresh SQLite file (or the empty database `url` names, e.g. one made by
 * createPostgresDatabase), migrated and seeded, with `userCount` members signed in (one session
 * each). `file` is then that URL, and remove() leaves it to its creator to drop.
 */
export async function prepareDatabase(userCount: number, url?: string): Promise<PreparedDatabase> {
  const dir = url ? '' : fs.mkdtempSync(path.join(os.tmpdir(), 'palabre-bench-'));
  const file = url ?? path.join(dir, 'bench.sqlite');
  const handle = await openDatabase(file);
  try {
    await migrateToLatest(handle.db);
    await seedConsultation(handle.db);
    const accounts = createAccountService(handle.db);
    const auth = createAuth(handle.db, { secureCookies: false });
    // argon2 runs on the libuv pool: a few at a time uses both cores.
    const users: BenchUser[] = [];
    for (let start = 0; start < userCount; start += 4) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(4, userCount - start) }, async (_, k) => {
          const n = start + k + 1;
          const id = await accounts.register({
            name: `Bench Person ${n}`,
            email: `bench${n}@example.org`,
            password: 'a long enough benchmark password',
            organisation: `Bench Organisation ${n}`,
            stakeholderGroup: 'civil-society',
            country: 'SN',
          });
          const session = await auth.createSession(id, {});
          return { id, cookie: `${auth.sessionCookieName}=${session.id}` };
        }),
      );
      users.push(...batch);
    }
    const rows = await handle.db.selectFrom('threads').select(['id', 'number']).orderBy('id').execute();
    const threads = new Map(rows.map((r) => [r.number, r.id]));
    const subQuestionThreads = rows.filter((r) => r.number.includes('.')).map((r) => r.id);
    return { dir, file, users, threads, subQuestionThreads, remove: () => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } finally {
    await handle.close();
  }
}

/**
 * A new, empty PostgreSQL database beside the one `adminUrl` names (as the tests make theirs):
 * its URL, and drop() to remove it (connections still open are ended).
 */
export async function createPostgresDatabase(adminUrl: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `palabre_bench_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Rows of `posts` whose client id starts with `prefix`: client id → number of rows. */
export function storedClientIds(file: string, prefix: string): Map<string, number> {
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const rows = sqlite
      .prepare('select client_id as clientId, count(*) as n from posts where client_id like ? group by client_id')
      .all(`${prefix}%`) as { clientId: string; n: number }[];
    return new Map(rows.map((r) => [r.clientId, r.n]));
  } finally {
    sqlite.close();
  }
}

const live = new Set<ChildProcess>();

/** Children still running when the benchmark exits (an error, Ctrl-C) are stopped with it. */
export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal);
  }
}

/** Stops every child this process started and that is still running. */
export function stopAllChildren(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const child of live) signalGroup(child, signal);
}

process.on('exit', () => stopAllChildren('SIGKILL'));

export interface RunningServer {
  url: string;
  pid: number;
  /** stderr lines and stdout lines that look like errors, for the report */
  errors: string[];
  /** CPU seconds (user + system) used so far by the process and its children */
  cpuSeconds(): number;
  stop(): Promise<number | null>;
}

/** A process outside the benchmark's tree whose CPU use it reads another way (Redis: INFO cpu). */
export interface CpuProbe {
  /** in metric keys: `<label>_<name>_cpu_…` */
  name: string;
  /** user + system CPU seconds used so far */
  cpuSeconds(): Promise<number>;
}

export interface StartOptions {
  command: string[];
  env?: Record<string, string>;
  /** Variables of this process's environment the child must not inherit */
  unset?: string[];
  /** A line on stdout that carries the URL */
  ready: RegExp;
  name: string;
  timeoutMs?: number;
}

/** Starts a child process and waits for the line that says where it listens. */
export function startProcess(options: StartOptions): Promise<RunningServer> {
  const [cmd, ...args] = options.command;
  const env = { ...process.env, ...options.env };
  for (const name of options.unset ?? []) delete env[name];
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that stopping it also reaches the node process tsx starts.
    detached: true,
  });
  track(child);
  const errors: string[] = [];
  const keep = (line: string) => {
    if (errors.length < 200) errors.push(line);
  };
  return new Promise((resolve, reject) => {
    let resolved = false;
    const timer = setTimeout(() => {
      signalGroup(child, 'SIGKILL');
      reject(new Error(`${options.name} did not start within ${options.timeoutMs ?? 60_000} ms; stderr: ${errors.join('\n')}`));
    }, options.timeoutMs ?? 60_000);
    let buffer = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const match = !resolved && options.ready.exec(line);
        if (match) {
          resolved = true;
          clearTimeout(timer);
          resolve(handle(child, match[1], errors));
        } else if (/error|fail|refus/i.test(line)) {
          keep(`[stdout] ${line}`);
        }
      }
    });
    let errBuffer = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      errBuffer += chunk;
      let nl: number;
      while ((nl = errBuffer.indexOf('\n')) >= 0) {
        keep(errBuffer.slice(0, nl));
        errBuffer = errBuffer.slice(nl + 1);
      }
    });
    child.once('exit', (code, signal) => {
      if (!resolved) {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited (${code ?? signal}) before listening: ${errors.join('\n')}`));
      }
    });
  });
}

function handle(child: ChildProcess, url: string, errors: string[]): RunningServer {
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
  });
  return {
    url,
    pid: child.pid!,
    errors,
    cpuSeconds: () => treeCpuSeconds(child.pid!),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

const TICKS = 100; // USER_HZ on Linux

function readStat(pid: number): { ppid: number; cpu: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is the state; ppid is field 4 of stat, utime 14, stime 15, cutime 16, cstime 17
    // (1-based): children already reaped count in cutime/cstime.
    return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS };
  } catch {
    return null;
  }
}

/** user + system CPU seconds of a process and its descendants, live or reaped (tsx runs node as a child). */
export function treeCpuSeconds(pid: number): number {
  const own = readStat(pid);
  if (!own) return 0;
  const byParent = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return own.cpu;
  }
  for (const e of entries) {
    const p = Number(e);
    const s = readStat(p);
    if (!s) continue;
    cpu.set(p, s.cpu);
    byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), p]);
  }
  let total = 0;
  const seen = new Set<number>();
  const visit = (p: number) => {
    if (seen.has(p)) return;
    seen.add(p);
    total += cpu.get(p) ?? 0;
    for (const c of byParent.get(p) ?? []) visit(c);
  };
  visit(pid);
  return total;
}

/**
 * The Palabre server under test over `file` (a SQLite file or a postgres:// URL); `env` adds to
 * its environment (REDIS_URL, REDIS_PREFIX, NODE_ID for a node of a cluster).
 * BENCH_CPU_PROF=<folder> runs it under `node --cpu-prof` (tsx as an import hook, so the profile
 * is the server's own process): each server writes a .cpuprofile there when it stops, to open in
 * Chrome's DevTools.
 */
export function startApp(file: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const profile = process.env.BENCH_CPU_PROF;
  return startProcess({
    name: env.NODE_ID ? `Palabre server ${env.NODE_ID}` : 'Palabre server',
    command: profile
      ? [process.execPath, '--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`, '--import', 'tsx', 'server/index.ts']
      : [path.join(ROOT, 'node_modules', '.bin', 'tsx'), 'server/index.ts'],
    env: {
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: file,
      COOKIE_SECURE: 'false',
      ...RAISED_LIMITS,
      ...env,
    },
    // A cluster's variables in the shell running the benchmark would make a one-node run a node of it.
    unset: ['REDIS_URL', 'REDIS_PREFIX', 'NODE_ID'].filter((name) => !(name in env)),
    ready: /\[palabre\] listening on (http:\/\/\S+)/,
    timeoutMs: 120_000,
  });
}

/** The bare Socket.io server (transport floor). */
export function startBare(): Promise<RunningServer> {
  return startProcess({
    name: 'bare Socket.io server',
    command: [path.join(ROOT, 'node_modules', '.bin', 'tsx'), 'tests/bench/bare-server.ts'],
    env: { NODE_ENV: 'production' },
    ready: /\[bare\] listening on (http:\/\/\S+)/,
  });
}
