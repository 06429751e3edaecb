/**
 * Changes to who someone is or what they may do, published by the domain after they are
 * committed and acted on by every live connection (server/socket/identity.ts and the thread and
 * note handlers). One bus for all of them, so that scaling out to several nodes carries this one
 * channel (docs/decisions/0010).
 *
 * - `sessions.ended`: one session (`sessionId`) or all of a user's (`userId`) no longer exist
 *   (sign-out, "sign out everywhere", password change, expiry): their sockets are closed.
 * - `role.changed`: the user's role in a consultation changed: rooms and editing rights are
 *   recomputed on their open sockets.
 * - `user.changed`: the user's profile (name, organisation, default attribution) changed: open
 *   sockets re-read it.
 * - `note.status`: a note was locked, reopened or signed off: editing rights are recomputed on
 *   every socket in the note.
 * - `phase.changed`: an admin moved the consultation to another phase (app/consultations/phases.ts):
 *   thread sockets are told (their pages reload what they offer) and note editing rights are
 *   recomputed; every write is checked against the phase anyway.
 */
import type { NoteStatus } from '../notes/note-status';
import type { Phase } from '../../db/schema';

export type AccessEvent =
  | { type: 'sessions.ended'; sessionId: string; userId?: undefined }
  | { type: 'sessions.ended'; userId: string; sessionId?: undefined }
  | { type: 'role.changed'; userId: string; consultationId: number }
  | { type: 'user.changed'; userId: string }
  | { type: 'note.status'; noteId: number; status: NoteStatus }
  | { type: 'phase.changed'; consultationId: number; phase: Phase };

export type PublishAccess = (event: AccessEvent) => void;
