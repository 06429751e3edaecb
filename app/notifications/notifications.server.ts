/**
 * In-app notices: a user is told here of decisions about their own work (a case study
 * reviewed, a post hidden or restored). Written in the transaction of the decision itself.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';

export interface Notice {
  userId: string;
  /** e.g. `case_study.publish`, `post.hide` */
  kind: string;
  subjectType: 'case_study' | 'post';
  subjectId: string | number;
  /** What the page needs to say it and link to it (title, note, slug, thread…). */
  details: Record<string, unknown>;
}

export async function notify(db: Kysely<Database>, notice: Notice): Promise<void> {
  await db
    .insertInto('notifications')
    .values({
      userId: notice.userId,
      kind: notice.kind,
      subjectType: notice.subjectType,
      subjectId: String(notice.subjectId),
      details: JSON.stringify(notice.details),
      createdAt: new Date().toISOString(),
      readAt: null,
    })
    .execute();
}

export interface NotificationView {
  id: number;
  kind: string;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown>;
  createdAt: string;
  read: boolean;
}

export function createNotificationService(db: Kysely<Database>) {
  return {
    async unreadCount(userId: string): Promise<number> {
      const { n } = await db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('userId', '=', userId)
        .where('readAt', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(n);
    },

    async list(userId: string, limit = 100): Promise<NotificationView[]> {
      const rows = await db
        .selectFrom('notifications')
        .selectAll()
        .where('userId', '=', userId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        subjectType: r.subjectType,
        subjectId: r.subjectId,
        details: JSON.parse(r.details) as Record<string, unknown>,
        createdAt: r.createdAt,
        read: r.readAt !== null,
      }));
    },

    /** Marks the user's notices read (all of them, or those listed). */
    async markRead(userId: string, ids?: number[]): Promise<void> {
      let q = db.updateTable('notifications').set({ readAt: new Date().toISOString() }).where('userId', '=', userId).where('readAt', 'is', null);
      if (ids) {
        if (ids.length === 0) return;
        q = q.where('id', 'in', ids);
      }
      await q.execute();
    },
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;
