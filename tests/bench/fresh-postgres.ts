/**
 * Benchmarks' PostgreSQL: a fresh database beside `url` for one piece of work, dropped after
 * (others' data untouched), and a deterministic PRNG for their fixtures.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../db/database';

/** Runs `work` on a new database `<prefix>_<pid>_<random>` beside `url`, then drops it. */
export async function onFreshPostgres<T>(url: string, prefix: string, work: (handle: DatabaseHandle, url: string) => Promise<T>): Promise<T> {
  const name = `${prefix}_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const handle = await openDatabase(target.toString());
  try {
    return await work(handle, target.toString());
  } finally {
    await handle.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  }
}

/** A small deterministic PRNG (mulberry32): the same fixture on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
