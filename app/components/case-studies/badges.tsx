/**
 * The badges a case study carries on every page that lists or shows it: its review state, and
 * "restricted" (moderators and rapporteurs only) when it is.
 */
import { useTranslation } from 'react-i18next';
import type { CaseStudyStatus, Visibility } from '../../contributions/statuses';

export function CaseStudyStatusBadge({ status }: { status: CaseStudyStatus }) {
  const { t } = useTranslation();
  return <span className={`badge cs-status cs-status-${status}`}>{t(`caseStudies.statuses.${status}`)}</span>;
}

export function RestrictedBadge({ visibility }: { visibility: Visibility }) {
  const { t } = useTranslation();
  return visibility === 'restricted' ? <span className="badge cs-restricted">{t('caseStudies.restricted')}</span> : null;
}
