/**
 * What is signed off is what was written (issue 9), on a real database without sockets: the
 * derived copy of a note (notes.content / text / html) is rebuilt from the stored document when
 * the note is loaded and before every status change; a status change the store cannot back is
 * refused and changes nothing; no edit lands between a sign-off's derivation and its commit;
 * saves that fail are heard (save-state listeners, failing()) and shutdown names what it could
 * not store.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { applyRole, createAccountService } from '../../app/accounts/accounts.server';
import type { Role } from '../../app/accounts/roles';
import { createNoteDocs, type NoteDocs, type NoteDocsOptions } from '../../app/notes/note-docs.server';
import { readDocument } from '../../app/notes/note-document.server';
import { createNoteStore, type NoteStore } from '../../app/notes/note-store.server';
import { createNoteService, type StatusEvent } from '../../app/notes/notes.server';
import { seedConsultation } from '../../db/seeds/consultation';
import { openTestDatabase } from '../support/database';
import { appendParagraph, typeAt } from '../support/yjs-client';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let consultationId: number;
let moderatorId: string;
let rapporteurId: string;
let scopes: { questionId: number | null; stakeholderGroup: string | null }[] = [];
const opened: NoteDocs[] = [];

/** A store whose appends (and loads) fail while `failing` is set, counting the appends tried. */
function failingStore() {
  const store = createNoteStore(handle.db);
  const { append, load } = store;
  const control = { failing: false, loadFailing: false, appends: 0 };
  store.append = async (noteId, update, changedAt) => {
    control.appends++;
    if (control.failing) throw new Error('database or disk is full (simulated)');
    return append.call(store, noteId, update, changedAt);
  };
  store.load = async (noteId) => {
    if (control.loadFailing) throw new Error('database is unreachable (simulated)');
    return load.call(store, noteId);
  };
  return { store, control };
}

/** One server's note documents and note service over `store` (a fresh one: a restarted server). */
function setup(options: Partial<NoteDocsOptions> = {}, store: NoteStore = createNoteStore(handle.db)) {
  const docs = createNoteDocs(store, { flushMs: 2, deriveMs: 20, ...options });
  opened.push(docs);
  const events: StatusEvent[] = [];
  return { docs, events, notes: createNoteService(handle.db, docs, { publishStatus: (e) => events.push(e) }) };
}

async function openNote(notes: ReturnType<typeof setup>['notes'], title: string) {
  return notes.open(moderatorId, consultationId, { ...scopes.shift()!, title });
}

const noteRow = (noteId: number) =>
  handle.db.selectFrom('notes').select(['status', 'content', 'text', 'html', 'updatedAt', 'statusChangedAt']).where('id', '=', noteId).executeTakeFirstOrThrow();
const auditCount = async (noteId: number) =>
  (await handle.db.selectFrom('auditLog').select('id').where('subjectType', '=', 'note').where('subjectId', '=', String(noteId)).execute()).length;

/** The derived copy of what the database holds for the note (snapshot and later updates), read afresh. */
async function storedDocument(noteId: number) {
  const { state } = await createNoteStore(handle.db).load(noteId);
  const doc = new Y.Doc();
  try {
    if (state) Y.applyUpdate(doc, state);
    return readDocument(doc);
  } finally {
    doc.destroy();
  }
}

/**
 * A crash: edits reach note_updates (as note-docs stores them) but the server dies before its
 * deferred derivation, so notes.text never hears of them.
 */
async function storeWithoutDeriving(noteId: number, edit: (doc: Y.Doc) => void) {
  const store = createNoteStore(handle.db);
  const doc = new Y.Doc();
  const { state } = await store.load(noteId);
  Y.applyUpdate(doc, state!);
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  edit(doc);
  for (const update of updates) await store.append(noteId, update, new Date().toISOString());
  doc.destroy();
}

/** A co-editor's replica: its edits go to `docs` as the socket layer sends them. */
async function replicaOf(docs: NoteDocs, noteId: number) {
  const replica = new Y.Doc();
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(await docs.open(noteId)));
  const outgoing: Uint8Array[] = [];
  replica.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== 'remote') outgoing.push(update);
  });
  return {
    doc: replica,
    async send() {
      for (const update of outgoing.splice(0)) await docs.apply(noteId, update, 'replica');
    },
  };
}

