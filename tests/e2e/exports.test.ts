/**
 * Exports in Chromium (issue 13): a rapporteur downloads a synthesis note as Word and PDF from
 * the note page (the files are opened: the DOCX's XML holds the text and the citation as a real
 * footnote, the PDF's text layer the same); the consultation report in Spanish as PDF through
 * the background job with its progress in the status region (a double click starts one job),
 * and as Word without JavaScript (the same form, a plain GET); a participant sees the note's
 * downloads but no report form and no data links; axe scans and 320 px reflow of both pages.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import JSZip from 'jszip';
import type { BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOverflow } from '../support/overflow';
import { browserSuite, watchErrors } from '../support/browser';
import { HAS_CHROMIUM, HAS_POPPLER } from '../support/env';
import { clientId, createUser, threadId } from '../support/sockets';

const run = promisify(execFile);
const SLUG = 'gfmd-2020-partnerships';
const CITED = 'Employers recognise skills regionally, while local offices apply them.';
const NOTE_TEXT = 'Cities lead the partnerships on skills';

// A note's Lexical JSON, as the editor stores it (as tests/db/exports-report.test.ts writes it).
const element = { direction: 'ltr', format: '', indent: 0, version: 1 };
const plain = (text: string) => ({ type: 'text', text, format: 0, detail: 0, mode: 'normal', style: '', version: 1 });
const cite = (id: number) => ({ type: 'citation', text: `[${id}]`, kind: 'post', targetId: id, format: 0, detail: 0, mode: 'token', style: '', version: 1 });
const para = (...children: object[]) => ({ ...element, type: 'paragraph', textFormat: 0, textStyle: '', children });
const documentOf = (...children: object[]) => JSON.stringify({ root: { ...element, type: 'root', children } });

/** The text of a WordprocessingML part, runs joined (a sentence may be split over several runs). */
const xmlText = (xml: string) => xml.replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'");

async function axeViolations(builder: AxeBuilder) {
  const { violations } = await builder.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}


