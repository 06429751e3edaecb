/**
 * Chooses which language to show a consultation text in, keeping the original at hand.
 */
import type { Language } from './content.schema';

export interface Shown {
  text: string;
  lang: Language;
  /** The source-language text, when what is shown is a translation. */
  original: { text: string; lang: Language } | null;
}

export function localize(
  texts: Partial<Record<Language, string | undefined>>,
  language: Language,
  source: Language,
): Shown | null {
  const sourceText = texts[source]?.trim() ? texts[source]! : undefined;
  const wanted = texts[language]?.trim() ? texts[language]! : undefined;
  if (wanted && language !== source) {
    return { text: wanted, lang: language, original: sourceText ? { text: sourceText, lang: source } : null };
  }
  if (sourceText) return { text: sourceText, lang: source, original: null };
  return null;
}

interface ConsultationTexts {
  title: Partial<Record<Language, string | undefined>>;
  sourceLanguage: Language;
  stakeholderGroups: ({ id: string } & Partial<Record<Language, string | undefined>>)[];
}

/** The consultation's title in `language`, or in its original language. */
export function consultationTitle(consultation: ConsultationTexts, language: Language): string {
  return localize(consultation.title, language, consultation.sourceLanguage)?.text ?? '';
}

/** Stakeholder group id → its label in `language` (the id itself if it has no label). */
export function groupLabels(consultation: ConsultationTexts, language: Language): Record<string, string> {
  return Object.fromEntries(consultation.stakeholderGroups.map((g) => [g.id, localize(g, language, consultation.sourceLanguage)?.text ?? g.id]));
}
