/**
 * Co-editing a synthesis note in Chromium: two participants type into the same note and each
 * sees the combined text and the other's named cursor; the text is stored (a fresh visitor
 * without JavaScript reads it); a participant cites a contribution from the dialog and both see
 * the marker and its footnote; axe scans of the editor page and of the dialog.
 */
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { clientId, createUser, threadId } from '../support/sockets';

describe.skipIf(!HAS_CHROMIUM)('synthesis notes in Chromium', () => {
  const suite = browserSuite();

  async function contextFor(user: { cookie: string }, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
    const context = await suite.browser.newContext({ locale: 'en-GB', ...options });
    await context.addCookies([{ name: 'palabre_session', value: user.cookie.split('=')[1]!, url: suite.app.url }]);
    return context;
  }

  async function openNote(title: string, questionNumber: string) {
    const { services } = suite.app.server;
    const consultation = (await services.consultations.getDefault())!;
    const question = (await services.consultations.getQuestion(consultation.id, questionNumber))!;
    const moderator = await createUser(suite.app, { name: 'Lucía Fernández', role: 'moderator' });
    const id = await services.notes.open(moderator.id, consultation.id, { questionId: question.id, stakeholderGroup: null, title });
    return `${suite.app.url}/c/${consultation.slug}/notes/${id}`;
  }

  it('two participants write the same note together and see each other’s cursor', { timeout: 90_000 }, async () => {
    const url = await openNote('Question 4: synthesis', '4');
    const [dakar, montreal] = await Promise.all([
      createUser(suite.app, { name: 'Mariama Sow', stakeholderGroup: 'civil-society' }),
      createUser(suite.app, { name: 'Julien Tremblay', stakeholderGroup: 'local-government' }),
    ]);
    const [first, second] = await Promise.all([contextFor(dakar), contextFor(montreal)]);
    const a = await first.newPage();
    const b = await second.newPage();
    const errors = [...[a, b].map((page) => watchErrors(page))];
    await Promise.all([a.goto(url), b.goto(url)]);
    for (const page of [a, b]) await page.locator('[data-testid=note-connection][data-state=connected]').waitFor({ timeout: 15_000 });

    // Separate paragraphs: typing at the same caret would interleave (both replicas would agree).
    const editorA = a.locator('[data-testid=note-content]');
    const editorB = b.locator('[data-testid=note-content]');
    await editorA.click();
    await a.keyboard.press('Control+End');
    await a.keyboard.press('Enter');
    await a.keyboard.type('Cities must be at the table from the start.');
    await b.locator('[data-testid=note-content]').getByText('Cities must be at the table').waitFor({ timeout: 10_000 });
    await editorB.click();
    await b.keyboard.press('Control+End');
    await b.keyboard.press('Enter');
    await b.keyboard.type('Funding should be multi-year.');

    for (const page of [a, b]) {
      await expect.poll(() => page.locator('[data-testid=note-content]').innerText(), { timeout: 10_000 }).toMatch(/Cities must be at the table from the start\.\s+Funding should be multi-year\./);
    }
    // Each sees the other in the note, and the other's named cursor.
    await a.locator('[data-testid=note-presence]').getByText('Julien Tremblay').waitFor();
    await b.locator('[data-testid=note-presence]').getByText('Mariama Sow').waitFor();
    await a.locator('.note-cursor-name', { hasText: 'Julien Tremblay' }).first().waitFor({ timeout: 10_000 });
    await b.locator('.note-cursor-name', { hasText: 'Mariama Sow' }).first().waitFor({ timeout: 10_000 });
    expect(errors.flat()).toEqual([]);
    await Promise.all([first.close(), second.close()]);

    // Both left: the note was stored; a reader without JavaScript gets the server's copy.
    const reader = await contextFor(await createUser(suite.app, { name: 'Ana Reyes' }), { javaScriptEnabled: false });
    const page = await reader.newPage();
    await expect
      .poll(async () => {
        await page.goto(url);
        return page.locator('[data-testid=note-static]').innerText();
      }, { timeout: 15_000 })
      .toMatch(/Cities must be at the table from the start\.\s+Funding should be multi-year\./);
    await reader.close();
  });

  it('the toolbar and shortcuts format the note, and the page passes an axe scan', { timeout: 60_000 }, async () => {
    const url = await openNote('Question 3: synthesis', '3');
    const editor = await contextFor(await createUser(suite.app, { name: 'Priya Raman', stakeholderGroup: 'business' }));
    const page = await editor.newPage();
    const errors = watchErrors(page);
    await page.goto(url);
    await page.locator('[data-testid=note-connection][data-state=connected]').waitFor({ timeout: 15_000 });
    const toolbar = page.locator('[data-testid=note-toolbar]');
    await toolbar.waitFor();
    const content = page.locator('[data-testid=note-content]');

    await content.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('Findings');
    await page.keyboard.press('Control+Alt+2'); // a heading
    await content.locator('h2', { hasText: 'Findings' }).waitFor();
    await expect.poll(() => toolbar.getByRole('button', { name: 'Heading', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await toolbar.getByRole('button', { name: 'Subheading' }).click();
    await content.locator('h3', { hasText: 'Findings' }).waitFor();
    await page.keyboard.press('Control+Alt+0'); // back to a paragraph
    await content.locator('p', { hasText: 'Findings' }).waitFor();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await toolbar.getByRole('button', { name: 'Bulleted list' }).click();
    await page.keyboard.type('Cities first');
    await content.locator('ul li', { hasText: 'Cities first' }).waitFor();
    await toolbar.getByRole('button', { name: 'Quote' }).click(); // the list item becomes a quote
    await content.locator('blockquote', { hasText: 'Cities first' }).waitFor();
    await toolbar.getByRole('button', { name: 'Quote' }).click(); // and back
    await content.locator('p', { hasText: 'Cities first' }).waitFor();
    // One Tab stop: arrow keys move within the toolbar, and the focus stays on its buttons.
    await toolbar.getByRole('button', { name: 'Bold' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Italic');
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Redo');
    expect(await toolbar.locator('button[tabindex="0"]').count()).toBe(1);
    const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    expect(errors).toEqual([]);
    await editor.close();
  });

  it('a participant cites a contribution from the dialog; both co-editors see the marker and its footnote', { timeout: 90_000 }, async () => {
    const url = await openNote('Question 2: synthesis', '2');
    const { services } = suite.app.server;
    const author = await createUser(suite.app, { name: 'Hidden Name', organisation: 'Hidden Org', stakeholderGroup: 'business' });
    const { id: cited } = await services.posts.create(
      author.id,
      { threadId: await threadId(suite.app, '2.4'), clientId: clientId(), text: 'Skills are recognised regionally but applied by local offices.', attribution: 'chatham' },
      'en',
    );
    const [citer, coEditor] = await Promise.all([
      createUser(suite.app, { name: 'Mariama Sow', stakeholderGroup: 'civil-society' }),
      createUser(suite.app, { name: 'Julien Tremblay', stakeholderGroup: 'local-government' }),
    ]);
    const [first, second] = await Promise.all([contextFor(citer), contextFor(coEditor)]);
    const a = await first.newPage();
    const b = await second.newPage();
    const errors = [a, b].map((page) => watchErrors(page));
    await Promise.all([a.goto(url), b.goto(url)]);
    for (const page of [a, b]) await page.locator('[data-testid=note-connection][data-state=connected]').waitFor({ timeout: 15_000 });

    await a.locator('[data-testid=note-content]').click();
    await a.keyboard.press('Control+End');
    await a.keyboard.press('Enter');
    await a.keyboard.type('Recognition is applied locally ');
    await a.getByRole('button', { name: 'Cite a contribution' }).click();
    const dialog = a.getByRole('dialog', { name: 'Cite a contribution' });
    await dialog.waitFor();
    await expect.poll(() => a.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    await a.keyboard.type('regionally');
    const result = dialog.getByRole('button', { name: new RegExp(`\\[C-${cited}, Business\\]`) });
    await result.waitFor({ timeout: 10_000 });
    const { violations } = await new AxeBuilder({ page: a }).include('[data-testid=cite-dialog]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    await result.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    // The caret is back in the text, after the marker.
    await a.keyboard.type(' and checked by cities.');
    const expected = new RegExp(`Recognition is applied locally \\[C-${cited}\\] and checked by cities\\.`);
    for (const page of [a, b]) {
      await expect.poll(() => page.locator('[data-testid=note-content]').innerText(), { timeout: 10_000 }).toMatch(expected);
      const footnote = page.locator(`#source-post-${cited}`);
      await footnote.waitFor({ timeout: 10_000 });
      expect(await footnote.innerText()).toContain(`[C-${cited}, Business]`);
      expect(await page.content()).not.toContain('Hidden Name');
    }
    const page = await new AxeBuilder({ page: b }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    expect(page.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    expect(errors.flat()).toEqual([]);
    await Promise.all([first.close(), second.close()]);
  });
});
