/**
 * Secrets the nodes of one Palabre share (docs/decisions/0018): the key that authenticates their
 * messages on Redis. Kept in the database, which every node reads and a Redis-only intruder does
 * not: a message without the key's signature is dropped. Frozen once shipped.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cluster_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cluster_keys').ifExists().execute();
}
