/**
 * "Insert a key point" in a synthesis note (issue 12): the key points of the note's question (of
 * every question for a consultation-wide note) that its editor may read, each with its clips as
 * the footnotes their citations will show. The compilation's read rule decides (role and phase:
 * app/compilation/access.ts); the clips' footnotes come from the citation service, so what the
 * dialog offers is exactly what the note will show once inserted.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { keyPointsForNote, readsCompilation } from '../compilation/clip-reads.server';
import { viewerIn } from '../contributions/sources.server';
import { DomainError } from '../utils/errors';
import type { CitationService, Source } from './citations.server';

export interface NoteKeyPoint {
  id: number;
  /** The question's number ("2"). */
  question: string;
  heading: string;
  summary: string;
  /** Its clips the editor may cite (available ones, oldest first), as their footnotes. */
  clips: Source[];
}

export function createNoteKeyPointService(db: Kysely<Database>, citations: CitationService) {
  return {
    /**
     * The key points an editor of `note` may insert, optionally those whose heading or summary
     * holds `query`. Throws DomainError forbidden (`compilation.forbiddenRead`) while the
     * compilation is closed to the user. The caller checks that they may edit the note.
     */
    async list(userId: string, note: { consultationId: number; questionId: number | null }, query = ''): Promise<NoteKeyPoint[]> {
      const viewer = await viewerIn(db, userId, note.consultationId);
      if (!(await readsCompilation(db, viewer))) throw new DomainError('forbidden', 'compilation.forbiddenRead');
      const points = await keyPointsForNote(db, viewer, { questionId: note.questionId, query });
      const footnotes = await citations.resolve(userId, note.consultationId, points.flatMap((p) => p.clipIds.map((id) => ({ kind: 'clip' as const, id }))));
      const byId = new Map(footnotes.map((f) => [f.id, f]));
      return points.map((p) => ({
        id: p.id,
        question: p.question,
        heading: p.heading,
        summary: p.summary,
        clips: p.clipIds.map((id) => byId.get(id)).filter((f): f is Source => f !== undefined && f.state === 'available'),
      }));
    },
  };
}

export type NoteKeyPointService = ReturnType<typeof createNoteKeyPointService>;
