/**
 * Full-text search (issue 15, docs/decisions/0019): an index per searchable table that the
 * database keeps in step by itself, so that no write path has to remember to index.
 *
 * - SQLite: FTS5 external-content tables over posts, case studies, key points and notes (the
 *   rows stay where they are; the index holds their words), kept by triggers on insert, update
 *   and delete; tokenizer `unicode61 remove_diacritics 2` (case and accents folded, Unicode
 *   word boundaries), prefix indexes of 2 and 3 characters, BM25 as each table's `rank`. Authors' names and organisations
 *   (what a named or organisation attribution shows) are a small FTS5 table of their own,
 *   `users_fts`, holding its content, because users have no stable integer rowid to point at.
 * - PostgreSQL: a stored generated `tsvector` column per table with a GIN index, built with the
 *   text-search configuration of the item's language (`palabre_french`, `palabre_english`,
 *   `palabre_spanish`: the built-in Snowball stemmers behind `unaccent`; `palabre_simple` for any
 *   other language). A note has no language of its own: its vector holds the three stemmings.
 *   Users get two vectors (`search_name_vector`, `search_organisation_vector`, simple
 *   configuration). No row read by the application carries a vector: db/database.ts drops them
 *   from every result (a page spreading a row must not ship its words' index).
 *
 * Frozen once shipped.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

const FTS = `tokenize = 'unicode61 remove_diacritics 2'`;

/** An FTS5 external-content table over `table`'s `columns` and the triggers that keep it. */
function sqliteIndex(table: string, columns: string[], rank: string, prefix = false): string[] {
  const fts = `${table}_fts`;
  const cols = columns.join(', ');
  const values = (row: 'new' | 'old') => columns.map((c) => `${row}.${c}`).join(', ');
  const changed = columns.map((c) => `old.${c} is not new.${c}`).join(' or ');
  return [
    `create virtual table ${fts} using fts5(${cols}, content = '${table}', content_rowid = 'id', ${FTS}${prefix ? `, prefix = '2 3'` : ''})`,
    `create trigger ${fts}_insert after insert on ${table} begin
       insert into ${fts} (rowid, ${cols}) values (new.id, ${values('new')});
     end`,
    `create trigger ${fts}_delete after delete on ${table} begin
       insert into ${fts} (${fts}, rowid, ${cols}) values ('delete', old.id, ${values('old')});
     end`,
    `create trigger ${fts}_update after update on ${table} when ${changed} begin
       insert into ${fts} (${fts}, rowid, ${cols}) values ('delete', old.id, ${values('old')});
       insert into ${fts} (rowid, ${cols}) values (new.id, ${values('new')});
     end`,
    // Its `rank` column: BM25 with these column weights (a title counts more than a body).
    `insert into ${fts} (${fts}, rank) values ('rank', '${rank}')`,
    `insert into ${fts} (${fts}) values ('rebuild')`,
  ];
}

const SQLITE: string[] = [
  ...sqliteIndex('posts', ['body_text'], 'bm25()', true),
  ...sqliteIndex('case_studies', ['title', 'summary', 'body_text', 'results', 'indicators', 'worked', 'did_not_work'], 'bm25(8.0, 4.0, 1.0, 1.0, 1.0, 1.0, 1.0)', true),
  ...sqliteIndex('key_points', ['heading', 'summary'], 'bm25(4.0, 1.0)'),
  ...sqliteIndex('notes', ['title', 'text'], 'bm25(4.0, 1.0)'),
  // What the search reads of each post found, without its text: a post's row holds its body
  // three times over (JSON, HTML, plain text), and reading 20,000 of them is 7 times slower
  // than this index. The search names it (db/search/sqlite.ts: SQLite prefers the rowid).
  `create index posts_search_facets on posts (id, status, attribution, author_id, language, created_at, thread_id)`,
  // An author found by name or organisation: their posts under that attribution, without a scan.
  `create index posts_author_search_idx on posts (author_id, attribution, id)`,
  `create virtual table users_fts using fts5(user_id unindexed, name, organisation, ${FTS})`,
  `create trigger users_fts_insert after insert on users begin
     insert into users_fts (user_id, name, organisation) values (new.id, new.name, new.organisation);
   end`,
  `create trigger users_fts_delete after delete on users begin
     delete from users_fts where user_id = old.id;
   end`,
  `create trigger users_fts_update after update on users when old.name is not new.name or old.organisation is not new.organisation begin
     delete from users_fts where user_id = old.id;
     insert into users_fts (user_id, name, organisation) values (new.id, new.name, new.organisation);
   end`,
  `insert into users_fts (user_id, name, organisation) select id, name, organisation from users`,
];

