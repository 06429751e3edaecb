/**
 * Flags and the moderators' queue. Participants flag a post or a case study with a reason;
 * moderators see open flags grouped by what was flagged, then hide the post (posts.moderate),
 * send the case study back to review (case studies' `unpublish`) or dismiss the flags.
 * Every decision goes to the audit log in the transaction that makes it.
 */
import type { Kysely } from 'kysely';
import type { Database, FlagReason, FlagStatus, FlagSubject } from '../../db/schema';
import { roleOf } from '../accounts/accounts.server';
import { can } from '../accounts/roles';
import { recordAudit } from '../audit/audit.server';
import type { PublicAuthor } from '../contributions/attribution';
import { AUTHOR_COLUMNS, authorsOf } from '../contributions/filters.server';
import { mayReadCaseStudy, postReachable } from '../contributions/visibility';
import { DomainError } from '../utils/errors';
import type { FlagInput } from './moderation.schema';

export interface FlaggedItem {
  subjectType: FlagSubject;
  subjectId: number;
  /** Open flags (or those of the chosen status), newest first. */
  flags: { id: number; reason: FlagReason; note: string; createdAt: string; reporter: string; status: FlagStatus }[];
  reasons: Partial<Record<FlagReason, number>>;
  lastAt: string;
  /** What was flagged, as moderators see it. */
  subject: {
    title: string;
    excerpt: string;
    status: string;
    author: PublicAuthor;
    realAuthor: string;
    /** Where it lives: a thread ("2.4", question "2") or a case study id. */
    thread?: { number: string; question: string };
  };
}

export interface QueueFilters {
  status?: FlagStatus;
  subjectType?: FlagSubject;
  reason?: FlagReason;
}

