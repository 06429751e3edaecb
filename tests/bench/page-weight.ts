/**
 * Page weight and the editor on a slow link, in real Chromium against the production build.
 *
 * - `thread_js_gzip_kb`, `note_js_gzip_kb`: the JavaScript a page itself requests in Chromium
 *   (module scripts, modulepreloads and the dynamic imports it makes, e.g. its language's
 *   strings), gzip-compressed here at zlib's default level, for a signed-in participant, until
 *   the network has been quiet for a while. The thread page's lazily loaded rich editor is
 *   counted apart (`thread_editor_js_gzip_kb`: what a focus of the composer adds), as is the
 *   anonymous reader's page (`thread_anonymous_js_gzip_kb`).
 * - `thread_editor_ready_slow_ms`: a signed-in participant on an emulated 400 kbps (down and up)
 *   / 400 ms link (CDP Network.emulateNetworkConditions, cache off) opens a thread of
 *   BENCH_WEIGHT_POSTS posts; as soon as the page is readable (the composer's plain textarea is
 *   in the document, i.e. parsed and painted with the posts above it) the textarea is focused;
 *   the figure is the time from then until the rich composer is editable (`.ed-input`
 *   contenteditable). Median of BENCH_WEIGHT_ROUNDS fresh browser contexts. This is bounded by
 *   bytes: the page's own code and the editor's must both cross the link.
 * - `thread_post_slow_ms`: on the same link, what a participant meets: as soon as the page is
 *   readable they type a contribution into the composer (whatever it is at that moment: the
 *   plain textarea, which posts with or without the page's code, or the rich editor) and press
 *   Send; the figure is the time from readable until their words are shown in the thread
 *   (posted live, or on the page the no-JavaScript form returns to). Median of the same rounds.
 */
import zlib from 'node:zlib';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { applyRole } from '../../app/accounts/accounts.server';
import { createNoteDocs } from '../../app/notes/note-docs.server';
import { createNoteStore } from '../../app/notes/note-store.server';
import { createNoteService } from '../../app/notes/notes.server';
import { openDatabase } from '../../db/database';
import { CHROMIUM_PATH } from '../support/env';
import { createPost, lexicalDoc, openSocket } from './client';
import { makeClientId } from './listener-worker';
import { contributionText, envNumber, type Scenario, type ScenarioResult } from './scenario';
import { prepareDatabase, startApp, type RunningServer } from './server';
import { nowMs, round1, sleep, summarize } from './stats';
import { PAGE_PATH } from './thread-page';

/** The emulated slow link: 400 kbit/s each way, 400 ms round trip added. */
const SLOW_LINK = { offline: false, latency: 400, downloadThroughput: 400_000 / 8, uploadThroughput: 400_000 / 8 };
/** The network counts as quiet after this long without a new script request or a pending one. */
const QUIET_MS = 2_500;

const kb = (bytes: number) => round1(bytes / 1024);

interface ScriptLoad {
  url: string;
  gzipBytes: number;
}

/**
 * Opens `path` in a fresh context (with `cookie` if given) and records every script the page
 * requests until the network has been quiet for QUIET_MS (or `focusComposer` has loaded the editor).
 */
async function scriptsOf(
  browser: Browser,
  base: string,
  path: string,
  cookie: string | null,
  options: { focusComposer?: boolean } = {},
): Promise<ScriptLoad[]> {
  const context = await newContext(browser, base, cookie);
  try {
    const page = await context.newPage();
    const loads: ScriptLoad[] = [];
    const pending = new Set<Promise<void>>();
    let lastActivity = Date.now();
    page.on('request', () => void (lastActivity = Date.now()));
    page.on('response', (response) => {
      if (response.request().resourceType() !== 'script' && !/\.m?js(\?|$)/.test(response.url())) return;
      const done = response
        .body()
        .then((body) => void loads.push({ url: new URL(response.url()).pathname, gzipBytes: zlib.gzipSync(body).length }))
        .catch(() => {})
        .finally(() => {
          pending.delete(done);
          lastActivity = Date.now();
        });
      pending.add(done);
    });
    const response = await page.goto(`${base}${path}`, { waitUntil: 'load' });
    if (!response || response.status() !== 200) throw new Error(`GET ${path} answered ${response?.status()}`);
    if (options.focusComposer) {
      await page.focus('textarea[name="text"]');
      await page.waitForSelector('.ed-input[contenteditable="true"]', { timeout: 30_000 });
    }
    while (pending.size || Date.now() - lastActivity < QUIET_MS) await sleep(100);
    return loads;
  } finally {
    await context.close();
  }
}

