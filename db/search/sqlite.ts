/**
 * The search index on SQLite (docs/decisions/0019): FTS5 tables `<table>_fts` (migration 012),
 * tokenised by `unicode61 remove_diacritics 2`, so case and accents are folded on both sides.
 * FTS5 has no stemmer for French or Spanish: a plain word is searched with its light plural
 * variants (app/search/query.ts `pluralVariants`: compétence OR compétences, ciudad OR
 * ciudades), each an exact term, an index lookup like any other.
 */
import { sql } from 'kysely';
import { pluralVariants } from '../../app/search/query';
import type { ParsedQuery, SearchTerm } from '../../app/search/search-types';
import { INDEXED_TABLES, type IndexedKind, type SearchIndex } from './search-index';

/** A string of FTS5 syntax: the words are double-quoted (a quote inside doubled), so no word is an operator. */
const quoted = (text: string) => `"${text.replace(/"/g, '""')}"`;

function termExpression(term: SearchTerm): string {
  if (term.words.length > 1) return `${quoted(term.words.join(' '))}${term.prefix ? ' *' : ''}`;
  const word = term.words[0]!;
  if (term.prefix) return `${quoted(word)} *`;
  const variants = pluralVariants(word);
  return variants.length === 1 ? quoted(word) : `(${variants.map(quoted).join(' OR ')})`;
}

/** The FTS5 expression of the query's terms that are not excluded, ANDed. */
export function positiveExpression(query: ParsedQuery): string {
  return query.terms
    .filter((t) => !t.negated)
    .map(termExpression)
    .join(' AND ');
}

/** The FTS5 expression of the excluded terms, ORed; '' when there are none. */
export function excludedExpression(query: ParsedQuery): string {
  return query.terms
    .filter((t) => t.negated)
    .map(termExpression)
    .join(' OR ');
}

/** The whole match: every term, none of the excluded ones. */
export function matchExpression(query: ParsedQuery): string {
  const excluded = excludedExpression(query);
  const positive = positiveExpression(query);
  return excluded ? `(${positive}) NOT (${excluded})` : positive;
}

/** BM25 column weights: a title or heading counts more than a body. */
const RANK: Record<IndexedKind, string> = {
  post: 'bm25(posts_fts)',
  case_study: 'bm25(case_studies_fts, 8.0, 4.0, 1.0, 1.0, 1.0, 1.0, 1.0)',
  key_point: 'bm25(key_points_fts, 4.0, 1.0)',
  note: 'bm25(notes_fts, 4.0, 1.0)',
};

export const sqliteSearchIndex: SearchIndex = {
  textHits(kind, query) {
    const fts = sql.raw(`${INDEXED_TABLES[kind]}_fts`);
    return sql<{ id: number; score: number }>`select rowid as id, -${sql.raw(RANK[kind])} as score from ${fts} where ${fts} match ${matchExpression(query)}`;
  },
  excludedHits(kind, query) {
    const excluded = excludedExpression(query);
    if (!excluded) return null;
    const fts = sql.raw(`${INDEXED_TABLES[kind]}_fts`);
    return sql<{ id: number }>`select rowid as id from ${fts} where ${fts} match ${excluded}`;
  },
  authorHits(query, scope) {
    const columns = scope === 'name' ? '{name organisation}' : '{organisation}';
    return sql<{ id: string }>`select user_id as id from users_fts where users_fts match ${`${columns} : (${positiveExpression(query)})`}`;
  },
};
