import { Form, Link, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { Phase, PhaseMove } from '../consultations/phases';
import { FormKeyInput } from './Field';

export interface PhaseControlData {
  /** The moves that exist from the current phase, each with what it closes and opens (i18n keys). */
  moves: { move: PhaseMove; to: Phase; effects: string[] }[];
  /** The move the address asks to confirm (`?confirm=`), if any. */
  confirm: PhaseMove | null;
}

/**
 * The admin's phase control on the consultation's page: a link per move, then (`?confirm=`) a
 * confirmation that says what will close and open, with the keyed form that moves. Plain links
 * and a plain form: works without JavaScript; a double submit is answered once (FormKeyInput),
 * and the phase sent (`from`) makes a stale form fail rather than move twice.
 */
export function PhaseControl({ phase, control, moved, error }: { phase: Phase; control: PhaseControlData; moved: string | null; error: string | null }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === 'submitting';
  const asked = control.moves.find((m) => m.move === control.confirm) ?? null;
  const phaseName = (p: Phase) => t(`phase.${p}`);
  return (
    <div className="phase-admin" data-testid="phase-control">
      {moved === phase ? (
        <p className="notice notice-success" role="status" data-testid="phase-moved">
          {t('phases.control.moved', { phase: phaseName(phase) })}
        </p>
      ) : null}
      {error ? (
        <p className="notice notice-error" role="alert" data-testid="phase-error">
          {t(error)}
        </p>
      ) : null}
      {asked ? (
        <section className="phase-confirm" aria-labelledby="phase-confirm-heading" id="phase-confirm" data-testid="phase-confirm">
          <h2 id="phase-confirm-heading">{t(`phases.control.confirmHeading.${asked.move}`, { phase: phaseName(asked.to) })}</h2>
          <p>{t('phases.control.confirmIntro', { from: phaseName(phase), to: phaseName(asked.to) })}</p>
          <ul>
            {(asked.effects.length ? asked.effects : ['phases.effects.none']).map((key) => (
              <li key={key}>{t(key)}</li>
            ))}
          </ul>
          <Form method="post" className="phase-control">
            <input type="hidden" name="intent" value="phase" />
            <FormKeyInput />
            <input type="hidden" name="from" value={phase} />
            <input type="hidden" name="move" value={asked.move} />
            <button type="submit" className="button" disabled={busy} data-testid="phase-confirm-submit">
              {t('phases.control.confirm', { phase: phaseName(asked.to) })}
            </button>
            <Link to="?#phase" className="button button-secondary" preventScrollReset>
              {t('phases.control.cancel')}
            </Link>
          </Form>
        </section>
      ) : (
        <p className="phase-control">
          {control.moves.map(({ move, to }) => (
            <Link
              key={move}
              to={`?confirm=${move}#phase-confirm`}
              className={`button${move === 'back' ? ' button-secondary' : ''}`}
              data-testid={`phase-${move}`}
            >
              {t(`phases.control.${move}`, { phase: phaseName(to) })}
            </Link>
          ))}
        </p>
      )}
    </div>
  );
}
