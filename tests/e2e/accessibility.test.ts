import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';

const SLUG = '/c/gfmd-2020-partnerships';

/** WCAG 2.1 A and AA rules, the level Palabre commits to. */
async function expectAccessible(page: Page, label: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const summary = violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(summary, label).toEqual([]);
}

describe.skipIf(!HAS_CHROMIUM)('accessibility (axe-core in Chromium)', () => {
  const suite = browserSuite();

  // Every page in English; in French and Spanish the pages whose texts switch language inside
  // (translations with their French original) and the forms. An axe scan takes 1.5-3 s here.
  const pages = {
    'en-GB': [SLUG, `${SLUG}/q/1`, `${SLUG}/q/2/2.4`, `${SLUG}/q/3/general`, '/register', '/sign-in', '/no-such-page'],
    'fr-FR': [SLUG, `${SLUG}/q/2/2.4`, '/sign-in'],
    'es-ES': [SLUG, `${SLUG}/q/4`, '/no-such-page'],
  };

  it.each(Object.keys(pages) as (keyof typeof pages)[])('every page passes an axe scan (WCAG 2.1 AA) in %s', { timeout: 90_000 }, async (locale) => {
    const admin = await suite.app.server.services.accounts.register(
      {
        name: `Aïssatou Ndiaye ${locale}`, // no two accounts' names may look alike
        email: `admin.${locale}.${Date.now()}@example.org`,
        password: 'a long enough password',
        organisation: 'GFMD Support Unit',
        stakeholderGroup: 'government',
        country: 'CH',
      },
      { siteRole: 'admin' },
    );
    const session = await suite.app.server.services.auth.createSession(admin, {});
    const context = await suite.browser.newContext({ locale });
    const page = await context.newPage();
    const errors = watchErrors(page);
    for (const path of pages[locale]) {
      await page.goto(`${suite.app.url}${path}`);
      await expectAccessible(page, `${locale} ${path}`);
    }
    // A form with every field in error.
    await page.goto(`${suite.app.url}/register`);
    await page.locator('form.form button[type=submit]').click();
    await page.locator('.error-summary').waitFor();
    await expectAccessible(page, `${locale} /register with errors`);

    await context.addCookies([{ name: 'palabre_session', value: session.id, url: suite.app.url }]);
    await page.goto(`${suite.app.url}/admin/users`);
    await page.locator('table').waitFor();
    await expectAccessible(page, `${locale} /admin/users`);
    expect(errors).toEqual([]);
    await context.close();
  });

});
