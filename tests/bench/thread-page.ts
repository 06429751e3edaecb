/**
 * The thread page: 1,000 posts in thread 2.4 (posted through the socket API, as people do),
 * then autocannon with 10 connections against its server-rendered first page.
 */
import autocannon from 'autocannon';
import SQLite from 'better-sqlite3';
import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import type { Socket } from 'socket.io-client';
import { createPost, lexicalDoc, openSocket } from './client';
import { makeClientId } from './listener-worker';
import { contributionText, cpuPercent, envNumber, type Scenario, type ScenarioResult } from './scenario';
import { prepareDatabase, startApp, type RunningServer } from './server';
import { nowMs, round1 } from './stats';

const round2 = (x: number) => Math.round(x * 100) / 100;

export const PAGE_PATH = '/c/gfmd-2020-partnerships/q/2/2.4';

/**
 * The floor: a bare React renderToString of the page's 100 posts (author line, date, the stored
 * HTML) with their data embedded as JSON, as a minimal server-rendered page would do. CPU ms per
 * render, in this process, averaged over `rounds` after a warm-up.
 */
export function floorCpuMs(file: string, threadId: number, rounds = 300): number {
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  const posts = sqlite
    .prepare(
      `select p.id, p.body_html as html, p.attribution, p.created_at as createdAt, p.endorsement_count as endorsements,
              u.name, u.organisation, u.stakeholder_group as stakeholderGroup
         from posts p join users u on u.id = p.author_id
        where p.thread_id = ? and p.root_id is null order by p.created_at, p.id limit 100`,
    )
    .all(threadId) as { id: number; html: string; attribution: string; createdAt: string; endorsements: number; name: string; organisation: string; stakeholderGroup: string }[];
  sqlite.close();
  const format = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  const page = () =>
    h('main', null, [
      h(
        'ol',
        { key: 'l' },
        posts.map((p) =>
          h('li', { key: p.id }, h('article', { id: `post-${p.id}` }, [
            h('header', { key: 'h' }, [p.attribution === 'named' ? `${p.name}, ${p.organisation}` : p.stakeholderGroup, ' ', h('time', { key: 't', dateTime: p.createdAt }, format.format(new Date(p.createdAt)))]),
            h('div', { key: 'b', dangerouslySetInnerHTML: { __html: p.html } }),
            h('p', { key: 'e' }, `${p.endorsements} endorsements`),
          ])),
        ),
      ),
      h('script', { key: 's', dangerouslySetInnerHTML: { __html: `window.__data=${JSON.stringify(posts).replace(/</g, '\\u003c')}` } }),
    ]);
  for (let i = 0; i < 50; i++) renderToString(page());
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) renderToString(page());
  const used = process.cpuUsage(cpu0);
  return (used.user + used.system) / 1000 / rounds;
}

/** The bytes of a page as sent with gzip (undefined if it did not come compressed). */
async function gzipBytes(url: string, cookie: string): Promise<number | undefined> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { cookie, 'accept-encoding': 'gzip' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve(res.headers['content-encoding'] === 'gzip' ? bytes : undefined));
    });
    req.on('error', reject);
    req.end();
  });
}

