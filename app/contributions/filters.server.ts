/**
 * The rules of visibility.ts as Kysely filters, so that a list or a count of contributions is
 * ONE query per table, restricted in SQL to what a viewer may see (docs/decisions/0014), and the
 * author join every contribution query shares. Each filter also keeps to the viewer's
 * consultation: a role counts only where it is held.
 *
 *   db.selectFrom('posts').where(sourcePosts(viewer))…
 *   db.selectFrom('caseStudies').innerJoin(…).where(readableCaseStudies(viewer))…
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema';
import { authorAs, type Attribution, type AuthorRecord, type PublicAuthor } from './attribution';
import { moderates, reviews, type ContributionViewer } from './visibility';

type PostsIn = ExpressionBuilder<Database, 'posts'>;
type CaseStudiesIn = ExpressionBuilder<Database, 'caseStudies'>;

/** Posts of the viewer's consultation (through their thread). */
function inConsultation(eb: PostsIn, consultationId: number) {
  return eb('posts.threadId', 'in', eb.selectFrom('threads').select('threads.id').where('threads.consultationId', '=', consultationId));
}

/** Posts whose text the viewer may read (visibility.ts `mayReadPost`): visible ones, and hidden ones to their author and moderators. */
export function readablePosts(viewer: ContributionViewer) {
  return (eb: PostsIn): Expression<SqlBool> => {
    const status = moderates(viewer)
      ? eb('posts.status', 'in', ['visible', 'hidden'])
      : viewer.userId
        ? eb.or([eb('posts.status', '=', 'visible'), eb.and([eb('posts.status', '=', 'hidden'), eb('posts.authorId', '=', viewer.userId)])])
        : eb('posts.status', '=', 'visible');
    return eb.and([inConsultation(eb, viewer.consultationId), status]);
  };
}

/** Posts that are sources for the viewer (visibility.ts `postSourceState` is 'available'): visible ones. */
export function sourcePosts(viewer: ContributionViewer) {
  return (eb: PostsIn): Expression<SqlBool> =>
    eb.and([inConsultation(eb, viewer.consultationId), eb('posts.status', '=', 'visible')]);
}

/** Case studies the viewer may read (visibility.ts `mayReadCaseStudy`). */
export function readableCaseStudies(viewer: ContributionViewer) {
  return (eb: CaseStudiesIn): Expression<SqlBool> => {
    const others = moderates(viewer)
      ? eb('caseStudies.status', '!=', 'draft')
      : reviews(viewer)
        ? eb('caseStudies.status', '=', 'published')
        : eb.and([eb('caseStudies.status', '=', 'published'), eb('caseStudies.visibility', '=', 'public')]);
    return eb.and([
      eb('caseStudies.consultationId', '=', viewer.consultationId),
      viewer.userId ? eb.or([eb('caseStudies.authorId', '=', viewer.userId), others]) : others,
    ]);
  };
}

/** Case studies that are sources for the viewer (visibility.ts `caseStudySourceState` is 'available'): published; restricted ones for reviewers. */
export function sourceCaseStudies(viewer: ContributionViewer) {
  return (eb: CaseStudiesIn): Expression<SqlBool> => {
    const published = eb('caseStudies.status', '=', 'published');
    return eb.and([
      eb('caseStudies.consultationId', '=', viewer.consultationId),
      reviews(viewer) ? published : eb.and([published, eb('caseStudies.visibility', '=', 'public')]),
    ]);
  };
}

/** Case studies tagged with one of question `questionId`'s sub-questions (those that inform it). */
export function caseStudiesInforming(questionId: number) {
  return (eb: CaseStudiesIn): Expression<SqlBool> => {
    const subQuestions = eb.selectFrom('subQuestions').select(sql<string>`cast(${sql.ref('subQuestions.id')} as text)`.as('id')).where('subQuestions.questionId', '=', questionId);
    return eb.exists(
      eb
        .selectFrom('caseStudyTags')
        .select('caseStudyTags.caseStudyId')
        .whereRef('caseStudyTags.caseStudyId', '=', 'caseStudies.id')
        .where('caseStudyTags.kind', '=', 'subQuestion')
        .where('caseStudyTags.value', 'in', subQuestions),
    );
  };
}

/**
 * The author join's columns: select them after `.innerJoin('users', 'users.id', '<table>.authorId')`;
 * `authorsOf` turns them (and the row's attribution) into what may be shown.
 */
export const AUTHOR_COLUMNS = ['users.name as authorName', 'users.organisation as authorOrganisation', 'users.stakeholderGroup as authorGroup'] as const;

export interface AuthorColumns {
  authorId: string;
  attribution: Attribution;
  authorName: string;
  authorOrganisation: string;
  authorGroup: string;
}

/** The author as the attribution allows (`author`), and who really wrote it (`real`: for moderators and the author only). */
export function authorsOf(row: AuthorColumns): { author: PublicAuthor; real: AuthorRecord } {
  const user = { name: row.authorName, organisation: row.authorOrganisation, stakeholderGroup: row.authorGroup };
  return { author: authorAs(row.attribution, user), real: { id: row.authorId, ...user } };
}
