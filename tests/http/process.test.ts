/**
 * The real process (`tsx server/index.ts`), as `npm start` runs it: refusing bad configuration
 * and unusable databases at start with a message saying which, and stopping cleanly.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { createTestDatabase, type TestDatabase } from '../support/database';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function start(env: Record<string, string>) {
  const child = spawn(TSX, ['server/index.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', ...env },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) resolve(match[1]);
    });
    void exited.then(() => reject(new Error(`exited before listening:\n${output}`)));
  });
  listening.catch(() => {}); // awaited only by the tests that expect it to listen
  return { child, exited, listening, output: () => output };
}

describe.concurrent('the server process', () => {
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
    for (const file of [`${blocker}/data/palabre.sqlite`, '/proc/palabre/palabre.sqlite']) {
      const proc = start({ DATABASE_URL: file });
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
