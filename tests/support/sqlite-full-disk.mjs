/**
 * Preloaded into a server process under test (NODE_OPTIONS=--import=<this file>): while the file
 * named by PALABRE_TEST_FULL_DISK exists, every SQLite statement that writes fails as on a full
 * disk (SQLITE_FULL, at once); reads go on. Tests may run as root, whom file permissions do not
 * stop, and cannot fill a real disk; another writer holding the lock would freeze the server in
 * SQLite's busy wait instead. Plain JavaScript: it loads before any TypeScript loader.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';

const flag = process.env.PALABRE_TEST_FULL_DISK;
if (flag) {
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1'));
  probe.close();
  const WRITE = /^\s*(insert|update|delete|replace)\b/i;
  for (const method of ['run', 'all', 'get', 'iterate']) {
    const original = statement[method];
    statement[method] = function (...args) {
      if (WRITE.test(this.source) && fs.existsSync(flag)) {
        const error = new Error('database or disk is full');
        error.code = 'SQLITE_FULL';
        throw error;
      }
      return original.apply(this, args);
    };
  }
}
