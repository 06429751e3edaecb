/**
 * The Origin check of form posts and of the Socket.io handshake compares whole origins: scheme,
 * host and port. The request's own origin comes from the connection (plain HTTP here) and its
 * Host header; X-Forwarded-Proto and X-Forwarded-Host count only with TRUST_PROXY; and
 * ALLOWED_ORIGINS entries match exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { parseConfig } from '../../server/config';
import { startTestServer, type TestServer } from '../support/server';

const PARTNER = 'https://partner.example.org';
let plain: TestServer; // TRUST_PROXY=false, ALLOWED_ORIGINS=PARTNER
let proxied: TestServer; // TRUST_PROXY=true: one proxy
let chained: TestServer; // TRUST_PROXY=2: a load balancer, then a proxy

beforeAll(async () => {
  [plain, proxied, chained] = await Promise.all([
    startTestServer({ ALLOWED_ORIGINS: `${PARTNER}, http://127.0.0.1:1` }),
    startTestServer({ TRUST_PROXY: 'true' }),
    startTestServer({ TRUST_PROXY: '2' }),
  ]);
});
afterAll(async () => {
  await plain?.close();
  await proxied?.close();
  await chained?.close();
});

/** Whether a form post with these headers gets past the Origin check (403 is its refusal). */
async function formAllowed(app: TestServer, headers: Record<string, string>): Promise<boolean> {
  // Past the check, the thread's action runs and sends the anonymous poster to sign in.
  const res = await fetch(`${app.url}/c/gfmd-2020-partnerships/q/2/2.4`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ intent: 'create', clientId: 'origin-test-0001', text: 'Hello' }),
    redirect: 'manual',
  });
  const text = await res.text();
  if (res.status === 403) {
    // The refusal page, in the reader's language (the request says none: English).
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(text).toContain('<h1>Sent from another site</h1>');
    return false;
  }
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toMatch(/^\/sign-in\?redirectTo=/);
  return true;
}

/** Whether the Socket.io handshake with these headers is accepted. */
function handshakeAllowed(app: TestServer, headers: Record<string, string>): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(app.url, { transports: ['websocket'], extraHeaders: headers, reconnection: false, forceNew: true });
    socket.once('connect', () => {
      socket.close();
      resolve(true);
    });
    socket.once('connect_error', () => {
      socket.close();
      resolve(false);
    });
  });
}

/** Both doors answer alike. */
async function allowed(app: TestServer, headers: Record<string, string>): Promise<boolean> {
  const [form, socket] = await Promise.all([formAllowed(app, headers), handshakeAllowed(app, headers)]);
  expect(socket, `the socket handshake and the form post disagree for ${JSON.stringify(headers)}`).toBe(form);
  return form;
}

const port = (app: TestServer) => new URL(app.url).port;

describe('the request’s own origin', () => {
  it('is accepted, and a request without Origin (no browser) passes', async () => {
    expect(await allowed(plain, { origin: plain.url })).toBe(true);
    expect(await allowed(plain, { origin: `http://127.0.0.1:${port(plain)}/` })).toBe(true);
    expect(await allowed(plain, {})).toBe(true);
  });

  it('refuses the same host over https when the site is served over http', async () => {
    expect(await allowed(plain, { origin: `https://127.0.0.1:${port(plain)}` })).toBe(false);
  });

  it('refuses the same host on another port', async () => {
    const other = Number(port(plain)) === 65535 ? 65534 : Number(port(plain)) + 1;
    expect(await allowed(plain, { origin: `http://127.0.0.1:${other}` })).toBe(false);
    expect(await allowed(plain, { origin: 'http://127.0.0.1' })).toBe(false);
  });

  it('refuses a null or malformed Origin', async () => {
    expect(await allowed(plain, { origin: 'null' })).toBe(false);
    expect(await allowed(plain, { origin: 'not an origin' })).toBe(false);
  });
});

describe('the refusal', () => {
  it('is a page in the reader’s language, leading back to the site', async () => {
    for (const [language, title] of [['fr-FR,fr;q=0.9', 'Envoyé depuis un autre site'], ['es', 'Enviado desde otro sitio']] as const) {
      const res = await fetch(`${plain.url}/c/gfmd-2020-partnerships/q/2/2.4`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example', 'accept-language': language, referer: `${plain.url}/c/gfmd-2020-partnerships` },
        body: new URLSearchParams({ intent: 'create', clientId: 'origin-test-0002', text: 'Hello' }),
        redirect: 'manual',
      });
      expect(res.status).toBe(403);
      const page = await res.text();
      expect(page).toContain(`<h1>${title}</h1>`);
      expect(page).toContain('<a href="/c/gfmd-2020-partnerships">');
    }
  });
});