async function newContext(browser: Browser, base: string, cookie: string | null): Promise<BrowserContext> {
  const context = await browser.newContext();
  if (cookie) {
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: base }]);
  }
  return context;
}

/** A fresh context and page on the emulated slow link, cache off. */
async function slowPage(browser: Browser, base: string, cookie: string) {
  const context = await newContext(browser, base, cookie);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', SLOW_LINK);
  return { context, page };
}

/** One slow-link run: ms from readable to the rich composer being editable, and the milestones. */
async function editorReadySlow(browser: Browser, base: string, cookie: string): Promise<{ readyMs: number; readableMs: number; domContentLoadedMs: number }> {
  const { context, page } = await slowPage(browser, base, cookie);
  try {
    const navigation = page.goto(`${base}${PAGE_PATH}`, { waitUntil: 'commit', timeout: 120_000 });
    // Readable: the composer's textarea is parsed, so the thread above it is in the document.
    await page.waitForSelector('textarea[name="text"]', { state: 'attached', timeout: 120_000 });
    const readableAt: number = await page.evaluate(() => {
      (document.querySelector('textarea[name="text"]') as HTMLTextAreaElement).focus();
      return performance.now();
    });
    await page.waitForSelector('.ed-input[contenteditable="true"]', { timeout: 120_000 });
    const readyAt: number = await page.evaluate(() => performance.now());
    await navigation;
    const dcl: number = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd);
    // The in-page evaluate calls themselves cross no network (CDP), so these are the page's own times.
    return { readyMs: readyAt - readableAt, readableMs: readableAt, domContentLoadedMs: dcl };
  } finally {
    await context.close();
  }
}

/**
 * One slow-link run: ms from readable (the composer's textarea parsed) to the participant's own
 * words shown in the thread, having typed them and pressed Send at once. Whichever composer is
 * there at that moment takes the words (the rich editor carries over what the textarea held).
 */
async function postSlow(browser: Browser, base: string, cookie: string, words: string): Promise<number> {
  const { context, page } = await slowPage(browser, base, cookie);
  try {
    void page.goto(`${base}${PAGE_PATH}`, { waitUntil: 'commit', timeout: 120_000 }).catch(() => {});
    await page.waitForSelector('form.composer textarea[name="text"]', { state: 'attached', timeout: 120_000 });
    // Measured on this side's clock: a native form post replaces the page and its clock.
    const started = Date.now();
    // Whatever composer is there now: the textarea, or the rich editor if it just took over.
    const composer = page.locator('form.composer .ed-input[contenteditable="true"], form.composer textarea[name="text"]').first();
    await composer.click({ timeout: 120_000 });
    await page.keyboard.type(words);
    await page.locator('form.composer button[type="submit"]').click({ timeout: 120_000 });
    await page.waitForFunction((text) => Array.from(document.querySelectorAll('article, li')).some((el) => !el.closest('form') && (el.textContent ?? '').includes(text)), words, { timeout: 120_000, polling: 50 });
    return Date.now() - started;
  } finally {
    await context.close();
  }
}

