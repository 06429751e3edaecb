import { useTranslation } from 'react-i18next';
import type { Phase } from '../consultations/phases';

/**
 * Said where a composer or a case-study form would be once the consultation has left `open`:
 * what is read-only now, and why (the phase, in words). `role="status"`: it replaces a form,
 * it is not an error of the reader's.
 */
export function PhaseClosedNotice({ phase, what, children }: { phase: Phase; what: 'threads' | 'caseStudies'; children?: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="notice notice-phase" role="status" data-testid="phase-closed">
      <p>{t(`phases.readOnly.${what}`, { phase: t(`phase.${phase}`) })}</p>
      {children}
    </div>
  );
}

/**
 * The consultation's current phase, under the site header on every page (root.tsx): a compact
 * line that wraps rather than widen the page at 320 px, linking to the consultation's page
 * (where admins move it).
 */
export function PhaseBar({ consultation }: { consultation: { slug: string; phase: Phase } | null | undefined }) {
  const { t } = useTranslation();
  if (!consultation) return null;
  return (
    // A landmark of its own (complementary), so that nothing on the page lies outside one.
    <aside className="phase-bar" aria-label={t('phase.label')} data-testid="phase-bar">
      <p className="phase-bar-inner">
        <a href={`/c/${consultation.slug}`} className="phase-bar-link">
          <span className="phase-label">{t('phase.label')}</span>{' '}
          <span className={`badge badge-${consultation.phase}`} data-phase={consultation.phase}>
            {t(`phase.${consultation.phase}`)}
          </span>
        </a>
      </p>
    </aside>
  );
}
