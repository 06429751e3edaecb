/**
 * The words an export is framed in (labels, footnote wording, dates), in the language the
 * person chose for it, from the locale files (`exports.*`, and the site's own attribution
 * labels so that a footnote names an author exactly as the site does).
 */
import type { Consultation } from '../consultations/consultations.server';
import { groupLabels } from '../consultations/localize';
import { i18nFor } from '../i18n/i18n.server';
import type { ExportDocument, ExportLanguage } from './document';
import type { ExportWords } from './footnotes';

export function exportT(language: ExportLanguage) {
  return i18nFor(language).getFixedT(language);
}

/** Footnote words for `consultation`'s stakeholder groups, in `language`. */
export function exportWords(language: ExportLanguage, consultation: Pick<Consultation, 'title' | 'sourceLanguage' | 'stakeholderGroups'>): ExportWords {
  const t = exportT(language);
  const groups = groupLabels(consultation, language);
  return {
    language,
    chatham: (group) => t('posts.chathamLabel', { group }),
    organisation: (organisation, group) => t('posts.organisationLabel', { organisation, group }),
    subQuestion: (number) => t('exports.footnote.subQuestion', { number }),
    question: (number) => t('exports.footnote.question', { number }),
    caseStudy: t('exports.footnote.caseStudy'),
    withdrawn: t('exports.footnote.withdrawn'),
    // A clip's own state, as the note's sources list flags it (app/components/notes/sources.tsx); else the citation's standing.
    standing: (source) =>
      source.state !== 'available'
        ? null
        : source.clip
          ? source.clip.state === 'fresh'
            ? null
            : t(`compilation.states.${source.clip.state}`)
          : source.standing === 'changed' || source.standing === 'restricted'
            ? t(`compilation.citation.${source.standing}`)
            : null,
    groupLabel: (id) => groups[id] ?? id,
  };
}

/** The frame labels every renderer needs. */
export function exportLabels(language: ExportLanguage): ExportDocument['labels'] {
  const t = exportT(language);
  return { contents: t('exports.labels.contents'), page: t('exports.labels.page'), footnotes: t('exports.labels.footnotes') };
}

/** "30 November 2026" in the export's language (UTC: the day the forum's record names). */
export function exportDate(iso: string, language: ExportLanguage): string {
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : language, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(iso));
}
