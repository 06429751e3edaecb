/**
 * The compilation's live room over Socket.io (server/socket/compilation.ts): a moderator's
 * socket hears `compilation:changed` after another moderator's plain-form write is committed;
 * a participant cannot join before the synthesis phase; a demoted moderator leaves the room at
 * once; and the event itself carries nothing but the question and a version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, openClient, type TestClient } from '../support/sockets';

let app: TestServer;
type User = Awaited<ReturnType<typeof createUser>>;
let consultationId: number;
let questionId: number;
let admin: User;
let first: User;
let second: User;
let participant: User;
const clients: TestClient[] = [];
const PAGE = '/c/gfmd-2020-partnerships/q/1/compilation';

const open = async (user: User) => {
  const client = await openClient(app, user.cookie);
  clients.push(client);
  return client;
};

beforeAll(async () => {
  app = await startTestServer();
  consultationId = (await app.server.services.consultations.getDefault())!.id;
  questionId = (await app.server.database.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '1').executeTakeFirstOrThrow()).id;
  admin = await createUser(app, { role: 'admin', name: 'Ada Admin' });
  first = await createUser(app, { role: 'moderator', name: 'Mona Moderator' });
  second = await createUser(app, { role: 'moderator', name: 'Moussa Moderator' });
  participant = await createUser(app, { name: 'Pablo Participant' });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await app?.close();
});

describe('the compilation room', () => {
  it('tells a second moderator after a form write is committed, with no words in the event', async () => {
    const watcher = await open(second);
    expect(await watcher.emit('compilation:join', { questionId })).toEqual({ ok: true, canEdit: true });
    const heard = watcher.next<{ questionId: number; version: number }>('compilation:changed', (p) => p.questionId === questionId);
    const res = await new Client(app.url, { cookie: first.cookie, 'accept-language': 'en' }).post(PAGE, {
      intent: 'create',
      heading: 'Employers at the table',
      formKey: clientId() + clientId(),
    });
    expect(res.status).toBe(302);
    const event = await heard;
    expect(Object.keys(event).sort()).toEqual(['questionId', 'version']);
    expect(event.version).toBeGreaterThan(0);
    // Committed before it was told: the key point is there for whoever refetches.
    const points = await app.server.services.compilation.list(second.id, questionId);
    expect(points.keyPoints.map((p) => p.heading)).toContain('Employers at the table');
  });

  it('does not tell a room of another question', async () => {
    const watcher = await open(second);
    const q2 = (await app.server.database.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '2').executeTakeFirstOrThrow()).id;
    await watcher.emit('compilation:join', { questionId: q2 });
    await app.server.services.compilation.createKeyPoint(first.id, questionId, { heading: 'Only question 1' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(watcher.received.filter((r) => r.event === 'compilation:changed')).toHaveLength(0);
  });

  it('refuses a participant before the synthesis phase, lets them in then, and refuses anonymous sockets', async () => {
    const socket = await open(participant);
    const refused = await socket.emit('compilation:join', { questionId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', messageKey: 'compilation.forbiddenRead' } });
    await app.server.services.compilation.createKeyPoint(first.id, questionId, { heading: 'Not for participants yet' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(socket.received.filter((r) => r.event === 'compilation:changed')).toHaveLength(0);

    const anonymous = await openClient(app);
    clients.push(anonymous);
    expect(await anonymous.emit('compilation:join', { questionId })).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await socket.emit('compilation:join', { questionId: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid' } });

    await app.server.database.db.updateTable('consultations').set({ phase: 'synthesis' }).where('id', '=', consultationId).execute();
    try {
      expect(await socket.emit('compilation:join', { questionId })).toEqual({ ok: true, canEdit: false });
      const heard = socket.next('compilation:changed');
      await app.server.services.compilation.createKeyPoint(first.id, questionId, { heading: 'Read by all now' });
      await heard;
    } finally {
      await app.server.database.db.updateTable('consultations').set({ phase: 'open' }).where('id', '=', consultationId).execute();
    }
  });

  it('puts participants out of the room when the phase steps back from synthesis, and tells the staff who stay to reload', async () => {
    const { phases } = app.server.services;
    await phases.move(admin.id, consultationId, 'open', 'forward'); // compiling
    await phases.move(admin.id, consultationId, 'compiling', 'forward'); // synthesis
    try {
      const reader = await open(participant);
      const staff = await open(second);
      expect(await reader.emit('compilation:join', { questionId })).toMatchObject({ ok: true });
      expect(await staff.emit('compilation:join', { questionId })).toMatchObject({ ok: true });
      const closed = reader.next('compilation:closed');
      const reload = staff.next('compilation:changed');
      await phases.move(admin.id, consultationId, 'synthesis', 'back'); // compiling: participants may not read
      expect(await closed).toEqual({ questionId });
      await reload;
      await app.server.services.compilation.createKeyPoint(first.id, questionId, { heading: 'Back in compiling' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(reader.received.filter((r) => r.event === 'compilation:changed')).toHaveLength(0);
    } finally {
      await app.server.database.db.updateTable('consultations').set({ phase: 'open' }).where('id', '=', consultationId).execute();
    }
  });

  it('puts a moderator demoted to participant out of the room at once', async () => {
    const demoted = await createUser(app, { role: 'moderator', name: 'Dario Demoted' });
    const socket = await open(demoted);
    expect(await socket.emit('compilation:join', { questionId })).toMatchObject({ ok: true });
    const closed = socket.next('compilation:closed');
    await app.server.services.accounts.setRole(admin.id, demoted.id, consultationId, 'participant');
    expect(await closed).toEqual({ questionId });
    await app.server.services.compilation.createKeyPoint(first.id, questionId, { heading: 'After the demotion' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(socket.received.filter((r) => r.event === 'compilation:changed')).toHaveLength(0);
  });
});
