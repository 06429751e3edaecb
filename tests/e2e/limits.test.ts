/**
 * A form post over the size limit, in a real browser: Chromium shows the 413 page in the
 * reader's language, not "connection reset", even while it is still uploading when the server
 * answers.
 */
import { describe, expect, it } from 'vitest';
import fr from '../../app/i18n/locales/fr.json';
import { browserSuite } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { createUser } from '../support/sockets';

const PATH = '/c/gfmd-2020-partnerships/q/2/2.4';

describe.skipIf(!HAS_CHROMIUM)('a form post over the limit in Chromium', () => {
  const suite = browserSuite();

  it('shows the page in French with a link back to the form', { timeout: 60_000 }, async () => {
    const user = await createUser(suite.app);
    const context = await suite.browser.newContext({ locale: 'fr-FR' });
    await context.addCookies([{ name: 'palabre_session', value: user.cookie.split('=')[1], url: suite.app.url }]);
    const page = await context.newPage();
    await page.goto(`${suite.app.url}${PATH}`);
    for (const megabytes of [1, 6]) {
      // The thread's own form, as the composer's fallback sends it, with far too much text.
      const answer = page.waitForResponse((res) => res.request().method() === 'POST');
      await page.evaluate((size) => {
        const form = document.createElement('form');
        form.method = 'post';
        for (const [name, value] of [['intent', 'create'], ['clientId', `too-large-${size}`], ['text', 'x'.repeat(size)]]) {
          const input = document.createElement('input');
          input.type = 'hidden';
          input.name = name;
          input.value = value;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      }, megabytes * 1024 * 1024);
      expect((await answer).status()).toBe(413);
      await page.getByRole('heading', { name: fr.errors.tooLargeTitle }).waitFor();
      expect(await page.getByText(fr.errors.tooLargeText).isVisible()).toBe(true);
      await page.getByRole('link', { name: fr.errors.pageBack }).click();
      await page.waitForURL(`${suite.app.url}${PATH}`);
    }
    await context.close();
  });
});
