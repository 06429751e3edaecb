/**
 * What the search page calls each facet value, in the reader's language, and which values a
 * consultation knows at all (anything else in the URL is ignored, never searched).
 *
 * Values, as the facets carry them (search-types.ts): `kind` a SearchKind; `question` a
 * question's number ("3") and `subQuestion` a sub-question's ("3.2"), as SearchHit has them;
 * `theme` and `group` the consultation's ids; `language` a content language code; `country` an
 * ISO 3166-1 alpha-2 code (a case study's countries of origin and destination); `month` `YYYY-MM` (UTC).
 */
import type { TFunction } from 'i18next';
import { countryName, isCountry } from '../accounts/countries.server';
import type { Consultation, Question } from '../consultations/consultations.server';
import { LANGUAGES, type Language } from '../consultations/content.schema';
import { groupLabels, localize } from '../consultations/localize';
import { SEARCH_KINDS, type SearchFacet } from './search-types';

/** A label, and a longer text beside it (a question's words, in `lang`, cut short). */
export interface ValueLabel {
  label: string;
  detail?: string;
  lang?: string;
}

/** Characters of a question's text shown beside its number. */
const DETAIL_CHARS = 70;

export interface SearchVocabulary {
  isKnown(facet: SearchFacet, value: string): boolean;
  label(facet: SearchFacet, value: string): ValueLabel;
  /** Question numbers, then sub-question numbers, as the consultation orders them (for sorting). */
  position(facet: 'question' | 'subQuestion', value: string): number;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= DETAIL_CHARS) return flat;
  const cut = flat.slice(0, DETAIL_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > DETAIL_CHARS / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}

function capitalise(text: string, language: Language): string {
  return text ? text.charAt(0).toLocaleUpperCase(language) + text.slice(1) : text;
}

/** The consultation's facet vocabulary for a reader of `language`; `t` in that language. */
export function searchVocabulary(consultation: Consultation, questions: Question[], language: Language, t: TFunction): SearchVocabulary {
  const source = consultation.sourceLanguage;
  const groups = groupLabels(consultation, language);
  const themes = Object.fromEntries(consultation.themes.map((th) => [th.id, localize(th, language, source)?.text ?? th.id]));
  const questionText = new Map<string, { text: string; lang: string }>();
  const subQuestionText = new Map<string, { text: string; lang: string }>();
  const order = new Map<string, number>();
  for (const q of questions) {
    const shown = localize(q.text, language, source);
    questionText.set(q.number, { text: shown?.text ?? '', lang: shown?.lang ?? source });
    order.set(`q${q.number}`, order.size);
    for (const s of q.subQuestions) {
      const sub = localize(s.text, language, source);
      subQuestionText.set(s.number, { text: sub?.text ?? '', lang: sub?.lang ?? source });
      order.set(`s${s.number}`, order.size);
    }
  }
  const languageNames = new Intl.DisplayNames([language], { type: 'language', fallback: 'code' });
  const months = new Intl.DateTimeFormat(language, { month: 'long', year: 'numeric', timeZone: 'UTC' });

  const known: Record<SearchFacet, (value: string) => boolean> = {
    kind: (v) => (SEARCH_KINDS as readonly string[]).includes(v),
    question: (v) => questionText.has(v),
    subQuestion: (v) => subQuestionText.has(v),
    theme: (v) => Object.hasOwn(themes, v),
    group: (v) => Object.hasOwn(groups, v),
    language: (v) => (LANGUAGES as readonly string[]).includes(v),
    country: isCountry,
    month: (v) => MONTH.test(v),
  };

  const withText = (label: string, text: { text: string; lang: string } | undefined): ValueLabel =>
    text?.text ? { label, detail: shorten(text.text), lang: text.lang } : { label };

  const label: Record<SearchFacet, (value: string) => ValueLabel> = {
    kind: (v) => ({ label: t(`search.kinds.${v}`, { defaultValue: v }) }),
    question: (v) => withText(t('search.questionLabel', { number: v }), questionText.get(v)),
    subQuestion: (v) => withText(t('search.subQuestionLabel', { number: v }), subQuestionText.get(v)),
    theme: (v) => ({ label: themes[v] ?? v }),
    group: (v) => ({ label: groups[v] ?? v }),
    language: (v) => {
      let name: string | undefined;
      try {
        name = languageNames.of(v);
      } catch {
        name = undefined; // not a language tag: shown as it came
      }
      return { label: capitalise(name ?? v, language) };
    },
    country: (v) => ({ label: v && isCountry(v) ? countryName(v, language) : v }),
    month: (v) => {
      const m = MONTH.exec(v);
      return { label: m ? capitalise(months.format(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)), language) : v };
    },
  };

  return {
    isKnown: (facet, value) => known[facet](value),
    label: (facet, value) => label[facet](value),
    position: (facet, value) => order.get(`${facet === 'question' ? 'q' : 's'}${value}`) ?? Number.MAX_SAFE_INTEGER,
  };
}
