/**
 * Coverage of a question's compilation (issue 12): how many contributions came in and how many
 * are reflected, per sub-question (and the question's general thread) × stakeholder group ×
 * language, and the list of those not yet reflected.
 *
 * A contribution (`contributionsOf`) is a source for the viewer by app/contributions' rule
 * (filters.server.ts `sourcePosts` / `sourceCaseStudies`, the rule citations and the compilation
 * follow): a visible post of one of the question's threads, counted in its thread's row, or a
 * published case study informing one of the question's sub-questions (public ones; restricted
 * ones too for moderators, rapporteurs and admins), counted in each such sub-question's row. A post's group is its author's stakeholder
 * group. It is reflected when a key point of this question clips it (live or merged: a merge moves
 * the clips to the survivor) or a synthesis note of this question or of the whole consultation
 * cites it (note_citations).
 *
 * Every sub-question × every group of the consultation (plus any other group that contributed)
 * gets a row, with `language` null and zero counts when nobody of that group spoke there: the
 * missing voices stand out. One SQL query for the table, one for each page of the list.
 */
import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, SourceKind } from '../../db/schema';
import { roleOf } from '../accounts/accounts.server';
import type { PublicAuthor } from '../contributions/attribution';
import { sourceCaseStudies, sourcePosts } from '../contributions/filters.server';
import { citationKey } from '../contributions/refs';
import { readSources } from '../contributions/sources.server';
import type { ContributionViewer } from '../contributions/visibility';
import { DomainError } from '../utils/errors';
import { mayReadCompilation } from './access';
import { notYetReflectedSchema, type NotYetReflectedFilters } from './compilation.schema';

export interface CoverageRow {
  /** null: the question's general thread. */
  subQuestionId: number | null;
  /** "1.2" for a sub-question, "1" for the general thread. */
  number: string;
  group: string;
  /** null on a row of a group that contributed nothing there. */
  language: string | null;
  received: number;
  reflected: number;
}

export interface UnreflectedItem {
  kind: SourceKind;
  id: number;
  /** A post's thread's sub-question (null: general thread); a case study's first one here. */
  subQuestionId: number | null;
  group: string;
  language: string;
  /** A post's creation, a case study's publication (ISO). */
  at: string;
  /** A post's opening words, a case study's title. */
  excerpt: string;
  author: PublicAuthor | null;
}

export interface UnreflectedPage {
  items: UnreflectedItem[];
  /** Pass back for the next (older) page; null on the last. */
  next: string | null;
}

const EXCERPT_CHARS = 160;
const excerpt = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= EXCERPT_CHARS ? flat : `${flat.slice(0, EXCERPT_CHARS).trimEnd()}…`;
};

/**
 * The contributions informing question `questionId` that are sources for `viewer`, one row per
 * contribution and sub-question it informs, as a subquery with the columns:
 *   kind ('post' | 'case_study'), source_id, bucket (the sub-question's id; 0 for the question's
 *   general thread), stakeholder_group, language, sort_at (a post's creation, a case study's
 *   publication, ISO text).
 * A post counts in its thread's bucket; a case study in each of the question's sub-questions it
 * informs.
 */
export function contributionsOf(db: Kysely<Database>, viewer: ContributionViewer, questionId: number) {
  const posts = db
    .selectFrom('posts')
    .innerJoin('threads', 'threads.id', 'posts.threadId')
    .innerJoin('users', 'users.id', 'posts.authorId')
    .select([
      sql<SourceKind>`'post'`.as('kind'),
      'posts.id as sourceId',
      sql<number>`coalesce(${sql.ref('threads.subQuestionId')}, 0)`.as('bucket'),
      'users.stakeholderGroup',
      'posts.language',
      'posts.createdAt as sortAt',
    ])
    .where('threads.questionId', '=', questionId)
    .where(sourcePosts(viewer));
  const caseStudies = db
    .selectFrom('caseStudies')
    .innerJoin('caseStudyTags', (join) => join.onRef('caseStudyTags.caseStudyId', '=', 'caseStudies.id').on('caseStudyTags.kind', '=', 'subQuestion'))
    .innerJoin('subQuestions', (join) => join.on(sql`cast(${sql.ref('subQuestions.id')} as text)`, '=', sql.ref('caseStudyTags.value')))
    .innerJoin('users', 'users.id', 'caseStudies.authorId')
    .select([
      sql<SourceKind>`'case_study'`.as('kind'),
      'caseStudies.id as sourceId',
      'subQuestions.id as bucket',
      'users.stakeholderGroup',
      'caseStudies.language',
      sql<string>`coalesce(${sql.ref('caseStudies.publishedAt')}, ${sql.ref('caseStudies.createdAt')})`.as('sortAt'),
    ])
    .where('subQuestions.questionId', '=', questionId)
    .where(sourceCaseStudies(viewer));
  return posts.unionAll(caseStudies);
}

