/**
 * Where a note's Yjs document lives in the database: an append-only list of updates and one
 * compacted snapshot (docs/decisions/0008). Separate from the in-memory documents so that
 * tests can make a save fail without touching anything else.
 */
import { PostgresAdapter, type Kysely } from 'kysely';
import * as Y from 'yjs';
import type { Database } from '../../db/schema';
import { notesWritable } from '../consultations/phases';
import { syncNoteCitations } from './note-citations.server';
import { NoteFrozenError } from './note-frozen';

export interface NoteStore {
  /** The snapshot merged with every later update, and the id of the last update included. */
  load(noteId: number): Promise<{ state: Uint8Array | null; lastUpdateId: number; updates: number }>;
  /**
   * Appends one (merged) update; resolves to its row id once it is stored. `changedAt` (ISO time)
   * when the update changed the text: it becomes the note's "last changed" time
   * (`notes.updated_at`) in the same transaction. Null for an update that changed nothing yet (a
   * repeat, or one waiting for another it depends on).
   *
   * Throws NoteFrozenError, storing nothing, once the note is signed off or its consultation is
   * final: checked in the same transaction, under a lock of the note's row on PostgreSQL,
   * so an edit arriving on any node after a sign-off committed is refused (docs/decisions/0018).
   */
  append(noteId: number, update: Uint8Array, changedAt?: string | null): Promise<number>;
  /**
   * Merges the stored snapshot and every stored update into one new snapshot and drops those
   * updates, in one transaction holding the note's row lock (PostgreSQL), which appends wait
   * for: whatever any node stored is kept, nothing is overwritten by one node's copy. Resolves
   * to the id of the last update merged.
   */
  compact(noteId: number): Promise<number>;
  /**
   * The derived copies kept for search, export and the no-JavaScript view. Written only when
   * they differ from what the row holds; resolves to whether it wrote. Never moves the note's
   * "last changed" time: deriving, compacting or loading a note is no change to it (`append` is).
   */
  writeDerived(noteId: number, derived: { content: string; text: string; html: string }): Promise<boolean>;
  /**
   * The ids of the note's updates stored after `after`, and the id its snapshot runs to (the
   * updates it merged are gone: past `after`, they cannot be told apart).
   */
  storedAfter(noteId: number, after: number): Promise<{ ids: number[]; snapshotThrough: number }>;
}

/**
 * The updates as one, by applying them to a scratch doc in one transaction: linear in their
 * number, where Y.mergeUpdates is not (16,000 single-character updates: 7 s against 50 ms;
 * 100,000: minutes).
 */
function mergeByApplying(parts: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc({ gc: true });
  try {
    doc.transact(() => {
      for (const part of parts) Y.applyUpdate(doc, part);
    });
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

const bytes = (value: Uint8Array) => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength));

/** The note's stored document: snapshot and later updates, merged. */
async function loadState(db: Kysely<Database>, noteId: number) {
  const snapshot = await db.selectFrom('noteSnapshots').select(['data', 'lastUpdateId']).where('noteId', '=', noteId).executeTakeFirst();
  const after = snapshot?.lastUpdateId ?? 0;
  const rows = await db.selectFrom('noteUpdates').select(['id', 'data']).where('noteId', '=', noteId).where('id', '>', after).orderBy('id').execute();
  const parts = [...(snapshot ? [snapshot.data] : []), ...rows.map((r) => r.data)].map((d) => new Uint8Array(d));
  return {
    state: parts.length === 0 ? null : parts.length === 1 ? parts[0]! : mergeByApplying(parts),
    lastUpdateId: rows.at(-1)?.id ?? after,
    updates: rows.length,
  };
}

/**
 * Reads the note's status and its consultation's phase, holding the note's row (PostgreSQL; on
 * SQLite one writer at a time already excludes every other): `append` for an append, which also
 * moves the row's "last changed" time (FOR NO KEY UPDATE: taken at once rather than upgraded
 * from a shared lock, which two appends would deadlock on), `update` for compaction and sign-off
 * (FOR UPDATE: waits for appends in flight and holds new ones off).
 */
