/**
 * What each creation form's key answered (app/utils/forms.server.ts): a form sent twice (a
 * double click without JavaScript, a slow link) is answered with the first result instead of
 * creating twice. `result` is null while the first submission is still running. Frozen once shipped.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('form_submissions')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('result', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // Old keys are swept by age.
  await db.schema.createIndex('form_submissions_created_at_idx').on('form_submissions').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('form_submissions').ifExists().execute();
}
