import { describe, expect, it } from 'vitest';
import { detectLanguage, fromAcceptLanguage } from '../../app/i18n/detect.server';
import { i18nFor } from '../../app/i18n/i18n.server';
import en from '../../app/i18n/locales/en.json';
import es from '../../app/i18n/locales/es.json';
import fr from '../../app/i18n/locales/fr.json';
import { localize } from '../../app/consultations/localize';

/** "a.b.c" paths of every string in a nested object; plural forms folded into their base key. */
function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k.replace(/_(one|many|other)$/, '')}`] : keys(v, `${prefix}${k}.`),
  );
}

describe('translations', () => {
  it('fr, en and es have exactly the same keys', () => {
    const sorted = (o: object) => [...new Set(keys(o))].sort();
    expect(sorted(fr)).toEqual(sorted(en));
    expect(sorted(es)).toEqual(sorted(en));
  });

  it('no translation is empty, and interpolations match across languages', () => {
    const vars = (s: string) => [...s.matchAll(/{{(\w+)}}/g)].map((m) => m[1]).sort();
    const flat = (o: object, p = ''): [string, string][] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [[p + k, v] as [string, string]] : flat(v, `${p}${k}.`)));
    const enMap = new Map(flat(en));
    for (const locale of [fr, es, en]) {
      for (const [key, value] of flat(locale)) {
        expect(value.trim(), key).not.toBe('');
        const base = enMap.get(key) ?? enMap.get(key.replace(/_many$/, '_other'));
        expect(vars(value), key).toEqual(vars(base!));
      }
    }
  });

  it('translates per request without leaking the language between instances', () => {
    const a = i18nFor('fr');
    const b = i18nFor('es');
    expect(a.t('nav.signIn')).toBe('Se connecter');
    expect(b.t('nav.signIn')).toBe('Iniciar sesión');
    expect(i18nFor('en').t('landing.subQuestionCount', { count: 4 })).toBe('4 sub-questions');
    expect(a.t('landing.subQuestionCount', { count: 1 })).toBe('1 sous-question');
  });
});

describe('language detection', () => {
  it('prefers the cookie, then the account, then Accept-Language, then English', () => {
    expect(detectLanguage({ cookie: 'palabre_lng=es', 'accept-language': 'fr' }, 'en')).toBe('es');
    expect(detectLanguage({ 'accept-language': 'fr' }, 'es')).toBe('es');
    expect(detectLanguage({ 'accept-language': 'de-DE,fr;q=0.5,en;q=0.4' })).toBe('fr');
    expect(detectLanguage({ 'accept-language': 'de' })).toBe('en');
    expect(detectLanguage(new Headers({ cookie: 'palabre_lng=xx', 'accept-language': 'es-MX' }))).toBe('es');
  });

  it('honours q-values rather than order', () => {
    expect(fromAcceptLanguage('en;q=0.3, es;q=0.9')).toBe('es');
    expect(fromAcceptLanguage('fr;q=0, en')).toBe('en');
    expect(fromAcceptLanguage('')).toBeUndefined();
  });
});

describe('localized consultation texts', () => {
  const text = { fr: 'Bonjour', en: 'Hello', es: '' };
  it('shows the translation with the French original at hand', () => {
    expect(localize(text, 'en', 'fr')).toEqual({ text: 'Hello', lang: 'en', original: { text: 'Bonjour', lang: 'fr' } });
  });
  it('falls back to the original when a translation is missing, and says so by its lang', () => {
    expect(localize(text, 'es', 'fr')).toEqual({ text: 'Bonjour', lang: 'fr', original: null });
    expect(localize(text, 'fr', 'fr')).toEqual({ text: 'Bonjour', lang: 'fr', original: null });
  });
});

describe('server translations remembered per language', () => {
  it('a plain key gives the same text as i18next; keys with options and other languages are translated each time', () => {
    for (const [language, strings] of [['en', en], ['fr', fr], ['es', es]] as const) {
      const t = i18nFor(language).getFixedT(language);
      expect(t('posts.reply')).toBe(strings.posts.reply);
      expect(t('posts.reply')).toBe(strings.posts.reply); // the remembered value, still this language's
      expect(i18nFor(language).getFixedT(language)('thread.contribute')).toBe(strings.thread.contribute);
      // Interpolated: two calls with two values give two texts, never the first one remembered.
      expect(t('thread.signedInHint', { name: 'Ada' })).toContain('Ada');
      expect(t('thread.signedInHint', { name: 'Grace' })).toContain('Grace');
    }
    expect(i18nFor('en').getFixedT('fr')('posts.reply')).toBe(fr.posts.reply);
    expect(i18nFor('en').getFixedT('en')('posts.reply')).toBe(en.posts.reply);
  });

  it('a call with numbers only (a plural) is remembered per number, in its language', () => {
    const t = i18nFor('en').getFixedT('en');
    expect(t('posts.endorsements', { count: 1 })).toBe('1 endorsement');
    expect(t('posts.endorsements', { count: 2 })).toBe('2 endorsements');
    expect(t('posts.endorsements', { count: 1 })).toBe('1 endorsement');
    expect(t('posts.endorsements', { count: 0 })).toBe('0 endorsements');
    const fr = i18nFor('fr').getFixedT('fr');
    expect(fr('posts.endorsements', { count: 1 })).toBe(i18nFor('fr').t('posts.endorsements', { count: 1 }));
    expect(fr('posts.endorsements', { count: 1 })).not.toBe('1 endorsement');
    // Mixed options (a number and a text) are translated each time.
    expect(t('thread.signedInHint', { name: 'Ada', count: 1 })).toContain('Ada');
    expect(t('thread.signedInHint', { name: 'Grace', count: 1 })).toContain('Grace');
  });
});
