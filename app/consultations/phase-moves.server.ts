/**
 * Moving a consultation from phase to phase (docs/decisions/0015-phases.md): an admin alone,
 * one step forward or back (phases.ts says which), in one transaction with its audit entry. On
 * `final` every note that is not signed off is locked for review in that same transaction. Once
 * committed, the change is published on the access-event bus, so that open thread and note
 * sockets act on it at once (refuse writes, turn editors into readers), then each locked note's
 * status, as a moderator's lock would be.
 */
import type { Kysely } from 'kysely';
import type { Database, Phase } from '../../db/schema';
import { roleOf } from '../accounts/accounts.server';
import { recordAudit } from '../audit/audit.server';
import type { PublishAccess } from '../auth/access-events';
import type { NoteDocs } from '../notes/note-docs.server';
import { DomainError } from '../utils/errors';
import { canMovePhase, phaseMoveTarget, type PhaseMove } from './phases';

export interface PhaseMoveResult {
  from: Phase;
  to: Phase;
  /** Notes locked for review by a move to `final` (ids). */
  lockedNotes: number[];
}

export function createPhaseService(db: Kysely<Database>, options: { docs: NoteDocs; publish: PublishAccess }) {
  async function current(trx: Kysely<Database>, consultationId: number): Promise<Phase> {
    const row = await trx.selectFrom('consultations').select('phase').where('id', '=', consultationId).executeTakeFirst();
    if (!row) throw new DomainError('not_found', 'errors.notFoundTitle');
    return row.phase;
  }

  return {
    /**
     * Moves the consultation one step (`forward` or `back`) from `from`, the phase the admin saw.
     * Throws DomainError: `forbidden` (not an admin), `not_found`, `conflict`
     * `phases.errors.stale` (the consultation is no longer in `from`: someone moved it, or this
     * is the same form sent twice), `invalid` `phases.errors.noMove` (no such step: past the last
     * phase, or back from `open` to `draft`), `conflict` `errors.noteNotSaved` (a note to lock
     * could not be stored first; nothing changed).
     */
    async move(userId: string, consultationId: number, from: Phase, move: PhaseMove): Promise<PhaseMoveResult> {
      // Checked before any work (and again in the transaction): refusals stay cheap.
      if (!canMovePhase(await roleOf(db, userId, consultationId))) throw new DomainError('forbidden', 'errors.forbidden');
      const to = phaseMoveTarget(from, move);
      if (!to) throw new DomainError('invalid', 'phases.errors.noMove');
      if ((await current(db, consultationId)) !== from) throw new DomainError('conflict', 'phases.errors.stale');

      // Locked notes are stored and derived first, as a moderator's lock does (notes.setStatus):
      // the text under review is the stored document.
      const toLock =
        to === 'final'
          ? await db.selectFrom('notes').select('id').where('consultationId', '=', consultationId).where('status', '=', 'drafting').execute()
          : [];
      try {
        for (const { id } of toLock) await options.docs.settle(id);
      } catch (error) {
        console.error(`[phases] a note could not be stored before the move to final; refused:`, (error as Error).message);
        throw new DomainError('conflict', 'errors.noteNotSaved');
      }

      const result = await db.transaction().execute(async (trx) => {
        if (!canMovePhase(await roleOf(trx, userId, consultationId))) throw new DomainError('forbidden', 'errors.forbidden');
        const now = new Date().toISOString();
        // Conditional on the phase seen: of two moves racing (two admins, a double submit), one wins.
        const moved = await trx
          .updateTable('consultations')
          .set({ phase: to, updatedAt: now })
          .where('id', '=', consultationId)
          .where('phase', '=', from)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) throw new DomainError('conflict', 'phases.errors.stale');
        let lockedNotes: number[] = [];
        if (to === 'final') {
          const locked = await trx
            .updateTable('notes')
            .set({ status: 'in_review', statusChangedBy: userId, statusChangedAt: now })
            .where('consultationId', '=', consultationId)
            .where('status', '=', 'drafting')
            .returning('id')
            .execute();
          lockedNotes = locked.map((n) => n.id).sort((a, b) => a - b);
          for (const noteId of lockedNotes) {
            await recordAudit(trx, {
              actorId: userId,
              consultationId,
              action: 'note.lock',
              subjectType: 'note',
              subjectId: String(noteId),
              details: { from: 'drafting', to: 'in_review', phase: 'final' },
            });
          }
        }
        await recordAudit(trx, {
          actorId: userId,
          consultationId,
          action: 'consultation.phase',
          subjectType: 'consultation',
          subjectId: String(consultationId),
          details: { from, to, lockedNotes: lockedNotes.length },
        });
        return { from, to, lockedNotes };
      });

      // Synchronously, in this order: sockets learn the phase (writes refused from here on),
      // then each locked note's status.
      options.publish({ type: 'phase.changed', consultationId, phase: to });
      for (const noteId of result.lockedNotes) options.publish({ type: 'note.status', noteId, status: 'in_review' });
      return result;
    },
  };
}

export type PhaseService = ReturnType<typeof createPhaseService>;
