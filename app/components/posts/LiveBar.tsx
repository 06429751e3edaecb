import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectionState } from '../../live/useThread';
import type { PublicAuthor } from '../../contributions/attribution';
import { authorLabel } from '../../posts/post-view';

/** Connection state, readers present and who is typing: shown once JavaScript runs. */
export function LiveBar({
  connection,
  readers,
  typing,
  groupLabel,
  problem = null,
}: {
  connection: ConnectionState;
  readers: number | null;
  typing: PublicAuthor[];
  groupLabel: (id: string) => string;
  /** While not connected, why, as the server said it (an i18n key, e.g. errors.serviceUnavailable). */
  problem?: string | null;
}) {
  const { t } = useTranslation();
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  if (!mounted) return null;
  const names = typing.map((a) => authorLabel(a, t, groupLabel));
  return (
    <div className={`live-bar live-${connection}`}>
      <p className="live-status" role="status">
        <span className="live-dot" aria-hidden="true" />
        {problem && connection !== 'connected' ? t(problem) : t(`live.${connection}`)}
        {readers !== null && connection === 'connected' ? <> · {t('live.readers', { count: readers })}</> : null}
      </p>
      <p className="live-typing" aria-live="polite">
        {names.length > 0 ? t('live.typing', { count: names.length, names: names.join(', ') }) : ''}
      </p>
    </div>
  );
}
