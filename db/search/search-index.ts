/**
 * The full-text index behind the search (docs/decisions/0019): one interface, one implementation
 * per database (sqlite.ts: FTS5; postgres.ts: tsvector), both over the indexes of migration 012.
 * The search service (app/search/search.server.ts) composes these fragments with the
 * contributions module's filters into one query per search: the index says which rows hold the
 * words and how well; who may see them is decided in the same query, never afterwards.
 *
 * Every fragment takes the query's words as bound parameters: a query's text never becomes SQL.
 * The words were parsed already (app/search/query.ts): letters, digits and marks only.
 */
import type { Kysely, RawBuilder } from 'kysely';
import type { ParsedQuery } from '../../app/search/search-types';

/** The searchable tables, by the kind of item they hold. */
export type IndexedKind = 'post' | 'case_study' | 'key_point' | 'note';

export const INDEXED_TABLES: Record<IndexedKind, string> = {
  post: 'posts',
  case_study: 'case_studies',
  key_point: 'key_points',
  note: 'notes',
};

export interface SearchIndex {
  /**
   * A subquery of `(id, score)`: the rows of `kind`'s table whose text holds every term of the
   * query and none of its excluded ones; `score` is the relevance, higher is better (SQLite's
   * negated BM25, PostgreSQL's ts_rank: comparable within one database, not across them).
   */
  textHits(kind: IndexedKind, query: ParsedQuery): RawBuilder<{ id: number; score: number }>;
  /**
   * A subquery of `(id)`: rows of `kind`'s table whose text holds an excluded term of the query;
   * null when it excludes nothing. (An item found by its author's name must not come back with a
   * word the query excludes.)
   */
  excludedHits(kind: IndexedKind, query: ParsedQuery): RawBuilder<{ id: number }> | null;
  /**
   * A subquery of `(id)`: users whose shown name matches every term of the query that is not
   * excluded: `name` and organisation for `scope` 'name' (a named attribution shows both),
   * the organisation alone for 'organisation'. Never asked for a Chatham House author.
   */
  authorHits(query: ParsedQuery, scope: 'name' | 'organisation'): RawBuilder<{ id: string }>;
  /**
   * Runs a search statement built from these fragments, with what this database needs to run it
   * well. Its rows come as the database names their columns (no camel-casing): alias them so.
   */
  execute<R>(db: Kysely<any>, query: RawBuilder<R>): Promise<R[]>;
}
