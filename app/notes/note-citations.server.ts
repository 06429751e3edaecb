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

/**
 * Makes the note's rows what `content` cites (a clip counts as the contribution it quotes): rows
 * of citations gone are deleted, new ones added with the time now, and those still cited keep
 * their first-cited time (`createdAt`: a footnote says when its post was edited since). Call
 * inside the transaction that stores `content`.
 */
export async function syncNoteCitations(trx: Kysely<Database>, noteId: number, content: string): Promise<void> {
  const cited = citationsOfContent(content);
  const note = cited.length ? await trx.selectFrom('notes').select('consultationId').where('id', '=', noteId).executeTakeFirst() : undefined;
  const refs = note ? await citedContributions(trx, note.consultationId, cited) : [];
  const wanted = new Set(refs.map((r) => `${r.kind}:${r.id}`));
  const stored = await trx.selectFrom('noteCitations').select(['sourceKind', 'sourceId']).where('noteId', '=', noteId).execute();
  const have = new Set(stored.map((r) => `${r.sourceKind}:${r.sourceId}`));
  for (const kind of ['post', 'case_study'] as const) {
    const gone = stored.filter((r) => r.sourceKind === kind && !wanted.has(`${kind}:${r.sourceId}`)).map((r) => r.sourceId);
    if (gone.length) await trx.deleteFrom('noteCitations').where('noteId', '=', noteId).where('sourceKind', '=', kind).where('sourceId', 'in', gone).execute();
  }
  const fresh = refs.filter((r) => !have.has(`${r.kind}:${r.id}`));
  const now = new Date().toISOString();
  if (fresh.length) {
    await trx
      .insertInto('noteCitations')
      .values(fresh.map((r) => ({ noteId, sourceKind: r.kind, sourceId: r.id, createdAt: now })))
      // Another save of the same note got there first: its time stands.
      .onConflict((oc) => oc.columns(['noteId', 'sourceKind', 'sourceId']).doNothing())
      .execute();
  }
}

/** When note `noteId` first cited each contribution it cites now, by `citationKey` (`post:17`); absent: not known. */
export async function citationTimes(db: Kysely<Database>, noteId: number): Promise<Map<string, string>> {
  const rows = await db.selectFrom('noteCitations').select(['sourceKind', 'sourceId', 'createdAt']).where('noteId', '=', noteId).execute();
  return new Map(rows.filter((r) => r.createdAt !== null).map((r) => [`${r.sourceKind}:${r.sourceId}`, r.createdAt!]));
}