describe.skipIf(!HAS_CHROMIUM || !HAS_POPPLER)('exports in Chromium', () => {
  const suite = browserSuite();
  let dir = '';
  let noteUrl = '';
  let cited = 0;
  let rapporteur: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'palabre-exports-e2e-'));
    const { services } = suite.app.server;
    const consultation = (await services.consultations.getDefault())!;
    const question = (await services.consultations.getQuestion(consultation.id, '3'))!;
    rapporteur = await createUser(suite.app, { name: 'Lucía Fernández', role: 'rapporteur', stakeholderGroup: 'government' });
    const moderator = await createUser(suite.app, { name: 'Aïssatou Ndiaye', role: 'moderator' });
    const author = await createUser(suite.app, { name: 'Hidden Author', organisation: 'Hidden Org', stakeholderGroup: 'civil-society' });
    cited = (await services.posts.create(author.id, { threadId: await threadId(suite.app, '3.2'), clientId: clientId(), text: CITED, attribution: 'chatham' }, 'en')).id;
    const noteId = await services.notes.open(moderator.id, consultation.id, { questionId: question.id, stakeholderGroup: null, title: 'Question 3: synthesis' });
    await services.noteDocs.replace(noteId, documentOf(para(plain(`${NOTE_TEXT} `), cite(cited), plain('.'))));
    noteUrl = `${suite.app.url}/c/${consultation.slug}/notes/${noteId}`;
  }, 30_000);
  afterAll(() => dir && fs.rm(dir, { recursive: true, force: true }));

  async function contextFor(user: { cookie: string }, options: { javaScriptEnabled?: boolean; viewport?: { width: number; height: number }; locale?: string } = {}): Promise<BrowserContext> {
    const context = await suite.browser.newContext({ locale: 'en-GB', acceptDownloads: true, ...options });
    await context.addCookies([{ name: 'palabre_session', value: user.cookie.split('=')[1]!, url: suite.app.url }]);
    return context;
  }

  async function saved(download: Download, name: string): Promise<Buffer> {
    const file = path.join(dir, name);
    await download.saveAs(file);
    return fs.readFile(file);
  }

  async function pdfText(bytes: Buffer, name: string): Promise<string> {
    const file = path.join(dir, name);
    await fs.writeFile(file, bytes);
    return (await run('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout.replace(/\s+/g, ' ');
  }

  const reportAudits = () =>
    suite.app.server.services.db.selectFrom('auditLog').select(['details']).where('action', '=', 'export.report').where('actorId', '=', rapporteur.id).execute();

  it('a rapporteur downloads the note as Word (real footnote) and as PDF', { timeout: 30_000 }, async () => {
    const context = await contextFor(rapporteur);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(noteUrl);
    const downloads = page.getByRole('region', { name: 'Download this note' });
    await downloads.waitFor();

    const [docx] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('link', { name: 'Word (.docx)' }).click()]);
    expect(docx.suggestedFilename()).toBe('palabre-q3-synthesis-en.docx');
    const zip = await JSZip.loadAsync(await saved(docx, 'note.docx'));
    const body = xmlText(await zip.file('word/document.xml')!.async('string'));
    expect(body).toContain(NOTE_TEXT);
    const footnotes = xmlText(await zip.file('word/footnotes.xml')!.async('string'));
    expect(footnotes).toContain(CITED);
    expect(footnotes).toContain('sub-question 3.2');
    // A Chatham House author: their group, never their name.
    expect(footnotes).not.toContain('Hidden');

    const [pdf] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('link', { name: 'PDF' }).click()]);
    expect(pdf.suggestedFilename()).toBe('palabre-q3-synthesis-en.pdf');
    const bytes = await saved(pdf, 'note.pdf');
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = await pdfText(bytes, 'note-text.pdf');
    expect(text).toContain(NOTE_TEXT);
    expect(text).toContain(CITED);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('with JavaScript, the report form shows the job’s progress and downloads the Spanish PDF once, however often it is clicked', { timeout: 30_000 }, async () => {
    const before = (await reportAudits()).length;
    const context = await contextFor(rapporteur);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const posts: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && new URL(r.url()).pathname === `/c/${SLUG}/exports` && posts.push(r.url()));
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    await page.goto(`${suite.app.url}/c/${SLUG}`);
    const form = page.getByTestId('downloads-report');
    await form.getByRole('button', { name: 'PDF' }).waitFor();
    // Hydrated: the submit handler is React's (a click before it would be a plain GET).
    await page.waitForFunction(() => document.querySelector('[data-testid=report-pdf]') && Object.keys(document.querySelector('[data-testid=report-pdf]')!).some((k) => k.startsWith('__react')));

    // Every text the status region shows, however briefly.
    await page.evaluate(() => {
      const status = document.querySelector('[data-testid=report-status]')!;
      const seen: string[] = [];
      (window as unknown as { statusTexts: string[] }).statusTexts = seen;
      new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, { subtree: true, childList: true, characterData: true });
    });
    await form.getByLabel('Language of the report').selectOption('es');
    const first = page.waitForEvent('download');
    await form.getByRole('button', { name: 'PDF' }).dblclick();
    const pdf = await first;
    expect(pdf.suggestedFilename()).toMatch(/^palabre-.+-report-es\.pdf$/);
    const texts = await page.evaluate(() => (window as unknown as { statusTexts: string[] }).statusTexts);
    expect(texts.some((t) => /Preparing the file…|\(\d+ of \d+\)/.test(t)), texts.join(' | ')).toBe(true);
    // The stages are named in the page's language (English here), whatever the report's.
    for (const t of texts.filter((t) => /\(\d+ of \d+\)/.test(t))) expect(t).toMatch(/^(Background note|Questions|Notes on the whole consultation|Case studies|Sources cited|Statistics|Laying out the pages) \(/);
    await form.getByRole('status').getByText('The file is ready; your download starts.').waitFor();

    const text = await pdfText(await saved(pdf, 'report.pdf'), 'report-text.pdf');
    expect(text).toContain('Informe de la consulta');
    expect(text).toContain('Índice');
    // One job for the double click: one request, one file, one audit row.
    await page.waitForTimeout(1_000);
    expect(posts).toHaveLength(1);
    expect(downloads).toHaveLength(1);
    const audits = await reportAudits();
    expect(audits.length - before).toBe(1);
    expect(JSON.parse(String(audits.at(-1)!.details))).toMatchObject({ format: 'pdf', language: 'es' });
    expect(errors).toEqual([]);
    await context.close();
  });

  // The page asked for the job's state again every 2 s, for ever, when the server answered that
  // there was no such job for this person (after a restart, or once signed out in another tab):
  // its progress stayed on "Preparing the file…" and it never said what had happened.
  it('when its job is gone for this person (signed out in another tab), the report form says so and stops asking', { timeout: 40_000 }, async () => {
    const { exportPool } = suite.app.server.services;
    // A long render ahead in the (one-worker) pool keeps the page's job waiting meanwhile.
    const long = exportPool.render({
      kind: 'document',
      format: 'pdf',
      document: {
        language: 'en',
        properties: { title: 'Long', subject: '', version: '', keywords: [] },
        restrictedBanner: null,
        labels: { contents: 'Contents', page: 'Page', footnotes: 'Notes' },
        blocks: Array.from({ length: 4000 }, (_, i) => ({ type: 'paragraph' as const, children: [{ type: 'text' as const, text: `Paragraph ${i}: partnerships on skills and diplomas.` }] })),
        footnotes: [],
      },
    });
    const context = await contextFor(rapporteur);
    const page = await context.newPage();
    const polls: number[] = [];
    page.on('request', (r) => /\/exports\/[\w-]+$/.test(new URL(r.url()).pathname) && polls.push(Date.now()));
    await page.goto(`${suite.app.url}/c/${SLUG}`);
    const form = page.getByTestId('downloads-report');
    await page.waitForFunction(() => document.querySelector('[data-testid=report-pdf]') && Object.keys(document.querySelector('[data-testid=report-pdf]')!).some((k) => k.startsWith('__react')));
    await form.getByRole('button', { name: 'PDF' }).click();
    await expect.poll(() => polls.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await context.clearCookies(); // signed out, as another tab's "Sign out" leaves this one
    await form.getByRole('status').getByText('Sign in to download exports.').waitFor({ timeout: 10_000 });
    const asked = polls.length;
    await page.waitForTimeout(2_500);
    expect(polls.length).toBe(asked);
    await context.close();
    await long;
  });

  it('without JavaScript, the same form downloads the report’s Word file directly', { timeout: 30_000 }, async () => {
    const context = await contextFor(rapporteur, { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${suite.app.url}/c/${SLUG}`);
    const form = page.getByTestId('downloads-report');
    await form.getByLabel('Language of the report').selectOption('fr');
    const [docx] = await Promise.all([page.waitForEvent('download'), form.getByRole('button', { name: 'Word (.docx)' }).click()]);
    expect(docx.suggestedFilename()).toMatch(/^palabre-.+-report-fr\.docx$/);
    const zip = await JSZip.loadAsync(await saved(docx, 'report.docx'));
    expect(xmlText(await zip.file('word/document.xml')!.async('string'))).toContain('Rapport de la consultation');
    await context.close();
  });

  it('a participant sees the note’s downloads but no report form and no data links', { timeout: 30_000 }, async () => {
    const participant = await createUser(suite.app, { name: 'Mariama Sow' });
    const context = await contextFor(participant);
    const page = await context.newPage();
    const errors = watchErrors(page);
    for (const path of [`/c/${SLUG}`, `/c/${SLUG}/q/3`]) {
      await page.goto(`${suite.app.url}${path}`);
      await page.locator('h1').waitFor();
      expect(await page.locator('[data-testid^=downloads-report]').count(), path).toBe(0);
      expect(await page.locator('form[action*="/report/"]').count(), path).toBe(0);
      expect(await page.locator('a[href*="/catalogue/"], a[href*="/contributions/"]').count(), path).toBe(0);
    }
    await page.goto(noteUrl);
    const downloads = page.getByRole('region', { name: 'Download this note' });
    await downloads.waitFor();
    const [md] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('link', { name: 'Markdown' }).click()]);
    expect(md.suggestedFilename()).toBe('palabre-q3-synthesis-en.md');
    expect((await saved(md, 'participant.md')).toString('utf8')).toContain(NOTE_TEXT);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the report form and the note’s downloads pass an axe scan and reflow at 320 px', { timeout: 40_000 }, async () => {
    const context = await contextFor(rapporteur);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${suite.app.url}/c/${SLUG}`);
    await page.getByTestId('downloads-report').waitFor();
    expect(await axeViolations(new AxeBuilder({ page }))).toEqual([]);
    await page.goto(noteUrl);
    await page.locator('[data-testid=note-connection][data-state=connected]').waitFor({ timeout: 15_000 });
    expect(await axeViolations(new AxeBuilder({ page }).include('[data-testid=note-downloads]'))).toEqual([]);
    await context.close();

    // French has the longest labels.
    const narrow = await contextFor(rapporteur, { viewport: { width: 320, height: 720 }, locale: 'fr-FR' });
    const phone = await narrow.newPage();
    errors.push(...watchErrors(phone));
    for (const [url, section] of [
      [`${suite.app.url}/c/${SLUG}`, 'downloads-report'],
      [noteUrl, 'note-downloads'],
    ] as const) {
      await phone.goto(url, { waitUntil: 'networkidle' });
      // Every disclosure open (the site menu), as reflow.test.ts measures.
      await phone.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
      const downloads = phone.getByTestId(section);
      await downloads.scrollIntoViewIfNeeded();
      expect(await downloads.isVisible(), url).toBe(true);
      expect(await phone.evaluate(findOverflow), url).toEqual([]);
    }
    expect(errors).toEqual([]);
    await narrow.close();
  });
});
