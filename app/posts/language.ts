/**
 * Guesses whether a post is in French, English or Spanish from its most common short words.
 * Only a default: the author can change it.
 */
import type { Language } from '../consultations/content.schema';

const STOPWORDS: Record<Language, string[]> = {
  fr: ['le', 'la', 'les', 'des', 'est', 'et', 'une', 'dans', 'pour', 'que', 'qui', 'pas', 'sur', 'au', 'aux', 'du', 'nous', 'avec', 'sont', 'ce', 'cette', 'être', 'ont', 'mais', 'leur'],
  en: ['the', 'and', 'is', 'are', 'of', 'to', 'in', 'that', 'for', 'with', 'on', 'we', 'this', 'be', 'not', 'it', 'as', 'by', 'they', 'have', 'their', 'was', 'from', 'or', 'which'],
  es: ['el', 'los', 'las', 'del', 'es', 'y', 'una', 'en', 'para', 'que', 'por', 'con', 'no', 'se', 'su', 'sus', 'al', 'lo', 'como', 'más', 'son', 'pero', 'este', 'esta', 'están'],
};

export function detectPostLanguage(text: string, fallback: Language): Language {
  const words = text.toLowerCase().match(/[\p{L}]+/gu) ?? [];
  const scores = (Object.keys(STOPWORDS) as Language[]).map((lang) => {
    const set = new Set(STOPWORDS[lang]);
    return { lang, score: words.reduce((n, w) => n + (set.has(w) ? 1 : 0), 0) };
  });
  scores.sort((a, b) => b.score - a.score);
  if (scores[0].score === 0 || scores[0].score === scores[1].score) return fallback;
  return scores[0].lang;
}
