/**
 * Inserting a key point of the compilation into a synthesis note, in Chromium (issue 12): with
 * the consultation in its `synthesis` phase, a participant opens the "Insert a key point" dialog
 * (keyboard: its search field takes the focus, Escape closes it), inserts a key point that holds
 * two clips, then cites one clip alone; a third user with the same note open sees the paragraph
 * and its CL-markers arrive live, and the footnotes under the note quote each clip's words under
 * its source's own attribution (Chatham House: the group only). An axe scan of the dialog.
 */
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { clientId, createUser, threadId } from '../support/sockets';

describe.skipIf(!HAS_CHROMIUM)('key points in synthesis notes, in Chromium', () => {
  const suite = browserSuite();

  async function contextFor(user: { cookie: string }): Promise<BrowserContext> {
    const context = await suite.browser.newContext({ locale: 'en-GB' });
    await context.addCookies([{ name: 'palabre_session', value: user.cookie.split('=')[1]!, url: suite.app.url }]);
    return context;
  }

  it('a participant inserts a key point and cites a clip; a co-reader sees both live, with the clips as footnotes', { timeout: 90_000 }, async () => {
    const { services, database } = suite.app.server;
    const consultation = (await services.consultations.getDefault())!;
    const question = (await services.consultations.getQuestion(consultation.id, '2'))!;
    const moderator = await createUser(suite.app, { name: 'Lucía Fernández', role: 'moderator' });
    const author = await createUser(suite.app, { name: 'Hidden Name', organisation: 'Hidden Org', stakeholderGroup: 'business' });
    const texts = ['Skills are recognised regionally but applied by local offices.', 'Cities sign the agreements that matter for newcomers.'];
    const posts = [];
    for (const text of texts) {
      posts.push((await services.posts.create(author.id, { threadId: await threadId(suite.app, '2.4'), clientId: clientId(), text, attribution: 'chatham' }, 'en')).id);
    }
    const keyPointId = await services.compilation.createKeyPoint(moderator.id, question.id, {
      heading: 'Local offices decide',
      summary: 'Recognition is decided regionally and applied locally.',
    });
    const quotes = ['recognised regionally', 'Cities sign the agreements'];
    const clips = [];
    for (const [i, quote] of quotes.entries()) {
      const start = texts[i]!.indexOf(quote);
      clips.push((await services.compilation.clip(moderator.id, { keyPointId, sourceKind: 'post', sourceId: posts[i]!, field: 'body', start, end: start + quote.length, quote })).clipId);
    }
    const noteId = await services.notes.open(moderator.id, consultation.id, { questionId: question.id, stakeholderGroup: null, title: 'Question 2: synthesis' });
    const url = `${suite.app.url}/c/${consultation.slug}/notes/${noteId}`;
    // Participants read (and so insert from) the compilation once the consultation is in synthesis.
    await database.db.updateTable('consultations').set({ phase: 'synthesis' }).where('id', '=', consultation.id).execute();

    const [writer, reader] = await Promise.all([
      createUser(suite.app, { name: 'Mariama Sow', stakeholderGroup: 'civil-society' }),
      createUser(suite.app, { name: 'Julien Tremblay', stakeholderGroup: 'local-government' }),
    ]);
    const [first, second] = await Promise.all([contextFor(writer), contextFor(reader)]);
    const a = await first.newPage();
    const b = await second.newPage();
    const errors = [a, b].map((page) => watchErrors(page));
    await Promise.all([a.goto(url), b.goto(url)]);
    for (const page of [a, b]) await page.locator('[data-testid=note-connection][data-state=connected]').waitFor({ timeout: 15_000 });

    await a.locator('[data-testid=note-content]').click();
    await a.keyboard.press('Control+End');
    await a.keyboard.press('Enter');
    await a.getByRole('button', { name: 'Insert a key point' }).click();
    const dialog = a.getByRole('dialog', { name: 'Insert a key point' });
    await dialog.waitFor();
    await expect.poll(() => a.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    await a.keyboard.type('locally');
    const insert = dialog.getByRole('button', { name: 'Question 2: Local offices decide' });
    await insert.waitFor({ timeout: 10_000 });
    await dialog.getByRole('button', { name: `Cite clip CL-${clips[1]}` }).waitFor();
    const { violations } = await new AxeBuilder({ page: a }).include('[data-testid=key-point-dialog]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    await insert.press('Enter');
    await dialog.waitFor({ state: 'hidden' });

    const paragraph = new RegExp(`Recognition is decided regionally and applied locally\\. \\[CL-${clips[0]}\\] \\[CL-${clips[1]}\\]`);
    for (const page of [a, b]) {
      await expect.poll(() => page.locator('[data-testid=note-content]').innerText(), { timeout: 10_000 }).toMatch(paragraph);
    }

    // One clip alone, at the caret: the end of the inserted paragraph.
    await a.keyboard.type(' Cities agree');
    await a.getByRole('button', { name: 'Insert a key point' }).click();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: `Cite clip CL-${clips[1]}` }).click();
    await dialog.waitFor({ state: 'hidden' });
    for (const page of [a, b]) {
      await expect.poll(() => page.locator('[data-testid=note-content]').innerText(), { timeout: 10_000 }).toMatch(new RegExp(`${paragraph.source} Cities agree\\[CL-${clips[1]}\\]`));
      for (const [i, clip] of clips.entries()) {
        const footnote = page.locator(`#source-clip-${clip}`);
        await footnote.waitFor({ timeout: 10_000 });
        await expect.poll(() => footnote.innerText()).toContain(`[CL-${clip}] “${quotes[i]}” [C-${posts[i]}, Business]`);
      }
      expect(await page.locator('[data-testid=note-source]').count()).toBe(2);
      const html = await page.content();
      for (const leak of ['Hidden Name', 'Hidden Org']) expect(html).not.toContain(leak);
    }
    expect(errors.flat()).toEqual([]);
    await Promise.all([first.close(), second.close()]);
  });
});
