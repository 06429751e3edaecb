/**
 * Forms in Chromium. Without JavaScript, "Save draft" clicked twice while the first answer is
 * still on its way (a slow link) saves one draft, and the page lands on it. With JavaScript, the
 * case study form adds a partner row through the server, keeps what was typed, and lists the
 * errors of a refused submission in the form's order.
 */
import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { createUser } from '../support/sockets';

const BASE = '/c/gfmd-2020-partnerships';

describe.skipIf(!HAS_CHROMIUM)('forms in Chromium', () => {
  const suite = browserSuite();

  async function signedIn(javaScriptEnabled: boolean, role?: 'moderator'): Promise<{ context: BrowserContext; userId: string }> {
    const user = await createUser(suite.app, { role });
    const context = await suite.browser.newContext({ locale: 'en-GB', javaScriptEnabled });
    await context.addCookies([{ name: 'palabre_session', value: user.cookie.split('=')[1]!, url: suite.app.url }]);
    return { context, userId: user.id };
  }
  const draftsOf = (userId: string) => suite.app.server.database.db.selectFrom('caseStudies').select(['id', 'title']).where('authorId', '=', userId).execute();

  it('without JavaScript, a double click on “Save draft” over a slow link saves one draft', { timeout: 60_000 }, async () => {
    const { context, userId } = await signedIn(false);
    const page = await context.newPage();
    await page.goto(`${suite.app.url}${BASE}/case-studies/new`);
    await page.getByLabel('Title', { exact: false }).first().fill('Saved once, clicked twice');

    // The slow link: the first answer reaches the browser only once the second click was sent.
    let posts = 0;
    let secondSent!: () => void;
    const second = new Promise<void>((resolve) => (secondSent = resolve));
    await page.route(
      (url) => url.pathname === `${BASE}/case-studies/new`,
      async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        const n = ++posts;
        const response = await route.fetch({ maxRedirects: 0 });
        if (n === 1) await second;
        else secondSent();
        await route.fulfill({ response }).catch(() => undefined); // the browser gave up the first
      },
    );
    // Keys, not clicks: Playwright's click waits for the pending navigation, a person does not.
    await page.getByRole('button', { name: 'Save draft' }).last().focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => posts).toBe(1);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/case-studies\/\d+\?saved=1$/);
    expect(posts).toBe(2);
    const drafts = await draftsOf(userId);
    expect(drafts).toEqual([{ id: drafts[0]!.id, title: 'Saved once, clicked twice' }]);
    expect(page.url()).toContain(`/case-studies/${drafts[0]!.id}?saved=1`);
    await context.close();
  });

  it('with JavaScript, adds a partner row through the server and lists a refusal’s errors in form order', { timeout: 60_000 }, async () => {
    const { context, userId } = await signedIn(true);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${suite.app.url}${BASE}/case-studies/new`);
    await page.locator('.ed-input').waitFor(); // hydrated: the rich editor replaced the textarea
    await page.getByLabel('Title', { exact: false }).first().fill('Typed with JavaScript');
    await page.locator('[name="partners[0].name"]').fill('City of Dakar');
    await page.getByRole('button', { name: 'Add another partner' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('partners[1].name');
    expect(await page.locator('[name="partners[0].name"]').inputValue()).toBe('City of Dakar');
    await page.locator('[name="partners[1].name"]').fill('Workers’ collective');
    await page.locator('[name="results"]').fill('4,000 visits.');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    const summary = page.locator('.error-summary li');
    await expect.poll(() => summary.count()).toBeGreaterThan(0);
    const lines = await summary.allInnerTexts();
    const position = (label: string) => lines.findIndex((l) => l.startsWith(label));
    // Summary, body, partners' groups, then the countries: the form's order.
    expect(position('Summary')).toBe(0);
    expect(position('Partner 1, Stakeholder group')).toBeGreaterThan(position('Summary'));
    expect(position('Partner 2, Stakeholder group')).toBeGreaterThan(position('Partner 1, Stakeholder group'));
    expect(position('Countries of implementation')).toBeGreaterThan(position('Partner 2, Stakeholder group'));
    expect(await page.locator('[name="partners[1].name"]').inputValue()).toBe('Workers’ collective');
    expect(await page.locator('[name="results"]').inputValue()).toBe('4,000 visits.');
    expect(await draftsOf(userId)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('with JavaScript, two named versions saved one after the other are both kept, and the form is emptied after each', { timeout: 60_000 }, async () => {
    const { context, userId } = await signedIn(true, 'moderator');
    const { services } = suite.app.server;
    const consultation = (await services.consultations.getDefault())!;
    const question = (await services.consultations.getQuestion(consultation.id, '4'))!;
    const noteId = await services.notes.open(userId, consultation.id, { questionId: question.id, stakeholderGroup: 'business', title: 'Two versions' });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${suite.app.url}${BASE}/notes/${noteId}`);
    await page.locator('[data-testid=note-connection][data-state=connected]').waitFor({ timeout: 15_000 });
    const name = page.getByLabel('Save a named version');
    for (const version of ['Before the review', 'After the review']) {
      await name.fill(version);
      await page.getByRole('button', { name: 'Save the version' }).click();
      await page.waitForURL(/\?done=version&version=\d+$/);
      await expect.poll(() => name.inputValue()).toBe('');
    }
    const versions = await suite.app.server.database.db.selectFrom('noteVersions').select('name').where('noteId', '=', noteId).orderBy('id').execute();
    expect(versions.map((v) => v.name)).toEqual(['Before the review', 'After the review']);
    expect(errors).toEqual([]);
    await context.close();
  });
});