async function userWithRole(email: string, name: string, role: Role) {
  const id = await createAccountService(handle.db).register({ email, name, organisation: `${name} org`, stakeholderGroup: 'civil-society', country: 'SN', password: 'a long enough password' });
  await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: id, consultationId, from: 'participant', to: role }));
  return id;
}

beforeAll(async () => {
  handle = await openTestDatabase();
  ({ consultationId } = await seedConsultation(handle.db));
  moderatorId = await userWithRole('moderator@example.org', 'Moderator', 'moderator');
  rapporteurId = await userWithRole('rapporteur@example.org', 'Rapporteur', 'rapporteur');
  const questions = await handle.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).orderBy('id').execute();
  scopes = [null, 'civil-society', 'business'].flatMap((stakeholderGroup) => [null, ...questions.map((q) => q.id)].map((questionId) => ({ questionId, stakeholderGroup })));
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  for (const docs of opened) await docs.close(500).catch(() => undefined);
  await handle?.drop();
});

/** Failed saves are logged; the tests check what they do, not the log. */
const quietErrors = () => vi.spyOn(console, 'error').mockImplementation(() => {});

describe('the derived copy is the stored document', () => {
  it('after a crash, a restarted server locks and signs off the text that was stored, not the stale copy', async () => {
    const noteId = await openNote(setup().notes, 'Crashed note');
    await storeWithoutDeriving(noteId, (doc) => appendParagraph(doc, 'Typed in the last two seconds before the crash.'));
    expect((await noteRow(noteId)).text).toBe('Crashed note'); // stale: the crash came before the derivation

    // Restarted: nobody has the note open; locking it derives it first.
    const afterRestart = setup();
    expect(await afterRestart.notes.setStatus(moderatorId, noteId, 'lock')).toBe('in_review');
    expect((await noteRow(noteId)).text).toBe('Crashed note\n\nTyped in the last two seconds before the crash.');
    await afterRestart.docs.close(); // one server per database: this one is gone before the next starts

    // A moderator's last edit in review, stored, then another crash before its derivation.
    await storeWithoutDeriving(noteId, (doc) => typeAt(doc, 2, ' Reviewed just before the sign-off.'));
    const signingOff = setup();
    expect(await signingOff.notes.setStatus(rapporteurId, noteId, 'finalise')).toBe('final');
    const row = await noteRow(noteId);
    const stored = await storedDocument(noteId);
    expect(row.status).toBe('final');
    expect(row.text).toBe('Crashed note\n\nTyped in the last two seconds before the crash. Reviewed just before the sign-off.');
    expect({ content: row.content, text: row.text, html: row.html }).toEqual(stored);
    expect(signingOff.events).toEqual([{ noteId, status: 'final' }]);
  });

  it('loading a note rebuilds a stale copy, and leaves an up-to-date one and its "last changed" time alone', async () => {
    const noteId = await openNote(setup().notes, 'Reloaded note');
    const seeded = await noteRow(noteId);
    // Opened again and again with nothing new: nothing is written.
    const first = setup();
    await first.docs.open(noteId);
    await first.docs.idle(noteId); // the derivation on load runs on the note's store queue
    expect(await noteRow(noteId)).toEqual(seeded);
    await first.docs.close();

    await storeWithoutDeriving(noteId, (doc) => appendParagraph(doc, 'Stored, never derived.'));
    const edited = (await noteRow(noteId)).updatedAt; // the edit's own time, stored with it
    expect(edited > seeded.updatedAt).toBe(true);
    const second = setup();
    await second.docs.open(noteId);
    await expect.poll(async () => (await noteRow(noteId)).text).toBe('Reloaded note\n\nStored, never derived.');
    const rebuilt = await noteRow(noteId);
    expect({ content: rebuilt.content, text: rebuilt.text, html: rebuilt.html }).toEqual(await storedDocument(noteId));
    expect(rebuilt.updatedAt).toBe(edited); // rebuilding the copy is no change to the note
    await second.docs.close();

    const third = setup();
    await third.docs.open(noteId);
    await third.docs.idle(noteId);
    expect(await noteRow(noteId)).toEqual(rebuilt);
  });

  it('the note’s page (the no-JavaScript view) shows what was stored before a crash', async () => {
    const noteId = await openNote(setup().notes, 'Page after a crash');
    await storeWithoutDeriving(noteId, (doc) => appendParagraph(doc, 'Typed just before the crash.'));
    const afterRestart = setup();
    const page = await afterRestart.notes.get(noteId, moderatorId);
    expect(page.text).toBe('Page after a crash\n\nTyped just before the crash.');
    expect(page.html).toContain('Typed just before the crash.');
    await afterRestart.docs.close();
  });
});