export const pageWeight: Scenario = {
  description: 'JavaScript weight of a thread page and a note page, and the rich editor on a 400 kbps / 400 ms link (Chromium)',
  async run() {
    const result: ScenarioResult = { metrics: {}, notes: [], problems: [] };
    const m = result.metrics;
    const posts = envNumber('BENCH_WEIGHT_POSTS', 100);
    const rounds = envNumber('BENCH_WEIGHT_ROUNDS', 3);

    const db = await prepareDatabase(2);
    const [participant, rapporteur] = db.users as [(typeof db.users)[0], (typeof db.users)[0]];
    // A civil-society note of the thread's consultation, opened by a moderator; the participant
    // (civil society too) co-edits it, so the note page loads its editor.
    let notePath: string;
    {
      const handle = await openDatabase(db.file);
      try {
        const consultation = await handle.db.selectFrom('consultations').select(['id', 'slug']).where('slug', '=', PAGE_PATH.split('/')[2]!).executeTakeFirstOrThrow();
        await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: rapporteur.id, consultationId: consultation.id, from: 'participant', to: 'moderator' }));
        const docs = createNoteDocs(createNoteStore(handle.db));
        const notes = createNoteService(handle.db, docs, { publishStatus: () => {} });
        const noteId = await notes.open(rapporteur.id, consultation.id, { questionId: null, stakeholderGroup: 'civil-society', title: 'Page weight note' });
        await docs.close();
        notePath = `/c/${consultation.slug}/notes/${noteId}`;
      } finally {
        await handle.close();
      }
    }

    let app: RunningServer | undefined;
    let browser: Browser | undefined;
    try {
      app = await startApp(db.file);
      const threadId = db.threads.get(PAGE_PATH.split('/').pop()!)!;
      const socket = await openSocket(app.url, rapporteur.cookie);
      for (let i = 0; i < posts; i++) {
        const sentAt = nowMs();
        const outcome = await createPost(socket, { threadId, clientId: makeClientId('weight_', i, sentAt), body: lexicalDoc(contributionText(i)) }, sentAt, 30_000);
        if (!outcome.ok) result.problems.push(`page_weight: seed post ${i} failed: ${outcome.error}`);
      }
      socket.close();
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'] });

      const sum = (loads: ScriptLoad[]) => loads.reduce((s, l) => s + l.gzipBytes, 0);
      const cpu0 = app.cpuSeconds();
      const anonymous = await scriptsOf(browser, app.url, PAGE_PATH, null);
      const participantPage = await scriptsOf(browser, app.url, PAGE_PATH, participant.cookie, { focusComposer: true });
      const note = await scriptsOf(browser, app.url, notePath, participant.cookie);
      const cpuPages = app.cpuSeconds() - cpu0;
      // The editor's share: what the participant's page loaded that the reader's did not (the
      // same page's code either way, plus the editor's modules on focus).
      const pageOwn = new Set(anonymous.map((l) => l.url));
      const editor = participantPage.filter((l) => !pageOwn.has(l.url));
      m.thread_anonymous_js_gzip_kb = kb(sum(anonymous));
      m.thread_js_gzip_kb = kb(sum(participantPage.filter((l) => pageOwn.has(l.url))));
      m.thread_editor_js_gzip_kb = kb(sum(editor));
      m.thread_with_editor_js_gzip_kb = kb(sum(participantPage));
      m.thread_scripts = participantPage.length;
      m.note_js_gzip_kb = kb(sum(note));
      m.note_scripts = note.length;
      m.page_weight_server_cpu_ms_per_page = round1((cpuPages * 1000) / 3);

      const ready: number[] = [];
      const readable: number[] = [];
      const dcl: number[] = [];
      for (let r = 0; r < rounds; r++) {
        try {
          const run = await editorReadySlow(browser, app.url, participant.cookie);
          ready.push(run.readyMs);
          readable.push(run.readableMs);
          dcl.push(run.domContentLoadedMs);
        } catch (error) {
          result.problems.push(`page_weight: slow-link round ${r + 1}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      const posted: number[] = [];
      for (let r = 0; r < rounds; r++) {
        try {
          posted.push(await postSlow(browser, app.url, participant.cookie, `Slow link contribution ${r + 1} ${Date.now().toString(36)}`));
        } catch (error) {
          result.problems.push(`page_weight: slow-link post round ${r + 1}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      if (posted.length) {
        m.thread_post_slow_ms = Math.round(summarize(posted).p50);
        m.thread_post_slow_max_ms = Math.round(Math.max(...posted));
      }
      if (ready.length) {
        m.thread_editor_ready_slow_ms = Math.round(summarize(ready).p50);
        m.thread_editor_ready_slow_max_ms = Math.round(Math.max(...ready));
        m.thread_readable_slow_ms = Math.round(summarize(readable).p50);
        m.thread_dom_content_loaded_slow_ms = Math.round(summarize(dcl).p50);
      }

      const biggest = [...participantPage].sort((a, b) => b.gzipBytes - a.gzipBytes).slice(0, 6);
      result.notes.push(
        `page_weight: gzip sizes are of the scripts Chromium requested (zlib default level), for a signed-in participant; the thread has ${posts} posts. Largest on the thread page: ${biggest.map((l) => `${l.url.replace('/build/', '')} ${kb(l.gzipBytes)} KB`).join(', ')}`,
        `page_weight: thread_js_gzip_kb is the page's own code (what an anonymous reader loads too); thread_editor_js_gzip_kb what focusing the composer adds (the rich editor); note_js_gzip_kb the note page with its co-editor, for a participant of the note's group`,
        `page_weight: thread_editor_ready_slow_ms = median of ${ready.length} runs on a 400 kbps / 400 ms link (Chromium CDP), from the page being readable (composer textarea parsed, then focused at once) to the rich composer being editable; thread_readable_slow_ms and thread_dom_content_loaded_slow_ms are from navigation start`,
      );
      if (app.errors.length) result.problems.push(...app.errors.slice(0, 30).map((e) => `server log: ${e}`));
    } finally {
      await browser?.close();
      await app?.stop();
      db.remove();
    }
    return result;
  },
};
