/**
 * Pages come back by themselves, in Chromium: after a graceful restart (what SIGTERM does: the
 * server disconnects every socket, which Socket.io's client takes as final) a thread page says
 * it is reconnecting, goes live again and shows posts made after the restart; a note page keeps
 * what was typed while the server was down and saves it once back. On PostgreSQL, a page whose
 * reconnection handshake is refused during a database outage shows why, and comes back with
 * the database.
 */
import net from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { createTestDatabase } from '../support/database';
import { HAS_CHROMIUM, POSTGRES_URL } from '../support/env';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, threadId } from '../support/sockets';
import { hostOf, startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const PATH = '/c/gfmd-2020-partnerships/q/2/2.4';

/** A port nobody uses now, so that a restarted server can listen where the pages expect it. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function signedInPage(browser: Browser, app: TestServer, name: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const user = await createUser(app, { name });
  const context = await browser.newContext({ locale: 'en-GB' });
  await context.addCookies([{ name: 'palabre_session', value: user.cookie.split('=')[1]!, url: app.url }]);
  const page = await context.newPage();
  // Uncaught exceptions only: a refused WebSocket while the server is down is logged on purpose.
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

const liveBar = (page: Page, state: string) => page.locator(`.live-bar.live-${state}`);

describe.skipIf(!HAS_CHROMIUM)('reconnecting after a graceful restart, in Chromium', () => {
  let browser: Browser;
  let app: TestServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    env = { COOKIE_SECURE: 'false', PORT: String(await freePort()) };
    [app, browser] = await Promise.all([startTestServer(env), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** server.close() as on SIGTERM; `whileDown` runs with no server; then one on the same port and data. */
  async function restart(whileDown: () => Promise<void>) {
    await app.server.close();
    await whileDown();
    app = await startTestServer(env, { database: app.database });
  }

  async function post(text: string) {
    const writer = await createUser(app, { name: 'Mariama Sow' });
    await app.server.services.posts.create(writer.id, { threadId: await threadId(app, '2.4'), clientId: clientId(), text }, 'en');
  }

  it('a thread page reconnects by itself, goes live again and shows posts made after the restart', { timeout: 50_000 }, async () => {
    const { context, page, errors } = await signedInPage(browser, app, 'Julien Tremblay');
    await page.goto(`${app.url}${PATH}`);
    await liveBar(page, 'connected').waitFor({ timeout: 15_000 });
    // The rich editor loads after hydration: once it is there, no request is in flight that
    // would hold the old server's keep-alive connection open and slow its shutdown.
    await page.locator('.ed-input').waitFor({ timeout: 15_000 });

    await restart(async () => {
      // Coming back, not "Offline" for good.
      await liveBar(page, 'reconnecting').waitFor({ timeout: 10_000 });
      expect(await liveBar(page, 'offline').count()).toBe(0);
    });
    // Possibly before the page is back (then its join catches up), and surely after it.
    await post('Posted as the server came back.');
    await liveBar(page, 'connected').waitFor({ timeout: 30_000 });
    expect(await page.locator('.live-status').innerText()).toContain('Live');
    await post('Posted once the page was live again.');
    for (const text of ['Posted as the server came back.', 'Posted once the page was live again.']) {
      await page.locator('.post-body', { hasText: text }).waitFor({ timeout: 10_000 });
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a note page saves what was typed while the server was down, once it is back', { timeout: 50_000 }, async () => {
    const { services } = app.server;
    const consultation = (await services.consultations.getDefault())!;
    const question = (await services.consultations.getQuestion(consultation.id, '4'))!;
    const moderator = await createUser(app, { name: 'Lucía Fernández', role: 'moderator' });
    const noteId = await services.notes.open(moderator.id, consultation.id, { questionId: question.id, stakeholderGroup: null, title: 'Question 4: synthesis' });
    const { context, page, errors } = await signedInPage(browser, app, 'Priya Raman');
    await page.goto(`${app.url}/c/${consultation.slug}/notes/${noteId}`);
    const connection = page.locator('[data-testid=note-connection]');
    await page.locator('[data-testid=note-connection][data-state=connected]').waitFor({ timeout: 15_000 });
    const content = page.locator('[data-testid=note-content]');
    await content.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Typed before the restart.');
    await expect.poll(async () => (await app.server.services.noteDocs.snapshot(noteId)).text, { timeout: 10_000 }).toContain('Typed before the restart.');

    await restart(async () => {
      await page.locator('[data-testid=note-connection][data-state=reconnecting]').waitFor({ timeout: 10_000 });
      await content.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('Typed while the server was away.');
      await expect.poll(() => content.innerText()).toContain('Typed while the server was away.');
      expect(await connection.getAttribute('data-state')).toBe('reconnecting');
    });

    await page.locator('[data-testid=note-connection][data-state=connected]').waitFor({ timeout: 30_000 });
    // The new server has it (its sync step 1 pulled it from the page), and stores it.
    await expect
      .poll(async () => (await app.server.services.noteDocs.snapshot(noteId)).text, { timeout: 15_000 })
      .toMatch(/Typed before the restart\.\s+Typed while the server was away\./);
    await app.server.services.noteDocs.save(noteId);
    const stored = await app.server.database.db.selectFrom('notes').select('text').where('id', '=', noteId).executeTakeFirstOrThrow();
    expect(stored.text).toContain('Typed while the server was away.');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe.skipIf(!HAS_CHROMIUM || !POSTGRES_URL)('reconnecting during a PostgreSQL outage, in Chromium', () => {
  let browser: Browser;
  let app: TestServer;
  let proxy: TcpProxy;

  beforeAll(async () => {
    const database = await createTestDatabase();
    proxy = await startTcpProxy(hostOf(database.url));
    [app, browser] = await Promise.all([
      startTestServer({ COOKIE_SECURE: 'false' }, { database: { ...database, url: proxy.via(database.url) } }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.start();
    await app?.close();
    await proxy?.stop();
  });

  it('a page whose reconnection handshake is refused says why, and comes back with the database', { timeout: 50_000 }, async () => {
    const { context, page, errors } = await signedInPage(browser, app, 'Ana Reyes');
    await page.goto(`${app.url}${PATH}`);
    await liveBar(page, 'connected').waitFor({ timeout: 15_000 });

    await proxy.stop(); // PostgreSQL is gone: new connections are refused
    // The server drops the page's connection; its new handshake needs the session, so the database.
    app.server.io.disconnectSockets(true);
    await page.locator('.live-status', { hasText: 'The service is briefly unavailable. Reconnecting…' }).waitFor({ timeout: 15_000 });
    expect(await page.content()).not.toMatch(/ECONNREFUSED/);

    await proxy.start();
    await liveBar(page, 'connected').waitFor({ timeout: 30_000 });
    const writer = await createUser(app, { name: 'Mariama Sow' });
    await app.server.services.posts.create(writer.id, { threadId: await threadId(app, '2.4'), clientId: clientId(), text: 'Posted once the database was back.' }, 'en');
    await page.locator('.post-body', { hasText: 'Posted once the database was back.' }).waitFor({ timeout: 10_000 });
    expect(errors).toEqual([]);
    await context.close();
  });
});
