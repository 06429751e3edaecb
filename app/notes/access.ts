/**
 * Who may edit a synthesis note: decided from its status, its scope and the user's role.
 * Isomorphic, so pages offer only what the server would accept; the server decides.
 */
import type { NoteStatus } from './note-status';
import type { Phase } from '../../db/schema';
import { can, type Role } from '../accounts/roles';
import { noteStatusChangeAllowed, notesWritable } from '../consultations/phases';

export interface NoteScope {
  status: NoteStatus;
  /** null: every stakeholder group drafts it */
  stakeholderGroup: string | null;
  /** The consultation's phase: in `final` nobody edits (app/consultations/phases.ts). */
  phase: Phase;
}

export interface Editor {
  role: Role;
  stakeholderGroup: string;
}

/** Everyone signed in may read; editing depends on the consultation's phase, then the status. */
export function canEditNote(note: NoteScope, user: Editor | null): boolean {
  if (!user || !notesWritable(note.phase)) return false;
  const staff = can(user.role, 'content.review');
  switch (note.status) {
    case 'drafting':
      return staff || note.stakeholderGroup === null || note.stakeholderGroup === user.stakeholderGroup;
    case 'in_review':
      return staff;
    case 'final':
      return false;
  }
}

export const NOTE_ACTIONS = ['lock', 'reopen', 'finalise'] as const;
export type NoteAction = (typeof NOTE_ACTIONS)[number];

/** Status changes: moderators lock for review and reopen; rapporteurs sign off a note in review. */
export const NOTE_TRANSITIONS: Record<NoteAction, { from: NoteStatus; to: NoteStatus; by: readonly Role[] }> = {
  lock: { from: 'drafting', to: 'in_review', by: ['moderator', 'admin'] },
  reopen: { from: 'in_review', to: 'drafting', by: ['moderator', 'admin'] },
  finalise: { from: 'in_review', to: 'final', by: ['rapporteur', 'admin'] },
};

/**
 * Naming a version: moderators, rapporteurs and admins, until the note is signed off (its final
 * text is what it is; there is nothing left to compare or restore) or the consultation is final.
 */
export function canNameVersion(status: NoteStatus, role: Role | null, phase: Phase): boolean {
  return status !== 'final' && notesWritable(phase) && can(role, 'content.review');
}

/** The status changes `role` may make now (in the `final` phase, only a sign-off). */
export function noteActions(status: NoteStatus, role: Role | null, phase: Phase): NoteAction[] {
  return NOTE_ACTIONS.filter(
    (a) => NOTE_TRANSITIONS[a].from === status && !!role && NOTE_TRANSITIONS[a].by.includes(role) && noteStatusChangeAllowed(phase, a),
  );
}

/**
 * Who may read a synthesis note (any of a consultation's notes, group ones included, once the
 * consultation is out of draft): everyone signed in, as notes.server.ts `access` lets them
 * (docs/decisions/0008). Pages that point at a note (backlinks) ask this.
 */
export function mayReadNote(viewer: { userId: string | null }): boolean {
  return viewer.userId !== null;
}
