/**
 * A synthesis note's states (docs/decisions/0008; domain vocabulary, db/schema.ts types its
 * column with it). Isomorphic.
 */
export const NOTE_STATUSES = ['drafting', 'in_review', 'final'] as const;
export type NoteStatus = (typeof NOTE_STATUSES)[number];
