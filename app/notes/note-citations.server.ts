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

/** Replaces the note's rows by what `content` cites. Call inside the transaction that stores `content`. */
export async function syncNoteCitations(trx: Kysely<Database>, noteId: number, content: string): Promise<void> {
  await trx.deleteFrom('noteCitations').where('noteId', '=', noteId).execute();
  const refs = citationsOfContent(content);
  if (refs.length) await trx.insertInto('noteCitations').values(refs.map((r) => ({ noteId, sourceKind: r.kind, sourceId: r.id }))).execute();
}
