/**
 * Small pieces the synthesis-notes pages share: the status badge and the scope label.
 */
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';

/** "Question 2 · Researchers" / "Whole consultation". */
export function scopeLabel(t: TFunction, questionNumber: string | null, group: string | null) {
  const where = questionNumber ? t('notes.scope.question', { number: questionNumber }) : t('notes.scope.consultation');
  return group ? t('notes.scope.withGroup', { scope: where, group }) : where;
}

export function NoteStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge note-status note-status-${status}`} data-testid="note-status" data-status={status}>
      {t(`notes.status.${status}`)}
    </span>
  );
}
