/**
 * The search index on PostgreSQL (docs/decisions/0019): the stored `search_vector` of each
 * searchable table (migration 012), built with the configuration of the row's language. A query
 * is turned into tsquery text here (each word single-quoted, so none is an operator) and given
 * to `to_tsquery` as a parameter once per configuration, so that each row is matched with its own
 * language's stemming; each branch is a condition the GIN index answers.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { pluralVariants } from '../../app/search/query';
import type { ParsedQuery, SearchTerm } from '../../app/search/search-types';
import { INDEXED_TABLES, type IndexedKind, type SearchIndex } from './search-index';

const quoted = (word: string) => `'${word.replace(/['\\]/g, (c) => `\\${c}`)}'`;

/**
 * A term as tsquery text. A plain word is ORed with its light plural variants, as on SQLite
 * (app/search/query.ts `pluralVariants`): the Snowball stemmers leave some singulars and plurals
 * apart (Spanish stems "ciudad" to ciud but "ciudades" to ciudad), and each variant is stemmed too.
 */
function termExpression(term: SearchTerm): string {
  const words = term.words.map(quoted);
  if (term.prefix) words[words.length - 1] += ':*';
  if (words.length > 1) return `(${words.join(' <-> ')})`;
  if (term.prefix) return words[0]!;
  const variants = pluralVariants(term.words[0]!);
  return variants.length > 1 ? `(${variants.map(quoted).join(' | ')})` : words[0]!;
}

/** tsquery text of the query: its terms ANDed, the excluded ones negated. */
export function tsqueryText(query: ParsedQuery): string {
  return query.terms.map((t) => (t.negated ? `!${termExpression(t)}` : termExpression(t))).join(' & ');
}

/** tsquery text of the terms that are not excluded, ANDed. */
export function positiveText(query: ParsedQuery): string {
  return query.terms
    .filter((t) => !t.negated)
    .map(termExpression)
    .join(' & ');
}

/** tsquery text of the excluded terms, ORed; '' when there are none. */
export function excludedText(query: ParsedQuery): string {
  return query.terms
    .filter((t) => t.negated)
    .map(termExpression)
    .join(' | ');
}

const LANGUAGES = [
  ['fr', 'palabre_french'],
  ['en', 'palabre_english'],
  ['es', 'palabre_spanish'],
] as const;

const tsquery = (config: string, text: string) => sql`to_tsquery(${sql.raw(`'${config}'::regconfig`)}, ${text})`;

/** Rows of a table with a `language` column whose vector matches `text` in their language's configuration. */
function byLanguage(table: string, text: string): RawBuilder<unknown> {
  const t = sql.raw(table);
  const branches = LANGUAGES.map(([code, config]) => sql`(${t}.language = ${code} and ${t}.search_vector @@ ${tsquery(config, text)})`);
  const other = sql`(${t}.language not in ('fr', 'en', 'es') and ${t}.search_vector @@ ${tsquery('palabre_simple', text)})`;
  return sql.join([...branches, other], sql` or `);
}

/** The query of a row's language, for ranking. */
function queryOfLanguage(table: string, text: string): RawBuilder<unknown> {
  const t = sql.raw(table);
  const cases = LANGUAGES.map(([code, config]) => sql`when ${code} then ${tsquery(config, text)}`);
  return sql`case ${t}.language ${sql.join(cases, sql` `)} else ${tsquery('palabre_simple', text)} end`;
}

/** A note has no language: its vector holds the three stemmings, matched by any of them. */
const anyOfThree = (text: string) => sql`(${sql.join(LANGUAGES.map(([, config]) => tsquery(config, text)), sql` || `)})`;

function matches(kind: IndexedKind, text: string): RawBuilder<unknown> {
  const table = INDEXED_TABLES[kind];
  return kind === 'note' ? sql`${sql.raw(table)}.search_vector @@ ${anyOfThree(text)}` : byLanguage(table, text);
}

export const postgresSearchIndex: SearchIndex = {
  textHits(kind, query) {
    const table = INDEXED_TABLES[kind];
    const t = sql.raw(table);
    const text = tsqueryText(query);
    const rankQuery = kind === 'note' ? anyOfThree(text) : queryOfLanguage(table, text);
    return sql<{ id: number; score: number }>`select ${t}.id as id, ts_rank(${t}.search_vector, ${rankQuery}) as score from ${t} where ${matches(kind, text)}`;
  },
  excludedHits(kind, query) {
    const text = excludedText(query);
    if (!text) return null;
    const t = sql.raw(INDEXED_TABLES[kind]);
    return sql<{ id: number }>`select ${t}.id as id from ${t} where ${matches(kind, text)}`;
  },
  authorHits(query, scope) {
    const column = sql.raw(scope === 'name' ? 'search_name_vector' : 'search_organisation_vector');
    return sql<{ id: string }>`select users.id as id from users where users.${column} @@ ${tsquery('palabre_simple', positiveText(query))}`;
  },
  async execute<R>(db: Kysely<any>, query: RawBuilder<R>): Promise<R[]> {
    // Rows straight from the driver (compiled with the plugins: names snake-cased already).
    return (await db.withoutPlugins().executeQuery<R>(query.compile(db))).rows;
  },
};
