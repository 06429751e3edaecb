/**
 * Case studies and moderation in Chromium: a participant submits a case study through the
 * guided form (the Description editor prompting for a case study), a moderator takes it from
 * the queue to publication and features it, the participant is told of both and finds it in
 * the catalogue. Then axe scans of the form (with errors), the queue, the catalogue, the case
 * study page, the audit log and the notifications.
 */
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM } from '../support/env';
import { clientId, createUser } from '../support/sockets';

const BASE = '/c/gfmd-2020-partnerships';

async function expectAccessible(page: Page, label: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(
    violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    label,
  ).toEqual([]);
}

describe.skipIf(!HAS_CHROMIUM)('case studies and moderation in Chromium', () => {
  const suite = browserSuite();

  async function contextFor(role: 'participant' | 'moderator', name: string, locale = 'en-GB'): Promise<BrowserContext> {
    const user = await createUser(suite.app, { name, role });
    const context = await suite.browser.newContext({ locale });
    await context.addCookies([{ name: 'palabre_session', value: user.cookie.split('=')[1]!, url: suite.app.url }]);
    return context;
  }

  it('from submission by a participant to publication by a moderator', { timeout: 90_000 }, async () => {
    const [authorContext, moderatorContext] = await Promise.all([contextFor('participant', 'Mariama Sow'), contextFor('moderator', 'Lucía Fernández')]);
    const author = await authorContext.newPage();
    const moderator = await moderatorContext.newPage();
    const authorErrors = watchErrors(author);
    const moderatorErrors = watchErrors(moderator);

    await author.goto(`${suite.app.url}${BASE}/case-studies`);
    await author.getByRole('link', { name: 'Submit a case study' }).first().click();
    await author.getByLabel('Title', { exact: false }).first().fill('Information points for departing workers in Dakar');
    await author.getByLabel('Summary', { exact: false }).fill('Neighbourhood information points tell departing workers their rights.');
    const editor = author.locator('.ed-input');
    await editor.waitFor();
    // The case study's own prompt, not a thread's ("Share your experience…").
    expect(await editor.getAttribute('aria-placeholder')).toBe('Describe the partnership: who works together, for whom, and how…');
    expect(await author.locator('.ed-placeholder').textContent()).toBe('Describe the partnership: who works together, for whom, and how…');
    await editor.click();
    await author.keyboard.type('Run jointly by the city and a workers’ collective.');
    await author.locator('[name="partners[0].name"]').fill('City of Dakar');
    await author.locator('[name="partners[0].group"]').selectOption('local-government');
    await author.locator('select[name="implementation"]').selectOption(['SN']);
    await author.locator('select[name="destination"]').selectOption(['ES', 'IT']);
    await author.locator('input[name="level"][value="local"]').check();
    await author.locator('input[name="themes"][value="protection"]').check();
    await author.locator('input[name="sdgTargets"][value="10.7"]').check();
    await author.locator('input[name="stage"][value="implementing"]').check();
    await author.locator('[name="results"]').fill('4,000 visits in the first year.');
    await author.locator('[name="worked"]').fill('Trusted local staff.');
    await author.locator('[name="didNotWork"]').fill('Opening hours did not suit shift workers.');
    await author.locator('input[name="subQuestions"]').first().check();
    await author.getByRole('button', { name: 'Submit for review' }).click();
    await author.getByText('Your case study has been submitted for review.').waitFor();
    const url = author.url();
    const id = Number(/case-studies\/(\d+)/.exec(url)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(await author.locator('.post-body, .case-study-body').first().innerHTML()).toContain('Run jointly by the city');

    // The moderator finds it in the queue and takes it through review to publication.
    await moderator.goto(`${suite.app.url}${BASE}/moderation?tab=case-studies`);
    await moderator.getByRole('link', { name: 'Information points for departing workers in Dakar' }).click();
    for (const step of ['Start the review', 'Mark as verified', 'Publish']) {
      await moderator.getByRole('button', { name: step, exact: true }).click();
      await moderator.waitForLoadState('networkidle');
    }
    await expect.poll(async () => (await suite.app.server.database.db.selectFrom('caseStudies').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('published');

    // Featured on its sub-question (1.1, the first one ticked).
    await moderator.getByRole('button', { name: 'Feature on 1.1' }).click();
    await moderator.getByRole('button', { name: 'Stop featuring on 1.1' }).waitFor();

    // The author is told of both, and anyone finds it in the catalogue, filtered by its theme.
    await author.goto(`${suite.app.url}/notifications`);
    await author.getByText('Information points for departing workers in Dakar', { exact: false }).first().waitFor();
    await author.getByText('is now featured in the thread of sub-question 1.1', { exact: false }).waitFor();
    const visitor = await suite.browser.newContext({ locale: 'en-GB' });
    const catalogue = await visitor.newPage();
    await catalogue.goto(`${suite.app.url}${BASE}/case-studies?theme=protection`);
    await catalogue.getByRole('link', { name: 'Information points for departing workers in Dakar' }).waitFor();
    expect([...authorErrors, ...moderatorErrors]).toEqual([]);
    await Promise.all([authorContext.close(), moderatorContext.close(), visitor.close()]);
  });

  it('the form, queue, catalogue, case study page, audit log and notifications pass axe scans', { timeout: 90_000 }, async () => {
    const participant = await contextFor('participant', 'Priya Raman');
    const moderatorContext = await contextFor('moderator', 'Jonas Okafor');
    const page = await participant.newPage();
    const errors = watchErrors(page);

    // A flagged post, so the queue has something in it.
    const thread = `${suite.app.url}${BASE}/q/2/2.4`;
    const writer = await createUser(suite.app, { name: 'Ana Reyes' });
    const { id: threadId } = (await suite.app.server.services.consultations.getThread((await suite.app.server.services.consultations.getDefault())!.id, '2.4'))!;
    const post = await suite.app.server.services.posts.create(writer.id, { threadId, clientId: clientId(), text: 'Flag me please' }, 'en');
    await page.goto(thread);
    await page.locator(`#post-${post.id}`).getByRole('link', { name: 'Report' }).click();
    await page.locator(`#post-${post.id} select[name="reason"]`).selectOption('off_topic');
    await page.locator(`#post-${post.id} button[type="submit"]`, { hasText: /report/i }).click();
    await page.getByText(/moderators will/i).first().waitFor();

    await page.goto(`${suite.app.url}${BASE}/case-studies/new`);
    await page.getByLabel('Title', { exact: false }).first().fill('Incomplete');
    await page.locator('[name="results"]').fill('Kept after the error');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.locator('.error-summary').waitFor();
    expect(await page.locator('[name="results"]').inputValue()).toBe('Kept after the error');
    await expectAccessible(page, 'form with errors');
    await page.goto(`${suite.app.url}/notifications`);
    await expectAccessible(page, 'notifications');
    await page.goto(`${suite.app.url}${BASE}/case-studies`);
    await expectAccessible(page, 'catalogue');

    const moderator = await moderatorContext.newPage();
    const moderatorErrors = watchErrors(moderator);
    await moderator.goto(`${suite.app.url}${BASE}/moderation`);
    await moderator.getByText('Flag me please').waitFor();
    await expectAccessible(moderator, 'flags queue');
    await moderator.goto(`${suite.app.url}${BASE}/moderation/audit`);
    await expectAccessible(moderator, 'audit log');
    // A submitted case study in the queue, then its page with the review panel.
    const { caseStudies, consultations } = suite.app.server.services;
    const consultation = (await consultations.getDefault())!;
    const subQuestion = (await consultations.getThread(consultation.id, '2.4'))!.subQuestion!;
    const study = await caseStudies.save(
      writer.id,
      consultation.id,
      {
        title: 'Skills passports for returning workers',
        summary: 'Returning workers get their skills certified.',
        text: 'Certification centres in three regions.',
        partners: [{ name: 'Training authority', group: 'government' }],
        implementation: ['PH'],
        level: 'regional',
        themes: ['skills'],
        stage: 'evaluating',
        funding: [{ source: 'Ministry', amount: '150000', currency: 'USD' }],
        results: '2,000 certificates.',
        worked: 'Employers trusted the passport.',
        didNotWork: 'Rural coverage.',
        subQuestions: [String(subQuestion.id)],
        attribution: 'chatham',
        language: 'en',
      },
      { submit: true },
    );
    await moderator.goto(`${suite.app.url}${BASE}/moderation?tab=case-studies`);
    await moderator.getByRole('link', { name: 'Skills passports for returning workers' }).waitFor();
    await expectAccessible(moderator, 'case studies queue');
    await moderator.goto(`${suite.app.url}${BASE}/case-studies/${study}`);
    await moderator.getByRole('button', { name: 'Start the review', exact: true }).waitFor();
    await expectAccessible(moderator, 'case study page with the review panel');
    expect([...errors, ...moderatorErrors]).toEqual([]);
    await Promise.all([participant.close(), moderatorContext.close()]);
  });
});
