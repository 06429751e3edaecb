/**
 * The phases of a consultation and what each allows: the one place these rules are written.
 * Isomorphic (no database, no zod): the server enforces them, pages use the same functions to
 * offer only what the server would accept (docs/decisions/0015-phases.md).
 *
 *   draft → open → compiling → synthesis → final
 *
 * - `open`: participants contribute (threads, case studies) and choose how they are attributed.
 * - `compiling`: threads and case studies are read-only for everyone; moderators, rapporteurs and
 *   admins compile the contributions.
 * - `synthesis`: participants read the compilations; the synthesis notes are where work happens.
 * - `final`: everything is read-only; notes not yet signed off are locked for review (a
 *   rapporteur may still sign them off, which changes no text).
 * Moderation (hiding an abusive post, restoring it, reviewing a case study, reports) is possible
 * in every phase: it protects people, it adds no contribution.
 */
import { PHASES, type Phase } from '../../db/schema';
import type { Role } from '../accounts/roles';

export { PHASES, type Phase };

/** The phase after `phase`, or null for the last. */
export function nextPhase(phase: Phase): Phase | null {
  return PHASES[PHASES.indexOf(phase) + 1] ?? null;
}

/** The phase before `phase`, or null for the first. */
export function previousPhase(phase: Phase): Phase | null {
  const i = PHASES.indexOf(phase);
  return i > 0 ? PHASES[i - 1]! : null;
}

export type PhaseMove = 'forward' | 'back';

/**
 * Where an admin may move a consultation from `from`: one step forward, or one step back. Never
 * back from `open` to `draft`: a published consultation with contributions would vanish (404) for
 * everyone who wrote in it, and the links they were given would break.
 * Returns null when that move does not exist.
 */
export function phaseMoveTarget(from: Phase, move: PhaseMove): Phase | null {
  if (move === 'forward') return nextPhase(from);
  if (move !== 'back' || from === 'open') return null;
  return previousPhase(from);
}

/** Only an admin moves a consultation from phase to phase. */
export function canMovePhase(role: Role | null | undefined): boolean {
  return role === 'admin';
}

/**
 * Writing in threads: posting, replying, editing, deleting one's own post, endorsing (and the
 * typing indicator). Only while `open`, for everyone: a contribution changed or removed after the
 * consultation left `open` would change what the compilation quotes.
 */
export function canContribute(phase: Phase): boolean {
  return phase === 'open';
}

/** An author creating, saving, editing or submitting a case study: only while `open`. */
export function canSubmitCaseStudy(phase: Phase): boolean {
  return phase === 'open';
}

/**
 * Changing how one's post or case study is attributed (named, organisation, Chatham House):
 * changeable until the consultation leaves `open`, as the words themselves.
 */
export function canChangeAttribution(phase: Phase): boolean {
  return phase === 'open';
}

export type CompilationAccess = 'none' | 'read' | 'write';

/**
 * What `role` may do with a question's compilation in `phase`. Staff (moderators, rapporteurs,
 * admins) read it from `open` on; moderators and admins write from `open` to `synthesis` (they
 * may start compiling while contributions still arrive: a clip whose source changes afterwards
 * says so, and `compiling` then fixes the set of contributions); participants read it from
 * `synthesis` on; nobody writes in `final`. Anonymous readers (`role` null): never.
 */
export function compilationAccess(phase: Phase, role: Role | null | undefined): CompilationAccess {
  // A compilation is a working document of the consultation's members: signed-in readers only.
  if (!role) return 'none';
  if (phase === 'draft') return role === 'admin' ? 'read' : 'none';
  const staff = role === 'moderator' || role === 'rapporteur' || role === 'admin';
  const writer = role === 'moderator' || role === 'admin';
  if (writer && phase !== 'final') return 'write';
  if (staff) return 'read';
  return phase === 'synthesis' || phase === 'final' ? 'read' : 'none';
}

/**
 * Whether a note's text may change at all in `phase` (who may edit it is then up to its status,
 * app/notes/access.ts). In `final` nothing is written: no edit, no named version, no restore,
 * no new note.
 */
export function notesWritable(phase: Phase): boolean {
  return phase !== 'final' && phase !== 'draft';
}

/**
 * The note status changes allowed in `phase`: in `final` only a rapporteur's sign-off (locked
 * notes must not be reopened for editing; signing one off changes no text).
 */
export function noteStatusChangeAllowed(phase: Phase, action: 'lock' | 'reopen' | 'finalise'): boolean {
  if (phase === 'draft') return false;
  return phase !== 'final' || action === 'finalise';
}

/**
 * What a move from `from` to `to` closes and opens, as i18n keys under `phases.effects` (for the
 * confirmation step). One key per effect, in the order they matter to participants.
 */
export function phaseMoveEffects(from: Phase, to: Phase): string[] {
  const effects: string[] = [];
  const before = { contribute: canContribute(from), notes: notesWritable(from) };
  const after = { contribute: canContribute(to), notes: notesWritable(to) };
  if (before.contribute && !after.contribute) effects.push('phases.effects.threadsClose', 'phases.effects.caseStudiesClose');
  if (!before.contribute && after.contribute) effects.push('phases.effects.threadsOpen', 'phases.effects.caseStudiesOpen');
  const readers = (p: Phase) => compilationAccess(p, 'participant') !== 'none';
  const writers = (p: Phase) => compilationAccess(p, 'moderator') === 'write';
  if (!writers(from) && writers(to)) effects.push('phases.effects.compilationOpens');
  if (writers(from) && !writers(to)) effects.push('phases.effects.compilationCloses');
  if (!readers(from) && readers(to)) effects.push('phases.effects.compilationPublic');
  if (readers(from) && !readers(to)) effects.push('phases.effects.compilationPrivate');
  if (before.notes && !after.notes) effects.push('phases.effects.notesLock');
  if (!before.notes && after.notes) effects.push('phases.effects.notesReopen');
  return effects;
}
