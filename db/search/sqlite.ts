/**
 * The search index on SQLite (docs/decisions/0019): FTS5 tables `<table>_fts` (migration 012),
 * tokenised by `unicode61 remove_diacritics 2`, so case and accents are folded on both sides.
 * FTS5 has no stemmer for French or Spanish: a plain word is searched with its light plural
 * variants (app/search/query.ts `pluralVariants`: compétence OR compétences, ciudad OR
 * ciudades), each an exact term, an index lookup like any other.
 */
import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
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

export const sqliteSearchIndex: SearchIndex = {
  textHits(kind, query) {
    const fts = sql.raw(`${INDEXED_TABLES[kind]}_fts`);
    // `rank` is BM25 with the table's column weights (migration 012); lower is better.
    return sql<{ id: number; score: number }>`select rowid as id, -${fts}.rank as score from ${fts} where ${fts} match ${matchExpression(query)}`;
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
  async execute<R>(db: Kysely<any>, query: RawBuilder<R>): Promise<R[]> {
    // SQLite reaches a post by its rowid even where the narrow index `posts_search_facets`
    // (migration 012) holds every column the search reads; told so, it reads 7 times less.
    // Kysely has no INDEXED BY: the compiled text gets it, parameters unchanged.
    const compiled = query.compile(db);
    const text = compiled.sql.replaceAll('from "posts" inner join', 'from "posts" indexed by "posts_search_facets" inner join');
    // Rows straight from the driver: the query's names were snake-cased when it compiled, and
    // camel-casing tens of thousands of rows' keys back would cost more than reading them.
    const { rows } = await db.withoutPlugins().executeQuery<R>(CompiledQuery.raw(text, [...compiled.parameters]));
    return rows;
  },
};
