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
 *
 * The derived copy is what the no-JavaScript view, "Sources cited" and a sign-off read, so it
 * must never lag the stored document for good: it is rebuilt when a note is loaded (a crash
 * within `deriveMs` of an edit left it behind) and by `settle` before every status change. A
 * sign-off also freezes the note (`freeze`): no edit may land between the derivation and the
 * status commit, and none after it (a signed-off note stays sealed while it is loaded).
 *
 * Saves that fail are never silent: save-state listeners hear when appends fail and recover
 * (editors see "not saved"), `failing()` lists the notes concerned (/healthz), and `close()`
 * rejects with the notes it could not store (the process exits non-zero).
 */
import * as Y from 'yjs';
import { readDocument, replaceContent } from './note-document.server';
import { isNoteFrozen, NoteFrozenError } from './note-frozen';
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

/**
 * An update waiting to be stored, how many editors' updates were merged into it, and when the
 * last of them that changed the document was applied (null: none did).
 */
interface Batch {
  update: Uint8Array;
  count: number;
  changedAt: string | null;
  /** Who sent the updates (the `origin` given to `apply`: a socket id), told if the store refuses them. */
  origins: unknown[];
}

/** The later of two ISO times (either may be missing). */
const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);

/**
 * Applies `update` to `doc` and says whether the document changed: new content or new deletions
 * (what makes Yjs announce an update). A repeat, or an update whose dependencies have not
 * arrived yet, changes nothing now.
 */
function applyChanging(doc: Y.Doc, update: Uint8Array, origin: unknown): boolean {
  let changed = false;
  const observe = (tr: Y.Transaction) => {
    changed ||= tr.deleteSet.clients.size > 0 || [...tr.afterState].some(([client, clock]) => tr.beforeState.get(client) !== clock);
  };
  doc.on('afterTransaction', observe);
  try {
    Y.applyUpdate(doc, update, origin);
  } finally {
    doc.off('afterTransaction', observe);
  }
  return changed;
}

interface LiveNote {
  noteId: number;
  doc: Y.Doc;
  /** Applied to the doc, not yet stored. */
  pending: Batch[];
  /** Being stored right now (kept until the append resolves). */
  storing: Batch | null;
  /** Editors' updates applied to the doc and not stored yet (in `pending` and `storing`). */
  unsaved: number;
  /** The last append failed; cleared by the next one that succeeds. */
  failing: boolean;
  /** Operations that need the doc to stay loaded (settling, a sign-off in progress). */
  busy: number;
  /** Sign-offs in progress: `apply` refuses while this is above 0. */
  freezes: number;
  /** Signed off: `apply` refuses for as long as the doc stays loaded. */
  sealed: boolean;
  flushTimer: NodeJS.Timeout | null;
  retryMs: number;
  /** Every stored update up to this id is in the doc (checked against the database, `repairBehind`). */
  checkedThrough: number;
  /** Ids of the updates applied since (this node's own and those relayed to it). */
  seen: Set<number>;
  sinceCompaction: number;
  holders: number;
  idleTimer: NodeJS.Timeout | null;
  deriveTimer: NodeJS.Timeout | null;
  /** Bumped whenever stored changes await derivation; `derived` is its value at the last derivation that succeeded. */
  changes: number;
  derived: number;
  /** Serialises store operations of this note (append, compact). */
  chain: Promise<unknown>;
}

/**
 * A change to a note's document that this node's editors must receive: `local` once stored
 * here (`updateId`: its note_updates row, for the other nodes), `remote` when it was stored by
 * another node (relayed, or found in the database by a repair).
 */
export type FlushListener = (noteId: number, update: Uint8Array, source: 'local' | 'remote', updateId?: number) => void;
/** The store refused updates of the note (it was signed off or closed meanwhile): `origins` are who sent them. */
export type RefusalListener = (noteId: number, origins: unknown[]) => void;
/** `saved` false: an append of the note failed (it is retried); true: one succeeded again. */
export type SaveStateListener = (noteId: number, saved: boolean) => void;

export { isNoteFrozen, NoteFrozenError } from './note-frozen';

