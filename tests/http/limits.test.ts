/**
 * Request bodies over the limit (512 KB) get a 413 page in the reader's language, whatever the
 * body's encoding (Content-Length or chunked, url-encoded or multipart), and the client reads it:
 * the server takes in the rest of the body instead of resetting a connection the client is still
 * writing to. Bodies within the limit, chunked ones included, reach the app whole.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../app/i18n/locales/en.json';
import es from '../../app/i18n/locales/es.json';
import fr from '../../app/i18n/locales/fr.json';
import { LANGUAGE_COOKIE } from '../../app/i18n/config';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, threadId } from '../support/sockets';

let app: TestServer;
const THREAD = '/c/gfmd-2020-partnerships/q/2/2.4';
const LIMIT = 512 * 1024;

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
});
afterAll(async () => {
  await app?.close();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A raw request: `chunks` are written one after the other, each after the previous one was
 * taken by the socket, as a browser uploads; chunked unless a content-length header is given.
 * Resolves with the answer once it is fully read, or rejects with the socket's error (a reset).
 */
function send(path: string, headers: Record<string, string>, chunks: (string | Buffer)[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, app.url);
    const req = http.request(url, { method: 'POST', headers: { origin: app.url, ...headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    (async () => {
      for (const chunk of chunks) {
        if (req.destroyed) return;
        await new Promise<void>((done) => (req.write(chunk) ? done() : req.once('drain', () => done())));
      }
      req.end();
    })().catch(reject);
  });
}

/** `total` bytes of a url-encoded form, in pieces of `size`. */
function formPieces(total: number, size = 64 * 1024): string[] {
  const head = `intent=create&clientId=${clientId()}&text=`;
  const pieces = [head];
  let left = total - head.length;
  while (left > 0) {
    pieces.push('x'.repeat(Math.min(size, left)));
    left -= size;
  }
  return pieces;
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };

function expectTooLargePage(answer: Answer, messages: typeof en, language: string) {
  expect(answer.status).toBe(413);
  expect(answer.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
  expect(answer.headers['content-language']).toBe(language);
  expect(answer.body).toContain(`<html lang="${language}">`);
  expect(answer.body).toContain(`<h1>${messages.errors.tooLargeTitle}</h1>`);
  expect(answer.body).toContain(messages.errors.tooLargeText);
  expect(answer.body).toMatch(new RegExp(`<a href="[^"]*">${messages.errors.pageBack}</a>`));
}

describe('a request body over the limit', () => {
  it('is answered 413 with a page in French, from its Content-Length', async () => {
    const pieces = formPieces(LIMIT + 100 * 1024);
    const length = pieces.reduce((n, p) => n + p.length, 0);
    const answer = await send(THREAD, { ...form, 'content-length': String(length), 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' }, pieces);
    expectTooLargePage(answer, fr, 'fr');
  });

  it('is answered 413, not a reset, when sent chunked', async () => {
    const answer = await send(THREAD, { ...form, 'transfer-encoding': 'chunked', 'accept-language': 'fr' }, formPieces(LIMIT + 100 * 1024));
    expectTooLargePage(answer, fr, 'fr');
  });

  it('is answered 413 when the client keeps sending megabytes after the limit', async () => {
    const chunked = await send(THREAD, { ...form, 'transfer-encoding': 'chunked', 'accept-language': 'es' }, formPieces(6 * 1024 * 1024));
    expectTooLargePage(chunked, es, 'es');
    const pieces = formPieces(6 * 1024 * 1024);
    const length = pieces.reduce((n, p) => n + p.length, 0);
    const declared = await send(THREAD, { ...form, 'content-length': String(length), 'accept-language': 'es' }, pieces);
    expectTooLargePage(declared, es, 'es');
  });

  it('is answered 413 for a multipart form too, chunked or not', async () => {
    const boundary = '----palabre-test-boundary';
    const pieces = [
      `--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\ncreate\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n`,
      ...formPieces(LIMIT + 10 * 1024).slice(1),
      `\r\n--${boundary}--\r\n`,
    ];
    const type = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    const length = pieces.reduce((n, p) => n + p.length, 0);
    expectTooLargePage(await send(THREAD, { ...type, 'content-length': String(length) }, pieces), en, 'en');
    expectTooLargePage(await send(THREAD, { ...type, 'transfer-encoding': 'chunked' }, pieces), en, 'en');
  });

  it('speaks the language the reader chose (cookie) over the browser’s, and links back to the form’s page', async () => {
    const answer = await send(
      THREAD,
      {
        ...form,
        'transfer-encoding': 'chunked',
        'accept-language': 'en',
        cookie: `${LANGUAGE_COOKIE}=fr`,
        referer: `${app.url}${THREAD}?reply=3`,
      },
      formPieces(LIMIT + 1),
    );
    expectTooLargePage(answer, fr, 'fr');
    expect(answer.body).toContain(`<a href="${THREAD}?reply=3">`);
    // Another site's address is never offered as the way back.
    const elsewhere = await send(THREAD, { ...form, 'transfer-encoding': 'chunked', referer: 'https://evil.example/phish' }, formPieces(LIMIT + 1));
    expect(elsewhere.body).toContain('<a href="/">');
  });

  it('stores nothing', async () => {
    const before = await app.server.database.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const user = await createUser(app);
    await send(THREAD, { ...form, 'transfer-encoding': 'chunked', cookie: user.cookie }, formPieces(LIMIT + 1));
    const after = await app.server.database.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});

describe('a request body within the limit', () => {
  it('reaches the app whole when sent chunked, in many pieces', async () => {
    const user = await createUser(app);
    const text = `Chunked contribution ${clientId()}: ${'word '.repeat(3_000)}end.`;
    const body = new URLSearchParams({ intent: 'create', clientId: clientId(), text }).toString();
    const pieces: string[] = [];
    for (let i = 0; i < body.length; i += 1_000) pieces.push(body.slice(i, i + 1_000));
    const answer = await send(THREAD, { ...form, 'transfer-encoding': 'chunked', cookie: user.cookie }, pieces);
    expect(answer.status).toBe(302);
    const thread = await threadId(app, '2.4');
    const stored = await app.server.database.db
      .selectFrom('posts')
      .select('bodyText')
      .where('threadId', '=', thread)
      .where('authorId', '=', user.id)
      .executeTakeFirstOrThrow();
    // Every piece arrived: the beginning, the end, and all that lies between.
    expect(stored.bodyText.startsWith(text.slice(0, 40))).toBe(true);
    expect(stored.bodyText.endsWith('word end.')).toBe(true);
    expect(stored.bodyText.match(/word/g)).toHaveLength(3_000);
  });

  it('is answered, not left waiting, when chunked and empty', async () => {
    const user = await createUser(app);
    const answer = await send(THREAD, { ...form, 'transfer-encoding': 'chunked', cookie: user.cookie }, []);
    expect(answer.status).toBeGreaterThanOrEqual(200);
    expect(answer.status).not.toBe(413);
  });

  it('up to the limit exactly passes', async () => {
    const user = await createUser(app);
    const pieces = formPieces(LIMIT);
    const answer = await send(THREAD, { ...form, 'transfer-encoding': 'chunked', cookie: user.cookie }, pieces);
    expect(answer.status).not.toBe(413);
  });
});