describe('a status change the store cannot back is refused', () => {
  it('refuses to lock or sign off while edits cannot be stored, changes nothing, and works once they can', async () => {
    const { store, control } = failingStore();
    const { docs, notes, events } = setup({ flushMs: 60_000 }, store);
    const noteId = await openNote(notes, 'Note on a full disk');
    const replica = await replicaOf(docs, noteId);
    appendParagraph(replica.doc, 'Typed while the disk is full.');
    await replica.send();
    control.failing = true;
    quietErrors();

    const before = await noteRow(noteId);
    const audits = await auditCount(noteId);
    await expect(notes.setStatus(moderatorId, noteId, 'lock')).rejects.toMatchObject({ name: 'DomainError', code: 'conflict', messageKey: 'errors.noteNotSaved' });
    expect(await noteRow(noteId)).toEqual(before);
    expect(await auditCount(noteId)).toBe(audits);
    expect(events).toEqual([]);
    expect(docs.pendingCount(noteId)).toBe(1); // kept, still retried

    control.failing = false;
    expect(await notes.setStatus(moderatorId, noteId, 'lock')).toBe('in_review');
    expect((await noteRow(noteId)).text).toBe('Note on a full disk\n\nTyped while the disk is full.');

    // The same for a sign-off; the note is not left frozen: edits are taken again after it.
    typeAt(replica.doc, 2, ' Reviewed.');
    await replica.send();
    control.failing = true;
    const inReview = await noteRow(noteId);
    await expect(notes.setStatus(rapporteurId, noteId, 'finalise')).rejects.toMatchObject({ messageKey: 'errors.noteNotSaved' });
    expect(await noteRow(noteId)).toEqual(inReview);
    expect(await auditCount(noteId)).toBe(audits + 1);
    typeAt(replica.doc, 2, ' Still editable.');
    await replica.send();
    control.failing = false;
    expect(await notes.setStatus(rapporteurId, noteId, 'finalise')).toBe('final');
    const row = await noteRow(noteId);
    expect(row.text).toBe('Note on a full disk\n\nTyped while the disk is full. Reviewed. Still editable.');
    expect({ content: row.content, text: row.text, html: row.html }).toEqual(await storedDocument(noteId));
  });

  it('refuses a status change when the note cannot even be loaded', async () => {
    const noteId = await openNote(setup().notes, 'Unreachable note');
    const { store, control } = failingStore();
    const { notes } = setup({}, store);
    control.loadFailing = true;
    quietErrors();
    const before = await noteRow(noteId);
    await expect(notes.setStatus(moderatorId, noteId, 'lock')).rejects.toMatchObject({ messageKey: 'errors.noteNotSaved' });
    expect(await noteRow(noteId)).toEqual(before);
  });
});

describe('a sign-off', () => {
  it('takes no edit between its derivation and its commit, nor after: the signed-off text is the stored document', async () => {
    const store = createNoteStore(handle.db);
    const append = store.append;
    // Appends wait for the test while `gate` is set: the sign-off is held while it stores.
    let gate: Promise<void> | null = null;
    let opening!: () => void;
    let waiting = 0;
    store.append = async (noteId, update) => {
      if (gate) {
        waiting++;
        await gate;
      }
      return append.call(store, noteId, update);
    };
    const { docs, notes } = setup({ flushMs: 60_000 }, store);
    const noteId = await openNote(notes, 'Signed-off note');
    await notes.setStatus(moderatorId, noteId, 'lock');
    const replica = await replicaOf(docs, noteId);
    appendParagraph(replica.doc, 'Applied before the sign-off.');
    await replica.send();

    gate = new Promise((resolve) => (opening = resolve));
    const signing = notes.setStatus(rapporteurId, noteId, 'finalise');
    await expect.poll(() => waiting).toBe(1); // frozen, storing what came before
    typeAt(replica.doc, 2, ' Typed during the sign-off.');
    await expect(replica.send()).rejects.toMatchObject({ name: 'NoteFrozenError', noteId });
    gate = null;
    opening();
    expect(await signing).toBe('final');

    const expected = 'Signed-off note\n\nApplied before the sign-off.';
    const row = await noteRow(noteId);
    expect(row.text).toBe(expected);
    expect({ content: row.content, text: row.text, html: row.html }).toEqual(await storedDocument(noteId));
    // Signed off: refused for good, and nothing of it reached the doc.
    await expect(docs.apply(noteId, Y.encodeStateAsUpdate(replica.doc), 'late')).rejects.toMatchObject({ name: 'NoteFrozenError' });
    expect(readDocument(await docs.open(noteId)).text).toBe(expected);
  });
});

