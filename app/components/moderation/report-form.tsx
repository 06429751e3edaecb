import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { FLAG_REASONS, type FlagSubject } from '../../moderation/flags';
import { FormKeyInput } from '../Field';

/**
 * A reader's report to the moderators (a post or a case study): a plain form to `/c/:slug/flag`,
 * which comes back to `redirectTo` with `?flagged=1` or `?flagError=…` (see FlagNotice). Sent
 * with a key: sent twice, it reports once (app/utils/forms.server.ts).
 */
export function ReportForm({
  action,
  redirectTo,
  subjectType,
  subjectId,
  title,
  idPrefix,
  cancel,
}: {
  action: string;
  redirectTo: string;
  subjectType: FlagSubject;
  subjectId: number;
  title: string;
  /** Makes the form's ids unique on the page. */
  idPrefix: string;
  /** Beside the submit button: how to close the form where it opens on demand (OnDemandForm). */
  cancel?: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <form method="post" action={action} className="moderation-form" aria-labelledby={`${idPrefix}-title`}>
      <p id={`${idPrefix}-title`} className="moderation-form-title">
        {title}
      </p>
      <input type="hidden" name="subjectType" value={subjectType} />
      <input type="hidden" name="subjectId" value={subjectId} />
      <input type="hidden" name="redirectTo" value={redirectTo} />
      <FormKeyInput />
      <div className="field">
        <label htmlFor={`${idPrefix}-reason`}>{t('flags.reason')}</label>
        <select id={`${idPrefix}-reason`} name="reason" required defaultValue="">
          <option value="" disabled>
            {t('flags.chooseReason')}
          </option>
          {FLAG_REASONS.map((r) => (
            <option key={r} value={r}>
              {t(`flags.reasons.${r}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-note`}>
          {t('flags.note')} <span className="muted">({t('flags.optional')})</span>
        </label>
        <textarea id={`${idPrefix}-note`} name="note" rows={3} maxLength={2000} aria-describedby={`${idPrefix}-hint`} />
        <p className="field-hint" id={`${idPrefix}-hint`}>
          {t('flags.noteHint')}
        </p>
      </div>
      <button type="submit" className="button button-small">
        {t('flags.submit')}
      </button>
      {cancel ? <> {cancel}</> : null}
    </form>
  );
}
