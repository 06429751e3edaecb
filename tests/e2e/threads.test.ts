import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { createUser } from '../support/sockets';

const PATH = '/c/gfmd-2020-partnerships/q/2/2.4';

describe.skipIf(!HAS_CHROMIUM)('live threads in Chromium', () => {
  const suite = browserSuite();

  async function signedInContext(name: string, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
    const user = await createUser(suite.app, { name });
    const context = await suite.browser.newContext({ locale: 'en-GB', ...options });
    await context.addCookies([{ name: 'palabre_session', value: user.cookie.split('=')[1], url: suite.app.url }]);
    return context;
  }

  it('one participant posts in the rich-text editor; another sees it appear live, then replies', { timeout: 60_000 }, async () => {
    const [writerContext, readerContext] = await Promise.all([signedInContext('Mariama Sow'), signedInContext('Julien Tremblay')]);
    const writer = await writerContext.newPage();
    const reader = await readerContext.newPage();
    const writerErrors = watchErrors(writer);
    const readerErrors = watchErrors(reader);
    await Promise.all([writer.goto(`${suite.app.url}${PATH}`), reader.goto(`${suite.app.url}${PATH}`)]);
    await Promise.all([writer.getByText('Live', { exact: false }).first().waitFor(), reader.getByText(/people reading|person reading/).waitFor()]);

    // The rich editor replaces the plain textarea once loaded: type into the editor itself.
    const editor = writer.locator('.ed-input');
    await editor.waitFor();
    expect(await editor.getAttribute('contenteditable')).toBe('true');
    expect(await writer.getByRole('textbox', { name: 'Your contribution' }).getAttribute('class')).toContain('ed-input');
    await editor.click();
    await writer.keyboard.type('Local partnerships ');
    await writer.keyboard.press('Control+b');
    await writer.keyboard.type('work better');
    await writer.keyboard.press('Control+b');
    await writer.keyboard.type(' when cities lead.');
    await writer.getByRole('button', { name: 'Post', exact: true }).click();

    // Seen live by the reader, without reloading; formatted by the server.
    const live = reader.locator('.post-body', { hasText: 'Local partnerships work better when cities lead.' });
    await live.waitFor({ timeout: 10_000 });
    expect(await live.innerHTML()).toBe('<p>Local partnerships <strong>work better</strong> when cities lead.</p>');
    await expect.poll(() => editor.textContent()).toBe(''); // the writer's editor is cleared

    await reader.getByRole('link', { name: 'Reply' }).first().click();
    const replyBox = reader.locator('[id^="reply-"] .ed-input');
    await replyBox.waitFor();
    await replyBox.click();
    await reader.keyboard.type('Same in Montréal.');
    await reader.getByRole('button', { name: 'Reply', exact: true }).click();
    await writer.locator('.replies .post-body', { hasText: 'Same in Montréal.' }).waitFor({ timeout: 10_000 });
    expect([...writerErrors, ...readerErrors]).toEqual([]);
    await Promise.all([writerContext.close(), readerContext.close()]);
  });

  it('without JavaScript, the plain form posts a contribution', { timeout: 60_000 }, async () => {
    const context = await signedInContext('Ana Reyes', { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${suite.app.url}${PATH}`);
    await page.getByLabel('Your contribution').fill('Posted without JavaScript.\n\nSecond paragraph.');
    await page.getByLabel('Show this contribution').selectOption('organisation');
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    const post = page.locator('.post-body', { hasText: 'Posted without JavaScript.' });
    await post.waitFor();
    expect(await post.innerHTML()).toBe('<p>Posted without JavaScript.</p><p>Second paragraph.</p>');
    expect(page.url()).toMatch(/#post-\d+$/);
    await context.close();
  });

  it('a thread with posts passes an axe scan, signed in and not', { timeout: 60_000 }, async () => {
    for (const context of [await signedInContext('Priya Raman'), await suite.browser.newContext({ locale: 'fr-FR' })]) {
      const page = await context.newPage();
      await page.goto(`${suite.app.url}${PATH}`);
      await page.locator('.post').first().waitFor();
      const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
      expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
      await context.close();
    }
  });
  it('focused before the page has hydrated, the plain textarea asks for every editor module at once', { timeout: 60_000 }, async () => {
    const context = await signedInContext('Kofi Mensah');
    const page = await context.newPage();
    const errors = watchErrors(page);
    // Hold the page's own code back, as a slow link would: only the inline listener can act.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/build\/entry\.client-[^/]+\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${suite.app.url}${PATH}`, { waitUntil: 'domcontentloaded' });
    const preloaded = () => page.evaluate(() => [...document.querySelectorAll('link[rel="modulepreload"]')].map((l) => l.getAttribute('href')!));
    expect((await preloaded()).some((href) => /RichComposer-/.test(href))).toBe(false);
    await page.locator('textarea.ed-textarea').first().focus();
    const after = await preloaded();
    expect(after.filter((href) => /RichComposer-/.test(href))).toHaveLength(1);
    expect(await page.locator('.ed-input').count()).toBe(0); // not hydrated yet: the links came from the inline script
    release();
    // Once hydrated, the editor takes over the focused textarea.
    await page.locator('.ed-input[contenteditable="true"]').waitFor({ timeout: 20_000 });
    expect(errors).toEqual([]);
    await context.close();
  });
});
