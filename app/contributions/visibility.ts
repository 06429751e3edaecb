/**
 * Who may see which contribution (docs/decisions/0014): the one place that says it. Pure and
 * isomorphic; the same rules as SQL filters are in filters.server.ts, and sources.server.ts turns
 * rows into sources with them.
 *
 * Two questions, answered differently on purpose:
 * - may this viewer READ it (its own page, its thread): a post's text is read while it is
 *   visible, and while hidden by its author and moderators; a case study by its author always,
 *   by moderators once submitted, by reviewers (moderators, rapporteurs, admins) once published
 *   even if restricted, by everyone else once published and public. A case study one may not
 *   read is answered "not found", so that a restricted one's existence does not leak.
 * - is it a SOURCE for this viewer (citations, the compilation, coverage, search, exports: the
 *   shared record): a visible post; a published case study, restricted ones only for reviewers.
 *   Authorship does not widen it: a shared document shows the same to every reader of one role.
 */
import { can, type Role } from '../accounts/roles';
import type { CaseStudyStatus, PostStatus, Visibility } from './statuses';

/** Who is looking: a user (or nobody) and their role in the consultation the contributions belong to. */
export interface ContributionViewer {
  /** The consultation `role` holds in: contributions of any other consultation are "missing" to this viewer. */
  consultationId: number;
  userId: string | null;
  /** null for anonymous readers. */
  role: Role | null;
}

/** Why a contribution is not a source for someone, or that it is. */
export type SourceState = 'available' | 'hidden' | 'withdrawn' | 'missing';

/** Moderators (and admins) see hidden text and who really wrote what. */
export const moderates = (viewer: Pick<ContributionViewer, 'role'>) => can(viewer.role, 'moderation.act');
/** Reviewers (moderators, rapporteurs, admins) read restricted case studies. */
export const reviews = (viewer: Pick<ContributionViewer, 'role'>) => can(viewer.role, 'content.review');

/**
 * Whether a post's text may be read by its author (`mine`) or a moderator: visible text by
 * anyone, hidden text by its author and moderators (docs/decisions/0007), deleted text by no one.
 */
export function postTextReadable(status: PostStatus, who: { mine: boolean; moderator: boolean }): boolean {
  return status === 'visible' || (status === 'hidden' && (who.mine || who.moderator));
}

/** `postTextReadable` for a viewer. */
export function mayReadPost(row: { status: PostStatus; authorId: string }, viewer: Omit<ContributionViewer, 'consultationId'>): boolean {
  return postTextReadable(row.status, { mine: !!viewer.userId && viewer.userId === row.authorId, moderator: moderates(viewer) });
}

/**
 * Whether a post may be pointed at (flagged) at all: not once its author deleted it, and not in
 * a consultation still in draft.
 */
export function postReachable(row: { status: PostStatus; phase: string }): boolean {
  return row.phase !== 'draft' && row.status !== 'deleted';
}

/** The case-study read rule (see the top of this file). */
export function mayReadCaseStudy(
  row: { authorId: string; status: CaseStudyStatus; visibility: Visibility },
  viewer: Omit<ContributionViewer, 'consultationId'>,
): boolean {
  if (viewer.userId && row.authorId === viewer.userId) return true;
  // A draft is the author's own business until it is submitted.
  if (moderates(viewer)) return row.status !== 'draft';
  if (row.status !== 'published') return false;
  return row.visibility === 'public' || reviews(viewer);
}

/** A post as a source: hidden by a moderator, withdrawn (deleted) by its author, or available; the same for every viewer. */
export function postSourceState(status: PostStatus): SourceState {
  if (status === 'hidden') return 'hidden';
  if (status === 'deleted') return 'withdrawn';
  return 'available';
}

/**
 * A case study as a source. To whoever may not read restricted or unpublished ones, one that is
 * not published and public is "missing", as if it did not exist (its pages answer 404: a
 * different answer would tell that it exists); reviewers see an unpublished one as withdrawn.
 */
export function caseStudySourceState(row: { status: CaseStudyStatus; visibility: Visibility }, viewer: Pick<ContributionViewer, 'role'>): SourceState {
  if (!reviews(viewer) && (row.status !== 'published' || row.visibility === 'restricted')) return 'missing';
  if (row.status !== 'published') return 'withdrawn';
  return 'available';
}
