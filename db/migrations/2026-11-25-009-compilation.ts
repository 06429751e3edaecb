/**
 * The compilation of a question's contributions (issue 12): key points, the clips that quote
 * their sources, the history of merges, and a queryable copy of the contributions each synthesis
 * note cites (until now only inside the note's derived Lexical JSON), maintained when a note's
 * derived text is saved (app/notes/note-citations.server.ts) and filled here for existing notes.
 *
 * Nothing here is ever deleted by the application: a merged key point stays, pointing to its
 * survivor (`merged_into_id`), and its clips move to the survivor (`moved_from_id` says from where).
 *
 * Offsets (`clips.start_offset`, `end_offset`) count UTF-16 code units (as a DOM selection and
 * JavaScript strings do) into the plain text of the source's field: `posts.body_text` for a post
 * (`source_field` 'body'), the case study's column named by `source_field` (its `body` being
 * `case_studies.body_text`). End is exclusive. Frozen once shipped.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const serial = (table: string) =>
    postgres
      ? db.schema.createTable(table).addColumn('id', 'serial', (c) => c.primaryKey())
      : db.schema.createTable(table).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  await serial('key_points')
    .addColumn('consultation_id', 'integer', (c) => c.notNull().references('consultations.id').onDelete('cascade'))
    // A question (questions.id), never a sub-question: a compilation is a question's.
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id').onDelete('cascade'))
    .addColumn('heading', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    // 1…n among the question's live key points (merged ones keep their last position, unused).
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    // Chosen by the client, so that a retried creation creates once (unique per author).
    .addColumn('client_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('merged_into_id', 'integer', (c) => c.references('key_points.id'))
    .addCheckConstraint('key_points_position_check', sql`position > 0`)
    .addCheckConstraint('key_points_not_self_merged_check', sql`merged_into_id is null or merged_into_id <> id`)
    .execute();
  // The live list of a question, in order; unique so that two writers can never share a place.
  await db.schema
    .createIndex('key_points_live_position_key')
    .on('key_points')
    .columns(['question_id', 'position'])
    .unique()
    .where(sql.ref('merged_into_id'), 'is', null)
    .execute();
  // A question's contributions are found through its threads (coverage, not-yet-reflected).
  await db.schema.createIndex('threads_question_idx').on('threads').columns(['question_id', 'sub_question_id']).execute();
  await db.schema.createIndex('key_points_question_idx').on('key_points').columns(['question_id', 'id']).execute();
  await db.schema.createIndex('key_points_author_client_key').on('key_points').columns(['author_id', 'client_id']).unique().execute();

  await serial('clips')
    .addColumn('key_point_id', 'integer', (c) => c.notNull().references('key_points.id').onDelete('cascade'))
    .addColumn('source_kind', 'text', (c) => c.notNull())
    .addColumn('source_id', 'integer', (c) => c.notNull())
    .addColumn('source_field', 'text', (c) => c.notNull())
    .addColumn('start_offset', 'integer', (c) => c.notNull())
    .addColumn('end_offset', 'integer', (c) => c.notNull())
    .addColumn('quote', 'text', (c) => c.notNull())
    // SHA-256 of the quote's UTF-8 bytes, lower-case hex, computed by the server.
    .addColumn('quote_sha256', 'text', (c) => c.notNull())
    .addColumn('stance', 'text', (c) => c.notNull().defaultTo('supports'))
    .addColumn('clipped_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('clipped_at', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text')
    // The key point it was clipped into, when a merge moved it to the survivor.
    .addColumn('moved_from_id', 'integer', (c) => c.references('key_points.id'))
    .addCheckConstraint('clips_source_kind_check', sql`source_kind in ('post', 'case_study')`)
    .addCheckConstraint(
      'clips_source_field_check',
      sql`(source_kind = 'post' and source_field = 'body') or (source_kind = 'case_study' and source_field in ('title', 'summary', 'body', 'results', 'indicators', 'worked', 'didNotWork'))`,
    )
    .addCheckConstraint('clips_range_check', sql`start_offset >= 0 and end_offset > start_offset`)
    .addCheckConstraint('clips_stance_check', sql`stance in ('supports', 'qualifies', 'disagrees')`)
    .execute();
  await db.schema.createIndex('clips_key_point_idx').on('clips').columns(['key_point_id', 'id']).execute();
  // Coverage and backlinks: is this contribution clipped anywhere?
  await db.schema.createIndex('clips_source_idx').on('clips').columns(['source_kind', 'source_id', 'key_point_id']).execute();
  await db.schema.createIndex('clips_clipper_client_key').on('clips').columns(['clipped_by', 'client_id']).unique().execute();

  await serial('key_point_merges')
    .addColumn('survivor_id', 'integer', (c) => c.notNull().references('key_points.id').onDelete('cascade'))
    .addColumn('merged_id', 'integer', (c) => c.notNull().references('key_points.id').onDelete('cascade'))
    .addColumn('clips_moved', 'integer', (c) => c.notNull())
    .addColumn('merged_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('merged_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('key_point_merges_merged_key', ['merged_id'])
    .execute();
  await db.schema.createIndex('key_point_merges_survivor_idx').on('key_point_merges').column('survivor_id').execute();

  // What each note cites, one row per contribution (several citations of one count once).
  await db.schema
    .createTable('note_citations')
    .addColumn('note_id', 'integer', (c) => c.notNull().references('notes.id').onDelete('cascade'))
    .addColumn('source_kind', 'text', (c) => c.notNull())
    .addColumn('source_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('note_citations_pkey', ['note_id', 'source_kind', 'source_id'])
    .addCheckConstraint('note_citations_source_kind_check', sql`source_kind in ('post', 'case_study')`)
    .execute();
  await db.schema.createIndex('note_citations_source_idx').on('note_citations').columns(['source_kind', 'source_id']).execute();

  // Existing notes: their citations, from the derived Lexical JSON.
  const notes = (await db.selectFrom('notes').select(['id', 'content']).execute()) as { id: number; content: string }[];
  for (const note of notes) {
    const refs = citedIn(note.content);
    if (refs.length) await db.insertInto('note_citations').values(refs.map((r) => ({ note_id: note.id, source_kind: r.kind, source_id: r.id }))).execute();
  }
}

/** The contributions a note's Lexical JSON cites, once each (a frozen copy: later code may change). */
function citedIn(content: string): { kind: string; id: number }[] {
  let root: unknown;
  try {
    root = JSON.parse(content);
  } catch {
    return [];
  }
  const found = new Map<string, { kind: string; id: number }>();
  const walk = (node: unknown, depth: number) => {
    if (!node || typeof node !== 'object' || depth > 64) return;
    const n = node as { type?: unknown; kind?: unknown; targetId?: unknown; children?: unknown; root?: unknown };
    if (n.type === 'citation' && (n.kind === 'post' || n.kind === 'case_study') && Number.isInteger(n.targetId) && (n.targetId as number) > 0 && (n.targetId as number) < 1e9) {
      found.set(`${n.kind}:${n.targetId}`, { kind: n.kind, id: n.targetId as number });
    }
    if (n.root) walk(n.root, depth + 1);
    if (Array.isArray(n.children)) for (const child of n.children) walk(child, depth + 1);
  };
  walk(root, 0);
  return [...found.values()];
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('threads_question_idx').ifExists().execute();
  for (const table of ['note_citations', 'key_point_merges', 'clips', 'key_points']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
