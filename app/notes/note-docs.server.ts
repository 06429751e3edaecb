/**
 * The notes being edited, in memory: one Y.Doc per open note (docs/decisions/0008).
 *
 * An editor's update is applied to the doc at once (so a client joining next gets it), queued,
 * and within `flushMs` everything queued for the note is merged into one update, appended to
 * the store, and only then handed to `onFlush` listeners (the socket layer relays it to the
 * room). A failed append keeps the batch and retries with backoff; nothing is relayed before it
 * is stored. Every `compactEvery` stored updates, when the last client leaves, and at shutdown,
 * the doc is compacted into a snapshot and its text / JSON / HTML copy refreshed. Documents
 * nobody holds are unloaded after `idleMs`.
 */
import * as Y from 'yjs';
import { readDocument, replaceContent } from './note-document.server';
import type { NoteStore } from './note-store.server';

export interface NoteDocsOptions {
  flushMs: number;
  compactEvery: number;
  idleMs: number;
  /** Delay before the derived copy (text, JSON, HTML) is refreshed after a change. */
  deriveMs: number;
}

const MAX_BATCH = 256;

export const DEFAULT_NOTE_DOCS_OPTIONS: NoteDocsOptions = { flushMs: 8, compactEvery: 500, idleMs: 60_000, deriveMs: 2_000 };

interface LiveNote {
  noteId: number;
  doc: Y.Doc;
  /** Applied to the doc, not yet stored. */
  pending: Uint8Array[];
  /** Being stored right now (kept until the append resolves). */
  storing: Uint8Array | null;
  flushTimer: NodeJS.Timeout | null;
  retryMs: number;
  lastUpdateId: number;
  sinceCompaction: number;
  holders: number;
  idleTimer: NodeJS.Timeout | null;
  deriveTimer: NodeJS.Timeout | null;
  /** Serialises store operations of this note (append, compact). */
  chain: Promise<unknown>;
}

export type FlushListener = (noteId: number, update: Uint8Array) => void;

