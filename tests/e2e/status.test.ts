/**
 * Status lines tell the truth, in Chromium: with the browser offline (network emulation) the
 * thread's live bar and the note's connection line say so, and come back; a thread's
 * contribution count follows creations, deletions, hiding and restoring in every open window,
 * as each viewer may count them; a signed-off note claims no live connection, offers no named
 * version, shows its title once, and its citation markers are links a keyboard reaches.
 */
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { clientId, createUser, threadId } from '../support/sockets';

const SLUG = 'gfmd-2020-partnerships';
type User = Awaited<ReturnType<typeof createUser>>;

describe.skipIf(!HAS_CHROMIUM)('status lines in Chromium', () => {
  const suite = browserSuite();

  async function contextFor(user: User | null, base = suite.app.url): Promise<BrowserContext> {
    const context = await suite.browser.newContext({ locale: 'en-GB' });
    if (user) await context.addCookies([{ name: 'palabre_session', value: user.cookie.split('=')[1]!, url: base }]);
    return context;
  }

  async function openNote(title: string, questionNumber: string, moderator: User) {
    const { services } = suite.app.server;
    const consultation = (await services.consultations.getDefault())!;
    const question = (await services.consultations.getQuestion(consultation.id, questionNumber))!;
    const id = await services.notes.open(moderator.id, consultation.id, { questionId: question.id, stakeholderGroup: null, title });
    return { id, url: `${suite.app.url}/c/${SLUG}/notes/${id}` };
  }

  const liveStatus = (page: Page) => page.locator('.live-status').innerText();

  /**
   * The browser says it lost (or found) the network while the socket has not noticed: what a
   * laptop leaving its Wi-Fi does for up to a minute, until the socket's pings time out.
   */
  const browserSays = (page: Page, online: boolean) =>
    page.evaluate((on) => {
      Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => on });
      window.dispatchEvent(new Event(on ? 'online' : 'offline'));
    }, online);

  it('offline shows as offline on a thread and in a note, and live again once back', { timeout: 90_000 }, async () => {
    const moderator = await createUser(suite.app, { role: 'moderator', name: 'Lucía Fernández' });
    const note = await openNote('Question 5: synthesis', '5', moderator);
    // On "localhost" Socket.io's client does not close its connection when the browser goes
    // offline, and Chromium's emulation leaves an open WebSocket up: the socket stays connected.
    const base = suite.app.url.replace('127.0.0.1', 'localhost');
    const context = await contextFor(await createUser(suite.app, { name: 'Awa Diallo' }), base);
    const page = await context.newPage();
    const errors = watchErrors(page);

    await page.goto(`${base}/c/${SLUG}/q/5/5.1`);
    await expect.poll(() => liveStatus(page), { timeout: 15_000 }).toMatch(/^Live/);
    await context.setOffline(true);
    // The socket itself may stay up under emulation (and for up to a minute on a real network).
    await expect.poll(() => liveStatus(page), { timeout: 5_000 }).toMatch(/^Offline/);
    await context.setOffline(false);
    await expect.poll(() => liveStatus(page), { timeout: 15_000 }).toMatch(/^Live/);
    await browserSays(page, false);
    await expect.poll(() => liveStatus(page), { timeout: 5_000 }).toMatch(/^Offline/);
    await browserSays(page, true);
    await expect.poll(() => liveStatus(page), { timeout: 5_000 }).toMatch(/^Live/);

    await page.goto(note.url.replace(suite.app.url, base));
    const line = page.locator('[data-testid=note-connection]');
    await line.and(page.locator('[data-state=connected]')).waitFor({ timeout: 15_000 });
    await context.setOffline(true);
    await line.and(page.locator('[data-state=offline]')).waitFor({ timeout: 5_000 });
    expect(await line.innerText()).toMatch(/^Offline/);
    await context.setOffline(false);
    await line.and(page.locator('[data-state=connected]')).waitFor({ timeout: 15_000 });
    expect(await line.innerText()).toMatch(/^Connected/);
    await browserSays(page, false);
    await line.and(page.locator('[data-state=offline]')).waitFor({ timeout: 5_000 });
    await browserSays(page, true);
    await line.and(page.locator('[data-state=connected]')).waitFor({ timeout: 5_000 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a thread’s contribution count follows every change in every open window, as each viewer counts it', { timeout: 90_000 }, async () => {
    const { services } = suite.app.server;
    const thread = await threadId(suite.app, '3.2');
    const author = await createUser(suite.app, { name: 'Julien Tremblay' });
    const moderator = await createUser(suite.app, { role: 'moderator', name: 'Mona Moderator' });
    const post = (text: string) => services.posts.create(author.id, { threadId: thread, clientId: clientId(), text, attribution: 'chatham' }, 'en');
    const posts = [];
    for (let i = 1; i <= 6; i++) posts.push(await post(`Contribution number ${i} on skills.`));

    const [anonymous, moderating] = await Promise.all([contextFor(null), contextFor(moderator)]);
    const pages = [await anonymous.newPage(), await moderating.newPage()];
    const [reader, staff] = pages as [Page, Page];
    await Promise.all(pages.map((page) => page.goto(`${suite.app.url}/c/${SLUG}/q/3/3.2`)));
    for (const page of pages) await expect.poll(() => liveStatus(page), { timeout: 15_000 }).toMatch(/Live/);
    const count = (page: Page) => page.locator('[data-testid=thread-count]').innerText();
    const expectCounts = async (forReader: number, forStaff: number) => {
      await expect.poll(() => count(reader), { timeout: 10_000 }).toBe(`(${forReader} contributions)`);
      await expect.poll(() => count(staff), { timeout: 10_000 }).toBe(`(${forStaff} contributions)`);
    };
    await expectCounts(6, 6);

    const seventh = await post('A seventh contribution arrives.');
    await expectCounts(7, 7);
    await services.posts.remove(author.id, posts[0]!.id); // deleted: a placeholder for everyone
    await expectCounts(6, 6);
    await services.posts.moderate(moderator.id, seventh.id, true, 'Off topic');
    await expectCounts(5, 6); // moderators still read a hidden post
    await services.posts.moderate(moderator.id, seventh.id, false, null);
    await expectCounts(6, 6);

    // A reload agrees with what the live windows say.
    await reader.reload();
    expect(await count(reader)).toBe('(6 contributions)');
    await Promise.all([anonymous.close(), moderating.close()]);
  });

  it('a signed-off note claims no live connection, offers no version, shows its title once, and its citations are links', { timeout: 90_000 }, async () => {
    const { services } = suite.app.server;
    const title = 'Question 3: synthesis';
    const moderator = await createUser(suite.app, { role: 'moderator', name: 'Moderator of notes' });
    const rapporteur = await createUser(suite.app, { role: 'rapporteur', name: 'Rafael Rapporteur' });
    const author = await createUser(suite.app, { name: 'Cited Author', stakeholderGroup: 'business' });
    const { id: cited } = await services.posts.create(
      author.id,
      { threadId: await threadId(suite.app, '3.1'), clientId: clientId(), text: 'Employers recognise skills gained abroad.', attribution: 'chatham' },
      'en',
    );
    const note = await openNote(title, '3', moderator);
    // The seed (the title as a heading, then a paragraph) with a cited sentence in the paragraph.
    const content = JSON.parse((await services.notes.get(note.id, moderator.id)).content);
    content.root.children[1].children = [
      { type: 'text', text: 'Skills travel with people ', format: 0, detail: 0, mode: 'normal', style: '', version: 1 },
      { type: 'citation', text: `[C-${cited}]`, kind: 'post', targetId: cited, format: 0, detail: 0, mode: 'token', style: '', version: 1 },
      { type: 'text', text: '.', format: 0, detail: 0, mode: 'normal', style: '', version: 1 },
    ];
    await services.noteDocs.replace(note.id, JSON.stringify(content));
    await services.notes.setStatus(moderator.id, note.id, 'lock');
    await services.notes.setStatus(rapporteur.id, note.id, 'finalise');

    const context = await contextFor(rapporteur); // staff: before, the version form showed
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(note.url);
    const line = page.locator('[data-testid=note-connection]');
    await line.and(page.locator('[data-state=connected]')).waitFor({ timeout: 15_000 });
    expect(await line.innerText()).toMatch(/^Signed off/);
    expect(await line.innerText()).not.toMatch(/Connected|shared live/);
    expect(await page.locator('[data-testid=note-version-form]').count()).toBe(0);
    expect(await page.getByLabel('Save a named version').count()).toBe(0);
    expect(await page.locator('[data-testid=note-presence-as]').count()).toBe(0);

    // The title once in sight (the note's own heading); the page's h1 stays for assistive technology.
    const shownTitles = await page.evaluate((text) => {
      const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter((h) => h.textContent?.trim() === text);
      return headings.filter((h) => h.getBoundingClientRect().width > 1 && h.getBoundingClientRect().height > 1).length;
    }, title);
    expect(shownTitles).toBe(1);
    expect(await page.getByRole('heading', { level: 1, name: title }).count()).toBe(1);

    // In the live editor, the marker is a link to its footnote: reached with Tab, followed with Enter.
    const link = page.locator('[data-testid=note-content]').getByRole('link', { name: `[C-${cited}]` });
    await link.waitFor({ timeout: 10_000 });
    expect(await link.getAttribute('href')).toBe(`#source-post-${cited}`);
    let reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await link.evaluate((element) => element === document.activeElement);
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#source-post-${cited}`);
    expect(await page.locator(`#source-post-${cited}`).innerText()).toContain(`[C-${cited}, Business]`);

    const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);

    // The server refuses a version of a signed-off note too, whatever the page offers.
    await expect(services.notes.saveVersion(rapporteur.id, note.id, 'After the sign-off')).rejects.toMatchObject({ messageKey: 'errors.noteFinal' });
    expect(errors).toEqual([]);
    await context.close();
  });
});
