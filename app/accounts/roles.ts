/**
 * Roles and what they may do. A user has at most one role per consultation; admin is global.
 * Isomorphic, so pages can hide what the server would refuse anyway.
 */
import type { ConsultationRole, SiteRole } from '../../db/schema';

export const ROLES = ['participant', 'moderator', 'rapporteur', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function effectiveRole(siteRole: SiteRole, membership: ConsultationRole | null | undefined): Role {
  if (siteRole === 'admin') return 'admin';
  return membership ?? 'participant';
}

const permissions = {
  'users.manage': ['admin'],
  'audit.read': ['moderator', 'admin'],
  'moderation.act': ['moderator', 'admin'],
  'notes.finalise': ['rapporteur', 'admin'],
  /** Read restricted case studies, edit notes in review, name and restore note versions. */
  'content.review': ['moderator', 'rapporteur', 'admin'],
  /** Download the consultation report (whole, or a question's part) and the data: contributions, case-study catalogue. */
  'exports.report': ['moderator', 'rapporteur', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export function can(role: Role | null | undefined, permission: Permission): boolean {
  return !!role && (permissions[permission] as readonly Role[]).includes(role);
}
