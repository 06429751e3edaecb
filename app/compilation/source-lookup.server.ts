/**
 * Everything the compilation reads about its sources (posts and case studies), in one place:
 * their plain text per field, consultation, question and sub-questions, stakeholder group,
 * language, state and visibility, and the author as their attribution allows. Kept narrow on
 * purpose, so that it can be routed through the contributions module (app/contributions) that
 * owns "which contributions may this person see, and under which name" once it exists.
 *
 * What the compilation counts as a contribution (`contributionsOf`), and what may be clipped
 * (compilation.server.ts), is the same set: visible posts, and published case studies that are
 * public (restricted ones too for `readsRestricted` readers when counting). Clipping takes public
 * ones only, because participants read compilations in the synthesis phase.
 */
import { sql, type Kysely } from 'kysely';
import type { Attribution, CaseStudyStatus, Database, PostStatus, SourceField, SourceKind, Visibility } from '../../db/schema';
import { CASE_STUDY_CLIP_FIELDS } from '../../db/schema';
import { authorAs, type PublicAuthor } from '../contributions/attribution';

export interface SourceRef {
  kind: SourceKind;
  id: number;
}

export const sourceKey = (ref: SourceRef) => `${ref.kind}:${ref.id}`;

/** The fields a clip of `kind` may quote. */
export const clipFieldsOf = (kind: SourceKind): readonly SourceField[] => (kind === 'post' ? ['body'] : CASE_STUDY_CLIP_FIELDS);

/** A source as stored now; `fields` holds the plain text of every field a clip may quote. */
export interface SourceRecord extends SourceRef {
  consultationId: number;
  /** The questions it informs: a post's thread's question; a case study's sub-questions' questions. */
  questionIds: number[];
  /** A post's thread's sub-question (null: the question's general thread); a case study's sub-questions. */
  subQuestionIds: (number | null)[];
  /** A post's status or a case study's review status. */
  status: PostStatus | CaseStudyStatus;
  visibility: Visibility;
  language: string;
  stakeholderGroup: string;
  attribution: Attribution;
  /** As the source's own attribution allows (for every reader). */
  author: PublicAuthor;
  createdAt: string;
  fields: Partial<Record<SourceField, string>>;
}

/** The sources `refs` name that exist (missing ones are absent from the map), by sourceKey. */
export async function lookupSources(db: Kysely<Database>, refs: SourceRef[]): Promise<Map<string, SourceRecord>> {
  const ids = (kind: SourceKind) => [...new Set(refs.filter((r) => r.kind === kind).map((r) => r.id))];
  const postIds = ids('post');
  const caseStudyIds = ids('case_study');
  const [posts, caseStudies, tags] = await Promise.all([
    postIds.length
      ? db
          .selectFrom('posts')
          .innerJoin('threads', 'threads.id', 'posts.threadId')
          .innerJoin('users', 'users.id', 'posts.authorId')
          .select([
            'posts.id',
            'posts.status',
            'posts.language',
            'posts.attribution',
            'posts.bodyText',
            'posts.createdAt',
            'threads.consultationId',
            'threads.questionId',
            'threads.subQuestionId',
            'users.name',
            'users.organisation',
            'users.stakeholderGroup',
          ])
          .where('posts.id', 'in', postIds)
          .execute()
      : [],
    caseStudyIds.length
      ? db
          .selectFrom('caseStudies')
          .innerJoin('users', 'users.id', 'caseStudies.authorId')
          .select([
            'caseStudies.id',
            'caseStudies.status',
            'caseStudies.visibility',
            'caseStudies.language',
            'caseStudies.attribution',
            'caseStudies.consultationId',
            'caseStudies.createdAt',
            'caseStudies.title',
            'caseStudies.summary',
            'caseStudies.bodyText',
            'caseStudies.results',
            'caseStudies.indicators',
            'caseStudies.worked',
            'caseStudies.didNotWork',
            'users.name',
            'users.organisation',
            'users.stakeholderGroup',
          ])
          .where('caseStudies.id', 'in', caseStudyIds)
          .execute()
      : [],
    caseStudyIds.length
      ? db
          .selectFrom('caseStudyTags')
          .innerJoin('subQuestions', (join) => join.on(sql`cast(${sql.ref('subQuestions.id')} as text)`, '=', sql.ref('caseStudyTags.value')))
          .select(['caseStudyTags.caseStudyId', 'subQuestions.id', 'subQuestions.questionId'])
          .where('caseStudyTags.kind', '=', 'subQuestion')
          .where('caseStudyTags.caseStudyId', 'in', caseStudyIds)
          .execute()
      : [],
  ]);
  const found = new Map<string, SourceRecord>();
  for (const p of posts) {
    found.set(sourceKey({ kind: 'post', id: p.id }), {
      kind: 'post',
      id: p.id,
      consultationId: p.consultationId,
      questionIds: [p.questionId],
      subQuestionIds: [p.subQuestionId],
      status: p.status,
      visibility: 'public',
      language: p.language,
      stakeholderGroup: p.stakeholderGroup,
      attribution: p.attribution,
      author: authorAs(p.attribution, p),
      createdAt: p.createdAt,
      fields: { body: p.bodyText },
    });
  }
  for (const c of caseStudies) {
    const own = tags.filter((t) => t.caseStudyId === c.id);
    found.set(sourceKey({ kind: 'case_study', id: c.id }), {
      kind: 'case_study',
      id: c.id,
      consultationId: c.consultationId,
      questionIds: [...new Set(own.map((t) => t.questionId))],
      subQuestionIds: own.map((t) => t.id),
      status: c.status,
      visibility: c.visibility,
      language: c.language,
      stakeholderGroup: c.stakeholderGroup,
      attribution: c.attribution,
      author: authorAs(c.attribution, c),
      createdAt: c.createdAt,
      fields: { title: c.title, summary: c.summary, body: c.bodyText, results: c.results, indicators: c.indicators, worked: c.worked, didNotWork: c.didNotWork },
    });
  }
  return found;
}

/** Whether a source is one the compilation takes in (and may clip): see the top of this file. */
export function isContribution(source: SourceRecord): boolean {
  return source.kind === 'post' ? source.status === 'visible' : source.status === 'published' && source.visibility === 'public';
}

/**
 * The contributions informing question `questionId`, one row per contribution and sub-question
 * it informs, as a subquery with the columns:
 *   kind ('post' | 'case_study'), source_id, bucket (the sub-question's id; 0 for the question's
 *   general thread), stakeholder_group, language, sort_at (a post's creation, a case study's
 *   publication, ISO text).
 * A post counts in its thread's bucket; a case study in each of the question's sub-questions it
 * informs. `readsRestricted`: restricted published case studies count too (moderators,
 * rapporteurs, admins).
 */
export function contributionsOf(db: Kysely<Database>, questionId: number, readsRestricted: boolean) {
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
    .where('posts.status', '=', 'visible');
  let caseStudies = db
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
    .where('caseStudies.status', '=', 'published');
  if (!readsRestricted) caseStudies = caseStudies.where('caseStudies.visibility', '=', 'public');
  return posts.unionAll(caseStudies);
}
