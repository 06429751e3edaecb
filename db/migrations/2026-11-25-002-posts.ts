/**
 * Contributions in threads: posts (with replies, attribution, status), their edit history and
 * endorsements; a per-thread change counter that lets a reconnecting client ask what it missed.
 * Frozen once shipped.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  await db.schema.alterTable('threads').addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  let posts = db.schema.createTable('posts');
  posts = postgres
    ? posts.addColumn('id', 'serial', (c) => c.primaryKey())
    : posts.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await posts
    .addColumn('thread_id', 'integer', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'integer', (c) => c.references('posts.id').onDelete('set null'))
    .addColumn('root_id', 'integer', (c) => c.references('posts.id').onDelete('set null'))
    .addColumn('attribution', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('visible'))
    .addColumn('hidden_reason', 'text')
    .addColumn('endorsement_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text')
    .addUniqueConstraint('posts_author_client_key', ['author_id', 'client_id'])
    .addCheckConstraint('posts_status_check', sql`status in ('visible', 'hidden', 'deleted')`)
    .addCheckConstraint('posts_attribution_check', sql`attribution in ('named', 'organisation', 'chatham')`)
    .execute();
  await db.schema.createIndex('posts_thread_created_idx').on('posts').columns(['thread_id', 'root_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('posts_thread_seq_idx').on('posts').columns(['thread_id', 'seq']).execute();

  let edits = db.schema.createTable('post_edits');
  edits = postgres
    ? edits.addColumn('id', 'serial', (c) => c.primaryKey())
    : edits.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await edits
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('attribution', 'text', (c) => c.notNull())
    .addColumn('replaced_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('post_edits_post_idx').on('post_edits').column('post_id').execute();

  await db.schema
    .createTable('endorsements')
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('endorsements_pkey', ['post_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('endorsements').ifExists().execute();
  await db.schema.dropTable('post_edits').ifExists().execute();
  await db.schema.dropTable('posts').ifExists().execute();
  await db.schema.alterTable('threads').dropColumn('last_seq').execute();
}