/** What shutdown could not store: which notes, and how many editors' updates of each. */
export class NotesNotSavedError extends Error {
  override name = 'NotesNotSavedError' as const;
  constructor(
    readonly notes: { noteId: number; updates: number }[],
    cause: unknown,
  ) {
    const list = notes.map((n) => `note ${n.noteId} (${n.updates} ${n.updates === 1 ? 'update' : 'updates'})`).join(', ');
    super(`${notes.length === 1 ? '1 note' : `${notes.length} notes`} NOT saved: ${list}; last error: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection once `ms` have passed (a store call that hangs must not hold up shutdown). */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${ms} ms`)), Math.max(0, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createNoteDocs(store: NoteStore, options: Partial<NoteDocsOptions> = {}) {
  const settings = { ...DEFAULT_NOTE_DOCS_OPTIONS, ...options };
  const live = new Map<number, LiveNote>();
  const loading = new Map<number, Promise<LiveNote>>();
  const listeners = new Set<FlushListener>();
  const saveStateListeners = new Set<SaveStateListener>();
  const refusalListeners = new Set<RefusalListener>();
  let closed = false;
  /** Several nodes: remember which stored updates each doc has, for `repairBehind`. */
  let comparing = false;

  /** Runs every listener of `set`; one that fails is logged (as `what`) and does not keep the others from hearing. */
  function notify<Args extends unknown[]>(set: Set<(...args: Args) => void>, what: string, ...args: Args) {
    for (const listener of set) {
      try {
        listener(...args);
      } catch (error) {
        console.error(`[notes] a ${what} listener failed:`, error);
      }
    }
  }

  const announceSaveState = (noteId: number, saved: boolean) => notify(saveStateListeners, 'save-state', noteId, saved);

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
      unsaved: 0,
      failing: false,
      busy: 0,
      freezes: 0,
      sealed: false,
      flushTimer: null,
      retryMs: 50,
      checkedThrough: lastUpdateId,
      seen: new Set(),
      sinceCompaction: 0,
      holders: 0,
      idleTimer: null,
      deriveTimer: null,
      // Not derived yet since it was loaded: the derived copy may lag the stored document (a crash).
      changes: 1,
      derived: 0,
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
      const batch: Batch =
        taken.length === 1
          ? taken[0]!
          : {
              update: Y.mergeUpdates(taken.map((b) => b.update)),
              count: taken.reduce((n, b) => n + b.count, 0),
              changedAt: taken.reduce<string | null>((at, b) => later(at, b.changedAt), null),
              origins: [...new Set(taken.flatMap((b) => b.origins))],
            };
      note.storing = batch;
      let updateId: number;
      try {
        updateId = await store.append(note.noteId, batch.update, batch.changedAt);
        if (comparing) note.seen.add(updateId);
      } catch (error) {
        if (isNoteFrozen(error)) return refused(note, batch);
        // Keep the batch (ahead of anything newer) and try again later; the doc still holds it.
        note.pending.unshift(batch);
        note.storing = null;
        console.error(`[notes] saving note ${note.noteId} failed, retrying in ${note.retryMs} ms:`, (error as Error).message);
        const delay = note.retryMs;
        note.retryMs = Math.min(note.retryMs * 2, 5_000);
        note.failing = true;
        // At every failed attempt, not only the first: editors who join during the outage learn
        // of it at the next retry (the backoff keeps this to one message per 5 s at most).
        announceSaveState(note.noteId, false);
        scheduleFlush(note, delay);
        return;
      }
      note.storing = null;
      note.unsaved -= batch.count;
      note.retryMs = 50;
      note.sinceCompaction++;
      if (note.failing) {
        note.failing = false;
        announceSaveState(note.noteId, true);
      }
      tell(note.noteId, batch.update, 'local', updateId);
      if (note.pending.length > 0) scheduleFlush(note, 0);
      scheduleDerive(note);
      if (note.sinceCompaction >= settings.compactEvery) await compactNow(note);
    });
  }

  const tell = (noteId: number, update: Uint8Array, source: 'local' | 'remote', updateId?: number) => notify(listeners, 'flush', noteId, update, source, updateId);

  /**
   * The store refused the note's edits: it was signed off, or its consultation moved to final,
   * on another node while editors here were still typing (this node had not heard yet). What is
   * waiting is dropped, the note is sealed here too, and its document is read again from the
   * store: the refused edits must not reach anyone who joins later, nor a version.
   */
  async function refused(note: LiveNote, batch: Batch) {
    const dropped = batch.count + note.pending.reduce((n, b) => n + b.count, 0);
    const senders = new Set([...batch.origins, ...note.pending.flatMap((b) => b.origins)]);
    note.pending = [];
    note.storing = null;
    note.unsaved = Math.max(0, note.unsaved - dropped);
    note.sealed = true;
    console.warn(`[notes] note ${note.noteId} is closed to edits (signed off or final, possibly on another node): ${dropped} editors' updates refused`);
    // Their senders hear it (the page says their last change was not saved), never silence.
    notify(refusalListeners, 'refusal', note.noteId, [...senders]);
    try {
      const { state } = await store.load(note.noteId);
      const doc = new Y.Doc({ gc: true });
      if (state) Y.applyUpdate(doc, state, 'load');
      // The old doc is left to the garbage collector, not destroyed: the room's awareness is bound to it.
      note.doc = doc;
    } catch (error) {
      console.error(`[notes] reloading note ${note.noteId} after a refusal failed; it is unloaded:`, (error as Error).message);
      live.delete(note.noteId);
    }
  }

  /**
   * Brings the note's document up to what is stored (another node's updates this node missed),
   * and hands what was missing to the flush listeners, as a remote change. Cheap when nothing is
   * missing: the stored state is read, but only its difference from this doc's state vector is
   * applied and sent.
   */
  async function repair(note: LiveNote): Promise<boolean> {
    const { state, lastUpdateId } = await store.load(note.noteId);
    if (!state || live.get(note.noteId) !== note) return false;
    // Everything stored up to what was just read is now in the doc.
    if (lastUpdateId > note.checkedThrough) {
      note.checkedThrough = lastUpdateId;
      for (const id of note.seen) if (id <= lastUpdateId) note.seen.delete(id);
    }
    const missing = Y.diffUpdate(state, Y.encodeStateVector(note.doc));
    if (!applyChanging(note.doc, missing, 'repair')) return false;
    tell(note.noteId, missing, 'remote');
    scheduleDerive(note);
    return true;
  }

  /**
   * Runs `task` on every loaded note in turn, keeping each loaded meanwhile; a failure is logged
   * (`doing` says what failed) and the others go on. Resolves to the ids of the notes for which
   * it answered true.
   */
  async function eachLoaded(doing: string, task: (note: LiveNote) => Promise<boolean>): Promise<number[]> {
    const done: number[] = [];
    for (const note of [...live.values()]) {
      note.busy++;
      try {
        if (await task(note)) done.push(note.noteId);
      } catch (error) {
        console.error(`[notes] ${doing} note ${note.noteId} failed:`, (error as Error).message);
      } finally {
        note.busy--;
      }
    }
    return done;
  }

  /** Flushes until nothing is pending, or a flush makes no progress (storage failing). */
  async function flushAll(note: LiveNote) {
    let before = Infinity;
    while (note.pending.length > 0 && note.pending.length < before) {
      before = note.pending.length;
      await flush(note);
    }
  }

  /**
   * Merges what is stored (by this node and any other) into a new snapshot: the doc in memory is
   * never written over the stored one, since another node may have stored updates it lacks.
   */
  async function compactNow(note: LiveNote) {
    if (note.pending.length > 0 || note.storing) return; // not everything in the doc is stored yet
    await store.compact(note.noteId);
    note.sinceCompaction = 0;
  }

  function scheduleDerive(note: LiveNote) {
    note.changes++;
    if (note.deriveTimer || closed) return;
    note.deriveTimer = setTimeout(() => {
      note.deriveTimer = null;
      void derive(note).catch((error) => console.error(`[notes] deriving note ${note.noteId} failed:`, error));
    }, settings.deriveMs);
    note.deriveTimer.unref();
  }

  /** Writes the derived copy of the doc as it is now (the store skips it when unchanged). */
  async function derive(note: LiveNote) {
    const changes = note.changes;
    await store.writeDerived(note.noteId, readDocument(note.doc));
    note.derived = changes;
  }

  /** Stores, compacts and derives everything about a note now (last client left, status change, shutdown). */
  async function settle(note: LiveNote) {
    note.busy++;
    try {
      if (note.flushTimer) {
        clearTimeout(note.flushTimer);
        note.flushTimer = null;
      }
      await flushAll(note);
      if (note.pending.length > 0) throw new Error(`note ${note.noteId} could not be saved (${note.unsaved} updates waiting)`);
      await serial(note, () => compactNow(note));
      if (note.deriveTimer) {
        clearTimeout(note.deriveTimer);
        note.deriveTimer = null;
      }
      await derive(note);
    } finally {
      note.busy--;
    }
  }

  /**
   * Settles `note` again and again until it works or `deadline` passes (shutdown). Resolves to
   * what went wrong last, or null once everything is stored, compacted and derived.
   */
  async function settleBy(note: LiveNote, deadline: number): Promise<{ note: LiveNote; error: unknown } | null> {
    for (let wait = 100; ; wait = Math.min(wait * 2, 1_000)) {
      let error: unknown;
      try {
        await within(settle(note), deadline - Date.now());
        return null;
      } catch (failure) {
        error = failure;
      }
      // One more try if there is time for it; the last one may take what is left.
      const left = deadline - Date.now();
      if (left < 50) return { note, error };
      await sleep(Math.min(wait, left - 50));
    }
  }

  function scheduleUnload(note: LiveNote) {
    if (note.idleTimer) clearTimeout(note.idleTimer);
    note.idleTimer = setTimeout(() => {
      note.idleTimer = null;
      if (note.holders > 0 || note.busy > 0 || note.freezes > 0 || note.pending.length > 0 || note.storing || note.deriveTimer) return scheduleUnload(note);
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

    /**
     * Applies an (authorised, validated) update and queues it for storage and relay. Throws
     * NoteFrozenError, applying nothing, while the note is being signed off or once it is.
     */
    async apply(noteId: number, update: Uint8Array, origin: unknown): Promise<void> {
      // A loaded note is checked in the caller's synchronous run: whatever the caller checked just
      // before (may this socket edit?) and this check see the same moment, so a sign-off cannot
      // slip in between them.
      const note = live.get(noteId) ?? (await get(noteId));
      if (note.freezes > 0 || note.sealed) throw new NoteFrozenError(noteId);
      const changed = applyChanging(note.doc, update, origin);
      note.pending.push({ update, count: 1, changedAt: changed ? new Date().toISOString() : null, origins: [origin] });
      note.unsaved++;
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

    /**
     * Stores and derives now, if the note is loaded and has changes the derived copy lacks (e.g.
     * before reading the derived copy for an export). Nothing to do costs nothing: deriving a long
     * note is headless Lexical on this thread (~100 ms for 50 pages), and an export must not pay
     * it when the copy is already the document.
     */
    async save(noteId: number): Promise<void> {
      const note = live.get(noteId);
      if (!note) return;
      if (note.pending.length === 0 && !note.storing && note.derived === note.changes) return;
      await settle(note);
    },

    /**
     * Loads the note if nobody has it open, then stores, compacts and derives it: afterwards the
     * derived copy is the stored document (before a status change). Throws if it cannot.
     */
    async settle(noteId: number): Promise<void> {
      await settle(await get(noteId));
    },

    /**
     * Refuses every change to the note (`apply` throws NoteFrozenError) from now until `thaw()`;
     * `seal()` instead keeps refusing for as long as the doc stays loaded (a signed-off note).
     * Loads the note if needed. Changes already applied are still stored: settle after freezing.
     */
    async freeze(noteId: number): Promise<{ thaw(): void; seal(): void }> {
      const note = await get(noteId);
      note.freezes++;
      let done = false;
      const end = (sealed: boolean) => {
        if (done) return;
        done = true;
        if (sealed) note.sealed = true;
        note.freezes--;
      };
      return { thaw: () => end(false), seal: () => end(true) };
    },

    /**
     * An update another node stored: applied to this node's copy of the note if it is loaded
     * (nothing to store: it is stored), and handed to the flush listeners as `remote` if it
     * changed anything. Applied even to a frozen or sealed note: it is in the stored document. If
     * it depends on updates this node never got (a message lost between nodes), the note is
     * repaired from the database. Returns whether it changed the document.
     */
    applyRemote(noteId: number, update: Uint8Array, updateId?: number): boolean {
      const note = live.get(noteId);
      if (!note) return false;
      if (updateId !== undefined && comparing) note.seen.add(updateId);
      const changed = applyChanging(note.doc, update, 'remote');
      const gap = note.doc.store.pendingStructs !== null || note.doc.store.pendingDs !== null;
      // An update waiting for one this node lacks goes to the clients all the same: they keep it
      // waiting too, and the repair below brings what it waits for.
      if (changed || gap) tell(noteId, update, 'remote');
      if (gap) {
        note.busy++;
        void repair(note)
          .catch((error) => console.error(`[notes] repairing note ${noteId} from the database failed:`, (error as Error).message))
          .finally(() => note.busy--);
      }
      return changed;
    },

    /**
     * Repairs every loaded note from the database (after this node may have missed other nodes'
     * updates: Redis was away). Resolves to the ids of the notes that lacked something.
     */
    repairAll: (): Promise<number[]> => eachLoaded('repairing', repair),

    /**
     * Repairs the loaded notes of which the database holds an update this node has not applied
     * (its own and those relayed to it are known by row id): a relay lost without an outage this
     * node noticed. One query of ids per note when nothing is missing. Resolves to the ids of the
     * notes that lacked something.
     */
    repairBehind: (): Promise<number[]> =>
      eachLoaded('checking against the database', async (note) => {
        const { ids, snapshotThrough } = await store.storedAfter(note.noteId, note.checkedThrough);
        if (snapshotThrough > note.checkedThrough || ids.some((id) => !note.seen.has(id))) return repair(note);
        if (ids.length > 0) {
          // All seen: the watermark moves up, the set stays small.
          note.checkedThrough = ids.at(-1)!;
          for (const id of ids) note.seen.delete(id);
        }
        return false;
      }),

    /** From now on, remember which stored updates each doc has (several nodes: `repairBehind` compares). */
    compareWithStore(): void {
      comparing = true;
    },

    /** Repairs one note if it is loaded (tests; a node that suspects it missed something). */
    repair: async (noteId: number): Promise<boolean> => {
      const note = live.get(noteId);
      return note ? repair(note) : false;
    },

    onFlush(listener: FlushListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /**
     * Hears when a note's saves start failing (`saved` false, repeated at each failed retry) and
     * when one succeeds again (`saved` true).
     */
    /** Hears updates the store refused once applied here, with who sent them (`apply`'s origin). */
    onRefused(listener: RefusalListener): () => void {
      refusalListeners.add(listener);
      return () => refusalListeners.delete(listener);
    },

    onSaveState(listener: SaveStateListener): () => void {
      saveStateListeners.add(listener);
      return () => saveStateListeners.delete(listener);
    },

    /** The notes whose last append failed, and how many updates each has waiting (/healthz). */
    failing(): { noteId: number; updates: number }[] {
      return [...live.values()].filter((n) => n.failing).map((n) => ({ noteId: n.noteId, updates: n.unsaved }));
    },

    isLoaded: (noteId: number) => live.has(noteId),

    /** Resolves when the note's store operations queued so far (append, compaction) are done. */
    idle: async (noteId: number): Promise<void> => {
      await live.get(noteId)?.chain;
    },

    /** How many editors' updates are waiting to be stored (tests, health). */
    pendingCount: (noteId: number) => live.get(noteId)?.unsaved ?? 0,

    /**
     * Shutdown: store, compact and derive every open note, all at once, retrying each until
     * `timeoutMs` has passed. Rejects with NotesNotSavedError naming the notes whose updates could
     * not be stored; a note whose updates are stored but whose compaction or derived copy failed is
     * only logged (loading it rebuilds both).
     */
    async close(timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      const failures = (await Promise.all([...live.values()].map((note) => settleBy(note, deadline)))).filter((f) => f !== null);
      const unsaved = failures.filter((f) => f.note.unsaved > 0).map((f) => ({ noteId: f.note.noteId, updates: f.note.unsaved }));
      for (const { note, error } of failures) {
        if (note.unsaved === 0) console.error(`[notes] note ${note.noteId} is stored, but not compacted or derived at shutdown:`, (error as Error).message);
      }
      closed = true;
      for (const note of live.values()) {
        for (const timer of [note.flushTimer, note.idleTimer, note.deriveTimer]) if (timer) clearTimeout(timer);
        note.doc.destroy();
      }
      live.clear();
      if (unsaved.length > 0) throw new NotesNotSavedError(unsaved, failures.find((f) => f.note.unsaved > 0)!.error);
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
        // The derived copy may lag what is stored (a crash within deriveMs of an edit): rebuild it
        // from the stored document now. Written only if it differs, so opening a note does not
        // move its "last changed" time; on failure it stays as it was until the next derivation.
        void serial(note, () => derive(note)).catch((error) => console.error(`[notes] deriving note ${noteId} on load failed:`, (error as Error).message));
        // Unloaded in time if nobody holds it (loaded for a status change, a version): hold() cancels this.
        scheduleUnload(note);
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
