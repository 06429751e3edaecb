/**
 * Picks the interface language: the user's explicit choice (cookie), then their account's,
 * then the browser's Accept-Language, then the fallback.
 */
import type { Language } from '../consultations/content.schema';
import { FALLBACK_LANGUAGE, LANGUAGE_COOKIE, isSupportedLanguage } from './config';
import { parseCookies } from '../utils/cookies';

export function detectLanguage(headers: Headers | Record<string, string | string[] | undefined>, userLocale?: string | null): Language {
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) ?? undefined : [headers[name]].flat()[0];
  const fromCookie = parseCookies(get('cookie'))[LANGUAGE_COOKIE];
  if (isSupportedLanguage(fromCookie)) return fromCookie;
  if (isSupportedLanguage(userLocale)) return userLocale;
  return fromAcceptLanguage(get('accept-language')) ?? FALLBACK_LANGUAGE;
}

/** The supported language the browser prefers most, honouring q-values ("es-MX;q=0.8"). */
export function fromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: tag.trim().toLowerCase().split('-')[0], q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((x) => x.lang && !Number.isNaN(x.q) && x.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((x) => x.lang).find(isSupportedLanguage);
}