/** Checks the viewer may read the question's compilation; the question's number and the viewer. */
async function viewer(db: Kysely<Database>, consultationId: number, questionId: number, userId: string | null) {
  const question = await db
    .selectFrom('questions')
    .innerJoin('consultations', 'consultations.id', 'questions.consultationId')
    .select(['questions.number', 'consultations.phase'])
    .where('questions.id', '=', questionId)
    .where('questions.consultationId', '=', consultationId)
    .where('consultations.phase', '!=', 'draft')
    .executeTakeFirst();
  if (!question) throw new DomainError('not_found', 'compilation.questionNotFound');
  const role = userId ? await roleOf(db, userId, consultationId) : 'participant';
  if (!userId || !mayReadCompilation(role, question.phase)) throw new DomainError('forbidden', 'compilation.forbiddenRead');
  const viewer: ContributionViewer = { consultationId, userId, role };
  return { number: question.number, viewer };
}

/**
 * The question's contributions, each with `reflected` (1 or 0): a subquery (snake_case columns).
 * What is reflected is gathered once (clips of this question's key points, citations in its notes
 * and the consultation's) and joined, rather than asked per contribution.
 */
export function marked(db: Kysely<Database>, viewer: ContributionViewer, questionId: number): RawBuilder<unknown> {
  const consultationId = viewer.consultationId;
  return sql`select c.*, case when r.source_id is null then 0 else 1 end as reflected
    from (${contributionsOf(db, viewer, questionId)}) c
    left join (
      select cl.source_kind, cl.source_id from clips cl join key_points kp on kp.id = cl.key_point_id
      where kp.question_id = ${questionId}
      union
      select nc.source_kind, nc.source_id from note_citations nc join notes n on n.id = nc.note_id
      where n.consultation_id = ${consultationId} and (n.question_id = ${questionId} or n.question_id is null)
    ) r on r.source_kind = c.kind and r.source_id = c.source_id`;
}

/** The consultation's stakeholder groups (id, order) from its JSON column, per dialect. */
function consultationGroups(db: Kysely<Database>, consultationId: number): RawBuilder<unknown> {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql`select g.value ->> 'id' as grp, g.ord as ord
        from consultations, jsonb_array_elements(cast(consultations.stakeholder_groups as jsonb)) with ordinality as g(value, ord)
        where consultations.id = ${consultationId}`
    : sql`select json_extract(g.value, '$.id') as grp, cast(g.key as integer) as ord
        from consultations, json_each(consultations.stakeholder_groups) as g
        where consultations.id = ${consultationId}`;
}

/**
 * The coverage table of question `questionId` as `userId` may see it, ordered by sub-question
 * (general thread first), group (the consultation's order; others after, by id), language.
 * Throws DomainError not_found (question not in the consultation) or forbidden.
 */
export async function coverage(db: Kysely<Database>, consultationId: number, questionId: number, userId: string | null): Promise<CoverageRow[]> {
  const { number, viewer: reader } = await viewer(db, consultationId, questionId, userId);
  const { rows } = await sql<{ bucket: number; number: string; grp: string; language: string | null; received: number; reflected: number }>`
    with counts as materialized (
      select bucket, stakeholder_group as grp, language, count(*) as received, sum(reflected) as reflected
      from (${marked(db, reader, questionId)}) m
      group by bucket, stakeholder_group, language
    ),
    buckets as (
      select id as bucket, number, position from sub_questions where question_id = ${questionId}
      union all select 0, ${number}, 0
    ),
    all_groups as (
      select grp, min(ord) as ord from (
        ${consultationGroups(db, consultationId)}
        union all select grp, 1000000 from counts
      ) gs group by grp
    )
    select b.bucket, b.number, g.grp, m.language,
      cast(coalesce(m.received, 0) as integer) as received,
      cast(coalesce(m.reflected, 0) as integer) as reflected
    from buckets b cross join all_groups g
    left join counts m on m.bucket = b.bucket and m.grp = g.grp
    order by b.position, g.ord, g.grp, m.language`.execute(db);
  return rows.map((r) => ({
    subQuestionId: Number(r.bucket) === 0 ? null : Number(r.bucket),
    number: r.number,
    group: r.grp,
    language: r.language,
    received: Number(r.received),
    reflected: Number(r.reflected),
  }));
}