export const threadPage: Scenario = {
  description: 'GET the thread page (1,000 posts, first page of 100) with autocannon, 10 connections',
  async run() {
    const result: ScenarioResult = { metrics: {}, notes: [], problems: [] };
    const m = result.metrics;
    const posts = envNumber('BENCH_PAGE_POSTS', 1000);
    const seconds = envNumber('BENCH_PAGE_SECONDS', 10);
    const connections = envNumber('BENCH_PAGE_CONNECTIONS', 10);
    const writers = 10;

    const db = await prepareDatabase(writers);
    let app: RunningServer | undefined;
    const sockets: Socket[] = [];
    try {
      app = await startApp(db.file);
      const threadId = db.threads.get('2.4')!;
      for (const user of db.users) sockets.push(await openSocket(app.url, user.cookie));

      // Seed: each writer posts its share one after another (closed loop, 10 in flight).
      const seedStart = performance.now();
      const failures: string[] = [];
      let next = 0;
      await Promise.all(
        sockets.map(async (socket) => {
          while (next < posts && performance.now() - seedStart < 120_000) {
            const i = next++;
            const sentAt = nowMs();
            const outcome = await createPost(socket, { threadId, clientId: makeClientId('page_', i, sentAt), body: lexicalDoc(contributionText(i)) }, sentAt, 30_000);
            if (!outcome.ok) failures.push(outcome.error ?? '?');
          }
        }),
      );
      m.thread_page_seed_posts = next - failures.length;
      m.thread_page_seed_posts_per_s = round1((next - failures.length) / ((performance.now() - seedStart) / 1000));
      if (failures.length) result.problems.push(`thread_page: ${failures.length} seed posts failed: ${[...new Set(failures)].join(', ')}`);
      for (const s of sockets) s.close();

      const url = `${app.url}${PAGE_PATH}`;
      const probe = await fetch(url);
      const html = await probe.text();
      m.thread_page_status = probe.status;
      m.thread_page_bytes = Buffer.byteLength(html);
      // Each post's text appears once as HTML (and once more in the hydration data, escaped).
      m.thread_page_posts_shown = (html.match(/<p>Contribution \d+:/g) ?? []).length;
      if (probe.status !== 200) result.problems.push(`thread_page: GET ${PAGE_PATH} answered ${probe.status}: ${html.slice(0, 300)}`);

      // Warm-up (not counted): 2 s at the same concurrency.
      await autocannon({ url, connections, duration: 2 });

      const cpu0 = app.cpuSeconds();
      const started = performance.now();
      const run = await autocannon({ url, connections, duration: seconds, timeout: 10 });
      m.thread_page_server_cpu_pct = cpuPercent(app.cpuSeconds() - cpu0, performance.now() - started);
      m.thread_page_rps = round1(run.requests.average);
      m.thread_page_p50_ms = round1(run.latency.p50);
      m.thread_page_p90_ms = round1(run.latency.p90);
      m.thread_page_p99_ms = round1(run.latency.p99);
      m.thread_page_max_ms = round1(run.latency.max);
      m.thread_page_requests = run.requests.total;
      m.thread_page_non2xx = run.non2xx;
      m.thread_page_errors = run.errors;
      m.thread_page_timeouts = run.timeouts;
      if (run.non2xx || run.errors || run.timeouts) {
        result.problems.push(`thread_page: ${run.non2xx} non-2xx answers, ${run.errors} errors, ${run.timeouts} timeouts out of ${run.requests.total} requests`);
      }

      m.thread_page_cpu_ms = round2(((app.cpuSeconds() - cpu0) * 1000) / Math.max(1, run.requests.total));

      // The same with gzip, as browsers ask for it.
      const gzCpu0 = app.cpuSeconds();
      const gz = await autocannon({ url, connections, duration: seconds, timeout: 10, headers: { 'accept-encoding': 'gzip' } });
      m.thread_page_gzip_cpu_ms = round2(((app.cpuSeconds() - gzCpu0) * 1000) / Math.max(1, gz.requests.total));
      m.thread_page_gzip_rps = round1(gz.requests.average);
      m.thread_page_gzip_p99_ms = round1(gz.latency.p99);
      m.thread_page_gzip_non2xx = gz.non2xx;

      // A signed-in participant's page is theirs (own posts, endorsements, name): always rendered.
      // Plain first (the headline, like the anonymous one), then with gzip as browsers ask.
      const cookie = db.users[0].cookie;
      const signedProbe = await fetch(url, { headers: { cookie } });
      m.thread_page_signed_in_bytes = Buffer.byteLength(await signedProbe.text());
      m.thread_page_signed_in_gzip_bytes = (await gzipBytes(url, cookie)) ?? -1;
      const signedCpu0 = app.cpuSeconds();
      const signed = await autocannon({ url, connections, duration: seconds, timeout: 10, headers: { cookie } });
      m.thread_page_signed_in_cpu_ms = round2(((app.cpuSeconds() - signedCpu0) * 1000) / Math.max(1, signed.requests.total));
      m.thread_page_signed_in_rps = round1(signed.requests.average);
      m.thread_page_signed_in_p99_ms = round1(signed.latency.p99);
      const signedGzCpu0 = app.cpuSeconds();
      const signedGz = await autocannon({ url, connections, duration: seconds, timeout: 10, headers: { 'accept-encoding': 'gzip', cookie } });
      m.thread_page_signed_in_gzip_cpu_ms = round2(((app.cpuSeconds() - signedGzCpu0) * 1000) / Math.max(1, signedGz.requests.total));
      m.thread_page_signed_in_gzip_rps = round1(signedGz.requests.average);
      m.thread_page_signed_in_gzip_p99_ms = round1(signedGz.latency.p99);
      m.thread_page_signed_in_non2xx = signed.non2xx + signedGz.non2xx;

      // The floor, in the same minutes on the same machine.
      m.thread_page_floor_cpu_ms = round2(floorCpuMs(db.file, threadId));
      m.thread_page_floor_ratio = round2(m.thread_page_cpu_ms / m.thread_page_floor_cpu_ms);

      result.notes.push(
        `thread_page: ${posts} posts of ~300 characters in thread 2.4 (page shows ${m.thread_page_posts_shown}, ${m.thread_page_bytes} bytes of HTML), anonymous GET, ${connections} connections for ${seconds} s after a 2 s warm-up; autocannon runs in the benchmark process on the same 2 cores`,
        'thread_page: the headline figures are without Accept-Encoding (autocannon’s default); *_gzip_* is the same with gzip, as browsers ask; anonymous pages come from the page cache (docs/decisions/0011), *_signed_in_* are a participant’s own pages, always rendered',
        'thread_page: *_signed_in_bytes and *_signed_in_gzip_bytes are the size of that participant’s page as sent, plain and with gzip',
        'thread_page: *_cpu_ms is the server process’s CPU time (user + system) per request; thread_page_floor_cpu_ms a bare React renderToString of the same 100 posts with their data embedded, in the benchmark process; thread_page_floor_ratio = thread_page_cpu_ms / floor',
      );
      if (app.errors.length) result.problems.push(...app.errors.slice(0, 30).map((e) => `server log: ${e}`));
    } finally {
      for (const s of sockets) s.close();
      await app?.stop();
      db.remove();
    }
    return result;
  },
};