describe('saves that fail are never silent', () => {
  it('save-state listeners hear when appends fail and when they recover; failing() lists the note', async () => {
    const { store, control } = failingStore();
    const { docs, notes } = setup({}, store);
    const noteId = await openNote(notes, 'Flaky note');
    const heard: [number, boolean][] = [];
    docs.onSaveState((id, saved) => id === noteId && heard.push([id, saved]));
    const replica = await replicaOf(docs, noteId);
    control.failing = true;
    quietErrors();
    appendParagraph(replica.doc, 'Waiting for the disk.');
    await replica.send();
    await expect.poll(() => heard[0]).toEqual([noteId, false]);
    expect(docs.failing()).toEqual([{ noteId, updates: 1 }]);

    control.failing = false;
    await expect.poll(() => heard.at(-1)).toEqual([noteId, true]);
    expect(heard.slice(0, -1).every(([, saved]) => saved === false)).toBe(true);
    expect(docs.failing()).toEqual([]);
    expect(docs.pendingCount(noteId)).toBe(0);
    expect((await storedDocument(noteId)).text).toBe('Flaky note\n\nWaiting for the disk.');
  });

  it('close() keeps retrying until its timeout, then rejects naming the notes it could not store', async () => {
    const store = createNoteStore(handle.db);
    const { docs, notes } = setup({ flushMs: 60_000 }, store);
    const noteId = await openNote(notes, 'Lost at shutdown');
    const other = await openNote(notes, 'Saved at shutdown');
    const replica = await replicaOf(docs, noteId);
    appendParagraph(replica.doc, 'One.');
    await replica.send();
    typeAt(replica.doc, 2, ' Two.');
    await replica.send();
    const fine = await replicaOf(docs, other);
    appendParagraph(fine.doc, 'Stored.');
    await fine.send();
    // Only the first note's appends fail.
    const append = store.append;
    let attempts = 0;
    store.append = (id, update) => {
      if (id !== noteId) return append.call(store, id, update);
      attempts++;
      return Promise.reject(new Error('disk full (simulated)'));
    };
    quietErrors();

    const error = await docs.close(600).then(
      () => null,
      (e: unknown) => e as Error & { notes?: unknown },
    );
    expect(attempts).toBeGreaterThan(2); // kept retrying
    expect(error).toMatchObject({ name: 'NotesNotSavedError', notes: [{ noteId, updates: 2 }] });
    expect(error!.message).toContain(`note ${noteId} (2 updates)`);
    expect(error!.message).not.toContain(`note ${other} `);
    expect(docs.isLoaded(noteId)).toBe(false);
    expect((await storedDocument(other)).text).toBe('Saved at shutdown\n\nStored.');
  });

  it('close() does not wait past its timeout for a store that never answers', async () => {
    const store = createNoteStore(handle.db);
    const { docs, notes } = setup({ flushMs: 60_000 }, store);
    const noteId = await openNote(notes, 'Hanging note');
    const replica = await replicaOf(docs, noteId);
    appendParagraph(replica.doc, 'Never stored.');
    await replica.send();
    store.append = () => new Promise(() => {});
    quietErrors();
    const started = Date.now();
    await expect(docs.close(300)).rejects.toMatchObject({ name: 'NotesNotSavedError', notes: [{ noteId, updates: 1 }] });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
