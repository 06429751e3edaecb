/**
 * A failed transaction fails with its own error, even when ROLLBACK cannot run after it: SQLite
 * rolls a transaction back by itself on a full disk (a real SQLITE_FULL, provoked with
 * max_page_count), and a PostgreSQL connection that dropped mid-transaction takes no ROLLBACK.
 * Before, the caller (and the log) got "cannot rollback - no transaction is active" or "Client
 * has encountered a connection error", and the cause was lost.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../db/schema';
import { POSTGRES_URL } from '../support/env';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, doc, openClient, threadId, type TestClient } from '../support/sockets';

let app: TestServer;
let db: Kysely<Database>;
const clients: TestClient[] = [];
const sqlite = () => app.database.kind === 'sqlite';

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
  db = app.server.database.db;
  await sql`create table scratch_rows (v text not null)`.execute(db);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await app?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const scratchRows = async () => Number((await sql<{ n: number }>`select count(*) as n from scratch_rows`.execute(db)).rows[0].n);
const block = 'x'.repeat(4_000);

/**
 * Runs `run` with the SQLite file unable to grow: max_page_count at its current size (after a
 * VACUUM, so no free page is left to reuse). Every write needing a new page fails with a real
 * SQLITE_FULL, exactly as on a full disk.
 */
async function withFullDisk<T>(run: () => Promise<T>): Promise<T> {
  await sql`vacuum`.execute(db);
  const { rows } = await sql<{ pageCount: number }>`pragma page_count`.execute(db);
  await sql.raw(`pragma max_page_count = ${rows[0].pageCount}`).execute(db);
  try {
    return await run();
  } finally {
    await sql.raw('pragma max_page_count = 1073741823').execute(db);
  }
}

/** What went to the console through `spy`, one line per call, errors as "name: message". */
const logged = (spy: { mock: { calls: unknown[][] } }) =>
  spy.mock.calls.map((args) => args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' ')).join('\n');

describe('a transaction that fails', () => {
  it.runIf(!POSTGRES_URL)('fails with SQLITE_FULL when the disk is full, undone, and the next one works (SQLite)', async () => {
    expect(sqlite()).toBe(true);
    const errors = vi.spyOn(console, 'error');
    const failure = await withFullDisk(() =>
      db
        .transaction()
        .execute(async (trx) => {
          for (let i = 0; i < 1_000; i++) await sql`insert into scratch_rows (v) values (${block})`.execute(trx);
        })
        .then(
          () => null,
          (error: unknown) => error as Error & { code?: string },
        ),
    );
    expect(failure?.message).toBe('database or disk is full');
    expect(failure?.code).toBe('SQLITE_FULL');
    expect(logged(errors)).not.toMatch(/cannot rollback/);
    // SQLite undid every row of it, and the database is not left inside a transaction.
    expect(await scratchRows()).toBe(0);
    await db.transaction().execute((trx) => sql`insert into scratch_rows (v) values ('after')`.execute(trx));
    expect(await scratchRows()).toBe(1);
  });

  it.runIf(!!POSTGRES_URL)('fails with the connection’s own error when the connection drops mid-transaction (PostgreSQL)', async () => {
    expect(sqlite()).toBe(false);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const before = await scratchRows();
    const failure = await db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into scratch_rows (v) values ('lost')`.execute(trx);
        // The server ends this very connection, as a restart or a network cut would.
        await sql`select pg_terminate_backend(pg_backend_pid())`.execute(trx);
      })
      .then(
        () => null,
        (error: unknown) => error as Error & { code?: string },
      );
    expect(failure?.code).toBe('57P01'); // admin_shutdown: "terminating connection due to administrator command"
    expect(failure?.message).toMatch(/terminating connection/);
    // The failed ROLLBACK is in the log, named as such, after the real cause went to the caller.
    expect(logged(errors)).toMatch(/\[db\] ROLLBACK failed after a failed transaction/);
    // Nothing of it was committed, and the pool hands out a working connection.
    expect(await scratchRows()).toBe(before);
    await db.transaction().execute((trx) => sql`insert into scratch_rows (v) values ('after')`.execute(trx));
    expect(await scratchRows()).toBe(before + 1);
  });
});

describe('a contribution that cannot be saved', () => {
  it.runIf(!POSTGRES_URL)('is logged with the real cause, and its writer told it failed (SQLite, disk full)', async () => {
    const user = await createUser(app);
    const client = await openClient(app, user.cookie);
    clients.push(client);
    const thread = await threadId(app, '2.4');
    const errors = vi.spyOn(console, 'error');
    const answer = await withFullDisk(() =>
      client.emit('post:create', { threadId: thread, clientId: clientId(), body: doc(`On a full disk. ${'Long text. '.repeat(1_500)}`) }),
    );
    expect(answer).toMatchObject({ ok: false, error: { code: 'service_unavailable', messageKey: 'errors.storageUnavailable' } });
    const log = logged(errors);
    expect(log).toMatch(/\[socket\] post:create failed: SqliteError: database or disk is full/);
    expect(log).not.toMatch(/cannot rollback/);
    const posts = await db.selectFrom('posts').select('id').where('authorId', '=', user.id).execute();
    expect(posts).toEqual([]);
  });

  it.runIf(!!POSTGRES_URL)('is logged with the real cause, and its writer told it failed (PostgreSQL, connection lost)', async () => {
    const user = await createUser(app);
    const client = await openClient(app, user.cookie);
    clients.push(client);
    const thread = await threadId(app, '2.4');
    // The connection dies in the middle of the post's transaction, on its insert.
    await sql`create function palabre_test_cut() returns trigger language plpgsql as $$
      begin perform pg_terminate_backend(pg_backend_pid()); return new; end $$`.execute(db);
    await sql`create trigger palabre_test_cut before insert on posts for each row execute function palabre_test_cut()`.execute(db);
    const errors = vi.spyOn(console, 'error');
    let answer: unknown;
    try {
      answer = await client.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('On a connection that drops.') });
    } finally {
      await sql`drop trigger palabre_test_cut on posts`.execute(db);
      await sql`drop function palabre_test_cut()`.execute(db);
    }
    expect(answer).toMatchObject({ ok: false, error: { code: 'service_unavailable', messageKey: 'errors.storageUnavailable' } });
    const log = logged(errors);
    expect(log).toMatch(/\[socket\] post:create failed: error: terminating connection due to administrator command/);
    expect(log).not.toMatch(/post:create failed: Error: (Client has encountered a connection error|Connection terminated)/);
    const posts = await db.selectFrom('posts').select('id').where('authorId', '=', user.id).execute();
    expect(posts).toEqual([]);
    // The next contribution goes through on a fresh connection.
    expect(await client.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Once it is back.') })).toMatchObject({ ok: true });
  });
});
