import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { clientId, createUser, threadId } from '../support/sockets';

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
  it('a post’s Report opens its form in place with JavaScript (focus in, Escape and Cancel give it back), and by a link without; Reply opens without a reload', { timeout: 60_000 }, async () => {
    const writer = await createUser(suite.app, { name: 'Report Writer' });
    const { id: postId } = await suite.app.server.services.posts.create(writer.id, { threadId: await threadId(suite.app, '2.4'), clientId: clientId(), text: 'Report me in place.' }, 'en');
    const context = await signedInContext('Report Reader');
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${suite.app.url}${PATH}`, { waitUntil: 'networkidle' });
    const post = page.locator(`#post-${postId}`);
    const toggle = post.getByRole('link', { name: 'Report' });
    const reason = post.getByLabel('Reason');
    expect(await page.locator('select[name="reason"]').count()).toBe(0); // no post carries a closed form
    await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));

    await toggle.focus();
    await page.keyboard.press('Enter');
    await reason.waitFor();
    expect(await reason.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('select[name="reason"]').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => reason.count()).toBe(0);
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');

    await toggle.click();
    await post.getByRole('link', { name: 'Cancel' }).click();
    await expect.poll(() => reason.count()).toBe(0);
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true); // never reloaded
    expect(page.url()).toBe(`${suite.app.url}${PATH}`);
    // Reply, a plain link followed by the page's one handler, opens the reply form without a reload either.
    await post.getByRole('link', { name: 'Reply' }).click();
    await page.locator(`#reply-${postId} textarea, #reply-${postId} .ed-input`).first().waitFor();
    expect(page.url()).toBe(`${suite.app.url}${PATH}?reply=${postId}#reply-${postId}`);
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);

    // Opened by the address (a reload, a shared link), closing it takes it out of the address.
    await page.goto(`${suite.app.url}${PATH}?report=${postId}#post-${postId}`);
    await reason.waitFor();
    await page.locator('.live-bar.live-connected').waitFor(); // hydrated: the link is handled in place
    await post.getByRole('link', { name: 'Cancel' }).click();
    await expect.poll(() => reason.count()).toBe(0);
    expect(page.url()).not.toContain('report=');
    await page.reload();
    await post.waitFor();
    expect(await reason.count()).toBe(0);

    // Opened, it passes an axe scan, and it reports as before (a plain form: the page comes back).
    await toggle.click();
    const { violations } = await new AxeBuilder({ page }).include(`#post-${postId}`).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    await reason.selectOption('spam');
    await post.getByRole('button', { name: 'Report' }).click();
    await page.getByText('Thank you, moderators will look at it.').waitFor();
    expect(await page.locator('select[name="reason"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();

    // Without JavaScript: the link asks the server for the page with this post's form.
    const plain = await signedInContext('Report Reader Without JavaScript', { javaScriptEnabled: false });
    const noJs = await plain.newPage();
    await noJs.goto(`${suite.app.url}${PATH}`);
    await noJs.locator(`#post-${postId}`).getByRole('link', { name: 'Report' }).click();
    await noJs.locator(`#post-${postId}`).getByLabel('Reason').selectOption('off_topic');
    expect(noJs.url()).toBe(`${suite.app.url}${PATH}?report=${postId}#post-${postId}`);
    await noJs.locator(`#post-${postId}`).getByRole('button', { name: 'Report' }).click();
    await noJs.getByText('Thank you, moderators will look at it.').waitFor();
    expect(noJs.url()).toBe(`${suite.app.url}${PATH}?flagged=1#post-${postId}`);
    await plain.close();
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
