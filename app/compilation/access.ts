/**
 * Who may read and write a question's compilation: the phase rule of
 * app/consultations/phases.ts (`compilationAccess`), the one place that says it. Isomorphic, so
 * that pages can hide what the server would refuse anyway.
 */
import type { Phase } from '../../db/schema';
import type { Role } from '../accounts/roles';
import { compilationAccess } from '../consultations/phases';

export function mayReadCompilation(role: Role | null, phase: Phase): boolean {
  return compilationAccess(phase, role) !== 'none';
}

export function mayEditCompilation(role: Role | null, phase: Phase): boolean {
  return compilationAccess(phase, role) === 'write';
}
