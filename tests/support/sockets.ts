/**
 * Real socket.io clients against a test server, with helpers to sign users in and to wait
 * for events. Every event a client receives is kept raw, for assertions on payloads.
 */
import crypto from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { applyRole } from '../../app/accounts/accounts.server';
import type { Role } from '../../app/accounts/roles';
import { nameKey } from '../../app/text/name-key.server';
import type { TestServer } from './server';

export interface TestClient {
  socket: Socket;
  received: { event: string; payload: unknown }[];
  emit<T = any>(event: string, payload: unknown): Promise<T>;
  next<T = any>(event: string, predicate?: (payload: T) => boolean, timeoutMs?: number): Promise<T>;
  close(): void;
}

let counter = 0;

/**
 * A user with a session. Tests reuse a few realistic names ("Mariama Sow") across one file's
 * database, where no two accounts' names may look alike (users.name_key): an earlier account
 * holding a look-alike of the name asked for (its test is over) is renamed out of the way first.
 */
export async function createUser(
  app: TestServer,
  { role, ...overrides }: Partial<{ name: string; organisation: string; stakeholderGroup: string; country: string; role: Role }> = {},
) {
  const { services } = app.server;
  counter++;
  const input = {
    name: `Person ${counter}`,
    email: `person${counter}.${crypto.randomBytes(4).toString('hex')}@example.org`,
    password: 'a long enough password',
    organisation: `Organisation ${counter}`,
    stakeholderGroup: 'civil-society',
    country: 'SN',
    ...overrides,
  };
  const key = nameKey(input.name);
  const earlier = await services.db.selectFrom('users').select(['id', 'name']).where('nameKey', '=', key).executeTakeFirst();
  if (earlier) {
    const name = `${earlier.name} (earlier ${counter})`;
    await services.db.updateTable('users').set({ name, nameKey: nameKey(name) }).where('id', '=', earlier.id).execute();
  }
  const id = await services.accounts.register(input);
  if (role && role !== 'participant') {
    const consultation = await services.consultations.getDefault();
    await services.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: id, consultationId: consultation!.id, from: 'participant', to: role }));
  }
  const session = await services.auth.createSession(id, {});
  return { id, ...input, cookie: `${services.auth.sessionCookieName}=${session.id}` };
}

export async function openClient(app: TestServer, cookie?: string): Promise<TestClient> {
  const socket = connect(app.url, {
    transports: ['websocket'],
    extraHeaders: cookie ? { cookie } : {},
    forceNew: true,
  });
  const received: TestClient['received'] = [];
  const waiters = new Set<{ event: string; predicate?: (p: any) => boolean; resolve: (p: any) => void }>();
  socket.onAny((event, payload) => {
    received.push({ event, payload });
    for (const w of waiters) {
      if (w.event === event && (!w.predicate || w.predicate(payload))) {
        waiters.delete(w);
        w.resolve(payload);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return {
    socket,
    received,
    emit: (event, payload) => socket.timeout(10_000).emitWithAck(event, payload),
    next: (event, predicate, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const waiter = { event, predicate, resolve };
        waiters.add(waiter);
        setTimeout(() => {
          if (waiters.delete(waiter)) reject(new Error(`no ${event} within ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    close: () => socket.close(),
  };
}

/** A Lexical document with one paragraph of `text`, as the editor would send it. */
export const doc = (text: string, extra: Record<string, unknown> = {}) => ({
  root: {
    type: 'root',
    version: 1,
    direction: 'ltr',
    format: '',
    indent: 0,
    children: [
      {
        type: 'paragraph',
        version: 1,
        direction: 'ltr',
        format: '',
        indent: 0,
        textFormat: 0,
        textStyle: '',
        children: [{ type: 'text', version: 1, text, format: 0, detail: 0, mode: 'normal', style: '', ...extra }],
      },
    ],
  },
});

export const clientId = () => crypto.randomBytes(12).toString('base64url');

export async function threadId(app: TestServer, number: string): Promise<number> {
  const row = await app.server.database.db.selectFrom('threads').select('id').where('number', '=', number).executeTakeFirstOrThrow();
  return row.id;
}

/** A note scope: a question (or the whole consultation: null) and a stakeholder group (or everyone: null). */
export type NoteScope = { questionId: number | null; stakeholderGroup: string | null };

/**
 * The default consultation's id and one free note scope per question and one for the whole
 * consultation (a scope holds one note), for tests that open a fresh note each.
 */
export async function noteScopes(app: TestServer): Promise<{ consultationId: number; scopes: NoteScope[] }> {
  const consultationId = (await app.server.services.consultations.getDefault())!.id;
  const questionIds = (await app.server.database.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).orderBy('id').execute()).map((q) => q.id);
  return { consultationId, scopes: [null, ...questionIds].map((questionId) => ({ questionId, stakeholderGroup: null })) };
}
