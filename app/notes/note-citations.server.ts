/**
 * The queryable copy of what each note cites (note_citations, migration 009): one row per cited
 * contribution, rewritten whenever the note's derived content is (note-store.server.ts), so that
 * the compilation's coverage and the backlinks can ask "is this contribution cited?" in SQL
 * instead of parsing every note's JSON.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { parseCitationKey, type CitationRef } from '../contributions/refs';

/** Deeper than any real note (as note-document.server.ts bounds its walks). */
const MAX_DEPTH = 64;

/** The contributions a note's Lexical JSON cites, once each, in document order; [] for bad JSON. */
export function citationsOfContent(content: string): CitationRef[] {
  let root: unknown;
  try {
    root = JSON.parse(content);
  } catch {
    return [];
  }
  const found = new Map<string, CitationRef>();
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

/**
 * Makes the note's rows what `content` cites: rows of citations gone are deleted, new ones added
 * with the time now, and those still cited keep their first-cited time (`createdAt`: a footnote
 * says when its post was edited since). Call inside the transaction that stores `content`.
 */
export async function syncNoteCitations(trx: Kysely<Database>, noteId: number, content: string): Promise<void> {
  const refs = citationsOfContent(content);
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
