/**
 * What can be flagged, why, and where a flag stands (domain vocabulary; db/schema.ts types its
 * columns with it). Isomorphic.
 */
export const FLAG_SUBJECTS = ['post', 'case_study'] as const;
export type FlagSubject = (typeof FLAG_SUBJECTS)[number];
export const FLAG_REASONS = ['abusive', 'off_topic', 'spam', 'misinformation', 'privacy', 'other'] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];
export const FLAG_STATUSES = ['open', 'resolved', 'dismissed'] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];
