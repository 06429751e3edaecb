/**
 * In Chromium: the reply composer and the contribution composer of one page each post what they
 * hold (they never share a client id); Word and Google Docs HTML pasted into the post composer
 * and into a note arrive as real lists, without typed markers or empty paragraphs.
 */
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { clientId, createUser, doc, threadId } from '../support/sockets';

const PATH = '/c/gfmd-2020-partnerships/q/2/2.4';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');

/** What a paste from the system clipboard delivers to the focused editor: a paste event with both flavours. */
async function pasteHtml(page: Page, selector: string, html: string, plain: string) {
  await page.evaluate(
    ({ selector, html, plain }) => {
      const target = document.querySelector(selector)!;
      const data = new DataTransfer();
      data.setData('text/html', html);
      data.setData('text/plain', plain);
      target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    { selector, html, plain },
  );
}

describe.skipIf(!HAS_CHROMIUM)('submissions and pasting in Chromium', () => {
  const suite = browserSuite();

  async function signedIn(user: { cookie: string }): Promise<BrowserContext> {
    const context = await suite.browser.newContext({ locale: 'en-GB' });
    await context.addCookies([{ name: 'palabre_session', value: user.cookie.split('=')[1]!, url: suite.app.url }]);
    return context;
  }
  const postsBy = (authorId: string) =>
    suite.app.server.database.db.selectFrom('posts').select(['bodyText', 'parentId']).where('authorId', '=', authorId).orderBy('id').execute();

  it('a reply, then a contribution from the same page: both are stored', { timeout: 60_000 }, async () => {
    const other = await createUser(suite.app);
    const parent = await suite.app.server.services.posts.create(other.id, { threadId: await threadId(suite.app, '2.4'), clientId: clientId(), body: doc('What worked for you?') }, 'en');
    const user = await createUser(suite.app, { name: 'Amina Diallo' });
    const context = await signedIn(user);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${suite.app.url}${PATH}?reply=${parent.id}`);
    await page.getByText('Live', { exact: false }).first().waitFor();

    const replyBox = page.locator(`#reply-${parent.id} .ed-input`);
    await replyBox.waitFor();
    await replyBox.click();
    await page.keyboard.type('Joint committees worked.');
    await page.getByRole('button', { name: 'Reply', exact: true }).click();
    await page.locator('.replies .post-body', { hasText: 'Joint committees worked.' }).waitFor({ timeout: 10_000 });

    const box = page.locator('section[aria-labelledby=write-heading] .ed-input');
    await box.click();
    await page.keyboard.type('And so did shared funding.');
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await page.locator('.post-body', { hasText: 'And so did shared funding.' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => postsBy(user.id)).toEqual([
      { bodyText: 'Joint committees worked.', parentId: parent.id },
      { bodyText: 'And so did shared funding.', parentId: null },
    ]);
    await expect.poll(() => box.textContent()).toBe(''); // cleared because it was stored, not dropped
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Word lists pasted into the post composer are posted as lists', { timeout: 60_000 }, async () => {
    const user = await createUser(suite.app, { name: 'Paste Word' });
    const context = await signedIn(user);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${suite.app.url}${PATH}`);
    await page.getByText('Live', { exact: false }).first().waitFor();
    const box = page.locator('section[aria-labelledby=write-heading] .ed-input');
    await box.waitFor();
    await box.click();
    await pasteHtml(page, 'section[aria-labelledby=write-heading] .ed-input', fixture('word-lists.html'), 'Our partnership rests on three pillars:');
    await expect.poll(() => box.locator('li').count()).toBeGreaterThanOrEqual(8);
    expect(await box.innerText()).not.toMatch(/[·§]/);
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    const post = page.locator('.post-body', { hasText: 'Our partnership rests on three pillars:' });
    await post.waitFor({ timeout: 10_000 });
    const html = await post.innerHTML();
    expect(html).toContain('<ol><li>Sign a memorandum of understanding</li><li>Set up a joint committee</li><li>Report every year</li></ol>');
    expect(html).toMatch(/<ul><li><strong>Skills recognition<\/strong> between countries of origin and destination<\/li><li[^>]*><ul><li>Mutual recognition of <em>diplomas<\/em><\/li>/);
    expect(html).not.toMatch(/[·§\u00a0]|<p><\/p>/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Google Docs and Word pasted into a note: no empty paragraphs, real lists', { timeout: 90_000 }, async () => {
    const { services } = suite.app.server;
    const consultation = (await services.consultations.getDefault())!;
    const question = (await services.consultations.getQuestion(consultation.id, '2'))!;
    const moderator = await createUser(suite.app, { role: 'moderator' });
    const noteId = await services.notes.open(moderator.id, consultation.id, { questionId: question.id, stakeholderGroup: null, title: 'Pasted synthesis' });
    const context = await signedIn(await createUser(suite.app, { name: 'Paste Note' }));
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${suite.app.url}/c/${consultation.slug}/notes/${noteId}`);
    await page.locator('[data-testid=note-connection][data-state=connected]').waitFor({ timeout: 15_000 });
    const content = page.locator('[data-testid=note-content]');
    await content.click();
    await page.keyboard.press('Control+End');
    await pasteHtml(page, '[data-testid=note-content]', fixture('google-docs.html'), 'Local governments are the first to receive newcomers.');
    await content.getByText('See the').waitFor();
    const blocks = () => content.evaluate((root) => Array.from(root.children).map((el) => `${el.tagName.toLowerCase()}:${(el.textContent ?? '').trim()}`));
    const after = (await blocks()).slice((await blocks()).findIndex((b) => b.includes('Local governments')));
    expect(after).toEqual([
      'p:Local governments are the first to receive newcomers.',
      'p:Housing and language classes come first.',
      'ul:MontréalDakar',
      'p:See the GFMD site.',
    ]);

    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await pasteHtml(page, '[data-testid=note-content]', fixture('word-lists.html'), 'Our partnership rests on three pillars:');
    await content.getByText('Report every year').waitFor();
    expect(await content.locator('ol > li').allInnerTexts()).toEqual(['Sign a memorandum of understanding', 'Set up a joint committee', 'Report every year']);
    expect(await content.locator('ul ul ul li').allInnerTexts()).toEqual(['Nursing and care work first']);
    expect(await content.innerText()).not.toMatch(/[·§]/);

    // Plain text from a PDF or a terminal: its control characters are cleaned out before they are
    // sent (the server would refuse them), the rest is kept.
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await pasteHtml(page, '[data-testid=note-content]', '', 'A PDF\u000Cpage break, a NUL\u0000 and a bell\u0007 here.');
    await content.getByText('A PDFpage break, a NUL and a bell here.').waitFor();
    await page.keyboard.type(' Typed after.');
    await expect
      .poll(async () => (await services.notes.get(noteId, moderator.id)).text, { timeout: 10_000 })
      .toContain('A PDFpage break, a NUL and a bell here. Typed after.');
    expect(await page.locator('[data-testid=note-refused]').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('in a note, A’s undo takes back A’s words, never those B typed into A’s paragraph', { timeout: 90_000 }, async () => {
    const { services } = suite.app.server;
    const consultation = (await services.consultations.getDefault())!;
    const question = (await services.consultations.getQuestion(consultation.id, '3'))!;
    const moderator = await createUser(suite.app, { role: 'moderator' });
    const noteId = await services.notes.open(moderator.id, consultation.id, { questionId: question.id, stakeholderGroup: null, title: 'Undo together' });
    const url = `${suite.app.url}/c/${consultation.slug}/notes/${noteId}`;
    const [first, second] = await Promise.all([signedIn(await createUser(suite.app, { name: 'Undo Writer' })), signedIn(await createUser(suite.app, { name: 'Undo Helper' }))]);
    const a = await first.newPage();
    const b = await second.newPage();
    const errors = [watchErrors(a), watchErrors(b)];
    await Promise.all([a.goto(url), b.goto(url)]);
    for (const page of [a, b]) await page.locator('[data-testid=note-connection][data-state=connected]').waitFor({ timeout: 15_000 });

    const contentA = a.locator('[data-testid=note-content]');
    const contentB = b.locator('[data-testid=note-content]');
    await contentA.click();
    await a.keyboard.press('Control+End');
    await a.keyboard.press('Enter');
    await a.keyboard.type('Cities lead.');
    await contentB.getByText('Cities lead.').waitFor({ timeout: 10_000 });
    await contentB.click();
    await b.keyboard.press('Control+End'); // the end of A's paragraph, the last of the note
    await b.keyboard.type(' Regions too.');
    await contentA.getByText('Cities lead. Regions too.').waitFor({ timeout: 10_000 });

    await contentA.click();
    for (let i = 0; i < 3; i++) await a.keyboard.press('Control+z');
    for (const content of [contentA, contentB]) {
      await expect.poll(() => content.innerText(), { timeout: 10_000 }).not.toContain('Cities lead.');
      expect(await content.innerText()).toContain('Regions too.');
    }
    expect(errors.flat()).toEqual([]);
    await Promise.all([first.close(), second.close()]);
  });
});
