import { describe, expect, it } from 'vitest';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';

const SLUG = '/c/gfmd-2020-partnerships';

describe.skipIf(!HAS_CHROMIUM)('user journeys in Chromium', () => {
  const suite = browserSuite();

  it('a newcomer registers, signs out and in, switches to English and opens a sub-question thread', { timeout: 60_000 }, async () => {
    const context = await suite.browser.newContext({ locale: 'fr-FR' });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const email = `dakar.${Date.now()}@example.org`;

    await page.goto(`${suite.app.url}/`);
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('fr');
    await page.getByRole('link', { name: 'Créer un compte' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Créer un compte' }).waitFor();

    // A first try with a mistake: the error is announced and what was typed stays.
    await page.getByLabel('Nom complet').fill('Mariama Sow');
    await page.getByLabel('Adresse électronique').fill('mariama-at-example');
    await page.getByLabel('Mot de passe').fill('un mot de passe solide');
    await page.getByLabel('Organisation').fill('Collectif Migrations Dakar');
    await page.getByLabel('Groupe de parties prenantes').selectOption('civil-society');
    await page.getByLabel('Pays').selectOption('SN');
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await page.getByText('Saisissez une adresse électronique valide').first().waitFor();
    expect(await page.getByLabel('Organisation').inputValue()).toBe('Collectif Migrations Dakar');

    await page.getByLabel('Adresse électronique').fill(email);
    await page.getByLabel('Mot de passe').fill('un mot de passe solide');
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await page.getByText('Connecté·e en tant que Mariama Sow').waitFor();

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('link', { name: 'Se connecter' }).first().waitFor();
    await page.getByRole('link', { name: 'Se connecter' }).first().click();
    await page.getByLabel('Adresse électronique').fill(email);
    await page.getByLabel('Mot de passe').fill('un mot de passe solide');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText('Connecté·e en tant que Mariama Sow').waitFor();

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByText('Signed in as Mariama Sow').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    await page.goto(`${suite.app.url}${SLUG}`);
    await page.getByRole('link', { name: /what are the main challenges in implementing migration partnerships/ }).click();
    await page.getByRole('heading', { level: 1, name: /main challenges in implementing/ }).waitFor();
    await page.getByRole('link', { name: /more effective at the local, regional or global level/ }).click();
    await page.getByRole('heading', { level: 1, name: /local, regional or global level/ }).waitFor();
    expect(page.url()).toBe(`${suite.app.url}${SLUG}/q/2/2.4`);
    await page.getByText('No contributions yet.').waitFor();
    // The French original is one click away.
    await page.getByText('Original (Français)').click();
    await expect.poll(() => page.locator('details.original p[lang="fr"]').first().isVisible()).toBe(true);

    expect(errors).toEqual([]);
    await context.close();
  });

  it('the keyboard reaches the content first through the skip link, with a visible focus', async () => {
    const context = await suite.browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${suite.app.url}${SLUG}`);
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await skip.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
    await context.close();
  });
});
