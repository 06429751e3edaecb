/**
 * The live note documents (app/notes/note-docs.server.ts) over their store (note-store.server.ts)
 * on a real database, without sockets: compaction, named versions (diff, restore as a live
 * change), unloading idle documents, and shutdown storing what is still pending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyRole, createAccountService } from '../../app/accounts/accounts.server';
import { createNoteDocs, type NoteDocs, type NoteDocsOptions } from '../../app/notes/note-docs.server';
import { readDocument } from '../../app/notes/note-document.server';
import { createNoteStore } from '../../app/notes/note-store.server';
import { createNoteService, type StatusEvent } from '../../app/notes/notes.server';
import { seedConsultation } from '../../db/seeds/consultation';
import { openTestDatabase } from '../support/database';
import { appendParagraph, noteText, typeAt } from '../support/yjs-client';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let consultationId: number;
let moderatorId: string;
let scopes: { questionId: number | null; stakeholderGroup: string | null }[] = [];
const opened: NoteDocs[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A NoteDocs and the note service over it, closed after the file. */
function setup(options: Partial<NoteDocsOptions> = {}) {
  const docs = createNoteDocs(createNoteStore(handle.db), { flushMs: 2, deriveMs: 20, ...options });
  opened.push(docs);
  const events: StatusEvent[] = [];
  return { docs, events, notes: createNoteService(handle.db, docs, { publishStatus: (e) => events.push(e) }) };
}

async function openNote(notes: ReturnType<typeof setup>['notes'], title: string) {
  const scope = scopes.shift()!;
  return notes.open(moderatorId, consultationId, { ...scope, title });
}

/** A co-editor's replica of the note: its edits go to `docs` as the socket layer would send them. */
async function replicaOf(docs: NoteDocs, noteId: number) {
  const replica = new Y.Doc();
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(await docs.open(noteId)));
  const outgoing: Uint8Array[] = [];
  replica.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== 'remote') outgoing.push(update);
  });
  return {
    doc: replica,
    /** Sends every local update made since the last call, one `apply` each. */
    async send() {
      for (const update of outgoing.splice(0)) await docs.apply(noteId, update, 'replica');
    },
  };
}

/** Waits until nothing of the note is waiting to be stored. */
async function stored(docs: NoteDocs, noteId: number) {
  for (let i = 0; i < 500 && docs.pendingCount(noteId) > 0; i++) await sleep(5);
  expect(docs.pendingCount(noteId)).toBe(0);
  await docs.idle(noteId); // the flush's own follow-up (compaction) runs on the same chain
}

const rows = (noteId: number) =>
  Promise.all([
    handle.db.selectFrom('noteUpdates').select(['id', 'data']).where('noteId', '=', noteId).orderBy('id').execute(),
    handle.db.selectFrom('noteSnapshots').select(['data', 'lastUpdateId']).where('noteId', '=', noteId).executeTakeFirst(),
  ]);

/** The text a brand-new NoteDocs (a restarted server) loads from the database. */
async function reloadedText(noteId: number) {
  const fresh = createNoteDocs(createNoteStore(handle.db));
  try {
    return noteText(await fresh.open(noteId));
  } finally {
    await fresh.close();
  }
}

beforeAll(async () => {
  handle = await openTestDatabase();
  ({ consultationId } = await seedConsultation(handle.db));
  moderatorId = await createAccountService(handle.db).register({
    email: 'moderator@example.org',
    name: 'Moderator',
    organisation: 'Moderator org',
    stakeholderGroup: 'civil-society',
    country: 'SN',
    password: 'a long enough password',
  });
  await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: moderatorId, consultationId, from: 'participant', to: 'moderator' }));
  const questions = await handle.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).orderBy('id').execute();
  scopes = [null, 'civil-society', 'business'].flatMap((stakeholderGroup) => [null, ...questions.map((q) => q.id)].map((questionId) => ({ questionId, stakeholderGroup })));
});
afterAll(async () => {
  for (const docs of opened) await docs.close();
  await handle?.drop();
});

