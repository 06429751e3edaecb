import { Link, useLocation, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';

/** The only messages `/c/:slug/flag` puts in `?flagError=`: anything else in the URL is ignored. */
export const FLAG_ERROR_KEYS = [
  'errors.flagOwn',
  'errors.flagReason',
  'errors.choice',
  'errors.tooLong',
  'errors.postNotFound',
  'errors.caseStudyNotFound',
  'errors.forbidden',
  'errors.rateLimited',
  'flags.error',
] as const;

export function isFlagErrorKey(key: unknown): key is (typeof FLAG_ERROR_KEYS)[number] {
  return typeof key === 'string' && (FLAG_ERROR_KEYS as readonly string[]).includes(key);
}

/**
 * What `/c/:slug/flag` answered (`?flagged=1` or `?flagError=…`), as a notice that stays in
 * view while the page scrolls to the flagged item, with a link that closes it.
 */
export function FlagNotice() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const location = useLocation();
  const flagged = params.get('flagged') === '1';
  const error = params.get('flagError');
  if (!flagged && !isFlagErrorKey(error)) return null;
  const next = new URLSearchParams(params);
  next.delete('flagged');
  next.delete('flagError');
  const search = next.toString();
  const close = `${location.pathname}${search ? `?${search}` : ''}${location.hash}`;
  return (
    <div className={`flag-notice notice ${flagged ? 'notice-success' : 'notice-error'}`} role={flagged ? 'status' : 'alert'}>
      <p>{flagged ? t('flags.thanks') : `${t('flags.failed')} ${t(error!)}`}</p>
      <Link to={close} replace preventScrollReset className="flag-notice-close">
        {t('flags.close')}
      </Link>
    </div>
  );
}
