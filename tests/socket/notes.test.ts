/**
 * Co-edited notes over Socket.io (docs/decisions/0008), end to end: a real server on a real
 * database, headless co-editors (tests/support/yjs-client.ts) speaking the y-protocols messages
 * the browser's provider speaks. Convergence, late joiners, who may edit (scope, status, live
 * status changes), refused and malformed messages, saves that fail, and a server restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { AWARENESS_IDS_PER_SOCKET, encodeAwarenessUpdate, type AwarenessEntry } from '../../app/notes/awareness.server';
import { awarenessMessage, MESSAGE_SYNC, NOTE_EVENTS, noteMessage } from '../../app/notes/protocol';
import { startTestServer, type TestServer } from '../support/server';
import { createUser, openClient } from '../support/sockets';
import { connectCoEditor, openCoEditor, type CoEditor } from '../support/yjs-client';

type User = Awaited<ReturnType<typeof createUser>>;

let app: TestServer;
let consultationId: number;
let questionIds: number[];
let moderator: User;
let rapporteur: User;
const editors: CoEditor[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A co-editor of `noteId` for `user`, joined and synced; closed after the file. */
async function join(user: User, noteId: number, server: TestServer = app): Promise<CoEditor> {
  const editor = await openCoEditor(server, noteId, { cookie: user.cookie, name: user.name, log: true });
  editors.push(editor);
  return editor;
}

/** Every scope once: (question or whole consultation) × (every group or one). */
let scopes: { questionId: number | null; stakeholderGroup: string | null }[] = [];
async function openNote(title: string, stakeholderGroup: string | null = null, server: TestServer = app): Promise<number> {
  const index = scopes.findIndex((s) => s.stakeholderGroup === stakeholderGroup);
  if (index < 0) throw new Error(`no note scope left for ${stakeholderGroup ?? 'everyone'}: scope a test's note to another group`);
  const [scope] = scopes.splice(index, 1);
  return server.server.services.notes.open(moderator.id, consultationId, { ...scope!, title });
}

const noteRows = (server: TestServer, noteId: number) =>
  Promise.all([
    server.server.database.db.selectFrom('noteUpdates').select(['id', 'data']).where('noteId', '=', noteId).execute(),
    server.server.database.db.selectFrom('noteSnapshots').select(['data', 'lastUpdateId']).where('noteId', '=', noteId).executeTakeFirst(),
  ]);

/** What a newcomer reads: a fresh co-editor's text, then it leaves. */
async function freshText(user: User, noteId: number, server: TestServer = app): Promise<string> {
  const reader = await openCoEditor(server, noteId, { cookie: user.cookie });
  const text = reader.text();
  reader.close();
  return text;
}

beforeAll(async () => {
  app = await startTestServer();
  const consultation = await app.server.services.consultations.getDefault();
  consultationId = consultation!.id;
  questionIds = (await app.server.database.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).orderBy('id').execute()).map((q) => q.id);
  const groups = [null, 'civil-society', 'business', 'government', 'local-government'];
  scopes = [null, ...questionIds].flatMap((questionId) => groups.map((stakeholderGroup) => ({ questionId, stakeholderGroup })));
  moderator = await createUser(app, { role: 'moderator', name: 'Mona Moderator' });
  rapporteur = await createUser(app, { role: 'rapporteur', name: 'Rafael Rapporteur' });
});
afterAll(async () => {
  for (const e of editors) e.close();
  await app?.close();
});

