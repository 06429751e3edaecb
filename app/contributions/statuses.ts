/**
 * The states of contributions (posts and case studies) and case studies' reach. Domain
 * vocabulary: db/schema.ts types its columns with it; pages and forms import it from here.
 * Isomorphic.
 */

/** A post: shown; hidden by a moderator (its author and moderators still read it); deleted by its author (a placeholder). */
export const POST_STATUSES = ['visible', 'hidden', 'deleted'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

/** A case study's review lifecycle (app/case-studies/lifecycle.ts). */
export const CASE_STUDY_STATUSES = [
  'draft',
  'submitted',
  'in_review',
  'changes_requested',
  'verified',
  'published',
  'rejected',
] as const;
export type CaseStudyStatus = (typeof CASE_STUDY_STATUSES)[number];

/** Who may read a published case study: everyone, or only those who review content. */
export const VISIBILITIES = ['public', 'restricted'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
