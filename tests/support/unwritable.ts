/**
 * A test database that still answers reads but refuses writes, as on a full disk or a read-only
 * volume: for a server in this process (makeServerUnwritable) or in a child process
 * (started with unwritableEnv; makeDatabaseUnwritable). Each resolves to a function that makes
 * it writable again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import type { TestDatabase } from './database';
import { POSTGRES_URL } from './env';
import type { TestServer } from './server';

/**
 * PostgreSQL: sessions of the database start read-only (or not); the open ones are ended, so
 * that the server's pool opens new ones, which read the setting.
 */
async function setPostgresReadOnly(url: string, readOnly: boolean): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: POSTGRES_URL! });
  await admin.connect();
  try {
    await admin.query(`alter database "${name}" set default_transaction_read_only = ${readOnly ? 'on' : 'off'}`);
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
  } finally {
    await admin.end();
  }
}

export async function makeServerUnwritable(app: TestServer): Promise<() => Promise<void>> {
  if (app.database.kind === 'postgres') {
    await setPostgresReadOnly(app.database.url, true);
    return () => setPostgresReadOnly(app.database.url, false);
  }
  // SQLite: the server's one connection refuses writes with SQLITE_READONLY, as on a read-only
  // file (tests may run as root, whom file permissions do not stop).
  const { db } = app.server.database;
  await sql`pragma query_only = on`.execute(db);
  return async () => {
    await sql`pragma query_only = off`.execute(db);
  };
}

/**
 * Environment for a server process whose database makeDatabaseUnwritable will act on: for
 * SQLite, the preload that makes its writes fail on demand (./sqlite-full-disk.mjs).
 */
export function unwritableEnv(database: TestDatabase): Record<string, string> {
  if (database.kind === 'postgres') return {};
  return {
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import=${pathToFileURL(path.join(import.meta.dirname, 'sqlite-full-disk.mjs')).href}`].filter(Boolean).join(' '),
    PALABRE_TEST_FULL_DISK: fullDiskFlag(database),
  };
}

const fullDiskFlag = (database: TestDatabase) => `${database.url}.full-disk`;

/** The database of a server in another process (started with unwritableEnv) refuses writes. */
export async function makeDatabaseUnwritable(database: TestDatabase): Promise<() => Promise<void>> {
  if (database.kind === 'postgres') {
    await setPostgresReadOnly(database.url, true);
    return () => setPostgresReadOnly(database.url, false);
  }
  // SQLite: the server's writes fail at once as on a full disk (SQLITE_FULL) while the flag exists.
  const flag = fullDiskFlag(database);
  fs.writeFileSync(flag, '');
  return async () => fs.rmSync(flag, { force: true });
}