describe('co-editing a note', () => {
  it('two co-editors converge after concurrent edits; a late joiner gets the full state', async () => {
    const noteId = await openNote('Synthèse des partenariats');
    const mariama = await createUser(app, { name: 'Mariama Sow' });
    const julien = await createUser(app, { name: 'Julien Tremblay', stakeholderGroup: 'local-government' });
    const a = await join(mariama, noteId);
    const b = await join(julien, noteId);
    expect(a.ack).toEqual({ ok: true, noteId, canEdit: true, status: 'drafting' });
    expect(a.text()).toBe('Synthèse des partenariats'); // the server's seed: a heading and an empty paragraph
    expect(b.blocks()).toHaveLength(2);

    // Concurrent edits, none waiting for the other's.
    a.typeAt(1, 'Les partenariats locaux');
    b.appendParagraph('At city level, yes.');
    a.typeAt(1, ' fonctionnent.');
    b.typeAt(0, ' (draft)');
    a.appendParagraph('Second paragraph from Mariama.');
    const expected = [
      'Synthèse des partenariats (draft)',
      'Les partenariats locaux fonctionnent.',
      // Both appended at the same place concurrently: Yjs orders them the same way everywhere.
    ];
    await a.waitFor(() => a.blocks().length === 4 && a.text() === b.text() && a.text().includes('At city level'), 5_000, 'convergence');
    await b.waitForText(a.text());
    expect(a.text().startsWith(expected.join('\n\n'))).toBe(true);
    expect(a.text()).toContain('At city level, yes.');
    expect(a.text()).toContain('Second paragraph from Mariama.');
    expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc));

    // Awareness: each sees the other's name.
    await a.waitFor(() => [...a.awareness.getStates().values()].some((s) => s.name === 'Julien Tremblay'), 3_000, 'awareness');

    const late = await join(await createUser(app), noteId);
    expect(late.text()).toBe(a.text());
    expect(late.blocks()).toHaveLength(4);
    // The late joiner also learns who is there.
    await late.waitFor(() => [...late.awareness.getStates().values()].some((s) => s.name === 'Mariama Sow'), 3_000, 'awareness of the room');

    // The derived copy (plain text for search and export) is the same text.
    await app.server.services.noteDocs.save(noteId);
    const note = await app.server.services.notes.get(noteId, mariama.id);
    expect(note.text).toBe(a.text());
  });

  it('joining and syncing without typing stores nothing and relays nothing', async () => {
    const noteId = await openNote('Quiet note');
    const a = await join(await createUser(app), noteId);
    const changes = a.remoteChanges;
    const messages = a.messages.length;
    await join(await createUser(app), noteId);
    await join(await createUser(app, { stakeholderGroup: 'business' }), noteId);
    await sleep(150);
    const [updates] = await noteRows(app, noteId);
    expect(updates).toHaveLength(0);
    expect(a.remoteChanges).toBe(changes);
    // Only awareness (the newcomers' names) reached the first client.
    expect(a.messages.slice(messages).filter((m) => m.type === MESSAGE_SYNC)).toEqual([]);
  });

  it('a reader’s updates are refused and reach neither the others nor the database', async () => {
    const noteId = await openNote('Note de la société civile', 'civil-society');
    const writer = await createUser(app, { name: 'Awa Writer', stakeholderGroup: 'civil-society' });
    const outsider = await createUser(app, { name: 'Bea Business', stakeholderGroup: 'business' });
    const w = await join(writer, noteId);
    const r = await join(outsider, noteId);
    expect(w.ack).toMatchObject({ ok: true, canEdit: true });
    expect(r.ack).toMatchObject({ ok: true, canEdit: false, status: 'drafting' }); // reads, may not edit

    w.typeAt(1, 'Written by civil society.');
    await r.waitForText('Note de la société civile\n\nWritten by civil society.'); // a reader does receive
    const changes = w.remoteChanges;
    const [before] = await noteRows(app, noteId);

    r.typeAt(1, ' Sneaked in by business.');
    r.appendParagraph('A whole business paragraph.');
    await r.waitFor(() => r.refused.length >= 2, 3_000, 'two refusals');
    expect(r.refused.every((x) => x.noteId === noteId && x.reason === 'read_only')).toBe(true);
    await sleep(150); // several flush windows
    expect(w.remoteChanges).toBe(changes);
    expect(w.text()).toBe('Note de la société civile\n\nWritten by civil society.');
    expect(w.refused).toEqual([]);

    const [after] = await noteRows(app, noteId);
    expect(after).toEqual(before);
    expect(await freshText(writer, noteId)).toBe('Note de la société civile\n\nWritten by civil society.');
    await app.server.services.noteDocs.save(noteId);
    expect((await app.server.services.notes.get(noteId, writer.id)).text).not.toContain('business');
  });
});

