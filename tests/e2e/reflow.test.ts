import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { findOverflow } from '../support/overflow';
import { seedDemo } from '../../db/seeds/demo';
import { seedDemoCaseStudies } from '../../db/seeds/demo-case-studies';
import { seedDemoNotes } from '../../db/seeds/demo-notes';
import { seedDemoPosts } from '../../db/seeds/demo-posts';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { clientId } from '../support/sockets';

/*
 * WCAG 1.4.10 (reflow): every page read at 320 CSS px (a phone, or 1280 px zoomed to 400 %) with
 * no sideways scrolling, in the three languages, with and without JavaScript, on the demo content
 * (every role's view of threads, case studies, notes, moderation, admin). Then the compact header
 * and the print stylesheet.
 */

const SLUG = '/c/gfmd-2020-partnerships';


describe.skipIf(!HAS_CHROMIUM)('320 px reflow, compact header and print (Chromium)', () => {
  const suite = browserSuite();
  const sessions: Record<'participant' | 'moderator' | 'admin', string> = { participant: '', moderator: '', admin: '' };
  const ids = { caseStudy: 0, ownCaseStudy: 0, note: 0, version: 0, longPost: 0 };

  beforeAll(async () => {
    const { services, database } = suite.app.server;
    const db = database.db;
    const consultation = (await services.consultations.getDefault())!;
    const accounts = await seedDemo(db, consultation.id);
    await seedDemoPosts(db, consultation.id);
    await seedDemoCaseStudies(db, consultation.id);
    await seedDemoNotes(db, consultation.id);
    const userId = async (email: string) => (await services.accounts.findByEmail(email))!.id;
    const byRole = (role: string) => accounts.find((a) => a.role === role)!.email;
    for (const role of ['participant', 'moderator', 'admin'] as const) {
      sessions[role] = (await services.auth.createSession(await userId(byRole(role)), {})).id;
    }
    // What narrow screens find hardest: a long link without a break, in a reply's indentation.
    const participant = await userId(byRole('participant'));
    const { id: threadId } = (await services.consultations.getThread(consultation.id, '2.4'))!;
    const url = `https://example.org/${'very-long-path-segment-'.repeat(8)}end`;
    const text = (t: string) => ({ type: 'text', text: t, format: 0, detail: 0, mode: 'normal', style: '', version: 1 });
    const paragraph = { type: 'paragraph', children: [text('See '), { type: 'link', url, children: [text(url)] }, text(' for the full agreement.')] };
    ids.longPost = (await services.posts.create(participant, { threadId, clientId: clientId(), body: { root: { type: 'root', children: [paragraph] } } }, 'en')).id;
    const published = await db.selectFrom('caseStudies').select('id').where('status', '=', 'published').orderBy('id').executeTakeFirstOrThrow();
    ids.caseStudy = published.id;
    // Editable by its author, with the moderator's request for changes shown.
    const own = await db.selectFrom('caseStudies').select('id').where('authorId', '=', participant).where('status', '=', 'changes_requested').executeTakeFirstOrThrow();
    ids.ownCaseStudy = own.id;
    const version = await db.selectFrom('noteVersions').select(['id', 'noteId']).orderBy('id').executeTakeFirstOrThrow();
    ids.version = version.id;
    ids.note = version.noteId;
  });

  /** Every page, as the role that sees the most of it. */
  const pages = (): { role: keyof typeof sessions | 'anonymous'; path: string }[] => [
    { role: 'anonymous', path: '/' },
    { role: 'anonymous', path: '/register' },
    { role: 'anonymous', path: '/sign-in' },
    { role: 'anonymous', path: '/no-such-page' },
    { role: 'anonymous', path: SLUG },
    { role: 'anonymous', path: `${SLUG}/q/2/2.4` },
    { role: 'moderator', path: SLUG },
    { role: 'moderator', path: `${SLUG}/q/2` },
    { role: 'moderator', path: `${SLUG}/q/2/2.4` },
    // A post's report and hide forms, opened on demand (one at a time), on the post with the long link.
    { role: 'moderator', path: `${SLUG}/q/2/2.4?report=${ids.longPost}` },
    { role: 'moderator', path: `${SLUG}/q/2/2.4?hide=${ids.longPost}` },
    { role: 'moderator', path: `${SLUG}/q/3/general` },
    { role: 'moderator', path: `${SLUG}/case-studies` },
    { role: 'moderator', path: `${SLUG}/case-studies/${ids.caseStudy}` },
    { role: 'moderator', path: `${SLUG}/moderation` },
    { role: 'moderator', path: `${SLUG}/moderation/audit` },
    { role: 'moderator', path: `${SLUG}/q/2/compilation?sq=2.4` },
    { role: 'moderator', path: `${SLUG}/notes` },
    { role: 'moderator', path: `${SLUG}/notes/${ids.note}` },
    { role: 'moderator', path: `${SLUG}/notes/${ids.note}/versions` },
    { role: 'moderator', path: `${SLUG}/notes/${ids.note}/versions/${ids.version}` },
    { role: 'participant', path: `${SLUG}/q/2/2.4` },
    { role: 'participant', path: `${SLUG}/case-studies/new` },
    { role: 'participant', path: `${SLUG}/case-studies/mine` },
    { role: 'participant', path: `${SLUG}/case-studies/${ids.ownCaseStudy}` },
    { role: 'participant', path: `${SLUG}/case-studies/${ids.ownCaseStudy}/edit` },
    { role: 'participant', path: `/notifications` },
    { role: 'participant', path: `/account` },
    { role: 'admin', path: `/admin/users` },
    { role: 'admin', path: `${SLUG}/moderation/audit` },
    // The admin's phase control, and its confirmation listing what a move closes.
    { role: 'admin', path: SLUG },
    { role: 'admin', path: `${SLUG}?confirm=forward` },
  ];

  async function contextFor(role: keyof typeof sessions | 'anonymous', options: { javaScriptEnabled: boolean; locale: string }): Promise<BrowserContext> {
    const context = await suite.browser.newContext({ viewport: { width: 320, height: 640 }, ...options });
    if (role !== 'anonymous') await context.addCookies([{ name: 'palabre_session', value: sessions[role], url: suite.app.url }]);
    return context;
  }

  /** Loads the page, opens every disclosure (the menu, the original texts…) and measures. */
  async function overflowOf(page: Page, path: string, javaScriptEnabled: boolean): Promise<string[]> {
    const response = await page.goto(`${suite.app.url}${path}`, { waitUntil: javaScriptEnabled ? 'networkidle' : 'load' });
    expect(response?.status(), path).toBe(path === '/no-such-page' ? 404 : 200);
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    return (await page.evaluate(findOverflow)).map((line) => `${path}: ${line}`);
  }

  // French has the longest labels; the editors (loaded after hydration) are measured there.
  it.each([
    ['fr-FR', true],
    ['en-GB', false],
    ['es-ES', false],
  ])('every page fits 320 px without sideways scrolling (%s, JavaScript %s)', { timeout: 120_000 }, async (locale, javaScriptEnabled) => {
    const found: string[] = [];
    const errors: string[][] = [];
    for (const role of ['anonymous', 'participant', 'moderator', 'admin'] as const) {
      const context = await contextFor(role, { javaScriptEnabled, locale });
      const page = await context.newPage();
      errors.push(watchErrors(page));
      for (const { path } of pages().filter((p) => p.role === role)) found.push(...(await overflowOf(page, path, javaScriptEnabled)));
      await context.close();
    }
    expect(found).toEqual([]);
    expect(errors.flat()).toEqual([]);
  });

  it('the header is one line at 320 px, its menu opens with the keyboard, with or without JavaScript', { timeout: 60_000 }, async () => {
    for (const javaScriptEnabled of [true, false]) {
      // 320 × 256: a 1280 × 1024 window zoomed to 400 %. A participant with unread notifications
      // (the badge rides on "Menu"), in French.
      const context = await contextFor('participant', { javaScriptEnabled, locale: 'fr-FR' });
      const page = await context.newPage();
      await page.setViewportSize({ width: 320, height: 256 });
      const errors = watchErrors(page);
      await page.goto(`${suite.app.url}${SLUG}/q/2/2.4`);
      const header = page.locator('header.site-header');
      expect((await header.boundingBox())!.height, 'header height').toBeLessThanOrEqual(64);
      const signOut = page.getByRole('button', { name: 'Se déconnecter' });
      expect(await signOut.isVisible()).toBe(false);
      // The languages show as codes and keep their full names.
      const english = page.getByRole('button', { name: 'English' });
      expect(await english.locator('.language-code').isVisible()).toBe(true);
      expect((await english.boundingBox())!.width).toBeLessThan(48);
      const toggle = page.locator('summary.site-menu-toggle');
      expect(await toggle.locator('.nav-badge').isVisible()).toBe(true);

      await toggle.focus();
      await page.keyboard.press('Enter');
      await signOut.waitFor();
      const panel = (await page.locator('.site-nav').boundingBox())!;
      expect(panel.x).toBeGreaterThanOrEqual(0);
      expect(panel.x + panel.width).toBeLessThanOrEqual(320);
      await page.getByRole('link', { name: 'Notes de synthèse' }).focus();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Notifications/);
      if (javaScriptEnabled) {
        await page.keyboard.press('Escape');
        await expect.poll(() => signOut.isVisible()).toBe(false);
        expect(await page.evaluate(() => document.activeElement?.classList.contains('site-menu-toggle'))).toBe(true);
        // A navigation inside the app closes the menu.
        await toggle.click();
        await page.getByRole('navigation', { name: 'Principale' }).getByRole('link', { name: 'Études de cas' }).click();
        await page.getByRole('heading', { level: 1, name: /Études de cas/ }).waitFor();
        expect(await signOut.isVisible()).toBe(false);
      } else {
        await toggle.click();
        expect(await signOut.isVisible()).toBe(false);
      }
      expect(errors).toEqual([]);
      await context.close();
    }
  });

  it('the narrow header passes an axe scan (WCAG 2.1 AA), menu closed and open', { timeout: 60_000 }, async () => {
    const context = await contextFor('moderator', { javaScriptEnabled: true, locale: 'es-ES' });
    const page = await context.newPage();
    await page.goto(`${suite.app.url}${SLUG}/q/2/2.4`);
    const scan = async () => (await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()).violations.map((v) => v.id);
    expect(await scan()).toEqual([]);
    await page.locator('summary.site-menu-toggle').click();
    await page.getByRole('button', { name: 'Cerrar sesión' }).waitFor();
    expect(await scan()).toEqual([]);
    await context.close();
  });

  it('wide, the navigation is a plain row: no menu toggle, language names in full', async () => {
    const context = await contextFor('participant', { javaScriptEnabled: true, locale: 'en-GB' });
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${suite.app.url}${SLUG}`);
    expect(await page.locator('summary.site-menu-toggle').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Synthesis notes' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Français' }).locator('.language-name').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Français' }).locator('.language-code').isVisible()).toBe(false);
    // Brand and languages on a line, the navigation on the next (its account part may wrap).
    expect((await page.locator('header.site-header').boundingBox())!.height).toBeLessThanOrEqual(130);
    await context.close();
  });

  it('wide, the navigation stays one row for the longest names and labels (French, admin; a 110-character name)', async () => {
    const { services } = suite.app.server;
    const tag = Math.random().toString(36).slice(2, 8);
    const longName = `Qz${tag}${'abcdefghij'.repeat(11)}`.slice(0, 110);
    const id = await services.accounts.register({
      email: `long.${tag}@example.org`,
      name: longName,
      organisation: `Organisation ${'sansespace'.repeat(18)}`,
      stakeholderGroup: 'business',
      country: 'IN',
      password: 'a long enough password',
    });
    const longSession = (await services.auth.createSession(id, {})).id;
    for (const session of [sessions.admin, longSession]) {
      const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
      await context.addCookies([{ name: 'palabre_session', value: session, url: suite.app.url }]);
      const page = await context.newPage();
      await page.goto(`${suite.app.url}${SLUG}/q/2/2.4`);
      const tops = await page.locator('.site-nav > ul > li').evaluateAll((items) => items.map((li) => Math.round(li.getBoundingClientRect().top)));
      expect(new Set(tops).size, `navigation rows: ${tops.join(', ')}`).toBe(1);
      expect((await page.locator('header.site-header').boundingBox())!.height).toBeLessThanOrEqual(130);
      // The name is cut short on screen, whole for assistive technologies.
      if (session === longSession) expect(await page.locator('.signed-in').textContent()).toContain(longName);
      await context.close();
    }
  });

  it('printed pages keep their content and drop navigation, forms and live status', { timeout: 60_000 }, async () => {
    const context = await contextFor('moderator', { javaScriptEnabled: true, locale: 'en-GB' });
    const page = await context.newPage();
    await page.setViewportSize({ width: 800, height: 1000 });
    const visible = (selector: string) =>
      page.evaluate((s) => Array.from(document.querySelectorAll(s)).filter((e) => e.getClientRects().length > 0).map((e) => `${e.tagName.toLowerCase()}.${e.className}`), selector);
    const screenOnly = 'header nav, .language-switcher, .site-footer, .live-bar, .note-livebar, .ed-toolbar, .note-side, main button, main select, main textarea, main input:not([type=hidden]), main summary';
    const checks: [path: string, content: string][] = [
      [`${SLUG}/q/2/2.4`, '.post-body'],
      [`${SLUG}/case-studies/${ids.caseStudy}`, '.cs-facts'],
      [`${SLUG}/notes/${ids.note}`, '.note-content'],
      [`${SLUG}/moderation/audit`, 'table'],
    ];
    for (const [path, content] of checks) {
      await page.emulateMedia({ media: 'screen' });
      await page.goto(`${suite.app.url}${path}`, { waitUntil: 'networkidle' });
      expect((await visible(screenOnly)).length, `${path} on screen`).toBeGreaterThan(0);
      await page.emulateMedia({ media: 'print' });
      expect(await visible(screenOnly), `${path} printed`).toEqual([]);
      expect(await visible('main h1'), `${path} printed`).toHaveLength(1);
      expect((await visible(`main ${content}`)).length, `${path} printed`).toBeGreaterThan(0);
      expect(await page.locator('.brand-name').isVisible()).toBe(true);
    }
    // A link a participant wrote prints with its address.
    await page.goto(`${suite.app.url}${SLUG}/q/2/2.4`);
    await page.emulateMedia({ media: 'print' });
    const after = await page.evaluate(() => {
      const link = document.querySelector<HTMLAnchorElement>('.post-body a[href^="https://example.org/"]');
      return link ? getComputedStyle(link, '::after').content : null;
    });
    expect(after).toContain('https://example.org/very-long-path-segment-');
    // And the whole printed thread fits the paper's width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    expect((await page.pdf({ format: 'A4' })).length).toBeGreaterThan(1000);
    await context.close();
  });
});
