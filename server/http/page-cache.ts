/**
 * A rendered-page cache for the thread page as anonymous readers see it
 * (docs/decisions/0011-thread-page-cache.md).
 *
 * Rendering a thread page of 100 posts costs ~25 ms of CPU (React, i18next, the loader data
 * serialised for hydration, gzip); a crowd refreshing a thread before a deadline would queue.
 * Anonymous readers all get the same page for one thread, language and page cursor, so it is
 * rendered once and served as stored bytes (plain and gzip) until it changes.
 *
 * What may be cached, exactly:
 * - only GETs with no session (no user, no session cookie to refresh or clear): a signed-in
 *   page carries its reader's name, own posts, endorsements and form ids; moderators see real
 *   authors. Those pages are always rendered;
 * - only the thread route, with no query but `sort`, `after`, `before`;
 * - an entry is valid while the thread's last sequence number (bumped in the same transaction as
 *   every post, edit, deletion, endorsement and moderation) is the one read before rendering it,
 *   and while no other write (a signed-in non-GET request that succeeded: case studies, phase
 *   changes…) has finished since (`generation`, counted by `countWrites`);
 * - the CSP nonce cannot be shared by several answers: a cached page's inline scripts are
 *   allowed by their SHA-256 hashes instead, and carry no nonce.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { createRequestHandler, type AppLoadContext, type ServerBuild } from '@remix-run/node';
import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from 'express';
import type { Services } from '../services';

export interface PageCacheOptions {
  build: ServerBuild;
  mode: string;
  services: Services;
  /** The load context of a request, as the Remix handler builds it. */
  loadContext(req: ExpressRequest, res: ExpressResponse): AppLoadContext;
  /** How many pages are kept (least recently used go first); ~175 KB each. */
  maxEntries?: number;
  /** Hears each counted write (several nodes: the others' caches are stale too, server/cluster/). */
  onWrite?: () => void;
}

interface Entry {
  threadId: number;
  seq: number;
  generation: number;
  headers: [string, string][];
  /** The script-src sources allowing the page's inline scripts: `'sha256-…'`. */
  scriptHashes: string;
  plain: Buffer;
  gzip: Buffer;
}

/** `/c/:slug/q/:question/:thread`; not its `.data` (single fetch JSON), which is never cached. */
const THREAD_PATH = /^\/c\/([^/]+)\/q\/([^/]+)\/([^/]+)$/;
const CACHEABLE_PARAMS = new Set(['sort', 'after', 'before']);
const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g;

/** The `'sha256-…'` CSP sources of every inline script of `html`. */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const match of html.matchAll(INLINE_SCRIPT)) {
    hashes.add(`'sha256-${crypto.createHash('sha256').update(match[1], 'utf8').digest('base64')}'`);
  }
  return [...hashes];
}

export function threadPageCache(options: PageCacheOptions) {
  const { services } = options;
  const maxEntries = options.maxEntries ?? 100;
  const handle = createRequestHandler(options.build, options.mode);
  const entries = new Map<string, Entry>();
  let generation = 0;
  const stats = { hits: 0, misses: 0 };

  /**
   * Wraps the app's handler: a write may change what a cached page shows, so a signed-in
   * request other than GET or HEAD that succeeded (status below 400) counts once the handler is
   * done, that is once the action and its transaction are, even if the client left before the
   * answer (counting when the connection closes could come before the commit, and a render in
   * between would store the old content as new). Anonymous requests (sign-in, registration, the
   * language) and refused ones write nothing an anonymous page shows: counting them would let
   * anyone empty the cache with cheap requests.
   */
  const countWrites =
    (handler: RequestHandler): RequestHandler =>
    async (req, res, next) => {
      const write = req.method !== 'GET' && req.method !== 'HEAD';
      try {
        await handler(req, res, next);
      } finally {
        if (write && res.locals.user && res.statusCode < 400) {
          generation += 1;
          options.onWrite?.();
        }
      }
    };

  const serve = (req: ExpressRequest, res: ExpressResponse, entry: Entry) => {
    for (const [name, value] of entry.headers) res.setHeader(name, value);
    const csp = String(res.getHeader('Content-Security-Policy') ?? '');
    res.setHeader('Content-Security-Policy', csp.replace(/'nonce-[^']*'/, entry.scriptHashes));
    res.setHeader('Vary', 'Accept-Encoding, Accept-Language, Cookie');
    const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    // Already encoded: the compression middleware leaves an answer with a Content-Encoding alone.
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    const body = gzip ? entry.gzip : entry.plain;
    res.setHeader('Content-Length', body.length);
    res.status(200).end(body);
  };

  const middleware: RequestHandler = async (req, res, next) => {
    try {
      const match = req.method === 'GET' && !req.path.endsWith('.data') ? THREAD_PATH.exec(req.path) : null;
      if (!match || res.locals.user || res.locals.session || res.getHeader('Set-Cookie')) return next();
      const url = new URL(req.originalUrl, 'http://local');
      if ([...url.searchParams.keys()].some((k) => !CACHEABLE_PARAMS.has(k))) return next();
      const context = options.loadContext(req, res);
      const key = `${context.language as string} ${url.pathname}${url.search}`;
      const cached = entries.get(key);
      if (cached && cached.generation === generation && (await services.posts.lastSeq(cached.threadId)) === cached.seq) {
        entries.delete(key); // most recently used last
        entries.set(key, cached);
        stats.hits += 1;
        return serve(req, res, cached);
      }

      // Read before rendering: a change landing meanwhile leaves the entry tagged older, so the
      // next request renders again (never the reverse).
      const before = generation;
      const [, slug, question, threadPart] = match;
      const consultation = await services.consultations.getBySlug(decodeURIComponent(slug));
      const thread = consultation
        ? await services.consultations.getThread(consultation.id, threadPart === 'general' ? decodeURIComponent(question) : decodeURIComponent(threadPart))
        : null;
      if (!thread) return next(); // the route answers (404…)
      const seq = await services.posts.lastSeq(thread.id);
      stats.misses += 1;

      const request = new Request(`${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`, {
        method: 'GET',
        headers: Object.entries(req.headers).flatMap(([name, value]) =>
          value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value] as [string, string]],
        ),
      });
      const response = await handle(request, context);
      const html = await response.text();
      const headers = [...response.headers].filter(([name]) => !['content-length', 'content-encoding', 'set-cookie'].includes(name.toLowerCase()));
      const nonce = context.cspNonce as string;
      const stored = response.status === 200 && !response.headers.has('set-cookie');
      if (!stored) {
        res.status(response.status);
        for (const [name, value] of headers) res.setHeader(name, value);
        for (const cookie of response.headers.getSetCookie()) res.append('Set-Cookie', cookie);
        res.end(html);
        return;
      }
      const plain = html.split(` nonce="${nonce}"`).join('');
      const entry: Entry = {
        threadId: thread.id,
        seq,
        generation: before,
        headers,
        scriptHashes: inlineScriptHashes(plain).join(' '),
        plain: Buffer.from(plain, 'utf8'),
        gzip: zlib.gzipSync(plain),
      };
      entries.delete(key);
      entries.set(key, entry);
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      serve(req, res, entry);
    } catch (error) {
      next(error);
    }
  };

  return {
    middleware,
    countWrites,
    stats,
    clear: () => entries.clear(),
    /** A write happened elsewhere (another node): no stored page is served again. */
    invalidate: () => void (generation += 1),
  };
}
