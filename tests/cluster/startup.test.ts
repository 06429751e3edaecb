/**
 * A node that cannot join a cluster does not start (issue 14): a malformed REDIS_URL, a Redis
 * nobody answers at, or REDIS_URL beside a SQLite database (which only one process may write)
 * stop the real process at start with exit code 1 and a short message naming the variable, never
 * a stack trace, and never a password from the URL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../support/env';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startProcess } from '../support/process';
import { freePort } from '../support/cluster';

/* Starting `tsx server/index.ts` compiles the server first: seconds alone, more beside other tests. */
const PROCESS_TIMEOUT_MS = 120_000;

/** What a refusal at start must look like: `[palabre] …` lines, the variable named, no stack trace. */
function expectShortRefusal(output: string, variable: string) {
  const lines = output.trim().split('\n');
  expect(lines.length, output).toBeLessThanOrEqual(2);
  expect(lines.every((l) => l.startsWith('[palabre] ') || l.startsWith('  ')), output).toBe(true);
  expect(output).toContain(variable);
  expect(output).not.toMatch(/^\s+at /m);
  expect(output).not.toMatch(/failed to start/);
}

describe.concurrent('a node refused at start', { timeout: PROCESS_TIMEOUT_MS }, () => {
  let db: TestDatabase | null = null;
  let sqliteDir: string;
  beforeAll(async () => {
    if (POSTGRES_URL) db = await createTestDatabase();
    sqliteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'palabre-cluster-start-'));
  });
  afterAll(async () => {
    await db?.drop();
    fs.rmSync(sqliteDir, { recursive: true, force: true });
  });
  /** A database the node could use, so that only Redis is at fault. */
  const databaseUrl = () => db?.url ?? path.join(sqliteDir, 'palabre.sqlite');

  it('stops when REDIS_URL is not a URL, naming it', async () => {
    const proc = startProcess({ REDIS_URL: 'not-a-url', DATABASE_URL: databaseUrl() });
    expect(await proc.exited).toBe(1);
    expectShortRefusal(proc.output(), 'REDIS_URL="not-a-url"');
  });

  it('stops when REDIS_URL is not a redis:// URL, without printing its password', async () => {
    const proc = startProcess({ REDIS_URL: 'http://user:hunter2secret@127.0.0.1:6379', DATABASE_URL: databaseUrl() });
    expect(await proc.exited).toBe(1);
    expectShortRefusal(proc.output(), 'REDIS_URL');
    expect(proc.output()).not.toContain('hunter2secret');
  });

  it('stops when REDIS_URL is set beside a SQLite database, naming both', async () => {
    const file = path.join(sqliteDir, 'beside-redis.sqlite');
    const proc = startProcess({ REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: file });
    expect(await proc.exited).toBe(1);
    expectShortRefusal(proc.output(), 'REDIS_URL');
    expect(proc.output()).toContain('DATABASE_URL');
    expect(fs.existsSync(file)).toBe(false); // refused before anything was opened
  });

  it.skipIf(!POSTGRES_URL)('stops when nothing answers at REDIS_URL, naming it and the address, without its password', async () => {
    const port = await freePort();
    const proc = startProcess({ REDIS_URL: `redis://default:hunter2secret@127.0.0.1:${port}`, DATABASE_URL: databaseUrl() });
    expect(await proc.exited).toBe(1);
    expectShortRefusal(proc.output(), 'REDIS_URL');
    expect(proc.output()).toContain(`127.0.0.1:${port}`);
    expect(proc.output()).not.toContain('hunter2secret');
  });
});