describe('who may edit', () => {
  it('scope and status decide, and a live status change flips editors to readers', async () => {
    const noteId = await openNote('Note on review', 'civil-society');
    const civil = await createUser(app, { name: 'Chidi Civil', stakeholderGroup: 'civil-society' });
    const business = await createUser(app, { name: 'Bob Business', stakeholderGroup: 'business' });
    const p = await join(civil, noteId);
    const b = await join(business, noteId);
    const m = await join(moderator, noteId);
    const r = await join(rapporteur, noteId);
    expect([p, b, m, r].map((e) => e.canEdit)).toEqual([true, false, true, true]);

    // A business participant cannot edit the civil-society note.
    b.typeAt(1, 'business edit');
    await b.waitFor(() => b.refused.length === 1, 3_000, 'refusal');
    expect(b.refused[0]).toEqual({ noteId, reason: 'read_only' });

    p.typeAt(1, 'Draft by civil society.');
    await m.waitForText('Note on review\n\nDraft by civil society.');

    // Locked for review: only moderators and rapporteurs edit, told at once.
    expect(await app.server.services.notes.setStatus(moderator.id, noteId, 'lock')).toBe('in_review');
    for (const e of [p, b, m, r]) await e.waitFor(() => e.statuses.length === 1, 3_000, 'status');
    expect(p.statuses).toEqual([{ noteId, status: 'in_review', canEdit: false }]);
    expect(b.statuses).toEqual([{ noteId, status: 'in_review', canEdit: false }]);
    expect(m.statuses).toEqual([{ noteId, status: 'in_review', canEdit: true }]);
    expect(r.statuses).toEqual([{ noteId, status: 'in_review', canEdit: true }]);
    const joinedLater = await join(await createUser(app, { stakeholderGroup: 'civil-society' }), noteId);
    expect(joinedLater.ack).toMatchObject({ ok: true, canEdit: false, status: 'in_review' });

    p.typeAt(1, ' Too late.');
    await p.waitFor(() => p.refused.length === 1, 3_000, 'refusal of the participant');
    expect(p.refused[0]!.reason).toBe('read_only');
    r.typeAt(1, ' Reviewed.');
    m.appendParagraph('Moderator’s remark.');
    const reviewed = 'Note on review\n\nDraft by civil society. Reviewed.\n\nModerator’s remark.';
    await m.waitForText(reviewed);
    await r.waitForText(reviewed);
    await joinedLater.waitForText(reviewed);
    await sleep(100);
    expect(p.refused).toHaveLength(1);
    expect(await freshText(moderator, noteId)).toBe(reviewed);

    // Signed off: nobody edits, not even the moderator.
    expect(await app.server.services.notes.setStatus(rapporteur.id, noteId, 'finalise')).toBe('final');
    for (const e of [p, b, m, r]) await e.waitFor(() => e.statuses.length === 2, 3_000, 'second status');
    expect([p, b, m, r].map((e) => e.statuses[1])).toEqual([p, b, m, r].map(() => ({ noteId, status: 'final', canEdit: false })));
    m.typeAt(1, ' After sign-off.');
    await m.waitFor(() => m.refused.length === 1, 3_000, 'refusal of the moderator');
    expect(m.refused[0]!.reason).toBe('read_only');
    await sleep(100);
    expect(r.text()).toBe(reviewed);
    expect(await freshText(rapporteur, noteId)).toBe(reviewed);
    const admin = await createUser(app, { role: 'admin' as never });
    expect((await join(admin, noteId)).canEdit).toBe(false);
    // The signed-off text is the stored text.
    expect((await app.server.services.notes.get(noteId, moderator.id)).text).toBe(reviewed);
  });

  it('a user who may not see the note cannot join, and messages outside a joined note are refused', async () => {
    const user = await createUser(app);
    const noteId = await openNote('Hidden while draft');
    const c = await connectCoEditor(app, noteId, { cookie: user.cookie });
    editors.push(c);
    const db = app.server.database.db;
    await db.updateTable('consultations').set({ phase: 'draft' }).where('id', '=', consultationId).execute();
    try {
      expect(await c.join()).toMatchObject({ ok: false, error: { code: 'not_found' } });
    } finally {
      await db.updateTable('consultations').set({ phase: 'open' }).where('id', '=', consultationId).execute();
    }
    const missing = await connectCoEditor(app, 999_999, { cookie: user.cookie });
    editors.push(missing);
    expect(await missing.join()).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const anonymous = await connectCoEditor(app, noteId);
    editors.push(anonymous);
    expect(await anonymous.join()).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });

    // Not joined: nothing is taken, and nothing of the note is sent.
    c.appendParagraph('not joined');
    await c.waitFor(() => c.refused.length === 1, 3_000, 'refusal');
    expect(c.refused[0]).toEqual({ noteId, reason: 'not_joined' });
    expect(c.messages).toEqual([]);
    expect(await freshText(user, noteId)).toBe('Hidden while draft');

    // Joined once the consultation is visible again.
    expect(await c.join()).toMatchObject({ ok: true, canEdit: true });
  });
});

