/**
 * The real server process (`tsx server/index.ts`), as `npm start` runs it, for tests of what only
 * a process shows: its exit code, what it prints, how it stops on a signal.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/**
 * Starts the server with `env` on top of production defaults (an ephemeral port on 127.0.0.1).
 * `listening` resolves with its URL (and rejects if it exits first; await it only when it should
 * listen), `exited` with its exit code, `output()` is everything it printed so far.
 */
export function startProcess(env: Record<string, string>) {
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
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`exited before listening:\n${output}`)));
  });
  listening.catch(() => {}); // awaited only by the tests that expect it to listen
  return { child, exited, listening, output: () => output };
}
