/**
 * The admin's phase-move form (the consultation's page): the phase they saw and which way to
 * move. Messages are i18n keys; the service checks everything again (phase-moves.server.ts).
 */
import { z } from 'zod';
import { PHASES } from './phases';

export const PHASE_MOVES = ['forward', 'back'] as const;

export const phaseMoveSchema = z.object({
  from: z.enum(PHASES, { error: 'phases.errors.noMove' }),
  move: z.enum(PHASE_MOVES, { error: 'phases.errors.noMove' }),
});
