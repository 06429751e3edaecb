/**
 * Requests refused before the app sees them (a body over the limit: 413; a cross-site form: 403)
 * are answered with a small page in the reader's language. It is written by the server itself,
 * not by Remix: the request was never handed to the app, and the page must not depend on
 * anything that reads it (a session, the database).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { detectLanguage } from '../../app/i18n/detect.server';
import { i18nFor } from '../../app/i18n/i18n.server';
import { ownOrigin } from './origin';

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * Where "Go back" leads: the page the form was on (Referer) when it is on this site, so the
 * writer lands where they were; else the home page. Never another site's address.
 */
function backHref(req: IncomingMessage, proxies: number): string {
  const referer = [req.headers.referer].flat()[0];
  if (referer && URL.canParse(referer)) {
    const url = new URL(referer);
    if (url.origin === ownOrigin(req, proxies)) return `${url.pathname}${url.search}`;
  }
  return '/';
}

/** Why a request was refused: the status, and the i18n keys of the page's title and text. */
export const REFUSALS = {
  tooLarge: { status: 413, title: 'errors.tooLargeTitle', text: 'errors.tooLargeText' },
  crossSite: { status: 403, title: 'errors.crossSiteTitle', text: 'errors.crossSiteText' },
} as const;
export type RefusalKind = keyof typeof REFUSALS;

export function refusalPage(req: IncomingMessage, kind: RefusalKind, proxies: number): { language: string; html: string } {
  // The language cookie, else Accept-Language: the session is not read for a refused request.
  const language = detectLanguage(req.headers);
  const t = i18nFor(language).t;
  const title = escapeHtml(t(REFUSALS[kind].title));
  const html = `<!DOCTYPE html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ${escapeHtml(t('app.name'))}</title>
<style>body{font-family:system-ui,sans-serif;line-height:1.5;max-width:40rem;margin:3rem auto;padding:0 1rem}</style>
</head>
<body>
<main>
<h1>${title}</h1>
<p>${escapeHtml(t(REFUSALS[kind].text))}</p>
<p><a href="${escapeHtml(backHref(req, proxies))}">${escapeHtml(t('errors.pageBack'))}</a></p>
</main>
</body>
</html>
`;
  return { language, html };
}

/** Writes the refusal's page (status, headers and body); the caller decides what happens to the rest of the request. */
export function sendRefusal(req: IncomingMessage, res: ServerResponse, kind: RefusalKind, proxies: number): void {
  const { language, html } = refusalPage(req, kind, proxies);
  res.statusCode = REFUSALS[kind].status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Language', language);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(html));
  res.end(html);
}
