/**
 * The real process (`tsx server/index.ts`) stopped while co-editors' edits cannot be stored:
 * it keeps trying for SHUTDOWN_TIMEOUT_MS, then says which notes it could not save and exits
 * non-zero, instead of dropping them with a log line and exiting 0. The database is made to
 * refuse writes as a full disk or a read-only volume would (support/unwritable.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess } from '../support/process';
import { applyRole } from '../../app/accounts/accounts.server';
import { NOTE_EVENTS, type SaveState } from '../../app/notes/protocol';
import { openDatabase, type DatabaseHandle } from '../../db/database';
import { createServices } from '../../server/services';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { makeDatabaseUnwritable, unwritableEnv } from '../support/unwritable';
import { openCoEditor } from '../support/yjs-client';

const start = startProcess;

describe('stopping the server process', () => {
  let db: TestDatabase;
  let handle: DatabaseHandle | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await handle?.close();
    await db?.drop();
  });

  it('on SIGTERM with edits the database will not take: names the note and exits non-zero', async () => {
    const proc = start({ DATABASE_URL: db.url, SHUTDOWN_TIMEOUT_MS: '1000', ...unwritableEnv(db) });
    try {
      const url = await proc.listening; // migrated and seeded
      // A moderator with a session, and a note, written beside the server as another process would.
      handle = await openDatabase(db.url);
      const services = createServices(handle.db, { secureCookies: false, signInAttemptsPerAddress: 60, registrationsPerAddress: 30, postsPerMinute: 10 });
      const consultationId = (await services.consultations.getDefault())!.id;
      const userId = await services.accounts.register({
        email: 'moderator@example.org',
        name: 'Mona Moderator',
        organisation: 'GFMD',
        stakeholderGroup: 'civil-society',
        country: 'SN',
        password: 'a long enough password',
      });
      await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId, consultationId, from: 'participant', to: 'moderator' }));
      const session = await services.auth.createSession(userId, {});
      const noteId = await services.notes.open(userId, consultationId, { questionId: null, stakeholderGroup: null, title: 'Note at shutdown' });

      const editor = await openCoEditor({ url }, noteId, { cookie: `${services.auth.sessionCookieName}=${session.id}` });
      const heard: SaveState[] = [];
      editor.socket.on(NOTE_EVENTS.saving, (state: SaveState) => heard.push(state));
      editor.typeAt(1, 'Stored.');
      await expect.poll(async () => (await services.noteStore.load(noteId)).updates, { timeout: 10_000 }).toBe(1);

      const restore = await makeDatabaseUnwritable(db);
      try {
        editor.typeAt(1, ' Not stored.');
        await expect.poll(() => heard.some((s) => s.noteId === noteId && !s.saved), { timeout: 10_000 }).toBe(true);
        proc.child.kill('SIGTERM');
        expect(await proc.exited).toBe(1);
      } finally {
        editor.close();
        await restore();
      }
      expect(proc.output()).toMatch(new RegExp(`NOT saved: note ${noteId} \\(1 update\\)`));
      expect(proc.output()).not.toContain('[palabre] stopped\n');
      // What was stored before stays stored.
      const { state } = await services.noteStore.load(noteId);
      expect(Buffer.from(state!).toString()).toContain('Stored.');
      expect(Buffer.from(state!).toString()).not.toContain('Not stored.');
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  });
});
