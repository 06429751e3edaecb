/** The search index of a database (docs/decisions/0019): FTS5 on SQLite, tsvector on PostgreSQL. */
import { PostgresAdapter, type Kysely } from 'kysely';
import { postgresSearchIndex } from './postgres';
import type { SearchIndex } from './search-index';
import { sqliteSearchIndex } from './sqlite';

export type { IndexedKind, SearchIndex } from './search-index';

export function searchIndexOf(db: Kysely<any>): SearchIndex {
  return db.getExecutor().adapter instanceof PostgresAdapter ? postgresSearchIndex : sqliteSearchIndex;
}
