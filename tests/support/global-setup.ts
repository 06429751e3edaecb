/**
 * Once per test run: build the app the HTTP and browser tests serve, and say what is skipped.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { CI, HAS_CHROMIUM, HAS_LIBREOFFICE, HAS_POPPLER, HAS_REDIS_SERVER, POSTGRES_URL, SKIP_CHROMIUM_MESSAGE, SKIP_EXPORT_READERS_MESSAGE, SKIP_POSTGRES_MESSAGE, SKIP_REDIS_SERVER_MESSAGE } from './env';
import { REMIX_CLI_ENV } from '../../server/build';

export default function setup() {
  const root = path.resolve(import.meta.dirname, '../..');
  // SKIP_BUILD=1 reuses the last build: handy when only unit or database tests run.
  if (process.env.SKIP_BUILD !== '1') execFileSync(path.join(root, 'node_modules/.bin/remix'), ['build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...REMIX_CLI_ENV, NODE_ENV: 'production' },
  });
  if (!HAS_CHROMIUM) {
    if (CI) throw new Error(`CI=true but ${SKIP_CHROMIUM_MESSAGE}`);
    console.warn(`\n⚠ ${SKIP_CHROMIUM_MESSAGE}\n`);
  }
  if (!HAS_POPPLER || !HAS_LIBREOFFICE) {
    if (CI) throw new Error(`CI=true but ${SKIP_EXPORT_READERS_MESSAGE}`);
    console.warn(`\n⚠ ${SKIP_EXPORT_READERS_MESSAGE}\n`);
  }
  if (!HAS_REDIS_SERVER) {
    if (CI) throw new Error(`CI=true but ${SKIP_REDIS_SERVER_MESSAGE}`);
    console.warn(`\n⚠ ${SKIP_REDIS_SERVER_MESSAGE}\n`);
  }
  if (!POSTGRES_URL) console.warn(`\nℹ ${SKIP_POSTGRES_MESSAGE}\n`);
}
