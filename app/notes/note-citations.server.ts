/**
 * The queryable copy of what each note cites (note_citations, migration 009): one row per cited
 * contribution, rewritten whenever the note's derived content is (note-store.server.ts), so that
 * the compilation's coverage and the backlinks can ask "is this contribution cited?" in SQL
 * instead of parsing every note's JSON.
 *
 * A citation of a clip (kind `clip`, issue 12) cites the contribution the clip quotes: it is
 * recorded as that contribution's row (a clip's source never changes, a merge only moves the
 * clip to another key point), so coverage counts the source as reflected and backlinks name the
 * note, with no query of theirs knowing about clips. Only clips of the note's own consultation
 * count: an id from elsewhere records nothing.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { isContributionRef, parseCitationKey, type CitationRef, type NoteCitationRef } from '../contributions/refs';

/** Deeper than any real note (as note-document.server.ts bounds its walks). */
const MAX_DEPTH = 64;

/** What a note's Lexical JSON cites (contributions and clips), once each, in document order; [] for bad JSON. */
export function citationsOfContent(content: string): NoteCitationRef[] {
  let root: unknown;
  try {
    root = JSON.parse(content);
  } catch {
    return [];
  }
  const found = new Map<string, NoteCitationRef>();
  const walk = (node: unknown, depth: number) => {
    if (!node || typeof node !== 'object' || depth > MAX_DEPTH) return;
    const n = node as { type?: unknown; kind?: unknown; targetId?: unknown; children?: unknown; root?: unknown };
    if (n.type === 'citation') {
      const ref = parseCitationKey(`${String(n.kind)}:${String(n.targetId)}`);
      if (ref) found.set(`${ref.kind}:${ref.id}`, ref);
    }
    if (n.root) walk(n.root, depth + 1);
    if (Array.isArray(n.children)) for (const child of n.children) walk(child, depth + 1);
  };
  walk(root, 0);
  return [...found.values()];
}

/** Most clip ids per `in (…)` list. */
const CHUNK = 1000;

/**
 * The contributions `refs` cite, once each: contributions as they are, clips as the contribution
 * each quotes (clips of consultation `consultationId` only).
 */
export async function citedContributions(db: Kysely<Database>, consultationId: number, refs: readonly NoteCitationRef[]): Promise<CitationRef[]> {
  const found = new Map<string, CitationRef>();
  const add = (ref: CitationRef) => found.set(`${ref.kind}:${ref.id}`, ref);
  for (const ref of refs) if (isContributionRef(ref)) add(ref);
  const clipIds = [...new Set(refs.filter((ref) => ref.kind === 'clip').map((ref) => ref.id))];
  for (let i = 0; i < clipIds.length; i += CHUNK) {
    const rows = await db
      .selectFrom('clips')
      .innerJoin('keyPoints', 'keyPoints.id', 'clips.keyPointId')
      .select(['clips.sourceKind', 'clips.sourceId'])
      .where('clips.id', 'in', clipIds.slice(i, i + CHUNK))
      .where('keyPoints.consultationId', '=', consultationId)
      .execute();
    for (const row of rows) add({ kind: row.sourceKind, id: row.sourceId });
  }
  return [...found.values()];
}

/** Replaces the note's rows by what `content` cites. Call inside the transaction that stores `content`. */
export async function syncNoteCitations(trx: Kysely<Database>, noteId: number, content: string): Promise<void> {
  await trx.deleteFrom('noteCitations').where('noteId', '=', noteId).execute();
  const cited = citationsOfContent(content);
  if (cited.length === 0) return;
  const note = await trx.selectFrom('notes').select('consultationId').where('id', '=', noteId).executeTakeFirst();
  if (!note) return;
  const refs = await citedContributions(trx, note.consultationId, cited);
  if (refs.length) await trx.insertInto('noteCitations').values(refs.map((r) => ({ noteId, sourceKind: r.kind, sourceId: r.id }))).execute();
}
