/**
 * The dialect factory: one Kysely handle over better-sqlite3 (the embedded default) or
 * PostgreSQL (`DATABASE_URL=postgres://…`), with the same schema, migrations and queries.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import {
  CamelCasePlugin,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type TransactionSettings,
  type UnknownRow,
} from 'kysely';
import type { Database } from './schema';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** Where the data lives, without credentials, for logs and error messages. */
  location: string;
  close(): Promise<void>;
}

export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

export const DEFAULT_SQLITE_PATH = './data/palabre.sqlite';

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * A URL with its password masked, in its user part or a `password=` parameter (postgres, redis);
 * any other text comes back with what looks like one masked.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const secrets = [...u.searchParams.keys()].filter((key) => /^pass(word)?$/i.test(key));
    // Nothing to mask: the text as given (a URL object would also rewrite it, e.g. add a slash).
    if (!u.password && secrets.length === 0) return url;
    if (u.password) u.password = '***';
    for (const key of secrets) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    // Not a URL (a malformed setting): mask whatever looks like a password in it all the same.
    return url.replace(/:[^:@/\s]*@/g, ':***@').replace(/([?&]pass(word)?=)[^&]*/gi, '$1***');
  }
}

export async function openDatabase(url: string = DEFAULT_SQLITE_PATH): Promise<DatabaseHandle> {
  return isPostgresUrl(url) ? openPostgres(url) : openSqlite(url);
}

function openSqlite(file: string): DatabaseHandle {
  const location = path.resolve(file);
  let sqlite: SQLite.Database;
  try {
    ensureDirectory(path.dirname(location));
    sqlite = new SQLite(location);
    // WAL lets readers proceed while one writer commits; it also fails fast on a read-only path.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // better-sqlite3 is synchronous: while another process holds the write lock, this wait blocks
    // the whole event loop (every request, every socket). Wait briefly and fail instead: writes
    // are retried (note saves) or answered with an error, and /healthz says the database is busy.
    sqlite.pragma('busy_timeout = 250');
  } catch (error) {
    throw new DatabaseOpenError(
      `Cannot open the SQLite database at ${location} (DATABASE_URL): ${(error as Error).message}. ` +
        'Check that the folder exists or can be created and is writable.',
    );
  }
  const db = new Kysely<Database>({
    dialect: withTruthfulRollback(new SqliteDialect({ database: withStatementCache(sqlite) }), () => sqlite.inTransaction),
    plugins: [new CamelCasePlugin()],
  });
  return { db, kind: 'sqlite', location, close: () => db.destroy() };
}

/** Prepared statements kept per connection; queries with IN lists of varying length make many. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * better-sqlite3 with its prepared statements kept by SQL text, least recently used out first.
 * Kysely's SQLite driver prepares every query it runs, and compiling the SQL was 4 % of a thread
 * page's CPU. Reusing a statement is safe: SQLite re-prepares it by itself after a schema change
 * (migrations), and its parameters are bound afresh at each run. A statement still busy (an
 * iterator not yet finished) is not handed out again: that query gets one of its own.
 */
export function withStatementCache(sqlite: SQLite.Database): Pick<SQLite.Database, 'close' | 'prepare'> {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      statements.clear();
      return sqlite.close();
    },
    prepare(source: string) {
      const cached = statements.get(source);
      if (cached && !cached.busy) {
        statements.delete(source); // re-inserted below: most recently used last
        statements.set(source, cached);
        return cached;
      }
      const statement = sqlite.prepare(source);
      if (!cached) {
        statements.set(source, statement);
        if (statements.size > STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      return statement;
    },
  } as Pick<SQLite.Database, 'close' | 'prepare'>;
}

/**
 * Makes a failed transaction fail with its own error. Kysely answers an error inside
 * `db.transaction().execute()` by sending ROLLBACK and rethrowing the error, but when the
 * ROLLBACK fails too, its error is thrown instead, and the cause is lost. That is the rule, not
 * the exception, for the failures that matter most: SQLite may roll the whole transaction back
 * by itself on SQLITE_FULL, SQLITE_IOERR or SQLITE_NOMEM (it does on a full disk), and a post
 * that could not be saved was logged as "cannot rollback - no transaction is active"; a
 * PostgreSQL connection that dropped mid-transaction cannot take a ROLLBACK either.
 *
 * So, in the one place every transaction goes through (the driver): with `hasOpenTransaction`
 * (SQLite knows), no ROLLBACK is sent when the database already rolled back; and a ROLLBACK that
 * fails is logged, not thrown, so that Kysely rethrows the transaction's own error. Kysely's
 * PostgreSQL driver has already marked such a connection for discard: the pool drops it.
 */
