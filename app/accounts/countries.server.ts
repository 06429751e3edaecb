/**
 * ISO 3166-1 countries with their names in the interface languages (i18n-iso-countries).
 */
import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json';
import es from 'i18n-iso-countries/langs/es.json';
import fr from 'i18n-iso-countries/langs/fr.json';
import type { Language } from '../consultations/content.schema';

for (const locale of [en, fr, es]) countries.registerLocale(locale);

const cache = new Map<Language, { value: string; label: string }[]>();

/** Alpha-2 codes with their names in `language`, in that language's alphabetical order. */
export function countryOptions(language: Language): { value: string; label: string }[] {
  let options = cache.get(language);
  if (!options) {
    const collator = new Intl.Collator(language);
    options = Object.entries(countries.getNames(language, { select: 'official' }))
      .map(([value, label]) => ({ value, label }))
      .sort((a, b) => collator.compare(a.label, b.label));
    cache.set(language, options);
  }
  return options;
}

export function isCountry(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && countries.isValid(code);
}

export function countryName(code: string, language: Language): string {
  return countries.getName(code, language, { select: 'official' }) ?? code;
}
