/**
 * users.name_key: each display name's look-alike key (app/text/name-key.server.ts), unique, so
 * that no account can take a name that looks like another's (a Cyrillic а, a zero-width joiner,
 * a capital I for an l). Existing accounts get their key; where two already look alike, the
 * older keeps the key and the newer gets it suffixed with its id (so it stays unique, and new
 * look-alikes of either are still refused). Frozen once shipped.
 */
import { sql, type Kysely } from 'kysely';
import { nameKey } from '../../app/text/name-key.server';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('name_key', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  const users = await sql<{ id: string; name: string }>`select id, name from users order by created_at, id`.execute(db);
  const taken = new Set<string>();
  for (const user of users.rows) {
    let key = nameKey(user.name);
    if (taken.has(key)) key = `${key}#${user.id}`;
    taken.add(key);
    await sql`update users set name_key = ${key} where id = ${user.id}`.execute(db);
  }
  await db.schema.createIndex('users_name_key_key').on('users').column('name_key').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_name_key_key').execute();
  await db.schema.alterTable('users').dropColumn('name_key').execute();
}