describe('presence', () => {
  it('a co-editor appears under their own name only, and cannot rename, remove or crowd out the others', async () => {
    const noteId = await openNote('Who is here', 'government');
    const mariama = await createUser(app, { name: 'Mariama Sow', stakeholderGroup: 'government' });
    const mallory = await createUser(app, { name: 'Mallory Moore', stakeholderGroup: 'government' });
    const a = await join(mariama, noteId);
    // Mallory's client claims to be Mariama: the others see Mallory's own name and id.
    const m = await openCoEditor(app, noteId, { cookie: mallory.cookie, name: 'Mariama Sow', log: true });
    editors.push(m);
    const stateOf = (e: CoEditor, clientId: number) => e.awareness.getStates().get(clientId);
    await a.waitFor(() => stateOf(a, m.doc.clientID) !== undefined, 3_000, 'Mallory’s awareness');
    expect(stateOf(a, m.doc.clientID)).toMatchObject({ name: 'Mallory Moore', awarenessData: { author: { attribution: 'named', name: 'Mallory Moore' } } });
    const keyOf = (state: Record<string, unknown> | undefined) => (state?.awarenessData as { key?: string } | undefined)?.key;
    const malloryKey = keyOf(stateOf(a, m.doc.clientID));
    expect(malloryKey).toEqual(expect.any(String));
    expect(JSON.stringify(stateOf(a, m.doc.clientID))).not.toContain(mallory.id); // never a user id

    // Speaking for Mariama's awareness id (renaming her, then removing her) changes nothing.
    const sendAwareness = (entries: AwarenessEntry[]) => {
      m.sendRaw(awarenessMessage(encodeAwarenessUpdate(entries)));
    };
    sendAwareness([{ clientId: a.doc.clientID, clock: 1_000, state: { name: 'Mariama (hijacked)' } }]);
    sendAwareness([{ clientId: a.doc.clientID, clock: 1_001, state: null }]);
    // Nor does announcing a crowd of made-up co-editors: a socket speaks for a few ids at most.
    sendAwareness(Array.from({ length: 3 * AWARENESS_IDS_PER_SOCKET }, (_, i) => ({ clientId: 4_000_000 + i, clock: 1, state: { name: `Ghost ${i}` } })));
    // Malformed states are refused like any malformed message.
    sendAwareness([{ clientId: m.doc.clientID, clock: 50, state: ['not', 'an', 'object'] as never }]);
    await m.waitFor(() => m.refused.length === 1, 3_000, 'refusal');
    expect(m.refused[0]).toEqual({ noteId, reason: 'invalid' });

    const observer = await join(await createUser(app, { name: 'Olu Observer' }), noteId);
    await observer.waitFor(() => stateOf(observer, a.doc.clientID) !== undefined && stateOf(observer, m.doc.clientID) !== undefined, 3_000, 'the room’s awareness');
    await sleep(150); // several awareness flush windows
    expect(stateOf(observer, a.doc.clientID)).toMatchObject({ name: 'Mariama Sow', awarenessData: { author: { name: 'Mariama Sow' } } });
    expect(JSON.stringify([...observer.awareness.getStates().values()])).not.toContain(mariama.id);
    expect(a.awareness.getLocalState()).toMatchObject({ name: 'Mariama Sow' });
    for (const e of [a, observer]) {
      const mallorys = [...e.awareness.getStates().values()].filter((s) => keyOf(s) === malloryKey);
      expect(mallorys.length).toBe(AWARENESS_IDS_PER_SOCKET);
      expect(mallorys.every((s) => s.name === 'Mallory Moore')).toBe(true);
    }
    expect(a.refused).toEqual([]);

    // Leaving clears every id Mallory spoke for, for everyone.
    m.close();
    await observer.waitFor(() => ![...observer.awareness.getStates().values()].some((s) => s.name === 'Mallory Moore'), 3_000, 'Mallory gone');
    expect(stateOf(observer, a.doc.clientID)).toMatchObject({ name: 'Mariama Sow' });
  });
});

