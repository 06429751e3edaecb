/**
 * /healthz says whether what people write is saved: it writes to the database, so a database
 * that answers reads but refuses writes (read-only, disk full) makes it answer 503 with a short
 * code, and co-editors typing meanwhile hear that their edits are not saved. Both recover.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NOTE_EVENTS, type SaveState } from '../../app/notes/protocol';
import { startTestServer, type TestServer } from '../support/server';
import { createUser } from '../support/sockets';
import { makeServerUnwritable } from '../support/unwritable';
import { openCoEditor, type CoEditor } from '../support/yjs-client';

let app: TestServer;
const editors: CoEditor[] = [];

async function health() {
  const response = await fetch(`${app.url}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  app = await startTestServer();
});
afterAll(async () => {
  for (const e of editors) e.close();
  await app?.close();
});

describe('/healthz', () => {
  it('answers 503 with a short code while the database refuses writes, and 200 again after', async () => {
    const database = app.server.database.kind;
    expect(await health()).toEqual({ status: 200, body: { status: 'ok', database } });

    const moderator = await createUser(app, { role: 'moderator' });
    const consultationId = (await app.server.services.consultations.getDefault())!.id;
    const noteId = await app.server.services.notes.open(moderator.id, consultationId, { questionId: null, stakeholderGroup: null, title: 'Written on a read-only database' });
    const editor = await openCoEditor(app, noteId, { cookie: moderator.cookie });
    editors.push(editor);
    const heard: SaveState[] = [];
    editor.socket.on(NOTE_EVENTS.saving, (state: SaveState) => heard.push(state));

    vi.spyOn(console, 'error').mockImplementation(() => {}); // the failed writes are logged
    const restore = await makeServerUnwritable(app);
    try {
      // PostgreSQL: the first answer may come from a session ended under the server's feet.
      await expect.poll(health, { timeout: 10_000 }).toEqual({ status: 503, body: { status: 'error', database, error: 'read_only', down: ['database'] } });

      editor.typeAt(1, 'Typed while nothing can be written.');
      await expect.poll(() => heard[0], { timeout: 10_000 }).toEqual({ noteId, saved: false });
      expect(await health()).toEqual({ status: 503, body: { status: 'error', database, error: 'read_only', down: ['database'], notesNotSaved: [{ noteId, updates: 1 }] } });
    } finally {
      await restore();
    }
    // Saves are retried with a backoff of up to 5 s.
    await expect.poll(() => heard.at(-1), { timeout: 15_000 }).toEqual({ noteId, saved: true });
    await expect.poll(health, { timeout: 10_000 }).toEqual({ status: 200, body: { status: 'ok', database } });
    const { state } = await app.server.services.noteStore.load(noteId);
    expect(Buffer.from(state!).toString()).toContain('Typed while nothing can be written.');
    vi.restoreAllMocks();
  });
});
