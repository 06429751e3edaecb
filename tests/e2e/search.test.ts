/**
 * Search (issue 15) in Chromium, against the real search service (`services.search`): a
 * participant finds an accented French post typing the word without its accents; a facet link
 * narrows the results and its "remove" link widens them again; the pagination links; the header's
 * search box works without JavaScript; a 10,000-character query is told it is too long (no error
 * page); axe finds nothing; and the page reflows at 320 px in French, English and Spanish.
 *
 * On the demo content, plus posts of its own written through the posts service (so that the
 * search indexes them as it indexes any post): 22 mentioning « vendangeurs » in thread 2.4 by a
 * civil-society participant from Senegal, 3 in thread 1.1 by a business participant from Spain.
 */
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../db/seeds/demo';
import { seedDemoPosts } from '../../db/seeds/demo-posts';
import { browserSuite, hydrated, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { findOverflow } from '../support/overflow';
import { clientId, createUser, threadId } from '../support/sockets';

const SLUG = '/c/gfmd-2020-partnerships';
const SEARCH = `${SLUG}/search`;
/** The word the facet and pagination checks search: 25 posts hold it, none of the demo's. */
const WORD = 'vendangeurs';

describe.skipIf(!HAS_CHROMIUM)('search (issue 15) in Chromium', () => {
  // Posts are written quickly here: the per-author limit must not refuse them.
  const suite = browserSuite({ POSTS_PER_MINUTE: '1000' });
  let cookie = '';
  let accentedPost = 0;

  beforeAll(async () => {
    const { services, database } = suite.app.server;
    const consultation = (await services.consultations.getDefault())!;
    await seedDemo(database.db, consultation.id);
    await seedDemoPosts(database.db, consultation.id);
    const participant = await createUser(suite.app, { name: 'Awa Ndiaye', stakeholderGroup: 'civil-society', country: 'SN' });
    const other = await createUser(suite.app, { name: 'Carmen Ruiz', stakeholderGroup: 'business', country: 'ES' });
    cookie = participant.cookie.split('=')[1]!;
    const [thread24, thread11] = await Promise.all([threadId(suite.app, '2.4'), threadId(suite.app, '1.1')]);
    const post = (authorId: string, threadId: number, text: string) =>
      services.posts.create(authorId, { threadId, clientId: clientId(), text, language: 'fr' }, 'fr');
    accentedPost = (await post(participant.id, thread24, 'La sécurité sociale des travailleurs migrants doit les suivre d’un pays à l’autre.')).id;
    for (let i = 1; i <= 22; i++) await post(participant.id, thread24, `Les ${WORD} saisonniers, témoignage numéro ${i} : logement et contrats.`);
    for (let i = 1; i <= 3; i++) await post(other.id, thread11, `Recruter des ${WORD} à l’étranger, étape ${i} : visas et transport.`);
  });

  async function contextFor(options: { locale: string; javaScriptEnabled?: boolean; width?: number; signedIn?: boolean }): Promise<BrowserContext> {
    const context = await suite.browser.newContext({
      locale: options.locale,
      javaScriptEnabled: options.javaScriptEnabled ?? true,
      viewport: { width: options.width ?? 1280, height: 800 },
    });
    if (options.signedIn ?? true) await context.addCookies([{ name: 'palabre_session', value: cookie, url: suite.app.url }]);
    return context;
  }

  async function expectAccessible(page: Page, label: string) {
    const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    expect(
      violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
      label,
    ).toEqual([]);
  }

  const status = (page: Page) => page.getByRole('status').filter({ hasText: /résultat|result|resultado/ });

  it('a participant types a French word without its accents and finds the accented post', { timeout: 60_000 }, async () => {
    const context = await contextFor({ locale: 'fr-FR' });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${suite.app.url}${SLUG}`);
    // The header's box (wide: at the end of the navigation row).
    const box = page.getByRole('search', { name: 'Rechercher dans la consultation' }).getByRole('searchbox', { name: 'Rechercher dans la consultation' });
    await box.fill('securite sociale');
    await box.press('Enter');
    await page.waitForURL(/\/search\?q=securite/);
    await page.getByRole('heading', { level: 1, name: 'Recherche' }).waitFor();
    expect(await page.getByRole('searchbox', { name: 'Mots à rechercher' }).inputValue()).toBe('securite sociale');
    await expect.poll(() => status(page).textContent()).toBe('1 résultat');
    const hit = page.locator('.search-hit');
    expect(await hit.count()).toBe(1);
    expect(await hit.locator('mark').allTextContents()).toEqual(expect.arrayContaining(['sécurité']));
    expect(await hit.locator('.search-snippet').getAttribute('lang')).toBe('fr');
    expect(await hit.locator('.search-snippet').innerHTML()).not.toContain('&lt;');
    await hit.getByRole('heading', { level: 3 }).getByRole('link').click();
    await page.waitForURL(new RegExp(`/q/2/2\\.4.*#post-${accentedPost}$`));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a facet link narrows the results, its "remove" link widens them, pagination links move through pages', { timeout: 60_000 }, async () => {
    const context = await contextFor({ locale: 'en-GB' });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${suite.app.url}${SEARCH}?q=${WORD}`);
    await expect.poll(() => status(page).textContent()).toBe('25 results');
    expect(await page.locator('.search-hit').count()).toBe(20);
    const pages = page.getByRole('navigation', { name: 'Pages of results' });
    expect(await pages.textContent()).toContain('Page 1 of 2');
    expect(await pages.getByRole('link', { name: 'Next page' }).getAttribute('rel')).toBe('next');
    await pages.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(/page=2/);
    await expect.poll(() => pages.textContent()).toContain('Page 2 of 2');
    expect(await page.locator('.search-hit').count()).toBe(5);
    expect(await pages.getByRole('link', { name: 'Previous page' }).getAttribute('rel')).toBe('prev');

    // Choosing sub-question 1.1 (from page 2: the filter takes the search back to page 1).
    const filters = page.getByRole('region', { name: 'Filter the results' });
    await filters.getByRole('link', { name: /^Sub-question 1\.1/ }).click();
    await page.waitForURL((url) => url.searchParams.get('subQuestion') === '1.1' && !url.searchParams.has('page'));
    await expect.poll(() => status(page).textContent()).toBe('3 results');
    expect(await filters.locator('[aria-current="true"]').textContent()).toMatch(/^Sub-question 1\.1/);
    expect(await page.locator('.search-hit .search-hit-where').allTextContents()).toEqual(Array(3).fill(expect.stringMatching(/^Sub-question 1\.1/)));
    await expectAccessible(page, 'results with a filter chosen');
    await filters.getByRole('link', { name: /^Remove the filter Sub-question: Sub-question 1\.1/ }).click();
    await expect.poll(() => status(page).textContent()).toBe('25 results');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('without JavaScript, the header box searches, facets and pages are plain links', { timeout: 60_000 }, async () => {
    const context = await contextFor({ locale: 'es-ES', javaScriptEnabled: false, width: 320 });
    const page = await context.newPage();
    await page.goto(`${suite.app.url}${SLUG}`);
    // Narrow, the box is in the menu: opened with the keyboard.
    await page.locator('summary.site-menu-toggle').focus();
    await page.keyboard.press('Enter');
    const box = page.getByRole('searchbox', { name: 'Buscar en la consulta' });
    await box.fill(WORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/search\\?q=${WORD}`));
    expect(await status(page).textContent()).toBe('25 resultados');
    await page.getByRole('region', { name: 'Filtrar los resultados' }).getByRole('link', { name: /^Empresas/ }).click();
    expect(await status(page).textContent()).toBe('3 resultados');
    await page.goto(`${suite.app.url}${SEARCH}?q=${WORD}`);
    await page.getByRole('link', { name: 'Página siguiente' }).click();
    expect(await page.getByRole('navigation', { name: 'Páginas de resultados' }).textContent()).toContain('Página 2 de 2');
    await context.close();
  });

  it('a 10,000-character query is told it is too long, not answered with an error page', { timeout: 60_000 }, async () => {
    const context = await contextFor({ locale: 'en-GB' });
    const page = await context.newPage();
    const errors = watchErrors(page);
    // The form alone: `?q=` would show the empty query's message under the same id, and a slow
    // navigation would let the check below read that one (it did, once, under a full run's load).
    await page.goto(`${suite.app.url}${SEARCH}`);
    const field = page.getByRole('searchbox', { name: 'Words to search for' });
    await field.fill('migration '.repeat(1000));
    await Promise.all([page.waitForURL(/q=migration/), field.press('Enter')]);
    const message = page.locator('#search-problem');
    await message.waitFor();
    expect(await message.textContent()).toBe('This search is too long: 256 characters at most. Shorten it and try again.');
    expect(await page.locator('.search-hit').count()).toBe(0);
    // The same by the address alone, and a bad page number and unknown filters are ignored.
    const response = await page.goto(`${suite.app.url}${SEARCH}?q=${'x'.repeat(10_000)}&page=-4&kind=nonsense&month=2026-13`);
    expect(response?.status()).toBe(200);
    await page.locator('#search-problem').waitFor();
    const clamped = await page.goto(`${suite.app.url}${SEARCH}?q=${WORD}&page=abc&country=ZZ`);
    expect(clamped?.status()).toBe(200);
    expect(await status(page).textContent()).toBe('25 results');
    // Its hydration too is watched (and the marker the watched `goto` waits for is there).
    await hydrated(page);
    expect(await page.getAttribute('html', 'data-hydrated')).toBe('true');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the search page passes an axe scan, before and after a search', { timeout: 60_000 }, async () => {
    const context = await contextFor({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${suite.app.url}${SEARCH}`);
    await expectAccessible(page, 'empty search page');
    await page.goto(`${suite.app.url}${SEARCH}?q=${WORD}&group=business`);
    await expectAccessible(page, 'results');
    await page.goto(`${suite.app.url}${SEARCH}?q=""`);
    await expectAccessible(page, 'a problem');
    await context.close();
  });

  it.each(['fr-FR', 'en-GB', 'es-ES'])('the search page fits 320 px without sideways scrolling (%s)', { timeout: 60_000 }, async (locale) => {
    const context = await contextFor({ locale, width: 320 });
    const page = await context.newPage();
    const found: string[] = [];
    for (const path of [SEARCH, `${SEARCH}?q=${WORD}&subQuestion=1.1&country=ES`, `${SEARCH}?q=${WORD}&page=2`, `${SEARCH}?q=${'y'.repeat(400)}`]) {
      expect((await page.goto(`${suite.app.url}${path}`, { waitUntil: 'networkidle' }))?.status(), path).toBe(200);
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
      found.push(...(await page.evaluate(findOverflow)).map((line) => `${path}: ${line}`));
    }
    expect(found).toEqual([]);
    await context.close();
  });
});
