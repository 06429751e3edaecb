/**
 * A database error as a short, stable code (`read_only`, `unreachable`, …; `error` for anything
 * that is not the database failing), for /healthz and for answers: raw driver messages can be
 * long, vary between versions and name internals, so they go to the log, not to the answer. No
 * dependency, so that the Remix bundle may use it (forms answer "not saved" when the database is
 * down).
 */
export function databaseErrorCode(error: unknown): string {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  // better-sqlite3: SQLITE_* codes, extended ones included (SQLITE_IOERR_WRITE…)
  if (code.startsWith('SQLITE_READONLY')) return 'read_only';
  if (code === 'SQLITE_FULL') return 'disk_full';
  if (code.startsWith('SQLITE_IOERR')) return 'io_error';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'unavailable';
  // PostgreSQL SQLSTATE codes
  if (code === '25006') return 'read_only'; // read_only_sql_transaction
  if (code === '53100') return 'disk_full';
  if (code.startsWith('53')) return 'out_of_resources';
  if (code.startsWith('58')) return 'io_error';
  if (code.startsWith('08') || code.startsWith('57P')) return 'unavailable'; // connection lost, shutting down
  if (code === '42P01') return 'not_migrated'; // undefined_table
  // Node socket errors (PostgreSQL unreachable)
  if (['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE'].includes(code)) return 'unreachable';
  if (/timeout/i.test((error as Error | null)?.message ?? '')) return 'timeout';
  return 'error';
}
