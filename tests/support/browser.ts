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
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
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
