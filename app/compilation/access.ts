/**
 * Who may read a question's compilation (issue 12): moderators, rapporteurs and admins always;
 * participants once the consultation is in its `synthesis` or `final` phase. Isomorphic, so that
 * pages can hide what the server would refuse anyway. Writing takes `moderation.act`.
 */
import type { Phase } from '../../db/schema';
import { can, type Role } from '../accounts/roles';

export function mayReadCompilation(role: Role, phase: Phase | string): boolean {
  return can(role, 'content.review') || phase === 'synthesis' || phase === 'final';
}

export function mayEditCompilation(role: Role): boolean {
  return can(role, 'moderation.act');
}
