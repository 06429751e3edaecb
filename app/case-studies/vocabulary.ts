/**
 * What a case study is described and filtered by (domain vocabulary; db/schema.ts types its
 * columns with it). Isomorphic.
 */
export const LEVELS = ['local', 'regional', 'global'] as const;
export type Level = (typeof LEVELS)[number];
export const STAGES = ['building', 'implementing', 'steering', 'evaluating', 'reporting'] as const;
export type Stage = (typeof STAGES)[number];
/** What a case study can be filtered by (case_study_tags.kind). */
export const TAG_KINDS = ['theme', 'sdg', 'origin', 'destination', 'implementation', 'group', 'subQuestion'] as const;
export type TagKind = (typeof TAG_KINDS)[number];
