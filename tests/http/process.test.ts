/**
 * The real process (`tsx server/index.ts`), as `npm start` runs it: refusing bad configuration
 * and unusable databases at start with a message saying which, and stopping cleanly.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess } from '../support/process';
import { io as connect } from 'socket.io-client';
import { createTestDatabase, type TestDatabase } from '../support/database';

const start = startProcess;

/*
 * Each case waits on what the process does (its exit, its "listening" line), never on a fixed
 * delay. Starting `tsx server/index.ts` compiles the server first: seconds on a quiet machine, far
 * more on a loaded one, so the cases get a limit well above the usual 30 s, that only a hung
 * process reaches.
 */
const PROCESS_TIMEOUT_MS = 120_000;

describe.concurrent('the server process', { timeout: PROCESS_TIMEOUT_MS }, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('stops at start when a variable is invalid, naming it', async () => {
    const proc = start({ PORT: 'abc', DATABASE_URL: db.url });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('Invalid configuration');
    expect(proc.output()).toContain('PORT="abc"');
  });

  it('stops at start when the SQLite path cannot be written, saying which', async () => {
    // Tests may run as root, who can write anywhere on disk: a folder inside a file cannot exist for anyone.
    const blocker = path.join(os.tmpdir(), `palabre-blocker-${process.pid}`);
    fs.writeFileSync(blocker, '');
    const files = [`${blocker}/data/palabre.sqlite`, '/proc/palabre/palabre.sqlite'];
    // Both at once: each waits for its own exit.
    const procs = files.map((file) => ({ file, proc: start({ DATABASE_URL: file }) }));
    for (const { file, proc } of procs) {
      expect(await proc.exited).toBe(1);
      expect(proc.output()).toContain(`Cannot open the SQLite database at ${file}`);
    }
    fs.rmSync(blocker);
  });

  it('stops at start when PostgreSQL cannot be reached, saying which', async () => {
    const proc = start({ DATABASE_URL: 'postgres://palabre:secret@127.0.0.1:1/palabre' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('Cannot reach PostgreSQL at postgres://palabre:***@127.0.0.1:1/palabre');
    expect(proc.output()).not.toContain('secret');
  });

  it('serves, then on SIGTERM closes sockets and the database and exits 0', async () => {
    const proc = start({ DATABASE_URL: db.url });
    const url = await proc.listening;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const socket = connect(url, { transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    proc.child.kill('SIGTERM');
    await disconnected;
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('[palabre] stopped');
    socket.close();
  });
});