export function withTruthfulRollback(dialect: Dialect, hasOpenTransaction?: () => boolean): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => truthfulRollbackDriver(dialect.createDriver(), hasOpenTransaction),
  };
}

function truthfulRollbackDriver(inner: Driver, hasOpenTransaction?: () => boolean): Driver {
  const driver: Driver = {
    init: () => inner.init(),
    acquireConnection: () => inner.acquireConnection(),
    beginTransaction: (connection: DatabaseConnection, settings: TransactionSettings) => inner.beginTransaction(connection, settings),
    commitTransaction: (connection) => inner.commitTransaction(connection),
    async rollbackTransaction(connection) {
      if (hasOpenTransaction && !hasOpenTransaction()) return; // the database already rolled back
      try {
        await inner.rollbackTransaction(connection);
      } catch (error) {
        console.error(
          `[db] ROLLBACK failed after a failed transaction (${(error as Error).message}); the transaction's own error goes to its caller`,
        );
      }
    },
    releaseConnection: (connection) => inner.releaseConnection(connection),
    destroy: () => inner.destroy(),
  };
  // Savepoints only where the dialect has them (Kysely tests for the methods).
  if (inner.savepoint) driver.savepoint = inner.savepoint.bind(inner);
  if (inner.rollbackToSavepoint) driver.rollbackToSavepoint = inner.rollbackToSavepoint.bind(inner);
  if (inner.releaseSavepoint) driver.releaseSavepoint = inner.releaseSavepoint.bind(inner);
  return driver;
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdirSync can spin forever on some
 * unwritable paths (under /proc, for one) instead of failing.
 */
function ensureDirectory(dir: string): void {
  if (fs.existsSync(dir)) return;
  const parent = path.dirname(dir);
  if (parent !== dir) ensureDirectory(parent);
  fs.mkdirSync(dir);
}

/** The columns of PostgreSQL's search index (migration 012), as rows carry them before and after camel-casing. */
const SEARCH_VECTOR_KEYS = ['searchVector', 'searchNameVector', 'searchOrganisationVector', 'search_vector', 'search_name_vector', 'search_organisation_vector'] as const;

/**
 * Drops the search index's generated columns from every row PostgreSQL returns: they exist for
 * the search's WHERE clauses only (db/search/), and a `selectAll()` row spread into a page must
 * not ship a text's lexemes (nor weigh on `.data`). One place, for every query.
 */
class HideSearchVectors implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const rows = args.result.rows;
    const first = rows[0];
    if (first && SEARCH_VECTOR_KEYS.some((key) => key in first)) {
      for (const row of rows) for (const key of SEARCH_VECTOR_KEYS) delete row[key];
    }
    return args.result;
  }
}

async function openPostgres(url: string): Promise<DatabaseHandle> {
  const location = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on('error', (error) => console.error(`[db] idle PostgreSQL client error: ${error.message}`));
  // Nor may a client's error while it is in use (the connection dropped mid-transaction): the
  // pool listens to idle clients only. The query under way fails with the cause, the transaction
  // with it (withTruthfulRollback), and the pool drops the client when it is released.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      if (client.listenerCount('error') > 1) return; // idle: the pool's own listener reports it
      console.error(`[db] PostgreSQL connection lost while in use: ${error.message}`);
    });
  });
  const db = new Kysely<Database>({
    dialect: withTruthfulRollback(new PostgresDialect({ pool })),
    plugins: [new CamelCasePlugin(), new HideSearchVectors()],
  });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    const e = error as NodeJS.ErrnoException;
    throw new DatabaseOpenError(
      `Cannot reach PostgreSQL at ${location} (DATABASE_URL): ${e.message || e.code || String(error)}`,
    );
  }
  return { db, kind: 'postgres', location, close: () => db.destroy() };
}

/**
 * The /healthz probe: writes one row (an upsert into health_probe, migration 006), because a
 * database that still answers `select 1` may refuse every write (disk full, read-only) while
 * nothing co-editors type is saved. One tiny commit; resolves when it is done, throws otherwise.
 */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  // health_probe is not in the app's schema types (nothing else reads it): plain SQL.
  await sql`insert into health_probe (id, checked_at) values (1, ${new Date().toISOString()})
    on conflict (id) do update set checked_at = excluded.checked_at`.execute(db);
}

export { databaseErrorCode } from './error-codes';
