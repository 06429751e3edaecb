/**
 * What is signed off is what was written (issue 9), over a real server and real co-editors:
 * editors hear when their edits are not being saved and when they are again (`note:saving`),
 * /healthz names the notes concerned, an edit racing a sign-off is refused, and a note whose
 * derived copy a crash left behind is rebuilt when a restarted server loads it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { readDocument } from '../../app/notes/note-document.server';
import { NOTE_EVENTS, type SaveState } from '../../app/notes/protocol';
import { startTestServer, type TestServer } from '../support/server';
import { createUser, noteScopes, type NoteScope } from '../support/sockets';
import { appendParagraph, openCoEditor, typeAt, type CoEditor } from '../support/yjs-client';

type User = Awaited<ReturnType<typeof createUser>>;

let app: TestServer;
let consultationId: number;
let moderator: User;
let rapporteur: User;
const editors: CoEditor[] = [];
let scopes: NoteScope[] = [];

async function join(user: User, noteId: number, server: TestServer = app): Promise<CoEditor> {
  const editor = await openCoEditor(server, noteId, { cookie: user.cookie, name: user.name });
  editors.push(editor);
  return editor;
}

/** Every `note:saving` event the co-editor receives, in order. */
function savingEvents(editor: CoEditor): SaveState[] {
  const heard: SaveState[] = [];
  editor.socket.on(NOTE_EVENTS.saving, (state: SaveState) => heard.push(state));
  return heard;
}

async function openNote(title: string, server: TestServer = app): Promise<number> {
  return server.server.services.notes.open(moderator.id, consultationId, { ...scopes.shift()!, title });
}

/** The derived copy of what the server's database holds for the note, read afresh. */
async function storedDocument(server: TestServer, noteId: number) {
  const { state } = await server.server.services.noteStore.load(noteId);
  const doc = new Y.Doc();
  try {
    if (state) Y.applyUpdate(doc, state);
    return readDocument(doc);
  } finally {
    doc.destroy();
  }
}

const noteRow = (server: TestServer, noteId: number) =>
  server.server.database.db.selectFrom('notes').select(['status', 'content', 'text', 'html']).where('id', '=', noteId).executeTakeFirstOrThrow();

