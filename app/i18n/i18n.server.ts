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
    memoizePlainKeys(instance, language);
    perLanguage.set(language, instance);
  }
  return instance;
}

/** Distinct plain keys remembered per language and namespace; beyond it, keys are translated each time. */
const MEMO_LIMIT = 5_000;

/**
 * The memo key of a call whose options are numbers only (`{ count: 3 }`: a plural, a range), or
 * null: those are exact to remember, and never carry what people wrote (names, titles…).
 */
function numericOptionsKey(key: string, options: unknown): string | null {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return null;
  let memoKey = key;
  for (const [name, value] of Object.entries(options)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return null;
    memoKey += `\u0001${name}=${value}`;
  }
  return memoKey;
}

/**
 * Remembers the translation of every `t('some.key')` called without options by the components
 * (react-i18next's `useTranslation` → `getFixedT`), and of those with numbers only as options
 * (`t('posts.endorsements', { count })`). A signed-in thread page asks for the same few dozen
 * labels once per post (reply, endorse, report, each post's endorsement count…), hundreds of
 * calls that were a tenth of its CPU. Exact: such a result depends only on the key, those
 * numbers, the clone's fixed language and resources loaded once at start. Calls with other
 * options (interpolated text, context) or in another language are passed through. A key built
 * from request data cannot grow the memo past MEMO_LIMIT.
 */
function memoizePlainKeys(instance: I18n, language: Language): void {
  const memos = new Map<string, Map<string, string>>();
  const getFixedT = instance.getFixedT.bind(instance);
  instance.getFixedT = ((lng: string | readonly string[] | null, ns?: string | readonly string[] | null, keyPrefix?: string) => {
    const fixed = getFixedT(lng as string, ns as string, keyPrefix);
    if (lng != null && lng !== language) return fixed;
    const memoKey = `${String(ns ?? '')}\u0000${keyPrefix ?? ''}`;
    let memo = memos.get(memoKey);
    if (!memo) memos.set(memoKey, (memo = new Map()));
    const known = memo;
    const call = fixed as unknown as (...args: unknown[]) => unknown;
    const t = (key: unknown, ...rest: unknown[]) => {
      if (typeof key !== 'string' || rest.length > 1) return call(key, ...rest);
      const memoKey = rest.length ? numericOptionsKey(key, rest[0]) : key;
      if (memoKey === null) return call(key, ...rest);
      let value = known.get(memoKey);
      if (value === undefined) {
        const translated = call(key, ...rest);
        if (typeof translated !== 'string') return translated;
        if (known.size < MEMO_LIMIT) known.set(memoKey, translated);
        value = translated;
      }
      return value;
    };
    // The fixed function's own fields (lng, ns, keyPrefix), which react-i18next reads.
    return Object.assign(t, fixed) as unknown as typeof fixed;
  }) as I18n['getFixedT'];
}