describe('robustness', () => {
  it('malformed messages are refused and the note keeps working for the others', async () => {
    const noteId = await openNote('Robust note');
    const good = await join(await createUser(app), noteId);
    const bad = await join(await createUser(app), noteId);
    const sync = (syncType: number, data: Uint8Array) =>
      noteMessage(MESSAGE_SYNC, (e) => {
        encoding.writeVarUint(e, syncType);
        encoding.writeVarUint8Array(e, data);
      });
    // An update with a node type notes do not have (an image), as a hostile client could send.
    const hostile = new Y.Doc();
    Y.applyUpdate(hostile, Y.encodeStateAsUpdate(bad.doc));
    const hostileUpdates: Uint8Array[] = [];
    hostile.on('update', (u: Uint8Array) => hostileUpdates.push(u));
    hostile.transact(() => {
      const node = new Y.XmlText();
      hostile.get('root', Y.XmlText).insertEmbed(0, node);
      node.setAttribute('__type', 'image' as never);
    });

    const cases: [string, unknown, string][] = [
      ['garbage bytes', Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]), 'invalid'],
      ['an unknown message type', Uint8Array.from([7, 0, 0]), 'invalid'],
      ['an unknown sync message type', sync(9, new Uint8Array([0, 0])), 'invalid'],
      ['a truncated sync message', Uint8Array.from([MESSAGE_SYNC, syncProtocol.messageYjsUpdate, 200]), 'invalid'],
      ['an update that is not Yjs', sync(syncProtocol.messageYjsUpdate, Uint8Array.from([9, 9, 9, 9, 9, 9])), 'invalid'],
      ['a node type notes do not have', sync(syncProtocol.messageYjsUpdate, hostileUpdates[0]!), 'invalid'],
      ['text instead of bytes', 'hello', 'invalid'],
      ['an object instead of bytes', { evil: true }, 'invalid'],
      ['more than 512 KB', new Uint8Array(600 * 1024).fill(1), 'too_large'],
    ];
    for (const [what, payload, reason] of cases) {
      const count = bad.refused.length;
      bad.sendRaw(payload);
      await bad.waitFor(() => bad.refused.length > count, 3_000, `refusal of ${what}`);
      expect([what, bad.refused.at(-1)!.reason]).toEqual([what, reason]);
    }
    // The socket is still connected, the note still works for everyone.
    expect(bad.socket.connected).toBe(true);
    good.typeAt(1, 'Still working.');
    bad.appendParagraph('Me too.');
    const expected = 'Robust note\n\nStill working.\n\nMe too.';
    await good.waitForText(expected);
    await bad.waitForText(expected);
    expect(await freshText(moderator, noteId)).toBe(expected);
    expect((await freshText(moderator, noteId)).includes('image')).toBe(false);
  });

  it('a failing save loses nothing: edits are relayed once stored, and stored after retries', async () => {
    const noteId = await openNote('Note saved the hard way');
    const a = await join(await createUser(app), noteId);
    const b = await join(await createUser(app), noteId);
    const store = app.server.services.noteStore;
    const append = store.append;
    let failures = 0;
    const seenByB: string[] = [];
    store.append = async (id, update) => {
      if (id === noteId && failures < 3) {
        failures++;
        seenByB.push(b.text()); // nothing may be relayed before it is stored
        throw new Error('database is locked (simulated)');
      }
      return append.call(store, id, update);
    };
    const errors: unknown[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      a.typeAt(1, 'Kept through failures.');
      await b.waitForText('Note saved the hard way\n\nKept through failures.', 5_000);
    } finally {
      store.append = append;
      console.error = consoleError;
    }
    expect(failures).toBe(3);
    expect(seenByB).toEqual(['Note saved the hard way', 'Note saved the hard way', 'Note saved the hard way']);
    expect(errors).toHaveLength(3); // each failure is logged
    expect(app.server.services.noteDocs.pendingCount(noteId)).toBe(0);
    const [updates] = await noteRows(app, noteId);
    expect(updates.length).toBeGreaterThan(0);
    // What the database holds, read by a new doc, has the edit.
    const stored = new Y.Doc();
    const [, snapshot] = await noteRows(app, noteId);
    Y.applyUpdate(stored, new Uint8Array(snapshot!.data));
    for (const u of updates) Y.applyUpdate(stored, new Uint8Array(u.data));
    expect(stored.get('root', Y.XmlText).toString()).toContain('Kept through failures.');
    expect(await freshText(moderator, noteId)).toBe('Note saved the hard way\n\nKept through failures.');
  });

  it('survives a restart: the closing server stores everything, a new one serves identical text', async () => {
    const first = await startTestServer();
    let second: TestServer | undefined;
    try {
      const cId = (await first.server.services.consultations.getDefault())!.id;
      const mod = await createUser(first, { role: 'moderator' });
      const writer = await createUser(first, { name: 'Wanjiru Writer' });
      const noteId = await first.server.services.notes.open(mod.id, cId, { questionId: null, stakeholderGroup: null, title: 'Before the restart' });
      const a = await join(writer, noteId, first);
      const b = await join(mod, noteId, first);
      a.typeAt(1, 'Typed before the restart.');
      b.appendParagraph('Also before.');
      for (let i = 0; i < 20; i++) a.typeAt(1, ` ${i}`);
      await b.waitFor(() => b.text() === a.text() && a.text().includes(' 19') && a.text().includes('Also before.'), 5_000, 'convergence');
      const text = a.text();
      // Closed as soon as the server's doc has the last edit: it may not be stored yet.
      b.typeAt(2, ' Last words.');
      const live = await first.server.services.noteDocs.open(noteId);
      await b.waitFor(() => live.get('root', Y.XmlText).toString().includes('Last words.'), 3_000, 'the server holding the last edit');
      await first.server.close(); // flushes, compacts and derives every open note

      second = await startTestServer({}, { database: first.database });
      const [storedUpdates, storedSnapshot] = await noteRows(second, noteId);
      expect(storedUpdates).toHaveLength(0); // compacted at shutdown
      expect(storedSnapshot).toBeDefined();
      const expected = `${text} Last words.`;
      expect(await freshText(writer, noteId, second)).toBe(expected);
      expect((await second.server.services.notes.get(noteId, writer.id)).text).toBe(expected);
      const again = await join(writer, noteId, second);
      again.typeAt(1, ' After.');
      await again.waitFor(() => again.text().includes(' After.'), 3_000, 'an edit after the restart');
    } finally {
      if (second) await second.close();
      else await first.close();
    }
  });
});

