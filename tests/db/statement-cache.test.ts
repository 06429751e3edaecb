/**
 * The SQLite statement cache (db/database.ts withStatementCache): statements are reused by their
 * SQL, yet a schema change, a busy statement and fresh parameters all behave as if each query
 * had been prepared anew.
 */
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from '../../db/database';

let sqlite: SQLite.Database;
afterEach(() => sqlite?.close());

describe('the SQLite statement cache', () => {
  it('hands the same statement back for the same SQL, bound afresh each run', () => {
    sqlite = new SQLite(':memory:');
    const cached = withStatementCache(sqlite);
    cached.prepare('create table t (id integer primary key, name text)').run();
    const insert = cached.prepare('insert into t (name) values (?)');
    insert.run('a');
    expect(cached.prepare('insert into t (name) values (?)')).toBe(insert);
    cached.prepare('insert into t (name) values (?)').run('b');
    const select = 'select name from t where id = ?';
    expect(cached.prepare(select).get(1)).toEqual({ name: 'a' });
    expect(cached.prepare(select).get(2)).toEqual({ name: 'b' });
    expect(cached.prepare(select)).not.toBe(cached.prepare('select name from t where id = ? '));
  });

  it('sees a column added after the statement was first prepared', () => {
    sqlite = new SQLite(':memory:');
    const cached = withStatementCache(sqlite);
    cached.prepare('create table t (id integer primary key)').run();
    cached.prepare('insert into t (id) values (1)').run();
    expect(cached.prepare('select * from t').all()).toEqual([{ id: 1 }]);
    cached.prepare('alter table t add column note text').run();
    expect(cached.prepare('select * from t').all()).toEqual([{ id: 1, note: null }]);
  });

  it('gives a query of its own while the cached statement is still being iterated', () => {
    sqlite = new SQLite(':memory:');
    const cached = withStatementCache(sqlite);
    cached.prepare('create table t (id integer primary key)').run();
    for (let i = 1; i <= 3; i++) cached.prepare('insert into t (id) values (?)').run(i);
    const sql = 'select id from t order by id';
    const outer = cached.prepare(sql);
    const seen: number[][] = [];
    for (const row of outer.iterate() as Iterable<{ id: number }>) {
      const inner = cached.prepare(sql);
      expect(inner).not.toBe(outer);
      seen.push([row.id, ...(inner.all() as { id: number }[]).map((r) => r.id)]);
    }
    expect(seen).toEqual([
      [1, 1, 2, 3],
      [2, 1, 2, 3],
      [3, 1, 2, 3],
    ]);
  });
});
