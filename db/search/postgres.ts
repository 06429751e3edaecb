/**
 * The search index on PostgreSQL (docs/decisions/0019): the stored `search_vector` of each
 * searchable table (migration 012), built with the configuration of the row's language. A query
 * becomes one tsquery per configuration, built in SQL term by term from tsquery text in which
 * each word is single-quoted (so none is an operator), given to `to_tsquery` as parameters; each
 * row is matched with its own language's stemming, each branch a condition the GIN index answers.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { pluralVariants } from '../../app/search/query';
import type { ParsedQuery, SearchTerm } from '../../app/search/search-types';
import { INDEXED_TABLES, type IndexedKind, type SearchIndex } from './search-index';

const quoted = (word: string) => `'${word.replace(/['\\]/g, (c) => `\\${c}`)}'`;

/** A term as tsquery text, plural variants aside: a word, a prefix (`'numéri':*`), a phrase (`'a' <-> 'b'`). */
function termText(term: SearchTerm): string {
  const words = term.words.map(quoted);
  if (term.prefix) words[words.length - 1] += ':*';
  return words.length > 1 ? `(${words.join(' <-> ')})` : words[0]!;
}

type Config = 'palabre_french' | 'palabre_english' | 'palabre_spanish' | 'palabre_simple';

const regconfig = (config: Config) => sql.raw(`'${config}'::regconfig`);

/**
 * A term as a tsquery of `config`. A plain word is ORed with its light plural variants, as on
 * SQLite (app/search/query.ts `pluralVariants`): the Snowball stemmers leave some singulars and
 * plurals apart (Spanish stems "ciudad" to ciud but "ciudades" to ciudad). But a word the
 * configuration drops as a stop word ("the", "une") is dropped with its variants, which are no
 * stop words ("thes", "unes") and would otherwise be required: the term is then empty.
 */
function termQuery(config: Config, term: SearchTerm): RawBuilder<unknown> {
  const plain = !term.prefix && term.words.length === 1;
  const variants = plain ? pluralVariants(term.words[0]!) : [];
  if (variants.length < 2) return sql`to_tsquery(${regconfig(config)}, ${termText(term)})`;
  const word = sql`to_tsquery(${regconfig(config)}, ${termText(term)})`;
  const any = sql`to_tsquery(${regconfig(config)}, ${`(${variants.map(quoted).join(' | ')})`})`;
  return sql`(case when numnode(${word}) = 0 then ${word} else ${any} end)`;
}

/**
 * The query as a tsquery of `config`: `all` every term ANDed, the excluded ones negated (nothing
 * when no term to look for is left: excluding alone would match everything else); `positive`
 * the terms to look for; `excluded` the excluded terms ORed (empty when there are none).
 */
function tsquery(config: Config, query: ParsedQuery, part: 'all' | 'positive' | 'excluded'): RawBuilder<unknown> {
  const positive = query.terms.filter((t) => !t.negated).map((t) => termQuery(config, t));
  const excluded = query.terms.filter((t) => t.negated).map((t) => termQuery(config, t));
  const and = (list: RawBuilder<unknown>[]) => sql`(${sql.join(list, sql` && `)})`;
  if (part === 'positive') return and(positive);
  if (part === 'excluded') return excluded.length ? sql`(${sql.join(excluded, sql` || `)})` : sql`to_tsquery('')`;
  if (excluded.length === 0) return and(positive);
  const looked = and(positive);
  return sql`(case when numnode(${looked}) = 0 then ${looked} else ${looked} && ${and(excluded.map((e) => sql`!!${e}`))} end)`;
}

const LANGUAGES = [
  ['fr', 'palabre_french'],
  ['en', 'palabre_english'],
  ['es', 'palabre_spanish'],
] as const;

type Part = 'all' | 'excluded';

/** Rows of a table with a `language` column whose vector matches the query in their language's configuration. */
function byLanguage(table: string, query: ParsedQuery, part: Part): RawBuilder<unknown> {
  const t = sql.raw(table);
  const branches = LANGUAGES.map(([code, config]) => sql`(${t}.language = ${code} and ${t}.search_vector @@ ${tsquery(config, query, part)})`);
  const other = sql`(${t}.language not in ('fr', 'en', 'es') and ${t}.search_vector @@ ${tsquery('palabre_simple', query, part)})`;
  return sql.join([...branches, other], sql` or `);
}

/** The query of a row's language, for ranking. */
function queryOfLanguage(table: string, query: ParsedQuery): RawBuilder<unknown> {
  const t = sql.raw(table);
  const cases = LANGUAGES.map(([code, config]) => sql`when ${code} then ${tsquery(config, query, 'all')}`);
  return sql`case ${t}.language ${sql.join(cases, sql` `)} else ${tsquery('palabre_simple', query, 'all')} end`;
}

/** A note has no language: its vector holds the three stemmings, matched by any of them. */
const anyOfThree = (query: ParsedQuery, part: Part) => sql`(${sql.join(LANGUAGES.map(([, config]) => tsquery(config, query, part)), sql` || `)})`;

function matches(kind: IndexedKind, query: ParsedQuery, part: Part): RawBuilder<unknown> {
  const table = INDEXED_TABLES[kind];
  return kind === 'note' ? sql`${sql.raw(table)}.search_vector @@ ${anyOfThree(query, part)}` : byLanguage(table, query, part);
}

export const postgresSearchIndex: SearchIndex = {
  textHits(kind, query) {
    const table = INDEXED_TABLES[kind];
    const t = sql.raw(table);
    const rankQuery = kind === 'note' ? anyOfThree(query, 'all') : queryOfLanguage(table, query);
    return sql<{ id: number; score: number }>`select ${t}.id as id, ts_rank(${t}.search_vector, ${rankQuery}) as score from ${t} where ${matches(kind, query, 'all')}`;
  },
  excludedHits(kind, query) {
    if (!query.terms.some((t) => t.negated)) return null;
    const t = sql.raw(INDEXED_TABLES[kind]);
    return sql<{ id: number }>`select ${t}.id as id from ${t} where ${matches(kind, query, 'excluded')}`;
  },
  authorHits(query, scope) {
    const column = sql.raw(scope === 'name' ? 'search_name_vector' : 'search_organisation_vector');
    return sql<{ id: string }>`select users.id as id from users where users.${column} @@ ${tsquery('palabre_simple', query, 'positive')}`;
  },
  async execute<R>(db: Kysely<any>, query: RawBuilder<R>): Promise<R[]> {
    const compiled = query.compile(db);
    // Without parallel workers: the planner expects hundreds of hits per word and plans two
    // workers, whose start cost 40 ms here for a search whose work took 3 (a rare word, 100,000
    // posts); a search is many small statements, and the cores are the other readers'.
    // (`set local` lasts until the transaction ends: the caller's, when it searches inside one.)
    const run = async (trx: Kysely<any>) => {
      await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
      // Rows straight from the driver (compiled with the plugins: names snake-cased already).
      return (await trx.withoutPlugins().executeQuery<R>(compiled)).rows;
    };
    return db.isTransaction ? run(db) : db.transaction().execute(run);
  },
};
