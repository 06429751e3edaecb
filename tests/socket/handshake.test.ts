import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { startTestServer, type TestServer } from '../support/server';

let app: TestServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  app = await startTestServer();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await app?.close();
});

function open(headers: Record<string, string> = {}): Socket {
  const socket = connect(app.url, { transports: ['websocket'], extraHeaders: headers, reconnection: false, forceNew: true });
  sockets.push(socket);
  return socket;
}

const whoami = (socket: Socket) =>
  new Promise<{ user: { id: string; name: string } | null }>((resolve) => socket.emit('session:whoami', resolve));

const connected = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });

async function sessionCookie(name: string) {
  const { services } = app.server;
  const userId = await services.accounts.register({
    name,
    email: `${name.toLowerCase().replace(/\W/g, '')}.${Date.now()}@example.org`,
    password: 'a long enough password',
    organisation: 'Kerala Skills Exchange',
    stakeholderGroup: 'business',
    country: 'IN',
  });
  const session = await services.auth.createSession(userId, {});
  return { userId, cookie: `${services.auth.sessionCookieName}=${session.id}` };
}

describe('Socket.io handshake', () => {
  it('identifies a socket that carries a session cookie', async () => {
    const { userId, cookie } = await sessionCookie('Priya Raman');
    const socket = open({ cookie });
    await connected(socket);
    expect(await whoami(socket)).toEqual({ user: { id: userId, name: 'Priya Raman' } });
  });

  it('lets a socket without a session in, anonymously', async () => {
    const socket = open();
    await connected(socket);
    expect(await whoami(socket)).toEqual({ user: null });
  });

  it('treats an unknown or signed-out session as anonymous', async () => {
    const { cookie } = await sessionCookie('Ana Reyes');
    await app.server.services.auth.invalidateSession(cookie.split('=')[1]);
    for (const c of [cookie, 'palabre_session=forged']) {
      const socket = open({ cookie: c });
      await connected(socket);
      expect(await whoami(socket)).toEqual({ user: null });
    }
  });

  it('refuses a handshake from another site’s page', async () => {
    const { cookie } = await sessionCookie('Mallory');
    const socket = open({ cookie, origin: 'https://evil.example' });
    await expect(connected(socket)).rejects.toThrow();
    const ok = open({ origin: app.url });
    await connected(ok);
  });
});
