/**
 * One open flag per reporter and subject, held by the database: the service's check-then-insert
 * lets two simultaneous reports through on PostgreSQL. Older duplicates (if any) are dismissed
 * first, keeping the earliest. Frozen once shipped.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update flags set status = 'dismissed', resolution = 'duplicate'
    where status = 'open' and exists (
      select 1 from flags earlier
      where earlier.status = 'open' and earlier.subject_type = flags.subject_type
        and earlier.subject_id = flags.subject_id and earlier.reporter_id = flags.reporter_id
        and earlier.id < flags.id
    )`.execute(db);
  await db.schema
    .createIndex('flags_open_reporter_key')
    .on('flags')
    .columns(['subject_type', 'subject_id', 'reporter_id'])
    .unique()
    .where(sql.ref('status'), '=', 'open')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('flags_open_reporter_key').execute();
}
