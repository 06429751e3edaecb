/**
 * Where a note's Yjs document lives in the database: an append-only list of updates and one
 * compacted snapshot (docs/decisions/0008). Separate from the in-memory documents so that
 * tests can make a save fail without touching anything else.
 */
import type { Kysely } from 'kysely';
import * as Y from 'yjs';
import type { Database } from '../../db/schema';
import { syncNoteCitations } from './note-citations.server';

export interface NoteStore {
  /** The snapshot merged with every later update, and the id of the last update included. */
  load(noteId: number): Promise<{ state: Uint8Array | null; lastUpdateId: number; updates: number }>;
  /**
   * Appends one (merged) update; resolves once it is stored. `changedAt` (ISO time) when the
   * update changed the text: it becomes the note's "last changed" time (`notes.updated_at`) in the
   * same transaction. Null for an update that changed nothing yet (a repeat, or one waiting for
   * another it depends on).
   */
  append(noteId: number, update: Uint8Array, changedAt?: string | null): Promise<number>;
  /** Replaces the snapshot by `state` and drops the updates it covers, in one transaction. */
  compact(noteId: number, state: Uint8Array, lastUpdateId: number): Promise<void>;
  /**
   * The derived copies kept for search, export and the no-JavaScript view. Written only when
   * they differ from what the row holds; resolves to whether it wrote. Never moves the note's
   * "last changed" time: deriving, compacting or loading a note is no change to it (`append` is).
   */
  writeDerived(noteId: number, derived: { content: string; text: string; html: string }): Promise<boolean>;
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

export function createNoteStore(db: Kysely<Database>): NoteStore {
  return {
    async load(noteId) {
      const snapshot = await db.selectFrom('noteSnapshots').select(['data', 'lastUpdateId']).where('noteId', '=', noteId).executeTakeFirst();
      const after = snapshot?.lastUpdateId ?? 0;
      const rows = await db
        .selectFrom('noteUpdates')
        .select(['id', 'data'])
        .where('noteId', '=', noteId)
        .where('id', '>', after)
        .orderBy('id')
        .execute();
      const parts = [...(snapshot ? [snapshot.data] : []), ...rows.map((r) => r.data)].map((d) => new Uint8Array(d));
      return {
        state: parts.length === 0 ? null : parts.length === 1 ? parts[0]! : mergeByApplying(parts),
        lastUpdateId: rows.at(-1)?.id ?? after,
        updates: rows.length,
      };
    },

    async append(noteId, update, changedAt = null) {
      const insert = (trx: Kysely<Database>) =>
        trx.insertInto('noteUpdates').values({ noteId, data: bytes(update), createdAt: new Date().toISOString() }).returning('id').executeTakeFirstOrThrow();
      if (!changedAt) return (await insert(db)).id;
      return db.transaction().execute(async (trx) => {
        const { id } = await insert(trx);
        // Never backwards: appends of one note are serial, but a clock may step back.
        await trx.updateTable('notes').set({ updatedAt: changedAt }).where('id', '=', noteId).where('updatedAt', '<', changedAt).execute();
        return id;
      });
    },

    async compact(noteId, state, lastUpdateId) {
      await db.transaction().execute(async (trx) => {
        const createdAt = new Date().toISOString();
        await trx
          .insertInto('noteSnapshots')
          .values({ noteId, data: bytes(state), lastUpdateId, createdAt })
          .onConflict((oc) => oc.column('noteId').doUpdateSet({ data: bytes(state), lastUpdateId, createdAt }))
          .execute();
        await trx.deleteFrom('noteUpdates').where('noteId', '=', noteId).where('id', '<=', lastUpdateId).execute();
      });
    },

    async writeDerived(noteId, derived) {
      // The citations' queryable copy changes with the content, in the same transaction.
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('notes')
          .set(derived)
          .where('id', '=', noteId)
          .where((eb) => eb.or([eb('content', '!=', derived.content), eb('text', '!=', derived.text), eb('html', '!=', derived.html)]))
          .executeTakeFirst();
        const wrote = Number(result.numUpdatedRows) > 0;
        if (wrote) await syncNoteCitations(trx, noteId, derived.content);
        return wrote;
      });
    },
  };
}
