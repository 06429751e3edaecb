/**
 * What a reader may take from the compilation into a synthesis note (issue 12): clips by id, for
 * the footnotes of clip citations, and key points with their clips, for the note editor's
 * "Insert a key point". The compilation's own read rules hold (access.ts `mayReadCompilation`:
 * moderators, rapporteurs and admins always, participants once the consultation is in
 * `synthesis` or `final`), and so does its rule for words: the clipped words of a source that is
 * no longer a contribution stay with moderators, rapporteurs and admins (compilation.server.ts
 * `list`). Attribution is not worked out here: callers resolve the clip's source through
 * app/contributions (docs/decisions/0014), as a citation of that source would be.
 */
import type { Kysely } from 'kysely';
import type { Database, SourceField } from '../../db/schema';
import { can } from '../accounts/roles';
import { createSearchService } from '../search/search.server';
import type { ContributionViewer } from '../contributions/visibility';
import { mayReadCompilation } from './access';
import { clipState, type ClipState } from './compilation.server';
import { citationKey, type CitationRef } from '../contributions/refs';
import { readSources } from '../contributions/sources.server';

/** A clip as a reader of the note sees it. */
export type ClipRead =
  /** Unknown, of another consultation, or in a compilation this reader may not read (yet). */
  | { id: number; readable: false }
  | {
      id: number;
      readable: true;
      keyPointId: number;
      questionId: number;
      source: CitationRef;
      field: SourceField;
      /** The clipped words; null when their source is no longer a contribution and the reader does not review content. */
      quote: string | null;
      /** How the source stands against the clipped words now (compilation.server.ts `clipState`). */
      state: ClipState;
    };

/** Most ids per `in (…)` list. */
const CHUNK = 1000;

/** Whether `viewer` may read the compilations of their consultation now (its phase, their role). */
export async function readsCompilation(db: Kysely<Database>, viewer: ContributionViewer): Promise<boolean> {
  if (!viewer.role) return false;
  const consultation = await db.selectFrom('consultations').select('phase').where('id', '=', viewer.consultationId).executeTakeFirst();
  if (!consultation || consultation.phase === 'draft') return false;
  return mayReadCompilation(viewer.role, consultation.phase);
}

/**
 * The clips `ids` name, as `viewer` may read them, keyed by id; every id gets an entry. At most
 * five queries whatever the number of ids (more past 1,000).
 */
export async function readClips(db: Kysely<Database>, viewer: ContributionViewer, ids: readonly number[]): Promise<Map<number, ClipRead>> {
  const wanted = [...new Set(ids)];
  const out = new Map<number, ClipRead>(wanted.map((id) => [id, { id, readable: false }]));
  if (wanted.length === 0 || !(await readsCompilation(db, viewer))) return out;
  const rows = [];
  for (let i = 0; i < wanted.length; i += CHUNK) {
    rows.push(
      ...(await db
        .selectFrom('clips')
        .innerJoin('keyPoints', 'keyPoints.id', 'clips.keyPointId')
        .selectAll('clips')
        .select('keyPoints.questionId')
        .where('clips.id', 'in', wanted.slice(i, i + CHUNK))
        .where('keyPoints.consultationId', '=', viewer.consultationId)
        .execute()),
    );
  }
  const sources = await readSources(db, viewer, rows.map((c) => ({ kind: c.sourceKind, id: c.sourceId })), { readable: true });
  const reviewer = can(viewer.role, 'content.review');
  for (const clip of rows) {
    const { state } = clipState(clip, sources.get(citationKey({ kind: clip.sourceKind, id: clip.sourceId })));
    out.set(clip.id, {
      id: clip.id,
      readable: true,
      keyPointId: clip.keyPointId,
      questionId: clip.questionId,
      source: { kind: clip.sourceKind, id: clip.sourceId },
      field: clip.sourceField,
      quote: reviewer || state === 'fresh' || state === 'changed' ? clip.quote : null,
      state,
    });
  }
  return out;
}

/** A key point as the note editor offers it: its words and its clips' ids (oldest first). */
export interface KeyPointForNote {
  id: number;
  questionId: number;
  /** The question's number ("2"). */
  question: string;
  position: number;
  heading: string;
  summary: string;
  clipIds: number[];
}

/** Key points the note editor lists at most at once. */
export const KEY_POINTS_FOR_NOTE_MAX = 50;

/**
 * The live key points of question `questionId` (null: of every question of the consultation)
 * that `viewer` may read, in question order then the compilation's order; with `query`, those the
 * search finds in their heading or summary (app/search: accents, plurals, "phrases",
 * -exclusions; the last word as typed is a prefix), best first. [] when the compilation is closed
 * to them.
 */
export async function keyPointsForNote(
  db: Kysely<Database>,
  viewer: ContributionViewer,
  scope: { questionId: number | null; query?: string; limit?: number },
): Promise<KeyPointForNote[]> {
  if (!(await readsCompilation(db, viewer))) return [];
  const limit = Math.min(Math.max(scope.limit ?? KEY_POINTS_FOR_NOTE_MAX, 1), KEY_POINTS_FOR_NOTE_MAX);
  let points = db
    .selectFrom('keyPoints')
    .innerJoin('questions', 'questions.id', 'keyPoints.questionId')
    .select(['keyPoints.id', 'keyPoints.questionId', 'questions.number as question', 'keyPoints.position', 'keyPoints.heading', 'keyPoints.summary'])
    .where('keyPoints.consultationId', '=', viewer.consultationId)
    .where('keyPoints.mergedIntoId', 'is', null);
  if (scope.questionId !== null) points = points.where('keyPoints.questionId', '=', scope.questionId);
  const query = (scope.query ?? '').trim();
  let rank: Map<number, number> | null = null;
  if (query) {
    const { found } = await createSearchService(db).find(
      { userId: viewer.userId, consultationId: viewer.consultationId },
      { q: query, filters: {}, page: 1 },
      { kinds: ['key_point'], questionId: scope.questionId, pageSize: limit, asYouType: true },
    );
    if (found.length === 0) return [];
    rank = new Map(found.map((f, i) => [f.id, i]));
    points = points.where('keyPoints.id', 'in', [...rank.keys()]);
  }
  const rows = await points.orderBy('questions.position').orderBy('keyPoints.position').orderBy('keyPoints.id').limit(limit).execute();
  if (rank) rows.sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
  if (rows.length === 0) return [];
  const clips = await db.selectFrom('clips').select(['id', 'keyPointId']).where('keyPointId', 'in', rows.map((r) => r.id)).orderBy('id').execute();
  return rows.map((r) => ({ ...r, clipIds: clips.filter((c) => c.keyPointId === r.id).map((c) => c.id) }));
}
