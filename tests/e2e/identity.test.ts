/**
 * In one tab, without reloading: Amina signs out and Karim signs in through the forms, then
 * posts. The post is Karim's: the live connection follows the signed-in user (docs/decisions/0010).
 */
import { describe, expect, it } from 'vitest';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { createUser } from '../support/sockets';

const PATH = '/c/gfmd-2020-partnerships/q/2/2.4';

describe.skipIf(!HAS_CHROMIUM)('the live connection follows the signed-in user', () => {
  const suite = browserSuite();

  it('one tab: sign out, sign in as someone else, post: the post is the new user’s', { timeout: 60_000 }, async () => {
    const amina = await createUser(suite.app, { name: 'Amina Diallo', organisation: 'Amina Org' });
    const karim = await createUser(suite.app, { name: 'Karim Haddad', organisation: 'Karim Org' });
    const context = await suite.browser.newContext({ locale: 'en-GB' });
    await context.addCookies([{ name: 'palabre_session', value: amina.cookie.split('=')[1]!, url: suite.app.url }]);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${suite.app.url}${PATH}`);
    await page.getByText('Live', { exact: false }).first().waitFor();
    await page.locator('.ed-input').waitFor();
    await page.evaluate(() => ((window as unknown as { sameTab: boolean }).sameTab = true)); // gone if the page reloads

    // Sign out from the header (a form post; Remix follows the redirect without reloading).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    // Back to the thread as a link would take there: a client-side navigation, no reload.
    await page.evaluate((path) => (window as unknown as { __remixRouter: { navigate(to: string): void } }).__remixRouter.navigate(path), PATH);
    await page.waitForURL(`**${PATH}`);
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByLabel('Email address').fill(karim.email);
    await page.getByLabel('Password').fill(karim.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**${PATH}`);

    const editor = page.locator('.ed-input');
    await editor.waitFor();
    await page.getByText('Live', { exact: false }).first().waitFor();
    await editor.click();
    await page.keyboard.type('Posted after switching accounts.');
    await page.getByLabel('Show this contribution').first().selectOption('named');
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    const post = page.locator('.post', { hasText: 'Posted after switching accounts.' });
    await post.waitFor({ timeout: 10_000 });
    expect(await post.textContent()).toContain('Karim Haddad');
    expect(await post.textContent()).not.toContain('Amina');

    const row = await suite.app.server.database.db
      .selectFrom('posts')
      .select('authorId')
      .where('bodyText', '=', 'Posted after switching accounts.')
      .executeTakeFirstOrThrow();
    expect(row.authorId).toBe(karim.id);
    expect(await page.evaluate(() => (window as unknown as { sameTab?: boolean }).sameTab)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a note shows a Chatham House co-editor by stakeholder group only, until they choose to be named there', { timeout: 60_000 }, async () => {
    const { services } = suite.app.server;
    const consultation = (await services.consultations.getDefault())!;
    const question = (await services.consultations.getQuestion(consultation.id, '5'))!;
    const moderator = await createUser(suite.app, { name: 'Note Opener', role: 'moderator' });
    const noteId = await services.notes.open(moderator.id, consultation.id, { questionId: question.id, stakeholderGroup: null, title: 'Presence in a note' });
    const url = `${suite.app.url}/c/${consultation.slug}/notes/${noteId}`;
    const canary = await createUser(suite.app, { name: 'Zora Canary', organisation: 'Canary Holdings', stakeholderGroup: 'business' });
    await services.accounts.setDefaultAttribution(canary.id, 'chatham');
    const observer = await createUser(suite.app, { name: 'Olu Observer' });
    const contexts = await Promise.all(
      [canary, observer].map(async (user) => {
        const context = await suite.browser.newContext({ locale: 'en-GB' });
        await context.addCookies([{ name: 'palabre_session', value: user.cookie.split('=')[1]!, url: suite.app.url }]);
        return context;
      }),
    );
    const [c, o] = await Promise.all(contexts.map((context) => context.newPage()));
    const frames: string[] = [];
    o!.on('websocket', (ws) => ws.on('framereceived', (frame) => frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('latin1'))));
    await Promise.all([c!.goto(url), o!.goto(url)]);
    for (const page of [c!, o!]) await page.locator('[data-testid=note-connection][data-state=connected]').waitFor({ timeout: 15_000 });

    // Names and organisations are isolated in the labels (U+2068…U+2069): compare without them.
    const people = { allInnerTexts: async () => (await o!.locator('[data-testid=note-person]').allInnerTexts()).map((t) => t.replace(/[\u2066-\u2069]/g, '')) };
    await expect.poll(() => people.allInnerTexts(), { timeout: 10_000 }).toContain('A participant from Business');
    expect(await c!.locator('[data-testid=note-person][data-self]').innerText()).toBe('A participant from Business (you)');
    expect((await o!.content()) + frames.join('')).not.toMatch(/Zora Canary|Canary Holdings/);
    expect(frames.join('')).not.toContain(canary.id);

    // Chosen in the note: named there, as a new presence.
    await c!.getByLabel('Show me to co-editors as').selectOption('named');
    await expect.poll(() => people.allInnerTexts(), { timeout: 10_000 }).toContain('Zora Canary, Canary Holdings');
    await expect.poll(() => people.allInnerTexts(), { timeout: 10_000 }).not.toContain('A participant from Business');
    expect(frames.join('')).not.toContain(canary.id);
    await Promise.all(contexts.map((context) => context.close()));
  });

  it('a tab whose cookie now signs in someone else shows and acts as them, never under the name it showed', { timeout: 60_000 }, async () => {
    const julien = await createUser(suite.app, { name: 'Julien Stale Tab' });
    const canary = await createUser(suite.app, { name: 'Canary Stale Tab', organisation: 'Canary Stale Org' });
    await suite.app.server.services.accounts.setDefaultAttribution(canary.id, 'chatham');
    const context = await suite.browser.newContext({ locale: 'en-GB' });
    await context.addCookies([{ name: 'palabre_session', value: julien.cookie.split('=')[1]!, url: suite.app.url }]);
    const page = await context.newPage();
    await page.goto(`${suite.app.url}${PATH}`);
    await page.getByText('Live', { exact: false }).first().waitFor();
    await page.getByText('Julien Stale Tab').first().waitFor();

    // Another tab signs the canary in, without signing Julien out; then this tab's connection drops.
    const signIn = await context.request.post(`${suite.app.url}/sign-in`, {
      form: { email: canary.email, password: canary.password, redirectTo: '/' },
      headers: { origin: suite.app.url },
      maxRedirects: 0,
    });
    expect(signIn.status()).toBe(302);
    await context.setOffline(true); // the connection drops (a train tunnel, a laptop lid)
    await page.locator('.live-bar:not(.live-connected)').waitFor({ timeout: 15_000 });
    await context.setOffline(false);

    // The page reloads its data: it now shows the canary, with the canary's own default attribution.
    await page.getByText('Canary Stale Tab').first().waitFor({ timeout: 20_000 });
    expect(await page.getByText('Julien Stale Tab').count()).toBe(0);
    await page.getByText('Live', { exact: false }).first().waitFor();
    expect(await page.getByLabel('Show this contribution').first().inputValue()).toBe('chatham');
    await context.close();
  });

  it('a contribution written offline is sent when the connection returns, and never lost', { timeout: 60_000 }, async () => {
    const ana = await createUser(suite.app, { name: 'Ana Offline' });
    const context = await suite.browser.newContext({ locale: 'en-GB' });
    await context.addCookies([{ name: 'palabre_session', value: ana.cookie.split('=')[1]!, url: suite.app.url }]);
    const page = await context.newPage();
    await page.goto(`${suite.app.url}${PATH}`);
    await page.getByText('Live', { exact: false }).first().waitFor();
    const editor = page.locator('.ed-input');
    await editor.waitFor();
    await context.setOffline(true);
    await page.locator('.live-bar:not(.live-connected)').waitFor({ timeout: 15_000 });
    await editor.click();
    await page.keyboard.type('Written on the train.');
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await context.setOffline(false);
    await page.locator('.post-body', { hasText: 'Written on the train.' }).waitFor({ timeout: 30_000 });
    expect(page.url()).toContain(PATH); // no error page: the form was not posted offline
    const rows = await suite.app.server.database.db.selectFrom('posts').select('id').where('bodyText', '=', 'Written on the train.').execute();
    expect(rows).toHaveLength(1);
    await context.close();
  });
});
