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
  /**
   * Part of a name or title, any case: entries whose actor's name, or whose subject's name (a
   * user) or current title (a case study, a synthesis note), contains it.
   */
  search?: string;
  limit?: number;
}

/** An entry's subject in people's words, read when the log is (names and titles change). */
export interface AuditSubject {
  /** A user's name, a case study's or a note's current title; null when gone or not titled (posts). */
  name: string | null;
  /** The number of a post's thread ("2.2"). */
  thread: string | null;
  /** The number ("2.2") of the sub-question in `details.subQuestionId` (featuring). */
  subQuestion: string | null;
  /** The number ("2") of the question in `details.questionId` (compilation entries). */
  question: string | null;
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
  subject: AuditSubject;
}

/** `text` as a LIKE pattern matching it anywhere, its wildcards taken literally (escape `\`). */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function createAuditService(db: Kysely<Database>) {
  /** Subject names, thread and sub-question numbers of a page of entries: one query per kind. */
  async function describe(rows: { subjectType: string; subjectId: string; details: Record<string, unknown> }[]) {
    const idsOf = (type: string) => [...new Set(rows.filter((r) => r.subjectType === type).map((r) => r.subjectId))];
    const numeric = (ids: string[]) => ids.filter((id) => /^[0-9]{1,15}$/.test(id)).map(Number);
    const userIds = idsOf('user');
    const caseStudyIds = numeric(idsOf('case_study'));
    const noteIds = numeric(idsOf('note'));
    const postIds = numeric(idsOf('post'));
    const subQuestionIds = [...new Set(rows.map((r) => r.details.subQuestionId).filter((v): v is number => Number.isInteger(v)))];
    const keyPointIds = numeric(idsOf('key_point'));
    const questionIds = [...new Set(rows.map((r) => r.details.questionId).filter((v): v is number => Number.isInteger(v)))];
    const [users, caseStudies, notes, posts, subQuestions, keyPoints, questions] = await Promise.all([
      userIds.length ? db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute() : [],
      caseStudyIds.length ? db.selectFrom('caseStudies').select(['id', 'title']).where('id', 'in', caseStudyIds).execute() : [],
      noteIds.length ? db.selectFrom('notes').select(['id', 'title']).where('id', 'in', noteIds).execute() : [],
      postIds.length
        ? db.selectFrom('posts').innerJoin('threads', 'threads.id', 'posts.threadId').select(['posts.id', 'threads.number']).where('posts.id', 'in', postIds).execute()
        : [],
      subQuestionIds.length ? db.selectFrom('subQuestions').select(['id', 'number']).where('id', 'in', subQuestionIds).execute() : [],
      keyPointIds.length ? db.selectFrom('keyPoints').select(['id', 'heading']).where('id', 'in', keyPointIds).execute() : [],
      questionIds.length ? db.selectFrom('questions').select(['id', 'number']).where('id', 'in', questionIds).execute() : [],
    ]);
    const names = new Map<string, string>([
      ...users.map((u) => [`user:${u.id}`, u.name] as const),
      ...caseStudies.map((c) => [`case_study:${c.id}`, c.title] as const),
      ...notes.map((n) => [`note:${n.id}`, n.title] as const),
      ...keyPoints.map((k) => [`key_point:${k.id}`, k.heading] as const),
    ]);
    const questionNumbers = new Map(questions.map((q) => [q.id, q.number]));
    const threads = new Map(posts.map((p) => [String(p.id), p.number]));
    const numbers = new Map(subQuestions.map((s) => [s.id, s.number]));
    return (row: { subjectType: string; subjectId: string; details: Record<string, unknown> }): AuditSubject => ({
      name: names.get(`${row.subjectType}:${row.subjectId}`) ?? null,
      thread: row.subjectType === 'post' ? (threads.get(row.subjectId) ?? null) : null,
      subQuestion: Number.isInteger(row.details.subQuestionId) ? (numbers.get(row.details.subQuestionId as number) ?? null) : null,
      question: Number.isInteger(row.details.questionId) ? (questionNumbers.get(row.details.questionId as number) ?? null) : null,
    });
  }

  return {
    record: (entry: AuditEntry) => recordAudit(db, entry),

    /** The latest entries (newest first, at most 500), each with its subject in words. */
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
      const search = query.search?.trim();
      if (search) {
        const pattern = containsPattern(search);
        // lower() on both sides: PostgreSQL's LIKE minds case, SQLite's does not (for ASCII).
        const matches = (column: string) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
        q = q.where((eb) =>
          eb.or([
            matches('users.name'),
            eb.and([eb('auditLog.subjectType', '=', 'user'), eb('auditLog.subjectId', 'in', eb.selectFrom('users as s').select('s.id').where(matches('s.name')))]),
            eb.and([
              eb('auditLog.subjectType', '=', 'case_study'),
              eb('auditLog.subjectId', 'in', eb.selectFrom('caseStudies as c').select(sql<string>`cast(${sql.ref('c.id')} as text)`.as('id')).where(matches('c.title'))),
            ]),
            eb.and([
              eb('auditLog.subjectType', '=', 'note'),
              eb('auditLog.subjectId', 'in', eb.selectFrom('notes as n').select(sql<string>`cast(${sql.ref('n.id')} as text)`.as('id')).where(matches('n.title'))),
            ]),
            eb.and([
              eb('auditLog.subjectType', '=', 'key_point'),
              eb('auditLog.subjectId', 'in', eb.selectFrom('keyPoints as k').select(sql<string>`cast(${sql.ref('k.id')} as text)`.as('id')).where(matches('k.heading'))),
            ]),
          ]),
        );
      }
      const rows = (await q.execute()).map(({ details, ...r }) => ({ ...r, details: JSON.parse(details) as Record<string, unknown> }));
      const subjectOf = await describe(rows);
      return rows.map(({ actorId, actorName, ...r }) => ({
        ...r,
        actor: actorId ? { id: actorId, name: actorName ?? '' } : null,
        subject: subjectOf(r),
      }));
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
