/**
 * A co-editor in Chromium whose edits the server cannot store: the note's status line says
 * "Not saved — retrying…" instead of "Connected" while saves fail, and goes back once they work.
 */
import { describe, expect, it, vi } from 'vitest';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { createUser } from '../support/sockets';

describe.skipIf(!HAS_CHROMIUM)('a note whose saves fail, in Chromium', () => {
  const suite = browserSuite();

  it('the status line says the edits are not saved while saves fail, and is back to normal after', { timeout: 60_000 }, async () => {
    const { services } = suite.app.server;
    const consultation = (await services.consultations.getDefault())!;
    const moderator = await createUser(suite.app, { role: 'moderator' });
    const noteId = await services.notes.open(moderator.id, consultation.id, { questionId: null, stakeholderGroup: null, title: 'Written on a full disk' });
    const writer = await createUser(suite.app, { name: 'Mariama Sow' });
    const context = await suite.browser.newContext({ locale: 'en-GB' });
    await context.addCookies([{ name: 'palabre_session', value: writer.cookie.split('=')[1]!, url: suite.app.url }]);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${suite.app.url}/c/${consultation.slug}/notes/${noteId}`);
    const status = page.locator('[data-testid=note-connection]');
    await page.locator('[data-testid=note-connection][data-state=connected]').waitFor({ timeout: 15_000 });

    const store = services.noteStore;
    const append = store.append;
    let failing = true;
    store.append = async (id, update) => {
      if (id === noteId && failing) throw new Error('database or disk is full (simulated)');
      return append.call(store, id, update);
    };
    vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await page.locator('[data-testid=note-content]').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('Typed while nothing is saved.');
      await page.locator('[data-testid=note-connection][data-saved=false]').waitFor({ timeout: 10_000 });
      expect(await status.innerText()).toContain('Not saved — retrying…');
    } finally {
      failing = false;
    }
    await page.locator('[data-testid=note-connection][data-saved=true][data-state=connected]').waitFor({ timeout: 15_000 });
    expect(await status.innerText()).toContain('Connected');
    store.append = append;
    vi.restoreAllMocks();
    await expect.poll(async () => (await services.noteDocs.snapshot(noteId)).text).toContain('Typed while nothing is saved.');
    expect(services.noteDocs.pendingCount(noteId)).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
