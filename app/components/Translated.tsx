import { useTranslation } from 'react-i18next';
import type { Shown } from '../consultations/localize';
import { LANGUAGE_NAMES } from '../i18n/config';

/** `lang` for an element whose text may not be in the page's language (WCAG 3.1.2). */
export function useLangOf() {
  const { i18n } = useTranslation();
  return (lang: string) => (lang !== i18n.language ? lang : undefined);
}

/**
 * A consultation text in the reader's language, with the French original one click away
 * (a native <details>, so it works without JavaScript).
 */
export function Translated({ shown, className }: { shown: Shown; className?: string }) {
  const langOf = useLangOf();
  return (
    <>
      <p className={className} lang={langOf(shown.lang)}>
        {shown.text}
      </p>
      <Original shown={shown} />
    </>
  );
}

/** The original-language text of a translated one, folded. */
export function Original({ shown }: { shown: Shown }) {
  const { t } = useTranslation();
  if (!shown.original) return null;
  return (
    <details className="original">
      <summary>{t('original.show', { language: LANGUAGE_NAMES[shown.original.lang] })}</summary>
      <p lang={shown.original.lang}>{shown.original.text}</p>
    </details>
  );
}

/**
 * Says, after a consultation text, that it is shown in its original language because it has no
 * translation in the reader's (nothing when it is in the reader's language).
 */
export function InSourceLanguage({ lang }: { lang: string }) {
  const { t, i18n } = useTranslation();
  if (lang === i18n.language) return null;
  return <span className="muted">{` ${t('original.untranslated', { language: LANGUAGE_NAMES[lang as keyof typeof LANGUAGE_NAMES] ?? lang })}`}</span>;
}
