/**
 * What the export routes share (app/routes/*export*, *report*, *catalogue*): reading the
 * requested format and frame language, answering the file with a proper name, and answering a
 * refusal as a short page in the reader's language with the right status (401, 403, 404, 429; 500
 * with words for a renderer's failure), never a file.
 */
import type { AppLoadContext } from '@remix-run/node';
import { SUPPORTED_LANGUAGES } from '../../i18n/config';
import { i18nFor } from '../../i18n/i18n.server';
import { escapeHtml } from '../../documents/html';
import { attachment } from '../../exports/content-disposition';
import { DATA_FORMATS, DOCUMENT_FORMATS, type DataFormat, type DocumentFormat, type ExportLanguage } from '../../exports/document';
import type { ExportFile } from '../../exports/exports.server';
import { isDomainError } from '../../utils/errors';


/** A refusal page: status, the message in the reader's language, a way back. */
export function refusal(context: AppLoadContext, status: number, messageKey: string, back = '/'): Response {
  const t = i18nFor(context.language).getFixedT(context.language);
  const message = escapeHtml(t(messageKey));
  const html = `<!DOCTYPE html><html lang="${context.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${message} · Palabre</title><style>body{font-family:system-ui,sans-serif;line-height:1.5;max-width:40rem;margin:3rem auto;padding:0 1rem}</style></head><body><main><h1>${message}</h1><p><a href="${escapeHtml(back)}">${escapeHtml(t('exports.errors.back'))}</a></p></main></body></html>`;
  return new Response(html, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

/**
 * The refusal for what the export service threw. Anything but a DomainError is a bug (a renderer
 * that failed, a worker that crashed or overran its time): logged with its stack, and answered
 * 500 with "the file could not be made" in the reader's language and a way back, rather than a
 * bare "Unexpected Server Error" in place of the file.
 */
export function refusalFor(context: AppLoadContext, error: unknown, back = '/'): Response {
  if (!isDomainError(error)) {
    console.error('[exports] an export failed:', error);
    return refusal(context, 500, 'exports.errors.failed', back);
  }
  const status = ({ invalid: 400, not_found: 404, unauthenticated: 401, forbidden: 403, conflict: 429, rate_limited: 429, unavailable: 503 } as const)[error.code];
  return refusal(context, status, error.messageKey.startsWith('exports.') ? error.messageKey : status === 404 ? 'exports.errors.notFound' : status === 403 ? 'exports.errors.forbidden' : error.messageKey, back);
}

export const documentFormat = (value: string | undefined): DocumentFormat | null => (DOCUMENT_FORMATS.includes(value as DocumentFormat) ? (value as DocumentFormat) : null);
export const dataFormat = (value: string | undefined): DataFormat | null => (DATA_FORMATS.includes(value as DataFormat) ? (value as DataFormat) : null);

/** The language asked for (`?lang=`, a form's `lang`) when it is one of the site's, else the reader's. */
export function frameLanguage(context: AppLoadContext, asked: FormDataEntryValue | string | null | undefined): ExportLanguage {
  return typeof asked === 'string' && (SUPPORTED_LANGUAGES as readonly string[]).includes(asked) ? (asked as ExportLanguage) : (context.language as ExportLanguage);
}

/** `?lang=` of the request. */
export const requestedLanguage = (context: AppLoadContext, request: Request) => frameLanguage(context, new URL(request.url).searchParams.get('lang'));

/** The site's own origin as the request reached it (links in exports point back to it). */
export const siteOrigin = (request: Request) => new URL(request.url).origin;

/** The file as a download: its media type, its name (RFC 5987 for accents), never cached by others. */
export function fileResponse(file: ExportFile): Response {
  return new Response(file.bytes as unknown as BodyInit, {
    status: 200,
    headers: {
      'content-type': file.mediaType,
      'content-disposition': attachment(file.fileName),
      'content-length': String(file.bytes.byteLength),
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
      ...(file.restricted ? { 'x-palabre-restricted': '1' } : {}),
    },
  });
}
