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
let proxied: TestServer; // TRUST_PROXY=true

beforeAll(async () => {
  plain = await startTestServer({ ALLOWED_ORIGINS: `${PARTNER}, http://127.0.0.1:1` });
  proxied = await startTestServer({ TRUST_PROXY: 'true' });
});
afterAll(async () => {
  await plain?.close();
  await proxied?.close();
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
    expect(text).toContain('Cross-site request refused');
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
    // A chain of proxies: the first (client-facing) value counts, as Express reads it.
    expect(
      await allowed(proxied, {
        origin: 'https://palabre.example.org',
        'x-forwarded-host': 'palabre.example.org, internal:8080',
        'x-forwarded-proto': 'https, http',
      }),
    ).toBe(true);
    // Without X-Forwarded-Proto, the connection's scheme (http) stands.
    expect(await allowed(proxied, { origin: 'https://palabre.example.org', 'x-forwarded-host': 'palabre.example.org' })).toBe(false);
    expect(await allowed(proxied, { origin: 'http://palabre.example.org', 'x-forwarded-host': 'palabre.example.org' })).toBe(true);
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
