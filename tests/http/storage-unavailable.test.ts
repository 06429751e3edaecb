/**
 * A write the database refuses (down, read-only, full) is answered "not saved, try again" in the
 * writer's language, with what they wrote kept: a form comes back filled in (503), a live post
 * gets `service_unavailable`. Nothing half-done is stored. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, doc, openClient, threadId } from '../support/sockets';
import { makeServerUnwritable } from '../support/unwritable';

let app: TestServer;
const PATH = '/c/gfmd-2020-partnerships/q/2/2.4';

beforeAll(async () => {
  app = await startTestServer();
});
afterAll(() => app?.close());

it('a form post and a live post while the database refuses writes are refused with a clear message, the text kept', async () => {
  const user = await createUser(app);
  const fr = new Client(app.url, { cookie: user.cookie, 'accept-language': 'fr' });
  await fr.get(PATH); // the session is read (and extended) while it can be
  const live = await openClient(app, user.cookie);
  const thread = await threadId(app, '2.4');
  await live.emit('thread:join', { threadId: thread });

  vi.spyOn(console, 'error').mockImplementation(() => {}); // the refused writes are logged
  const restore = await makeServerUnwritable(app);
  try {
    const res = await fr.post(PATH, { intent: 'create', clientId: clientId(), text: 'Écrit pendant la panne, à garder.', attribution: 'named', language: '' });
    expect(res.status).toBe(503);
    const html = await res.text();
    expect(html).toContain('Non enregistré : la base de données est momentanément indisponible.');
    expect(html).toContain('Écrit pendant la panne, à garder.');

    const ack = await live.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Typed during the outage'), attribution: 'named' });
    expect(ack).toEqual({ ok: false, error: { code: 'service_unavailable', messageKey: 'errors.storageUnavailable' } });
  } finally {
    await restore();
    vi.restoreAllMocks();
  }
  const { n } = await app.server.database.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).where('authorId', '=', user.id).executeTakeFirstOrThrow();
  expect(Number(n)).toBe(0);
  live.close();
});