export async function lockNoteRow(trx: Kysely<Database>, noteId: number, mode: 'append' | 'update') {
  let query = trx
    .selectFrom('notes')
    .innerJoin('consultations', 'consultations.id', 'notes.consultationId')
    .select(['notes.status', 'consultations.phase'])
    .where('notes.id', '=', noteId);
  if (trx.getExecutor().adapter instanceof PostgresAdapter) query = mode === 'append' ? query.forNoKeyUpdate('notes') : query.forUpdate('notes');
  return query.executeTakeFirst();
}

export { loadState as loadNoteState };

/**
 * Writes the derived copies (text, JSON, HTML) in the caller's transaction, if they differ from
 * the row's, and the citations' queryable copy with them. Resolves to whether it wrote.
 */
export async function writeDerivedIn(trx: Kysely<Database>, noteId: number, derived: { content: string; text: string; html: string }): Promise<boolean> {
  const result = await trx
    .updateTable('notes')
    .set(derived)
    .where('id', '=', noteId)
    .where((eb) => eb.or([eb('content', '!=', derived.content), eb('text', '!=', derived.text), eb('html', '!=', derived.html)]))
    .executeTakeFirst();
  const wrote = Number(result.numUpdatedRows) > 0;
  if (wrote) await syncNoteCitations(trx, noteId, derived.content);
  return wrote;
}

export function createNoteStore(db: Kysely<Database>): NoteStore {
  return {
    load: (noteId) => loadState(db, noteId),

    async append(noteId, update, changedAt = null) {
      return db.transaction().execute(async (trx) => {
        const note = await lockNoteRow(trx, noteId, 'append');
        if (!note || note.status === 'final' || !notesWritable(note.phase)) throw new NoteFrozenError(noteId);
        const { id } = await trx
          .insertInto('noteUpdates')
          .values({ noteId, data: bytes(update), createdAt: new Date().toISOString() })
          .returning('id')
          .executeTakeFirstOrThrow();
        // Never backwards: a clock may step back, and two nodes' clocks differ.
        if (changedAt) await trx.updateTable('notes').set({ updatedAt: changedAt }).where('id', '=', noteId).where('updatedAt', '<', changedAt).execute();
        return id;
      });
    },

    async compact(noteId) {
      return db.transaction().execute(async (trx) => {
        // Appends hold this row until they commit: once it is ours, every update stored so
        // far is visible below and no other can arrive before this transaction ends.
        await lockNoteRow(trx, noteId, 'update');
        const { state, lastUpdateId } = await loadState(trx, noteId);
        if (!state) return lastUpdateId;
        const createdAt = new Date().toISOString();
        await trx
          .insertInto('noteSnapshots')
          .values({ noteId, data: bytes(state), lastUpdateId, createdAt })
          .onConflict((oc) => oc.column('noteId').doUpdateSet({ data: bytes(state), lastUpdateId, createdAt }))
          .execute();
        await trx.deleteFrom('noteUpdates').where('noteId', '=', noteId).where('id', '<=', lastUpdateId).execute();
        return lastUpdateId;
      });
    },

    writeDerived: (noteId, derived) => db.transaction().execute((trx) => writeDerivedIn(trx, noteId, derived)),

    async storedAfter(noteId, after) {
      const [rows, snapshot] = await Promise.all([
        db.selectFrom('noteUpdates').select('id').where('noteId', '=', noteId).where('id', '>', after).orderBy('id').execute(),
        db.selectFrom('noteSnapshots').select('lastUpdateId').where('noteId', '=', noteId).executeTakeFirst(),
      ]);
      return { ids: rows.map((r) => r.id), snapshotThrough: snapshot?.lastUpdateId ?? 0 };
    },
  };
}