describe('note documents in the database', () => {
  it('opening a note stores its seed as a snapshot, with no updates', async () => {
    const { docs, notes } = setup();
    const noteId = await openNote(notes, 'Seeded note');
    const [updates, snapshot] = await rows(noteId);
    expect(updates).toEqual([]);
    expect(snapshot).toBeDefined();
    expect(noteText(await docs.open(noteId))).toBe('Seeded note');
    expect((await notes.get(noteId, moderatorId)).text).toBe('Seeded note');
  });

  it('compacts every compactEvery updates: note_updates shrink and a reload reads the same text', async () => {
    const { docs, notes } = setup({ compactEvery: 10 });
    const noteId = await openNote(notes, 'Compacted note');
    const replica = await replicaOf(docs, noteId);
    const [, seed] = await rows(noteId);
    const counts: number[] = [];
    for (let i = 0; i < 25; i++) {
      if (i === 0) appendParagraph(replica.doc, 'Start.');
      else typeAt(replica.doc, 2, ` ${i}`); // block 0: the title, 1: the seed's empty paragraph
      await replica.send();
      await stored(docs, noteId);
      counts.push((await rows(noteId))[0].length);
    }
    // 1…9 stored, compacted at the 10th, and again at the 20th.
    expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5]);
    const [updates, snapshot] = await rows(noteId);
    expect(snapshot!.lastUpdateId).toBeGreaterThan(seed!.lastUpdateId);
    expect(updates.every((u) => u.id > snapshot!.lastUpdateId)).toBe(true);
    const expected = `Compacted note\n\nStart.${Array.from({ length: 24 }, (_, i) => ` ${i + 1}`).join('')}`;
    expect(noteText(await docs.open(noteId))).toBe(expected);
    expect(noteText(replica.doc)).toBe(expected);
    // The store's own view: snapshot merged with the 5 later updates.
    const loaded = await createNoteStore(handle.db).load(noteId);
    expect(loaded.updates).toBe(5);
    expect(loaded.lastUpdateId).toBe(updates.at(-1)!.id);
    expect(await reloadedText(noteId)).toBe(expected);
  });

  it('merges what arrives within one flush window into one stored update', async () => {
    const { docs, notes } = setup({ flushMs: 50 });
    const noteId = await openNote(notes, 'Merged note');
    const relayed: Uint8Array[] = [];
    const stop = docs.onFlush((id, update) => id === noteId && relayed.push(update));
    const replica = await replicaOf(docs, noteId);
    typeAt(replica.doc, 1, 'a');
    typeAt(replica.doc, 1, 'b');
    typeAt(replica.doc, 1, 'c');
    await replica.send();
    await stored(docs, noteId);
    stop();
    expect(relayed).toHaveLength(1);
    expect((await rows(noteId))[0]).toHaveLength(1);
    expect(await reloadedText(noteId)).toBe('Merged note\n\nabc');
  });

  it('names versions, compares them with the current text, and restores one as a new change', async () => {
    const { docs, notes } = setup();
    const noteId = await openNote(notes, 'Versioned note');
    // A connected co-editor: it receives what the socket layer relays (stored updates).
    const replica = await replicaOf(docs, noteId);
    const stop = docs.onFlush((id, update) => id === noteId && Y.applyUpdate(replica.doc, update, 'remote'));

    appendParagraph(replica.doc, 'The first outline of the synthesis.');
    await replica.send();
    await stored(docs, noteId);
    const first = await notes.saveVersion(moderatorId, noteId, 'First outline');

    typeAt(replica.doc, 2, ' Much expanded later.');
    appendParagraph(replica.doc, 'A new conclusion.');
    await replica.send();
    await stored(docs, noteId);
    const current = 'Versioned note\n\nThe first outline of the synthesis. Much expanded later.\n\nA new conclusion.';
    expect(noteText(replica.doc)).toBe(current);
    const second = await notes.saveVersion(moderatorId, noteId, 'Expanded');

    expect((await notes.versions(noteId, moderatorId)).map((v) => [v.id, v.name, v.createdByName])).toEqual([
      [second, 'Expanded', 'Moderator'],
      [first, 'First outline', 'Moderator'],
    ]);
    const version = await notes.version(noteId, first, moderatorId);
    expect(version.text).toBe('Versioned note\n\nThe first outline of the synthesis.');
    expect(version.html).toBe('<h2>Versioned note</h2><p></p><p>The first outline of the synthesis.</p>');
    const added = version.diff.filter((p) => p.type === 'added').map((p) => p.text).join('');
    expect(added).toContain('Much expanded later.');
    expect(added).toContain('A new conclusion.');
    expect(version.diff.filter((p) => p.type === 'removed')).toEqual([]);
    expect(version.diff.filter((p) => p.type !== 'removed').map((p) => p.text).join('')).toBe(current);

    const [, snapshotBefore] = await rows(noteId);
    const restoredUpdates = (await rows(noteId))[0].length;
    expect(await notes.restore(moderatorId, noteId, first)).toBe(true);
    // The connected co-editor received the restore as a live change.
    expect(noteText(replica.doc)).toBe('Versioned note\n\nThe first outline of the synthesis.');
    expect(noteText(await docs.open(noteId))).toBe(noteText(replica.doc));
    // Stored as a new update: the history keeps the expanded text.
    const [updatesAfter, snapshotAfter] = await rows(noteId);
    expect(updatesAfter.length).toBe(restoredUpdates + 1);
    expect(snapshotAfter).toEqual(snapshotBefore);
    expect(await reloadedText(noteId)).toBe('Versioned note\n\nThe first outline of the synthesis.');
    // Restoring the version the note already holds changes nothing.
    expect(await notes.restore(moderatorId, noteId, first)).toBe(false);
    // And the expanded one can come back.
    expect(await notes.restore(moderatorId, noteId, second)).toBe(true);
    expect(noteText(replica.doc)).toBe(current);
    stop();
  });

  it('unloads a note nobody holds after idleMs, and reloads it from the database', async () => {
    const { docs, notes } = setup({ idleMs: 100 });
    const noteId = await openNote(notes, 'Idle note');
    await docs.hold(noteId);
    const replica = await replicaOf(docs, noteId);
    appendParagraph(replica.doc, 'Written before going idle.');
    await replica.send();
    await sleep(250); // held: stays loaded
    expect(docs.isLoaded(noteId)).toBe(true);

    await docs.release(noteId); // the last one out: stored, compacted and derived
    const [updates, snapshot] = await rows(noteId);
    expect(updates).toEqual([]);
    expect(snapshot).toBeDefined();
    expect((await notes.get(noteId, moderatorId)).text).toBe('Idle note\n\nWritten before going idle.');
    expect(docs.isLoaded(noteId)).toBe(true);
    await sleep(250);
    expect(docs.isLoaded(noteId)).toBe(false);

    const reloaded = await docs.hold(noteId);
    expect(docs.isLoaded(noteId)).toBe(true);
    expect(noteText(reloaded)).toBe('Idle note\n\nWritten before going idle.');
    // The reloaded doc goes on taking edits from a replica synced before the unload.
    typeAt(replica.doc, 2, ' And after.');
    await replica.send();
    await stored(docs, noteId);
    await docs.release(noteId);
    expect(await reloadedText(noteId)).toBe('Idle note\n\nWritten before going idle. And after.');
  });

  it('close() stores, compacts and derives what is still pending', async () => {
    const { docs, notes } = setup({ flushMs: 60_000, deriveMs: 60_000 });
    const noteId = await openNote(notes, 'Closing note');
    const replica = await replicaOf(docs, noteId);
    appendParagraph(replica.doc, 'Not stored yet.');
    await replica.send();
    typeAt(replica.doc, 2, ' Nor this.');
    await replica.send();
    expect(docs.pendingCount(noteId)).toBe(2);
    expect((await rows(noteId))[0]).toEqual([]);

    await docs.close();
    expect(docs.isLoaded(noteId)).toBe(false);
    const [updates, snapshot] = await rows(noteId);
    expect(updates).toEqual([]); // compacted
    const fromSnapshot = new Y.Doc();
    Y.applyUpdate(fromSnapshot, new Uint8Array(snapshot!.data));
    expect(noteText(fromSnapshot)).toBe('Closing note\n\nNot stored yet. Nor this.');
    expect(readDocument(fromSnapshot).text).toBe('Closing note\n\nNot stored yet. Nor this.');
    expect((await notes.get(noteId, moderatorId)).text).toBe('Closing note\n\nNot stored yet. Nor this.'); // derived
    expect(await reloadedText(noteId)).toBe('Closing note\n\nNot stored yet. Nor this.');
  });

  it('close() keeps retrying a failing append, then stores it', async () => {
    const store = createNoteStore(handle.db);
    const append = store.append;
    let failures = 0;
    store.append = async (id, update) => {
      if (failures++ < 2) throw new Error('disk full (simulated)');
      return append.call(store, id, update);
    };
    const docs = createNoteDocs(store, { flushMs: 60_000 });
    const notes = createNoteService(handle.db, docs, { publishStatus: () => {} });
    const noteId = await openNote(notes, 'Stubborn note');
    const replica = await replicaOf(docs, noteId);
    appendParagraph(replica.doc, 'Saved at last.');
    await replica.send();
    const consoleError = console.error;
    console.error = () => {};
    try {
      await docs.close(5_000);
    } finally {
      console.error = consoleError;
    }
    expect(failures).toBe(3);
    expect(await reloadedText(noteId)).toBe('Stubborn note\n\nSaved at last.');
  });

  it('stores a long backlog in bounded batches, in order, losing nothing', async () => {
    const { docs, notes } = setup({ flushMs: 60_000 });
    const noteId = await openNote(notes, 'Backlog note');
    const replica = await replicaOf(docs, noteId);
    appendParagraph(replica.doc, '');
    await replica.send();
    for (let i = 0; i < 600; i++) {
      typeAt(replica.doc, 2, String(i % 10));
      await replica.send();
    }
    expect(docs.pendingCount(noteId)).toBe(601);
    await docs.save(noteId);
    expect(docs.pendingCount(noteId)).toBe(0);
    const expected = noteText(replica.doc);
    expect(expected.length).toBeGreaterThan(600);
    expect(await reloadedText(noteId)).toBe(expected);
  });
});
