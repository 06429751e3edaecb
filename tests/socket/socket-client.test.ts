/**
 * The browser's socket module (app/live/socket.client.ts) against a real server, in Node: it
 * comes back by itself after the server disconnects it (a graceful restart) and after a refused
 * handshake (the database is down), says why meanwhile, and renewSocket() makes a new
 * handshake on the same Socket object. The module connects to the page's own origin, so
 * `location` is the test server here; the browser's cookie is stood in for by extraHeaders,
 * which, like the cookie, a new handshake reads afresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionProblem, getSocket, isReconnecting, onConnectionProblem, renewSocket, type ConnectionProblem } from '../../app/live/socket.client';
import { startTestServer, type TestServer } from '../support/server';
import { createUser } from '../support/sockets';

let app: TestServer;

beforeAll(async () => {
  app = await startTestServer();
  (globalThis as { location?: unknown }).location = new URL(app.url);
});
afterAll(async () => {
  getSocket().disconnect();
  delete (globalThis as { location?: unknown }).location;
  await app?.close();
});

const connected = () => expect.poll(() => getSocket().connected, { timeout: 15_000 }).toBe(true);
const whoami = async () => ((await getSocket().timeout(5_000).emitWithAck('session:whoami')) as { user: { id: string } | null }).user;

describe('the app’s socket', () => {
  it('renewSocket() opens a new handshake on the same Socket, with listeners kept', async () => {
    const socket = getSocket();
    await connected();
    expect(await whoami()).toBeNull();
    const connects: string[] = [];
    socket.on('connect', () => connects.push(socket.id!));
    const before = socket.id;

    // As if the user had just signed in: the next handshake carries the session.
    const user = await createUser(app);
    socket.io.opts.extraHeaders = { cookie: user.cookie };
    renewSocket();
    await expect.poll(() => connects.length, { timeout: 10_000 }).toBe(1);
    expect(getSocket()).toBe(socket);
    expect(connects[0]).not.toBe(before);
    expect((await whoami())?.id).toBe(user.id);
    // The old server-side connection is gone, not left open beside the new one.
    await expect.poll(() => app.server.io.sockets.sockets.size).toBe(1);
  });

  it('comes back by itself after the server disconnects it (a graceful restart)', async () => {
    const socket = getSocket();
    await connected();
    const reasons: string[] = [];
    socket.once('disconnect', (reason) => reasons.push(reason));
    const before = socket.id;
    app.server.io.disconnectSockets(true);
    await expect.poll(() => reasons).toEqual(['io server disconnect']);
    await connected();
    expect(socket.id).not.toBe(before);
  });

  it('retries a handshake refused during a database outage, says why meanwhile, and clears it once back', { timeout: 30_000 }, async () => {
    const socket = getSocket();
    await connected();
    const { auth } = app.server.services;
    const validateSession = auth.validateSession;
    const problems: (ConnectionProblem | null)[] = [];
    const stop = onConnectionProblem((problem) => problems.push(problem));
    let refusals = 0;
    // The session lookup fails as it does while the database is down (tests/socket/reconnection
    // cuts a real PostgreSQL connection; here the client's side is what is under test).
    auth.validateSession = () => {
      refusals++;
      return Promise.reject(new Error('the database did not answer'));
    };
    try {
      app.server.io.disconnectSockets(true);
      // Refused more than once: each refusal is followed by another attempt, after a backoff.
      await expect.poll(() => refusals, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(connectionProblem()).toEqual({ code: 'service_unavailable', messageKey: 'errors.serviceUnavailable', retrying: true });
      expect(isReconnecting(socket)).toBe(true);
    } finally {
      auth.validateSession = validateSession;
    }
    await connected();
    expect(connectionProblem()).toBeNull();
    expect(problems.at(-1)).toBeNull();
    expect(problems).toContainEqual({ code: 'service_unavailable', messageKey: 'errors.serviceUnavailable', retrying: true });
    stop();
  });
});
