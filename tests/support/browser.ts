/**
 * Real Chromium for user journeys (playwright-core with the system's browser).
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from './server';
import { CHROMIUM_PATH } from './env';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Collects what would show in the browser's console as an error (CSP refusals, hydration
 * errors, …), except the 4xx answers a journey provokes on purpose (a form sent with errors).
 *
 * A watched page's `goto` first lets the page it leaves finish hydrating (app/root.tsx marks
 * `<html data-hydrated>`), as a reader does: a navigation that cuts a hydration short can make
 * React report an error of its own on the page being left (#345, "Root did not complete"), which
 * says nothing about the app. Pages that are not the app's (about:blank, a download, JSON) are
 * left at once.
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  if (!patched.has(page)) {
    patched.add(page);
    const goto = page.goto.bind(page);
    page.goto = async (...args: Parameters<Page['goto']>) => {
      await hydrated(page);
      return goto(...args);
    };
  }
  return errors;
}

const patched = new WeakSet<Page>();

/** Waits until the app's page in `page` has hydrated; returns at once on any other page. */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(
    () => !(window as { __remixContext?: unknown }).__remixContext || document.documentElement.dataset.hydrated === 'true',
    undefined,
    { timeout: 20_000 },
  );
}

/**
 * A test server and a Chromium for one describe block: started before its tests, closed after.
 * Read `suite.app` and `suite.browser` inside tests (they exist once beforeAll has run).
 */
export function browserSuite(env: Record<string, string> = {}): { app: TestServer; browser: Browser } {
  const suite = {} as { app: TestServer; browser: Browser };
  beforeAll(async () => {
    [suite.app, suite.browser] = await Promise.all([startTestServer({ COOKIE_SECURE: 'false', ...env }), launchBrowser()]);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.app?.close();
  });
  return suite;
}
