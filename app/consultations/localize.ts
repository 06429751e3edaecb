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