/** The configuration of an item's language (fr, en, es; simple otherwise), as a constant regconfig. */
const byLanguage = `case language when 'fr' then 'palabre_french'::regconfig when 'en' then 'palabre_english'::regconfig when 'es' then 'palabre_spanish'::regconfig else 'palabre_simple'::regconfig end`;
const vector = (config: string, text: string, weight: string) => `setweight(to_tsvector(${config}, coalesce(${text}, '')), '${weight}')`;
const allThree = (text: string, weight: string) =>
  ['palabre_french', 'palabre_english', 'palabre_spanish'].map((c) => vector(`'${c}'::regconfig`, text, weight)).join(' || ');

const POSTGRES: string[] = [
  // Trusted since PostgreSQL 13: the database owner may create it.
  `create extension if not exists unaccent`,
  ...[
    ['palabre_french', 'french', 'french_stem'],
    ['palabre_english', 'english', 'english_stem'],
    ['palabre_spanish', 'spanish', 'spanish_stem'],
    ['palabre_simple', 'simple', 'simple'],
  ].flatMap(([name, copy, dictionary]) => [
    `create text search configuration ${name} (copy = pg_catalog.${copy})`,
    `alter text search configuration ${name} alter mapping for hword_part, word with unaccent, ${dictionary}`,
    // A hyphenated compound ("job-matching") is indexed by its parts alone, as FTS5 does: its
    // whole form would take a position of its own and break phrases ("AI job matching").
    `alter text search configuration ${name} drop mapping for asciihword, hword, numhword`,
  ]),
  `alter table posts add column search_vector tsvector generated always as (${vector(byLanguage, 'body_text', 'A')}) stored`,
  `alter table case_studies add column search_vector tsvector generated always as (${vector(byLanguage, 'title', 'A')} || ${vector(byLanguage, 'summary', 'B')} || ${vector(
    byLanguage,
    `body_text || ' ' || results || ' ' || indicators || ' ' || worked || ' ' || did_not_work`,
    'C',
  )}) stored`,
  `alter table key_points add column search_vector tsvector generated always as (${vector(byLanguage, 'heading', 'A')} || ${vector(byLanguage, 'summary', 'B')}) stored`,
  `alter table notes add column search_vector tsvector generated always as (${allThree('title', 'A')} || ${allThree('text', 'C')}) stored`,
  // What a named attribution shows (name and organisation), and an organisation one.
  `alter table users add column search_name_vector tsvector generated always as (to_tsvector('palabre_simple'::regconfig, name || ' ' || organisation)) stored`,
  `alter table users add column search_organisation_vector tsvector generated always as (to_tsvector('palabre_simple'::regconfig, organisation)) stored`,
  ...['posts', 'case_studies', 'key_points', 'notes'].map((t) => `create index ${t}_search_idx on ${t} using gin (search_vector)`),
  // What the search reads of each post found, beside its vector (see the SQLite one).
  `create index posts_search_facets on posts (id) include (status, thread_id, author_id, attribution, language, created_at)`,
  `create index posts_author_search_idx on posts (author_id, attribution, id)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const statement of postgres ? POSTGRES : SQLITE) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres) {
    for (const t of ['posts', 'case_studies', 'key_points', 'notes']) await sql.raw(`alter table ${t} drop column if exists search_vector`).execute(db);
    await sql.raw(`alter table users drop column if exists search_name_vector, drop column if exists search_organisation_vector`).execute(db);
    await sql.raw(`drop index if exists posts_search_facets`).execute(db);
    await sql.raw(`drop index if exists posts_author_search_idx`).execute(db);
    for (const c of ['palabre_french', 'palabre_english', 'palabre_spanish', 'palabre_simple']) await sql.raw(`drop text search configuration if exists ${c}`).execute(db);
    return;
  }
  await sql.raw(`drop index if exists posts_search_facets`).execute(db);
  await sql.raw(`drop index if exists posts_author_search_idx`).execute(db);
  for (const t of ['posts', 'case_studies', 'key_points', 'notes', 'users']) {
    for (const op of ['insert', 'delete', 'update']) await sql.raw(`drop trigger if exists ${t}_fts_${op}`).execute(db);
    await sql.raw(`drop table if exists ${t}_fts`).execute(db);
  }
}
