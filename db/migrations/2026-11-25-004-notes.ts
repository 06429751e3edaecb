/**
 * Synthesis notes: co-edited Yjs documents kept as append-only updates plus a compacted
 * snapshot, with a derived text / Lexical JSON / HTML copy, and named versions.
 * Frozen once shipped.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const serial = (table: string) =>
    postgres
      ? db.schema.createTable(table).addColumn('id', 'serial', (c) => c.primaryKey())
      : db.schema.createTable(table).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  const binary = postgres ? 'bytea' : 'blob';

  await serial('notes')
    .addColumn('consultation_id', 'integer', (c) => c.notNull().references('consultations.id').onDelete('cascade'))
    // null: the note of the whole consultation
    .addColumn('question_id', 'integer', (c) => c.references('questions.id').onDelete('cascade'))
    // null: every stakeholder group drafts it
    .addColumn('stakeholder_group', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('drafting'))
    .addColumn('content', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('html', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('status_changed_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('status_changed_at', 'text')
    .addCheckConstraint('notes_status_check', sql`status in ('drafting', 'in_review', 'final')`)
    .execute();
  await db.schema.createIndex('notes_consultation_idx').on('notes').columns(['consultation_id', 'question_id']).execute();

  await serial('note_updates')
    .addColumn('note_id', 'integer', (c) => c.notNull().references('notes.id').onDelete('cascade'))
    .addColumn('data', binary, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('note_updates_note_idx').on('note_updates').columns(['note_id', 'id']).execute();

  await db.schema
    .createTable('note_snapshots')
    .addColumn('note_id', 'integer', (c) => c.primaryKey().references('notes.id').onDelete('cascade'))
    .addColumn('data', binary, (c) => c.notNull())
    // note_updates with an id up to this one are in the snapshot
    .addColumn('last_update_id', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await serial('note_versions')
    .addColumn('note_id', 'integer', (c) => c.notNull().references('notes.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('data', binary, (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('note_versions_note_idx').on('note_versions').columns(['note_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['note_versions', 'note_snapshots', 'note_updates', 'notes']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
