/**
 * The review lifecycle of a case study: which action moves it from which states to which, and
 * who may take it. The server enforces it (case-studies.server.ts); pages use the same table
 * to offer only what would be accepted. Isomorphic: no zod, no database.
 *
 *   draft → submitted → in_review → changes_requested → submitted … → verified → published
 *                                  ↘ rejected (with a reason)
 */
import type { CaseStudyStatus } from '../contributions/statuses';

export const TRANSITION_ACTIONS = ['submit', 'review', 'request_changes', 'verify', 'publish', 'reject', 'unpublish'] as const;
export type TransitionAction = (typeof TRANSITION_ACTIONS)[number];

interface Transition {
  from: readonly CaseStudyStatus[];
  to: CaseStudyStatus;
  /** The author (submitting their own work) or a moderator (reviewing anyone's). */
  by: 'author' | 'moderator';
  /** A note to the author is required (what to change, why it was rejected or withdrawn). */
  noteRequired: boolean;
}

export const TRANSITIONS: Record<TransitionAction, Transition> = {
  submit: { from: ['draft', 'changes_requested'], to: 'submitted', by: 'author', noteRequired: false },
  review: { from: ['submitted'], to: 'in_review', by: 'moderator', noteRequired: false },
  request_changes: { from: ['submitted', 'in_review'], to: 'changes_requested', by: 'moderator', noteRequired: true },
  verify: { from: ['in_review'], to: 'verified', by: 'moderator', noteRequired: false },
  publish: { from: ['verified'], to: 'published', by: 'moderator', noteRequired: false },
  reject: { from: ['submitted', 'in_review', 'verified'], to: 'rejected', by: 'moderator', noteRequired: true },
  /** A published case study found wanting (e.g. after a flag) goes back to review. */
  unpublish: { from: ['published'], to: 'in_review', by: 'moderator', noteRequired: true },
};

/** States in which the author may still change the text. */
export const EDITABLE: readonly CaseStudyStatus[] = ['draft', 'changes_requested'];

/** The actions `who` may take on a case study in `status`. */
export function allowedActions(status: CaseStudyStatus, who: { author: boolean; moderator: boolean }): TransitionAction[] {
  return TRANSITION_ACTIONS.filter((action) => {
    const t = TRANSITIONS[action];
    if (!t.from.includes(status)) return false;
    return t.by === 'author' ? who.author : who.moderator;
  });
}