export function createNoteDocs(store: NoteStore, options: Partial<NoteDocsOptions> = {}) {
  const settings = { ...DEFAULT_NOTE_DOCS_OPTIONS, ...options };
  const live = new Map<number, LiveNote>();
  const loading = new Map<number, Promise<LiveNote>>();
  const listeners = new Set<FlushListener>();
  let closed = false;

  /** Runs `task` after this note's earlier store operations, whatever their outcome. */
  function serial<T>(note: LiveNote, task: () => Promise<T>): Promise<T> {
    const run = note.chain.then(task, task);
    note.chain = run.catch(() => undefined);
    return run;
  }

  async function load(noteId: number): Promise<LiveNote> {
    const { state, lastUpdateId } = await store.load(noteId);
    const doc = new Y.Doc({ gc: true });
    if (state) Y.applyUpdate(doc, state, 'load');
    return {
      noteId,
      doc,
      pending: [],
      storing: null,
      flushTimer: null,
      retryMs: 50,
      lastUpdateId,
      sinceCompaction: 0,
      holders: 0,
      idleTimer: null,
      deriveTimer: null,
      chain: Promise.resolve(),
    };
  }

  function scheduleFlush(note: LiveNote, delay = settings.flushMs) {
    if (note.flushTimer || closed) return;
    note.flushTimer = setTimeout(() => {
      note.flushTimer = null;
      void flush(note);
    }, delay);
  }

  /** Stores what is pending as one update, then relays it. */
  function flush(note: LiveNote): Promise<void> {
    return serial(note, async () => {
      if (note.pending.length === 0) return;
      // At most MAX_BATCH at a time: merging grows worse than linearly with the number of
      // updates, and a long storage outage can pile up thousands.
      const taken = note.pending.splice(0, MAX_BATCH);
      const batch = taken.length === 1 ? taken[0]! : Y.mergeUpdates(taken);
      note.storing = batch;
      try {
        note.lastUpdateId = await store.append(note.noteId, batch);
      } catch (error) {
        // Keep the batch (ahead of anything newer) and try again later; the doc still holds it.
        note.pending.unshift(batch);
        note.storing = null;
        console.error(`[notes] saving note ${note.noteId} failed, retrying in ${note.retryMs} ms:`, (error as Error).message);
        const delay = note.retryMs;
        note.retryMs = Math.min(note.retryMs * 2, 5_000);
        scheduleFlush(note, delay);
        return;
      }
      note.storing = null;
      note.retryMs = 50;
      note.sinceCompaction++;
      for (const listener of listeners) listener(note.noteId, batch);
      if (note.pending.length > 0) scheduleFlush(note, 0);
      scheduleDerive(note);
      if (note.sinceCompaction >= settings.compactEvery) await compactNow(note);
    });
  }

  /** Flushes until nothing is pending, or a flush makes no progress (storage failing). */
  async function flushAll(note: LiveNote) {
    let before = Infinity;
    while (note.pending.length > 0 && note.pending.length < before) {
      before = note.pending.length;
      await flush(note);
    }
  }

  async function compactNow(note: LiveNote) {
    if (note.pending.length > 0 || note.storing) return; // not everything in the doc is stored yet
    await store.compact(note.noteId, Y.encodeStateAsUpdate(note.doc), note.lastUpdateId);
    note.sinceCompaction = 0;
  }

  function scheduleDerive(note: LiveNote) {
    if (note.deriveTimer || closed) return;
    note.deriveTimer = setTimeout(() => {
      note.deriveTimer = null;
      void derive(note).catch((error) => console.error(`[notes] deriving note ${note.noteId} failed:`, error));
    }, settings.deriveMs);
    note.deriveTimer.unref();
  }

  async function derive(note: LiveNote) {
    await store.writeDerived(note.noteId, readDocument(note.doc));
  }

  /** Stores, compacts and derives everything about a note now (last client left, shutdown). */
  async function settle(note: LiveNote) {
    if (note.flushTimer) {
      clearTimeout(note.flushTimer);
      note.flushTimer = null;
    }
    await flushAll(note);
    if (note.pending.length > 0) throw new Error(`note ${note.noteId} could not be saved`);
    await serial(note, () => compactNow(note));
    if (note.deriveTimer) {
      clearTimeout(note.deriveTimer);
      note.deriveTimer = null;
    }
    await derive(note);
  }

  function scheduleUnload(note: LiveNote) {
    if (note.idleTimer) clearTimeout(note.idleTimer);
    note.idleTimer = setTimeout(() => {
      note.idleTimer = null;
      if (note.holders > 0 || note.pending.length > 0 || note.storing) return scheduleUnload(note);
      live.delete(note.noteId);
      note.doc.destroy();
    }, settings.idleMs);
    note.idleTimer.unref();
  }

  const docs = {
    /** The note's live document, loaded from the store on first use. */
    async open(noteId: number): Promise<Y.Doc> {
      return (await get(noteId)).doc;
    },

    /** A client starts holding the note (joined its room). */
    async hold(noteId: number): Promise<Y.Doc> {
      const note = await get(noteId);
      note.holders++;
      if (note.idleTimer) {
        clearTimeout(note.idleTimer);
        note.idleTimer = null;
      }
      return note.doc;
    },

    /** A client stops holding it; the last one out has it compacted and later unloaded. */
    async release(noteId: number): Promise<void> {
      const note = live.get(noteId);
      if (!note) return;
      note.holders = Math.max(0, note.holders - 1);
      if (note.holders > 0) return;
      scheduleUnload(note);
      await settle(note).catch((error) => console.error(`[notes] settling note ${noteId} failed:`, (error as Error).message));
    },

    /** Applies an (authorised, validated) update and queues it for storage and relay. */
    async apply(noteId: number, update: Uint8Array, origin: unknown): Promise<void> {
      const note = await get(noteId);
      Y.applyUpdate(note.doc, update, origin);
      note.pending.push(update);
      scheduleFlush(note);
    },

    /** Turns the note's content into `content` (Lexical JSON) as a new change, live for everyone. */
    async replace(noteId: number, content: string): Promise<boolean> {
      const note = await get(noteId);
      const update = replaceContent(note.doc, content);
      if (!update) return false;
      await docs.apply(noteId, update, 'server');
      await flushAll(note);
      if (note.pending.length > 0) throw new Error(`note ${noteId} could not be saved`);
      return true;
    },

    /** The current full state (for versions) and its derived copy. */
    async snapshot(noteId: number) {
      const note = await get(noteId);
      return { state: Y.encodeStateAsUpdate(note.doc), ...readDocument(note.doc) };
    },

    /** Stores and derives now (e.g. before reading the derived copy for an export). */
    async save(noteId: number): Promise<void> {
      const note = live.get(noteId);
      if (note) await settle(note);
    },

    onFlush(listener: FlushListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    isLoaded: (noteId: number) => live.has(noteId),

    /** Resolves when the note's store operations queued so far (append, compaction) are done. */
    idle: async (noteId: number): Promise<void> => {
      await live.get(noteId)?.chain;
    },

    /** What is waiting to be stored (tests, health). */
    pendingCount: (noteId: number) => (live.get(noteId)?.pending.length ?? 0) + (live.get(noteId)?.storing ? 1 : 0),

    /** Shutdown: store, compact and derive every open note; keep trying a little while on failure. */
    async close(timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (const note of live.values()) {
        for (;;) {
          try {
            await settle(note);
            break;
          } catch (error) {
            if (Date.now() > deadline) {
              console.error(`[notes] note ${note.noteId} NOT saved at shutdown:`, (error as Error).message);
              break;
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      }
      closed = true;
      for (const note of live.values()) {
        for (const timer of [note.flushTimer, note.idleTimer, note.deriveTimer]) if (timer) clearTimeout(timer);
        note.doc.destroy();
      }
      live.clear();
    },
  };

  async function get(noteId: number): Promise<LiveNote> {
    const existing = live.get(noteId);
    if (existing) return existing;
    let pending = loading.get(noteId);
    if (!pending) {
      pending = load(noteId).then((note) => {
        live.set(noteId, note);
        loading.delete(noteId);
        return note;
      });
      pending.catch(() => loading.delete(noteId));
      loading.set(noteId, pending);
    }
    return pending;
  }

  return docs;
}

export type NoteDocs = ReturnType<typeof createNoteDocs>;
