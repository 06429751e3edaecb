/**
 * The compilation page in Chromium: a moderator selects a passage of a post and clips it into a
 * new key point (offsets computed in the post's plain text, checked by the server); a second
 * moderator, in another browser, sees the key point appear without reloading; the page passes
 * an axe scan (WCAG 2.1 AA) and fits 320 px without sideways scrolling.
 */
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { clientId, createUser } from '../support/sockets';

const PAGE = '/c/gfmd-2020-partnerships/q/1/compilation';
// Two lines and a character outside the Basic Multilingual Plane before the passage: offsets are
// UTF-16 units of the plain text, as the server counts them.
const TEXT = 'Our experience 🌍 in Dakar:\n\nBilateral labour agreements worked when unions sat at the table.';
const PASSAGE = 'unions sat at the table';

describe.skipIf(!HAS_CHROMIUM)('the compilation page (Chromium)', () => {
  const suite = browserSuite();
  const cookies: Record<'first' | 'second', string> = { first: '', second: '' };
  let postId = 0;

  beforeAll(async () => {
    const app = suite.app;
    const first = await createUser(app, { role: 'moderator', name: 'Mona Moderator' });
    const second = await createUser(app, { role: 'moderator', name: 'Moussa Moderator' });
    const author = await createUser(app, { name: 'Pablo Participant', stakeholderGroup: 'business' });
    cookies.first = first.cookie.split('=')[1]!;
    cookies.second = second.cookie.split('=')[1]!;
    const consultation = (await app.server.services.consultations.getDefault())!;
    const thread = (await app.server.services.consultations.getThread(consultation.id, '1.1'))!;
    postId = (await app.server.services.posts.create(author.id, { threadId: thread.id, clientId: clientId(), text: TEXT, attribution: 'named' }, 'en')).id;
  });

  async function contextAs(who: 'first' | 'second', viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
    const context = await suite.browser.newContext({ viewport, locale: 'en-GB' });
    await context.addCookies([{ name: 'palabre_session', value: cookies[who], url: suite.app.url }]);
    return context;
  }

  it('clips a selected passage into a new key point, which a second moderator sees live', { timeout: 60_000 }, async () => {
    const [a, b] = await Promise.all([contextAs('first'), contextAs('second')]);
    const [pageA, pageB] = await Promise.all([a.newPage(), b.newPage()]);
    const errors = [...watchErrors(pageA), ...watchErrors(pageB)];
    for (const page of [pageA, pageB]) {
      await page.goto(`${suite.app.url}${PAGE}`);
      await page.locator('.live-status', { hasText: 'Live' }).waitFor();
    }
    // The second moderator's page must not reload: a mark on its window would be gone.
    await pageB.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    // Select the passage inside the post's rendered plain text, as a mouse drag would.
    await pageA.evaluate(
      ({ id, passage }) => {
        const holder = document.querySelector(`.clip-text[data-source-kind="post"][data-source-id="${id}"]`)!;
        const text = holder.firstChild as Text;
        const at = text.data.indexOf(passage);
        const range = document.createRange();
        range.setStart(text, at);
        range.setEnd(text, at + passage.length);
        const selection = document.getSelection()!;
        selection.removeAllRanges();
        selection.addRange(range);
      },
      { id: postId, passage: PASSAGE },
    );
    await pageA.getByTestId('selection-quote').filter({ hasText: PASSAGE }).waitFor();
    await pageA.locator('.compilation-selection').getByLabel('Heading of the new key point').fill('Social dialogue makes agreements hold');
    await pageA.locator('#selection-stance').selectOption('qualifies');
    await pageA.locator('.compilation-selection button[type=submit]').click();

    const heading = 'Social dialogue makes agreements hold';
    await pageA.getByTestId('key-points').getByText(heading).waitFor();
    await pageB.getByTestId('key-points').getByText(heading).waitFor({ timeout: 10_000 });
    expect(await pageB.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await pageB.getByTestId('key-points').locator('blockquote', { hasText: PASSAGE }).waitFor();

    const clip = await suite.app.server.database.db.selectFrom('clips').selectAll().where('sourceId', '=', postId).executeTakeFirstOrThrow();
    expect(clip).toMatchObject({ sourceKind: 'post', sourceField: 'body', startOffset: TEXT.indexOf(PASSAGE), endOffset: TEXT.indexOf(PASSAGE) + PASSAGE.length, quote: PASSAGE, stance: 'qualifies' });
    expect(errors).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('passes an axe scan (WCAG 2.1 AA) with key points, clips and forms on it', { timeout: 60_000 }, async () => {
    const context = await contextAs('first');
    const page = await context.newPage();
    // One key point's tools (move, edit, merge, stances) and one source's "clip whole" form opened.
    const point = await suite.app.server.database.db.selectFrom('keyPoints').select(['id', 'authorId', 'questionId']).orderBy('id').executeTakeFirstOrThrow();
    await suite.app.server.services.compilation.createKeyPoint(point.authorId!, point.questionId, { heading: 'A second point, to merge into' });
    await page.goto(`${suite.app.url}${PAGE}?tools=${point.id}&clip=post-${postId}`);
    await page.locator('.live-status', { hasText: 'Live' }).waitFor();
    await page.locator('form', { has: page.locator('input[name=intent][value=merge]') }).waitFor();
    await page.locator('form', { has: page.locator('input[name=intent][value=clipWhole]') }).waitFor();
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    await context.close();
  });

  it('fits 320 px without sideways scrolling, every disclosure open', { timeout: 60_000 }, async () => {
    const context = await contextAs('first', { width: 320, height: 640 });
    const page = await context.newPage();
    const point = await suite.app.server.database.db.selectFrom('keyPoints').select(['id', 'authorId', 'questionId']).orderBy('id').executeTakeFirstOrThrow();
    // A long heading among the "merge into" options: the select must not widen the page.
    await suite.app.server.services.compilation.createKeyPoint(point.authorId!, point.questionId, {
      heading: 'Regional frameworks give leverage that global commitments do not when municipalities sign',
    });
    await page.goto(`${suite.app.url}${PAGE}?tools=${point.id}&clip=post-${postId}`);
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    // The coverage table scrolls inside its own region, which says what it is.
    const region = page.locator('.table-wrap[role=region]');
    expect(await region.getAttribute('aria-labelledby')).toBe('coverage-caption');
    await context.close();
  });
});
