/**
 * Where a quoted contribution stands now, against when it was quoted: one vocabulary for the
 * compilation's clips and the notes' citations (issue 12), so that a key point and a footnote
 * say the same thing in the same words. Isomorphic.
 * - `fresh`: as quoted;
 * - `changed`: its text changed since (a clip: the words at the range differ; a citation: the
 *   post was edited after it was cited);
 * - `hidden` (by a moderator), `withdrawn` (deleted by its author, or a case study unpublished);
 * - `rejected`, `restricted`: a case study, told to those who may still read it (staff);
 * - `missing`: gone, or not readable by this reader, as if it did not exist.
 */
export const SOURCE_STANDINGS = ['fresh', 'changed', 'hidden', 'withdrawn', 'rejected', 'restricted', 'missing'] as const;
export type SourceStanding = (typeof SOURCE_STANDINGS)[number];
