/**
 * When each note first cited each contribution (note_citations.created_at, ISO-8601 UTC), so
 * that a footnote can say its post was edited since it was cited. The note store keeps the time
 * across the rewrites of a note's rows (app/notes/note-citations.server.ts); a citation taken
 * out and put back later starts again.
 *
 * Rows from before this migration get their note's creation time: the earliest the citation can
 * be, so that an edit made after it is never passed over in silence (an edit made between the
 * note's creation and the citation is flagged too: the safe side). Nullable because SQLite adds
 * a NOT NULL column only with a constant default; the application always writes it. Frozen
 * once shipped.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('note_citations').addColumn('created_at', 'text').execute();
  await sql`update note_citations set created_at = (select notes.created_at from notes where notes.id = note_citations.note_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('note_citations').dropColumn('created_at').execute();
}