describe('holding and releasing', () => {
  it('a note everyone left is compacted, even after a double join', async () => {
    const noteId = await openNote('Left behind');
    const user = await createUser(app);
    const a = await connectCoEditor(app, noteId, { cookie: user.cookie, log: true });
    editors.push(a);
    // The same join twice at once (a retry over a flaky link): held once.
    const [x, y] = await Promise.all([a.join(), a.join()]);
    expect([x.ok, y.ok]).toEqual([true, true]);
    await a.synced;
    a.typeAt(1, 'Typed, then everyone left.');
    await a.waitFor(() => a.messages.some((m) => m.syncType === syncProtocol.messageYjsUpdate), 3_000, 'the relay of the edit');
    expect((await noteRows(app, noteId))[0].length).toBeGreaterThan(0);
    a.leave();
    await a.waitFor(() => false, 300).catch(() => undefined);
    const [updates, snapshot] = await noteRows(app, noteId);
    expect(updates).toEqual([]); // the last one out has it compacted
    const fromSnapshot = new Y.Doc();
    Y.applyUpdate(fromSnapshot, new Uint8Array(snapshot!.data));
    expect(fromSnapshot.get('root', Y.XmlText).toString()).toContain('Typed, then everyone left.');
  });
});

describe('last changed', () => {
  const changedAt = async (noteId: number) =>
    (await app.server.database.db.selectFrom('notes').select('updatedAt').where('id', '=', noteId).executeTakeFirstOrThrow()).updatedAt;
  const compactedAt = async (noteId: number) =>
    (await app.server.database.db.selectFrom('noteSnapshots').select('createdAt').where('noteId', '=', noteId).executeTakeFirstOrThrow()).createdAt;

  it('is the time of the last change to the text: readers opening, reading and leaving the note do not move it', async () => {
    const noteId = await openNote('Note des gouvernements', 'government');
    const opened = await changedAt(noteId);
    const seeded = await compactedAt(noteId);
    await sleep(20); // a later write would carry a later time

    // A reader of another group and an editor who types nothing open the note (the page and the
    // live editor), then leave: the last one out has it compacted and derived again.
    const outsider = await createUser(app, { stakeholderGroup: 'business' });
    const quiet = await createUser(app, { stakeholderGroup: 'government' });
    const reader = await join(outsider, noteId);
    expect(reader.ack).toMatchObject({ ok: true, canEdit: false });
    const idle = await join(quiet, noteId);
    expect((await app.server.services.notes.get(noteId, outsider.id)).updatedAt).toBe(opened);
    reader.close();
    idle.close();
    await expect.poll(() => compactedAt(noteId), { timeout: 5_000 }).not.toBe(seeded);
    await app.server.services.noteDocs.idle(noteId);
    expect(await changedAt(noteId)).toBe(opened);

    // An edit moves it, once stored: to the time it was made.
    const writer = await join(quiet, noteId);
    const before = Date.now();
    writer.typeAt(1, 'Les États s’engagent.');
    await expect.poll(() => changedAt(noteId), { timeout: 5_000 }).not.toBe(opened);
    const moved = await changedAt(noteId);
    expect(Date.parse(moved)).toBeGreaterThanOrEqual(before - 5);
    // When it was made, not when the derived copy was refreshed (deriveMs, 2 s, later).
    expect(Date.parse(moved) - before).toBeLessThan(1_000);
    expect((await app.server.services.notes.get(noteId, outsider.id)).updatedAt).toBe(moved);

    // Leaving again (compaction, derivation) keeps the edit's time.
    writer.close();
    const compacted = await compactedAt(noteId);
    await sleep(20);
    const other = await join(outsider, noteId);
    other.close();
    await expect.poll(() => compactedAt(noteId), { timeout: 5_000 }).not.toBe(compacted);
    await app.server.services.noteDocs.idle(noteId);
    expect(await changedAt(noteId)).toBe(moved);
  });
});

describe('protocol details', () => {
  it('binary payloads arrive in Node as Buffers and are used as they are', async () => {
    const noteId = await openNote('Binary note', 'business'); // read only for this user: joining is enough
    const user = await createUser(app);
    const raw = await openClient(app, user.cookie);
    try {
      const first = new Promise<[number, unknown]>((resolve) => raw.socket.once(NOTE_EVENTS.message, (i: number, p: unknown) => resolve([i, p])));
      expect((await raw.emit(NOTE_EVENTS.join, { noteId })).ok).toBe(true);
      const [id, payload] = await first;
      expect(id).toBe(noteId);
      expect(Buffer.isBuffer(payload)).toBe(true);
      expect((payload as Buffer)[0]).toBe(MESSAGE_SYNC);
      expect((payload as Buffer)[1]).toBe(syncProtocol.messageYjsSyncStep1);
    } finally {
      raw.close();
    }
  });
});