async function health(server: TestServer = app) {
  const response = await fetch(`${server.url}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  app = await startTestServer();
  ({ consultationId, scopes } = await noteScopes(app));
  moderator = await createUser(app, { role: 'moderator', name: 'Mona Moderator' });
  rapporteur = await createUser(app, { role: 'rapporteur', name: 'Rafael Rapporteur' });
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  for (const e of editors) e.close();
  await app?.close();
});

describe('saves that fail', () => {
  it('co-editors hear that their edits are not saved, then that they are; /healthz names the note meanwhile', async () => {
    const noteId = await openNote('Note on a full disk');
    const a = await join(await createUser(app, { name: 'Amina Author' }), noteId);
    const b = await join(await createUser(app, { name: 'Bruno Reader' }), noteId);
    const heardByA = savingEvents(a);
    const heardByB = savingEvents(b);
    const store = app.server.services.noteStore;
    const append = store.append;
    let failing = true;
    store.append = async (id, update) => {
      if (id === noteId && failing) throw new Error('database or disk is full (simulated)');
      return append.call(store, id, update);
    };
    vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      a.typeAt(1, 'Typed while nothing is saved.');
      await expect.poll(() => heardByB[0]).toEqual({ noteId, saved: false });
      await expect.poll(() => heardByA[0]).toEqual({ noteId, saved: false });
      expect(await health()).toEqual({
        status: 503,
        body: { status: 'error', database: app.server.database.kind, error: 'notes_not_saved', down: [], notesNotSaved: [{ noteId, updates: 1 }] },
      });
      expect(b.text()).toBe('Note on a full disk'); // nothing is relayed before it is stored

      failing = false;
      await expect.poll(() => heardByB.at(-1), { timeout: 10_000 }).toEqual({ noteId, saved: true });
    } finally {
      store.append = append;
    }
    expect(heardByB.slice(0, -1).every((s) => !s.saved)).toBe(true);
    await b.waitForText('Note on a full disk\n\nTyped while nothing is saved.');
    expect(await health()).toEqual({ status: 200, body: { status: 'ok', database: app.server.database.kind } });
    expect((await storedDocument(app, noteId)).text).toBe('Note on a full disk\n\nTyped while nothing is saved.');
  });
});

describe('signing off', () => {
  it('refuses an edit that races the sign-off; the signed-off text is the stored document', async () => {
    const noteId = await openNote('Raced sign-off');
    const { notes, noteDocs } = app.server.services;
    await notes.setStatus(moderator.id, noteId, 'lock');
    const m = await join(moderator, noteId);
    const r = await join(rapporteur, noteId);
    expect([m.canEdit, r.canEdit]).toEqual([true, true]);
    m.typeAt(1, 'Reviewed.');
    await r.waitForText('Raced sign-off\n\nReviewed.');

    // Hold the sign-off once it has frozen the note, before it stores, derives and commits.
    const freeze = noteDocs.freeze;
    let frozen = false;
    let resume!: () => void;
    const held = new Promise<void>((resolve) => (resume = resolve));
    noteDocs.freeze = async (id) => {
      const handle = await freeze(id);
      frozen = true;
      await held;
      return handle;
    };
    let signing: Promise<string> | undefined;
    try {
      signing = notes.setStatus(rapporteur.id, noteId, 'finalise');
      await expect.poll(() => frozen).toBe(true);
      // The moderator still may edit as far as the socket knows: the note refuses it.
      m.typeAt(1, ' Too late.');
      await m.waitFor(() => m.refused.length === 1, 3_000, 'refusal during the sign-off');
    } finally {
      noteDocs.freeze = freeze;
      resume();
    }
    expect(['status', 'read_only']).toContain(m.refused[0]!.reason);
    expect(await signing!).toBe('final');
    await m.waitFor(() => m.statuses.length === 1, 3_000, 'the final status');
    expect(m.statuses[0]).toEqual({ noteId, status: 'final', canEdit: false });

    const row = await noteRow(app, noteId);
    expect(row.text).toBe('Raced sign-off\n\nReviewed.');
    expect({ content: row.content, text: row.text, html: row.html }).toEqual(await storedDocument(app, noteId));
    expect(r.text()).toBe('Raced sign-off\n\nReviewed.');
  });
});

describe('after a crash', () => {
  it('a restarted server rebuilds the stale derived copy when the note is opened, and signs off the stored text', async () => {
    const first = await startTestServer();
    let second: TestServer | undefined;
    try {
      const cId = (await first.server.services.consultations.getDefault())!.id;
      const mod = await createUser(first, { role: 'moderator' });
      const rap = await createUser(first, { role: 'rapporteur' });
      const writer = await createUser(first, { name: 'Wanjiru Writer' });
      const noteId = await first.server.services.notes.open(mod.id, cId, { questionId: null, stakeholderGroup: null, title: 'Before the crash' });
      // Edits stored as note-docs stores them, and the server gone before deriving them.
      const store = first.server.services.noteStore;
      const replica = new Y.Doc();
      Y.applyUpdate(replica, (await store.load(noteId)).state!);
      const updates: Uint8Array[] = [];
      replica.on('update', (update: Uint8Array) => updates.push(update));
      appendParagraph(replica, 'The last words typed.');
      typeAt(replica, 2, ' And a few more.');
      for (const update of updates) await store.append(noteId, update);
      expect((await noteRow(first, noteId)).text).toBe('Before the crash');
      await first.server.close(); // the note was never loaded there: nothing more is derived

      second = await startTestServer({}, { database: first.database });
      const expected = 'Before the crash\n\nThe last words typed. And a few more.';
      const editor = await join(writer, noteId, second);
      expect(editor.text()).toBe(expected);
      await expect.poll(async () => (await second!.server.services.notes.get(noteId, writer.id)).text).toBe(expected);

      editor.close();
      expect(await second.server.services.notes.setStatus(mod.id, noteId, 'lock')).toBe('in_review');
      expect(await second.server.services.notes.setStatus(rap.id, noteId, 'finalise')).toBe('final');
      const row = await noteRow(second, noteId);
      expect(row.text).toBe(expected);
      expect({ content: row.content, text: row.text, html: row.html }).toEqual(await storedDocument(second, noteId));
    } finally {
      if (second) await second.close();
      else await first.close();
    }
  });
});
