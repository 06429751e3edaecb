/**
 * The audit log: every moderation decision, role change, phase change and export, with who,
 * what, when and why. Written in the same transaction as the change it records.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';

export interface AuditEntry {
  actorId: string | null;
  consultationId?: number | null;
  action: string;
  subjectType: string;
  subjectId: string;
  reason?: string | null;
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('auditLog')
    .values({
      at: new Date().toISOString(),
      actorId: entry.actorId,
      consultationId: entry.consultationId ?? null,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      reason: entry.reason ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

export interface AuditQuery {
  consultationId?: number;
  /** An exact action (`post.hide`) or a family (`case_study.`, ending with a dot). */
  action?: string;
  subjectType?: string;
  subjectId?: string;
  limit?: number;
}

export interface AuditView {
  id: number;
  at: string;
  action: string;
  subjectType: string;
  subjectId: string;
  reason: string | null;
  details: Record<string, unknown>;
  actor: { id: string; name: string } | null;
}

export function createAuditService(db: Kysely<Database>) {
  return {
    record: (entry: AuditEntry) => recordAudit(db, entry),

    async list(query: AuditQuery = {}): Promise<AuditView[]> {
      let q = db
        .selectFrom('auditLog')
        .leftJoin('users', 'users.id', 'auditLog.actorId')
        .select([
          'auditLog.id',
          'auditLog.at',
          'auditLog.action',
          'auditLog.subjectType',
          'auditLog.subjectId',
          'auditLog.reason',
          'auditLog.details',
          'users.id as actorId',
          'users.name as actorName',
        ])
        .orderBy('auditLog.id', 'desc')
        .limit(Math.min(query.limit ?? 50, 500));
      if (query.consultationId !== undefined) q = q.where('auditLog.consultationId', '=', query.consultationId);
      if (query.action) {
        q = query.action.endsWith('.')
          ? q.where(sql<string>`substr(${sql.ref('auditLog.action')}, 1, ${query.action.length})`, '=', query.action)
          : q.where('auditLog.action', '=', query.action);
      }
      if (query.subjectType) q = q.where('auditLog.subjectType', '=', query.subjectType);
      if (query.subjectId) q = q.where('auditLog.subjectId', '=', query.subjectId);
      const rows = await q.execute();
      return rows.map(({ actorId, actorName, details, ...r }) => ({
        ...r,
        details: JSON.parse(details) as Record<string, unknown>,
        actor: actorId ? { id: actorId, name: actorName ?? '' } : null,
      }));
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
