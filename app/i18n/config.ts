/** Languages of the interface. French is the consultation's source language. */
import type { Language } from '../consultations/content.schema';

export const SUPPORTED_LANGUAGES = ['fr', 'en', 'es'] as const satisfies readonly Language[];
export const FALLBACK_LANGUAGE: Language = 'en';
export const LANGUAGE_COOKIE = 'palabre_lng';

/** Each language's name in itself, for the switcher. */
export const LANGUAGE_NAMES: Record<Language, string> = { fr: 'Français', en: 'English', es: 'Español' };

export function isSupportedLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (SUPPORTED_LANGUAGES as readonly string[]).includes(value);
}