describe('forwarded headers', () => {
  it('are ignored without TRUST_PROXY: anyone can send them', async () => {
    expect(await allowed(plain, { origin: 'http://evil.example', 'x-forwarded-host': 'evil.example' })).toBe(false);
    expect(
      await allowed(plain, { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }),
    ).toBe(false);
    // Nor do they take the connection's own origin away.
    expect(await allowed(plain, { origin: plain.url, 'x-forwarded-host': 'elsewhere.example', 'x-forwarded-proto': 'https' })).toBe(true);
  });

  it('are honoured with TRUST_PROXY, scheme included', async () => {
    const site = { 'x-forwarded-host': 'palabre.example.org', 'x-forwarded-proto': 'https' };
    expect(await allowed(proxied, { origin: 'https://palabre.example.org', ...site })).toBe(true);
    expect(await allowed(proxied, { origin: 'https://palabre.example.org:443', ...site })).toBe(true);
    expect(await allowed(proxied, { origin: 'http://palabre.example.org', ...site })).toBe(false);
    expect(await allowed(proxied, { origin: 'https://palabre.example.org:8443', ...site })).toBe(false);
    expect(await allowed(proxied, { origin: 'https://other.example.org', ...site })).toBe(false);
    // Proxies that append: the value the trusted proxy added counts, not what the client put before it.
    const appended = { 'x-forwarded-host': 'evil.example, palabre.example.org', 'x-forwarded-proto': 'http, https' };
    expect(await allowed(proxied, { origin: 'https://palabre.example.org', ...appended })).toBe(true);
    expect(await allowed(proxied, { origin: 'http://evil.example', ...appended })).toBe(false);
    // Two proxies (TRUST_PROXY=2): the outer one's value counts.
    const chain = { 'x-forwarded-host': 'evil.example, palabre.example.org, internal:8080', 'x-forwarded-proto': 'http, https, http' };
    expect(await allowed(chained, { origin: 'https://palabre.example.org', ...chain })).toBe(true);
    expect(await allowed(chained, { origin: 'http://internal:8080', ...chain })).toBe(false);
    expect(await allowed(chained, { origin: 'http://evil.example', ...chain })).toBe(false);
    // Without X-Forwarded-Proto, the connection's scheme (http) stands.
    expect(await allowed(proxied, { origin: 'https://palabre.example.org', 'x-forwarded-host': 'palabre.example.org' })).toBe(false);
    expect(await allowed(proxied, { origin: 'http://palabre.example.org', 'x-forwarded-host': 'palabre.example.org' })).toBe(true);
  });
});

describe('the client address behind a proxy', () => {
  it('is the one the proxy saw: addresses a client writes before it do not step around the sign-in limit', async () => {
    const tag = Math.random().toString(36).slice(2, 10);
    const email = `spoof.${tag}@example.org`;
    const password = 'a long enough password';
    await proxied.server.services.accounts.register({ email, name: `Spoof ${tag}`, password, organisation: 'Spoof Org', stakeholderGroup: 'business', country: 'IN' });
    const signIn = (forwardedFor: string, attempt: string) =>
      fetch(`${proxied.url}/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor, 'accept-language': 'en' },
        body: new URLSearchParams({ email, password: attempt }),
        redirect: 'manual',
      });
    for (let i = 0; i < 5; i++) expect((await signIn(`9.9.9.${i}, 10.0.0.1`, `wrong ${i}`)).status).toBe(401);
    expect((await signIn('9.9.9.99, 10.0.0.1', password)).status).toBe(429);
    // Another address, as the proxy saw it, is another client.
    expect((await signIn('10.0.0.2', password)).status).toBe(302);
  });
});

describe('ALLOWED_ORIGINS', () => {
  it('admits a listed origin exactly, and nothing that only resembles it', async () => {
    expect(await allowed(plain, { origin: PARTNER })).toBe(true);
    expect(await allowed(plain, { origin: `${PARTNER}:443` })).toBe(true); // the same origin, spelled out
    expect(await allowed(plain, { origin: 'http://partner.example.org' })).toBe(false);
    expect(await allowed(plain, { origin: `${PARTNER}:8443` })).toBe(false);
    expect(await allowed(plain, { origin: 'https://partner.example.org.evil.example' })).toBe(false);
    expect(await allowed(plain, { origin: 'https://evil.partner.example.org' })).toBe(false);
    expect(await allowed(plain, { origin: 'http://127.0.0.1:1' })).toBe(true);
    expect(await allowed(plain, { origin: 'http://127.0.0.1:2' })).toBe(false);
  });
});

describe('ALLOWED_ORIGINS in the configuration', () => {
  it('takes origins only, in their standard form, and names the variable otherwise', () => {
    expect(parseConfig({ ALLOWED_ORIGINS: 'https://Partner.example.org/, http://10.0.0.5:8080' }).ALLOWED_ORIGINS).toEqual([
      'https://partner.example.org',
      'http://10.0.0.5:8080',
    ]);
    for (const bad of ['https://partner.example.org/consultation', 'ftp://partner.example.org', 'partner.example.org', 'https://user:pw@partner.example.org']) {
      expect(() => parseConfig({ ALLOWED_ORIGINS: bad }), bad).toThrow(/ALLOWED_ORIGINS=.*origins like https:\/\/palabre\.example\.org/);
    }
  });
});