/** A page cursor: the last item's time, kind and id. */
const encodeCursor = (item: { at: string; kind: string; id: number }) => Buffer.from(JSON.stringify([item.at, item.kind, item.id])).toString('base64url');
function decodeCursor(cursor: string): [string, string, number] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'string' && (value[1] === 'post' || value[1] === 'case_study') && Number.isInteger(value[2])) return value as [string, string, number];
  } catch {
    // answered below
  }
  throw new DomainError('invalid', 'compilation.cursor', 'cursor');
}

/**
 * The question's contributions no key point clips and no note cites, newest first (a post's
 * creation, a case study's publication), `limit` a page, filtered by sub-question ('general' for
 * the question's general thread), group and language. Keyset-paged: `next` fetches older ones.
 */
export async function notYetReflected(
  db: Kysely<Database>,
  consultationId: number,
  questionId: number,
  userId: string | null,
  filters: NotYetReflectedFilters = {},
): Promise<UnreflectedPage> {
  const parsed = notYetReflectedSchema.safeParse(filters);
  if (!parsed.success) throw new DomainError('invalid', parsed.error.issues[0]!.message, parsed.error.issues[0]!.path.join('.'));
  const f = parsed.data;
  const { viewer: reader } = await viewer(db, consultationId, questionId, userId);
  const where: RawBuilder<unknown>[] = [sql`reflected = 0`];
  if (f.subQuestionId !== undefined) where.push(sql`bucket = ${f.subQuestionId === 'general' ? 0 : f.subQuestionId}`);
  if (f.group !== undefined) where.push(sql`stakeholder_group = ${f.group}`);
  if (f.language !== undefined) where.push(sql`language = ${f.language}`);
  const after: RawBuilder<unknown>[] = [];
  if (f.cursor) {
    const [at, kind, id] = decodeCursor(f.cursor);
    after.push(sql`where (sort_at < ${at} or (sort_at = ${at} and (kind < ${kind} or (kind = ${kind} and source_id < ${id}))))`);
  }
  const { rows } = await sql<{ kind: SourceKind; sourceId: number; bucket: number; stakeholderGroup: string; language: string; sortAt: string }>`
    with marked as (${marked(db, reader, questionId)})
    select * from (
      select kind, source_id, min(bucket) as bucket, stakeholder_group, language, max(sort_at) as sort_at
      from marked where ${sql.join(where, sql` and `)}
      group by kind, source_id, stakeholder_group, language
    ) u ${after[0] ?? sql``}
    order by sort_at desc, kind desc, source_id desc
    limit ${f.limit + 1}`.execute(db);
  const page = rows.slice(0, f.limit);
  const sources = await readSources(db, reader, page.map((r) => ({ kind: r.kind, id: Number(r.sourceId) })));
  const items = page.map((r): UnreflectedItem => {
    const found = sources.get(citationKey({ kind: r.kind, id: Number(r.sourceId) }));
    // Listed because it is a source for the reader; one that changed state since the count is shown without words.
    const source = found?.state === 'available' ? found : null;
    return {
      kind: r.kind,
      id: Number(r.sourceId),
      subQuestionId: Number(r.bucket) === 0 ? null : Number(r.bucket),
      group: r.stakeholderGroup,
      language: r.language,
      at: r.sortAt,
      excerpt: source ? excerpt(source.kind === 'post' ? source.fields.body : source.fields.title) : '',
      author: source?.author ?? null,
    };
  });
  return { items, next: rows.length > f.limit ? encodeCursor(items.at(-1)!) : null };
}
