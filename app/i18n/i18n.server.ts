/**
 * Server-side i18next: one instance holding every language, and one clone per language whose
 * language never changes, so that concurrent requests in different languages never share a
 * current language (and no request pays for a clone).
 */
import i18next, { type i18n as I18n } from 'i18next';
import type { Language } from '../consultations/content.schema';
import { FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES } from './config';
import en from './locales/en.json';
import es from './locales/es.json';
import fr from './locales/fr.json';

export const resources = { fr: { translation: fr }, en: { translation: en }, es: { translation: es } };

const root = i18next.createInstance();
void root.init({
  resources,
  supportedLngs: [...SUPPORTED_LANGUAGES],
  fallbackLng: FALLBACK_LANGUAGE,
  interpolation: { escapeValue: false }, // React escapes
  initImmediate: false, // resources are in memory: initialise synchronously
});

const perLanguage = new Map<Language, I18n>();

export function i18nFor(language: Language): I18n {
  let instance = perLanguage.get(language);
  if (!instance) {
    instance = root.cloneInstance({ lng: language, initImmediate: false });
    perLanguage.set(language, instance);
  }
  return instance;
}
