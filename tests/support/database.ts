/**
 * A fresh, empty database for one test file: a new SQLite file in a temporary folder, or a new
 * PostgreSQL database beside the one DATABASE_URL names (dropped afterwards).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { POSTGRES_URL } from './env';

export interface TestDatabase {
  url: string;
  kind: 'sqlite' | 'postgres';
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (POSTGRES_URL) {
    const name = `palabre_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL! });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      kind: 'postgres',
      async drop() {
        const client = new pg.Client({ connectionString: POSTGRES_URL! });
        await client.connect();
        await client.query(`drop database if exists ${name} with (force)`);
        await client.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palabre-test-'));
  return {
    url: path.join(dir, 'palabre.sqlite'),
    kind: 'sqlite',
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A migrated database handle on a fresh test database. */
export async function openTestDatabase(): Promise<DatabaseHandle & { drop(): Promise<void> }> {
  const testDb = await createTestDatabase();
  const handle = await openDatabase(testDb.url);
  await migrateToLatest(handle.db);
  return {
    ...handle,
    async drop() {
      await handle.close();
      await testDb.drop();
    },
  };
}