export function createModerationService(db: Kysely<Database>) {
  /** The consultation a flagged subject belongs to, if the reporter may see the subject at all. */
  async function subjectConsultation(userId: string, subjectType: FlagSubject, subjectId: number) {
    if (subjectType === 'post') {
      const post = await db
        .selectFrom('posts')
        .innerJoin('threads', 'threads.id', 'posts.threadId')
        .innerJoin('consultations', 'consultations.id', 'threads.consultationId')
        .select(['posts.authorId', 'posts.status', 'threads.consultationId', 'consultations.phase'])
        .where('posts.id', '=', subjectId)
        .executeTakeFirst();
      if (!post || !postReachable(post)) throw new DomainError('not_found', 'errors.postNotFound');
      return { consultationId: post.consultationId, authorId: post.authorId };
    }
    const study = await db
      .selectFrom('caseStudies')
      .select(['authorId', 'status', 'visibility', 'consultationId'])
      .where('id', '=', subjectId)
      .executeTakeFirst();
    if (!study) throw new DomainError('not_found', 'errors.caseStudyNotFound');
    const role = await roleOf(db, userId, study.consultationId);
    if (!mayReadCaseStudy(study, { userId, role })) throw new DomainError('not_found', 'errors.caseStudyNotFound');
    return { consultationId: study.consultationId, authorId: study.authorId };
  }

  async function requireModerator(userId: string, consultationId: number) {
    if (!can(await roleOf(db, userId, consultationId), 'moderation.act')) throw new DomainError('forbidden', 'errors.forbidden');
  }

  return {
    /** Flags a post or case study. One open flag per reporter and subject: flagging again changes nothing. */
    async flag(userId: string, input: FlagInput): Promise<{ id: number; created: boolean }> {
      const { consultationId, authorId } = await subjectConsultation(userId, input.subjectType, input.subjectId);
      if (authorId === userId) throw new DomainError('forbidden', 'errors.flagOwn');
      const openFlag = () =>
        db
          .selectFrom('flags')
          .select('id')
          .where('subjectType', '=', input.subjectType)
          .where('subjectId', '=', input.subjectId)
          .where('reporterId', '=', userId)
          .where('status', '=', 'open')
          .executeTakeFirst();
      const existing = await openFlag();
      if (existing) return { id: existing.id, created: false };
      try {
        const { id } = await db
          .insertInto('flags')
          .values({
            consultationId,
            subjectType: input.subjectType,
            subjectId: input.subjectId,
            reporterId: userId,
            reason: input.reason,
            note: input.note ?? '',
            createdAt: new Date().toISOString(),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return { id, created: true };
      } catch (error) {
        // The same report sent twice at once: the unique index (flags_open_reporter_key) kept one.
        const again = /unique|duplicate/i.test((error as Error).message) ? await openFlag() : undefined;
        if (again) return { id: again.id, created: false };
        throw error;
      }
    },

    /** Flags grouped by what was flagged, for moderators. */
    async flagged(userId: string, consultationId: number, filters: QueueFilters = {}): Promise<FlaggedItem[]> {
      await requireModerator(userId, consultationId);
      let q = db
        .selectFrom('flags')
        .innerJoin('users', 'users.id', 'flags.reporterId')
        .select([
          'flags.id',
          'flags.subjectType',
          'flags.subjectId',
          'flags.reason',
          'flags.note',
          'flags.status',
          'flags.createdAt',
          'users.name as reporter',
        ])
        .where('flags.consultationId', '=', consultationId)
        .where('flags.status', '=', filters.status ?? 'open')
        .orderBy('flags.id', 'desc')
        .limit(1000);
      if (filters.subjectType) q = q.where('flags.subjectType', '=', filters.subjectType);
      if (filters.reason) q = q.where('flags.reason', '=', filters.reason);
      const rows = await q.execute();

      const groups = new Map<string, FlaggedItem['flags'] & { subjectType?: never }>();
      for (const r of rows) {
        const key = `${r.subjectType}:${r.subjectId}`;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key)!.push({ id: r.id, reason: r.reason, note: r.note, createdAt: r.createdAt, reporter: r.reporter, status: r.status });
      }
      const ids = (type: FlagSubject) => [...new Set(rows.filter((r) => r.subjectType === type).map((r) => r.subjectId))];
      const postIds = ids('post');
      const studyIds = ids('case_study');
      const posts = postIds.length
        ? await db
            .selectFrom('posts')
            .innerJoin('users', 'users.id', 'posts.authorId')
            .innerJoin('threads', 'threads.id', 'posts.threadId')
            .innerJoin('questions', 'questions.id', 'threads.questionId')
            .select([
              'posts.id',
              'posts.authorId',
              'posts.bodyText',
              'posts.status',
              'posts.attribution',
              ...AUTHOR_COLUMNS,
              'threads.number',
              'questions.number as question',
            ])
            .where('posts.id', 'in', postIds)
            .execute()
        : [];
      const studies = studyIds.length
        ? await db
            .selectFrom('caseStudies')
            .innerJoin('users', 'users.id', 'caseStudies.authorId')
            .select([
              'caseStudies.id',
              'caseStudies.authorId',
              'caseStudies.title',
              'caseStudies.summary',
              'caseStudies.status',
              'caseStudies.attribution',
              ...AUTHOR_COLUMNS,
            ])
            .where('caseStudies.id', 'in', studyIds)
            .execute()
        : [];

      const items: FlaggedItem[] = [];
      for (const [key, flags] of groups) {
        const [type, rawId] = key.split(':') as [FlagSubject, string];
        const id = Number(rawId);
        const reasons: FlaggedItem['reasons'] = {};
        for (const f of flags) reasons[f.reason] = (reasons[f.reason] ?? 0) + 1;
        let subject: FlaggedItem['subject'] | null = null;
        if (type === 'post') {
          const p = posts.find((x) => x.id === id);
          if (p)
            subject = {
              title: '',
              excerpt: excerpt(p.bodyText),
              status: p.status,
              author: authorsOf(p).author,
              realAuthor: p.authorName,
              thread: { number: p.number, question: p.question },
            };
        } else {
          const s = studies.find((x) => x.id === id);
          if (s) subject = { title: s.title, excerpt: excerpt(s.summary), status: s.status, author: authorsOf(s).author, realAuthor: s.authorName };
        }
        if (subject) items.push({ subjectType: type, subjectId: id, flags, reasons, lastAt: flags[0]!.createdAt, subject });
      }
      return items;
    },

    /** How many subjects wait in each part of the queue (for the navigation). */
    async counts(userId: string, consultationId: number) {
      await requireModerator(userId, consultationId);
      const [flags, studies] = await Promise.all([
        db
          .selectFrom('flags')
          .select((eb) => eb.fn.count<string | number>('subjectId').distinct().as('n'))
          .where('consultationId', '=', consultationId)
          .where('status', '=', 'open')
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('caseStudies')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .where('consultationId', '=', consultationId)
          .where('status', 'in', ['submitted', 'in_review', 'verified'])
          .executeTakeFirstOrThrow(),
      ]);
      return { flags: Number(flags.n), caseStudies: Number(studies.n) };
    },

    /** Closes a subject's open flags without acting on it (the moderator found nothing wrong). */
    async dismiss(userId: string, subjectType: FlagSubject, subjectId: number, note: string | null): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const open = await trx
          .selectFrom('flags')
          .select(['id', 'consultationId'])
          .where('subjectType', '=', subjectType)
          .where('subjectId', '=', subjectId)
          .where('status', '=', 'open')
          .execute();
        if (open.length === 0) throw new DomainError('conflict', 'errors.noOpenFlags');
        const consultationId = open[0]!.consultationId;
        if (!can(await roleOf(trx, userId, consultationId), 'moderation.act')) throw new DomainError('forbidden', 'errors.forbidden');
        const now = new Date().toISOString();
        // Only flags still open: on PostgreSQL a hide (which resolves them) or another dismissal
        // may have committed since they were read; what it closed stays closed its way.
        const closed = await trx
          .updateTable('flags')
          .set({ status: 'dismissed', resolvedBy: userId, resolvedAt: now, resolution: 'flags.dismiss' })
          .where('id', 'in', open.map((f) => f.id))
          .where('status', '=', 'open')
          .executeTakeFirst();
        const dismissed = Number(closed.numUpdatedRows ?? 0);
        if (dismissed === 0) throw new DomainError('conflict', 'errors.noOpenFlags');
        await recordAudit(trx, {
          actorId: userId,
          consultationId,
          action: 'flags.dismiss',
          subjectType,
          subjectId: String(subjectId),
          reason: note?.trim() || null,
          details: { flags: dismissed },
        });
        return dismissed;
      });
    },
  };
}

function excerpt(text: string, max = 280): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export type ModerationService = ReturnType<typeof createModerationService>;
