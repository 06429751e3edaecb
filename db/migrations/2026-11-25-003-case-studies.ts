/**
 * Case studies (structured partnership practices) and their review, flags raised on posts and
 * case studies, featured case studies per sub-question, and in-app notifications.
 * Frozen once shipped.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const serial = (table: string) =>
    postgres
      ? db.schema.createTable(table).addColumn('id', 'serial', (c) => c.primaryKey())
      : db.schema.createTable(table).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  await serial('case_studies')
    .addColumn('consultation_id', 'integer', (c) => c.notNull().references('consultations.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('public'))
    .addColumn('attribution', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    // Canonical Lexical JSON rebuilt by the server, as for posts; text and HTML derived from it.
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('level', 'text')
    .addColumn('stage', 'text')
    .addColumn('partners', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('funding', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('results', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('indicators', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('worked', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('did_not_work', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('contact', 'text', (c) => c.notNull().defaultTo(''))
    // The moderator's latest note to the author (changes requested, rejection reason).
    .addColumn('review_note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text')
    .addColumn('published_at', 'text')
    .addCheckConstraint(
      'case_studies_status_check',
      sql`status in ('draft', 'submitted', 'in_review', 'changes_requested', 'verified', 'published', 'rejected')`,
    )
    .addCheckConstraint('case_studies_visibility_check', sql`visibility in ('public', 'restricted')`)
    .addCheckConstraint('case_studies_attribution_check', sql`attribution in ('named', 'organisation', 'chatham')`)
    .execute();
  await db.schema.createIndex('case_studies_status_idx').on('case_studies').columns(['consultation_id', 'status']).execute();
  await db.schema.createIndex('case_studies_author_idx').on('case_studies').column('author_id').execute();

  // Every facet a case study can be filtered by, one row per value: themes, SDG targets, the
  // three kinds of countries, partners' stakeholder groups, the sub-questions it informs.
  // One table keeps the catalogue's filters and per-facet counts to one query shape.
  await db.schema
    .createTable('case_study_tags')
    .addColumn('case_study_id', 'integer', (c) => c.notNull().references('case_studies.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_study_tags_pkey', ['case_study_id', 'kind', 'value'])
    .execute();
  await db.schema.createIndex('case_study_tags_value_idx').on('case_study_tags').columns(['kind', 'value']).execute();

  await db.schema
    .createTable('featured_case_studies')
    .addColumn('sub_question_id', 'integer', (c) => c.notNull().references('sub_questions.id').onDelete('cascade'))
    .addColumn('case_study_id', 'integer', (c) => c.notNull().references('case_studies.id').onDelete('cascade'))
    .addColumn('featured_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('featured_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('featured_case_studies_pkey', ['sub_question_id', 'case_study_id'])
    .execute();

  await serial('flags')
    .addColumn('consultation_id', 'integer', (c) => c.notNull().references('consultations.id').onDelete('cascade'))
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'integer', (c) => c.notNull())
    .addColumn('reporter_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('resolved_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('resolved_at', 'text')
    .addColumn('resolution', 'text')
    .addCheckConstraint('flags_subject_type_check', sql`subject_type in ('post', 'case_study')`)
    .addCheckConstraint('flags_status_check', sql`status in ('open', 'resolved', 'dismissed')`)
    .execute();
  await db.schema.createIndex('flags_queue_idx').on('flags').columns(['consultation_id', 'status', 'created_at']).execute();
  await db.schema.createIndex('flags_subject_idx').on('flags').columns(['subject_type', 'subject_id']).execute();

  await serial('notifications')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .execute();
  await db.schema.createIndex('notifications_user_idx').on('notifications').columns(['user_id', 'read_at', 'id']).execute();

  // The history of a case study or a post is read from the audit log by subject.
  await db.schema.createIndex('audit_log_subject_idx').on('audit_log').columns(['subject_type', 'subject_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_log_subject_idx').ifExists().execute();
  for (const table of ['notifications', 'flags', 'featured_case_studies', 'case_study_tags', 'case_studies']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
