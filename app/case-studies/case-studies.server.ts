/**
 * Case studies: writing and submitting them, their review lifecycle (lifecycle.ts), who may
 * read what, the catalogue with its facets, and featuring on sub-questions.
 *
 * Who may read a case study is app/contributions/visibility.ts's rule (`mayReadCaseStudy`,
 * docs/decisions/0014); anything else answers "not found", so that a restricted case study's
 * existence does not leak.
 * Every method works out the caller's role itself from the user id (accounts.roleOf).
 */
import type { Kysely } from 'kysely';
import type { CaseStudyRow, Database, TagKind } from '../../db/schema';
import { TAG_KINDS } from '../../db/schema';
import { roleOf } from '../accounts/accounts.server';
import { can, type Role } from '../accounts/roles';
import { recordAudit } from '../audit/audit.server';
import type { Language } from '../consultations/content.schema';
import { AUTHOR_COLUMNS, authorsOf, sourceCaseStudies } from '../contributions/filters.server';
import { mayReadCaseStudy, moderates } from '../contributions/visibility';
import { notify } from '../notifications/notifications.server';
import { documentFromText, InvalidDocument, plainText, renderHtml, sanitizeDocument, type LexicalDocument } from '../posts/lexical';
import { isVisuallyEmpty } from '../text/policy';
import { DomainError } from '../utils/errors';
import { caseStudySchema, missingForSubmission, type CaseStudyInput, type Vocabulary } from './case-study.schema';
import type { CaseStudySummary, CaseStudyView, Funding, Partner } from './case-study-view';
import { allowedActions, EDITABLE, TRANSITIONS, type TransitionAction } from './lifecycle';
import { canChangeAttribution, canSubmitCaseStudy } from '../consultations/phases';

export const CATALOGUE_PAGE_SIZE = 20;

/** Catalogue filters: values are OR-ed within a facet and AND-ed across facets. */
export type CatalogueFilters = Partial<Record<TagKind | 'level', string[]>>;

type Row = CaseStudyRow & { authorName: string; authorOrganisation: string; authorGroup: string };
type Tags = Record<TagKind, string[]>;

interface Caller {
  id: string | null;
  role: Role | null;
}

export function createCaseStudyService(db: Kysely<Database>) {
  const selectRows = (trx: Kysely<Database> = db) =>
    trx
      .selectFrom('caseStudies')
      .innerJoin('users', 'users.id', 'caseStudies.authorId')
      .selectAll('caseStudies')
      .select(AUTHOR_COLUMNS);

  /** `trx` matters: inside a transaction, SQLite's one connection is the transaction's. */
  async function caller(userId: string | null, consultationId: number, trx: Kysely<Database> = db): Promise<Caller> {
    return { id: userId, role: userId ? await roleOf(trx, userId, consultationId) : null };
  }

  async function vocabularyOf(trx: Kysely<Database>, consultationId: number): Promise<Vocabulary> {
    const consultation = await trx
      .selectFrom('consultations')
      .select(['themes', 'sdgTargets', 'stakeholderGroups'])
      .where('id', '=', consultationId)
      .executeTakeFirst();
    if (!consultation) throw new DomainError('not_found', 'errors.notFoundTitle');
    const subs = await trx
      .selectFrom('subQuestions')
      .innerJoin('questions', 'questions.id', 'subQuestions.questionId')
      .select('subQuestions.id')
      .where('questions.consultationId', '=', consultationId)
      .execute();
    const ids = (json: string) => (JSON.parse(json) as { id: string }[]).map((x) => x.id);
    return {
      themes: ids(consultation.themes),
      sdgTargets: ids(consultation.sdgTargets),
      stakeholderGroups: ids(consultation.stakeholderGroups),
      subQuestionIds: subs.map((s) => s.id),
    };
  }

  async function tagsOf(trx: Kysely<Database>, ids: number[]): Promise<Map<number, Tags>> {
    const out = new Map<number, Tags>();
    for (const id of ids) out.set(id, Object.fromEntries(TAG_KINDS.map((k) => [k, []])) as unknown as Tags);
    if (ids.length === 0) return out;
    const rows = await trx.selectFrom('caseStudyTags').selectAll().where('caseStudyId', 'in', ids).orderBy('value').execute();
    for (const r of rows) out.get(r.caseStudyId)?.[r.kind].push(r.value);
    return out;
  }

  async function featuredOf(trx: Kysely<Database>, ids: number[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    const rows = await trx.selectFrom('featuredCaseStudies').select(['caseStudyId', 'subQuestionId']).where('caseStudyId', 'in', ids).execute();
    for (const r of rows) out.get(r.caseStudyId)?.push(r.subQuestionId);
    return out;
  }

  async function loadRow(trx: Kysely<Database>, id: number): Promise<Row> {
    const row = await selectRows(trx).where('caseStudies.id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('not_found', 'errors.caseStudyNotFound');
    return row;
  }

  /** The case study if `who` may read it; "not found" otherwise. */
  async function readable(trx: Kysely<Database>, id: number, userId: string | null) {
    const row = await loadRow(trx, id);
    const who = await caller(userId, row.consultationId, trx);
    if (!mayReadCaseStudy(row, { userId: who.id, role: who.role })) throw new DomainError('not_found', 'errors.caseStudyNotFound');
    return { row, who };
  }

  async function views(trx: Kysely<Database>, rows: Row[], who: Caller): Promise<CaseStudyView[]> {
    const ids = rows.map((r) => r.id);
    const [tags, featured] = await Promise.all([tagsOf(trx, ids), featuredOf(trx, ids)]);
    return rows.map((r) => toView(r, tags.get(r.id)!, featured.get(r.id)!, who));
  }

  function parse(raw: unknown, vocabulary: Vocabulary, submit: boolean): { input: CaseStudyInput; doc: LexicalDocument | null } {
    const parsed = caseStudySchema(vocabulary).safeParse(raw);
    const fields: Record<string, string> = {};
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.join('.') || 'form';
        fields[path] ??= issue.message;
      }
    }
    let doc: LexicalDocument | null = null;
    const body = (raw as { body?: unknown; text?: unknown }) ?? {};
    try {
      if (typeof body.body === 'string' && body.body !== '') doc = sanitizeDocument(body.body);
      else if (body.body && typeof body.body === 'object') doc = sanitizeDocument(body.body);
      else if (typeof body.text === 'string' && !isVisuallyEmpty(body.text)) doc = documentFromText(body.text);
    } catch (error) {
      if (!(error instanceof InvalidDocument)) throw error;
      fields.body ??= error.messageKey;
    }
    if (submit) {
      // What a submission lacks, even when other fields are wrong: every problem at once.
      Object.assign(fields, { ...missingForSubmission(parsed.success ? parsed.data : roughInput(raw)), ...fields });
      if (!doc) fields.body ??= 'errors.required';
    }
    if (!parsed.success || Object.keys(fields).length > 0) {
      throw new DomainError('invalid', 'errors.caseStudyInvalid', undefined, fields);
    }
    return { input: parsed.data, doc };
  }

  async function writeTags(trx: Kysely<Database>, id: number, input: CaseStudyInput) {
    await trx.deleteFrom('caseStudyTags').where('caseStudyId', '=', id).execute();
    const tags: { kind: TagKind; values: string[] }[] = [
      { kind: 'theme', values: input.themes },
      { kind: 'sdg', values: input.sdgTargets },
      { kind: 'origin', values: input.origin },
      { kind: 'destination', values: input.destination },
      { kind: 'implementation', values: input.implementation },
      { kind: 'group', values: input.partners.map((p) => p.group) },
      { kind: 'subQuestion', values: input.subQuestions.map(String) },
    ];
    const rows = tags.flatMap(({ kind, values }) => [...new Set(values)].map((value) => ({ caseStudyId: id, kind, value })));
    if (rows.length) await trx.insertInto('caseStudyTags').values(rows).execute();
  }

  /** Records a lifecycle step: audit entry, the row's new state, and a notice to the author. */
  async function applyTransition(
    trx: Kysely<Database>,
    row: Row,
    action: TransitionAction,
    actorId: string,
    note: string | null,
  ) {
    const now = new Date().toISOString();
    const to = TRANSITIONS[action].to;
    await trx
      .updateTable('caseStudies')
      .set({
        status: to,
        updatedAt: now,
        // A resubmission answers the last note; the history keeps it.
        ...(action === 'submit' ? { submittedAt: now, reviewNote: null } : {}),
        ...(to === 'published' ? { publishedAt: now } : {}),
        ...(action === 'unpublish' ? { publishedAt: null } : {}),
        ...(TRANSITIONS[action].by === 'moderator' && note ? { reviewNote: note } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    await recordAudit(trx, {
      actorId,
      consultationId: row.consultationId,
      action: `case_study.${action}`,
      subjectType: 'case_study',
      subjectId: String(row.id),
      reason: note,
      details: { from: row.status, to, title: row.title },
    });
    if (action === 'reject' || action === 'unpublish') {
      // The decision answers any open flags on it.
      await trx
        .updateTable('flags')
        .set({ status: 'resolved', resolvedBy: actorId, resolvedAt: now, resolution: `case_study.${action}` })
        .where('subjectType', '=', 'case_study')
        .where('subjectId', '=', row.id)
        .where('status', '=', 'open')
        .execute();
    }
    if (actorId !== row.authorId) {
      const { slug } = await trx.selectFrom('consultations').select('slug').where('id', '=', row.consultationId).executeTakeFirstOrThrow();
      await notify(trx, {
        userId: row.authorId,
        kind: `case_study.${action}`,
        subjectType: 'case_study',
        subjectId: row.id,
        details: { title: row.title, note, slug },
      });
    }
  }

  /** Published case studies `who` may see, optionally narrowed. */
  function catalogueIds(consultationId: number, who: Caller, filters: CatalogueFilters) {
    let q = db
      .selectFrom('caseStudies')
      .select('caseStudies.id')
      .where(sourceCaseStudies({ consultationId, userId: who.id, role: who.role }));
    if (filters.level?.length) q = q.where('caseStudies.level', 'in', filters.level as CaseStudyRow['level'][] & string[]);
    for (const kind of TAG_KINDS) {
      const values = filters[kind];
      if (!values?.length) continue;
      q = q.where('caseStudies.id', 'in', (eb) =>
        eb.selectFrom('caseStudyTags').select('caseStudyTags.caseStudyId').where('caseStudyTags.kind', '=', kind).where('caseStudyTags.value', 'in', values),
      );
    }
    return q;
  }

  async function countOf(ids: ReturnType<typeof catalogueIds>): Promise<number> {
    const { total } = await db
      .selectFrom('caseStudies')
      .select((eb) => eb.fn.countAll<string | number>().as('total'))
      .where('id', 'in', ids)
      .executeTakeFirstOrThrow();
    return Number(total);
  }

  return {
    /** What a case study of this consultation may refer to (for forms). */
    vocabulary: (consultationId: number) => vocabularyOf(db, consultationId),

    /**
     * Creates (no `id`) or updates the author's case study. A draft needs only a title; with
     * `submit` every required field is checked and the case study goes to review.
     * Invalid input throws one DomainError listing every field (`fields`).
     */
    async save(userId: string, consultationId: number, raw: unknown, options: { id?: number; submit: boolean }): Promise<number> {
      const consultation = await db.selectFrom('consultations').select(['phase']).where('id', '=', consultationId).executeTakeFirst();
      if (!consultation || consultation.phase === 'draft') throw new DomainError('not_found', 'errors.notFoundTitle');
      // Writing, editing (attribution included) and submitting: phases.ts says when.
      if (!canSubmitCaseStudy(consultation.phase) || !canChangeAttribution(consultation.phase)) throw new DomainError('forbidden', 'errors.phaseClosed');
      const vocabulary = await vocabularyOf(db, consultationId);
      const { input, doc } = parse(raw, vocabulary, options.submit);
      const values = {
        attribution: input.attribution,
        visibility: input.visibility,
        language: input.language,
        title: input.title,
        summary: input.summary,
        body: doc ? JSON.stringify(doc) : '',
        bodyText: doc ? plainText(doc) : '',
        bodyHtml: doc ? renderHtml(doc) : '',
        level: input.level ?? null,
        stage: input.stage ?? null,
        partners: JSON.stringify(input.partners),
        funding: JSON.stringify(input.funding),
        results: input.results,
        indicators: input.indicators,
        worked: input.worked,
        didNotWork: input.didNotWork,
        contact: input.contact,
      };
      return db.transaction().execute(async (trx) => {
        const now = new Date().toISOString();
        let row: Row;
        if (options.id === undefined) {
          const { id } = await trx
            .insertInto('caseStudies')
            .values({ ...values, consultationId, authorId: userId, status: 'draft', createdAt: now, updatedAt: now })
            .returning('id')
            .executeTakeFirstOrThrow();
          row = await loadRow(trx, id);
        } else {
          row = await loadRow(trx, options.id);
          if (row.authorId !== userId || row.consultationId !== consultationId) throw new DomainError('not_found', 'errors.caseStudyNotFound');
          if (!EDITABLE.includes(row.status)) throw new DomainError('conflict', 'errors.caseStudyLocked');
          await trx.updateTable('caseStudies').set({ ...values, updatedAt: now }).where('id', '=', row.id).execute();
        }
        await writeTags(trx, row.id, input);
        if (options.submit) await applyTransition(trx, { ...row, title: input.title }, 'submit', userId, null);
        return row.id;
      });
    },

    /** A step of the review lifecycle, if the caller's role and the current state allow it. */
    async transition(userId: string, id: number, action: TransitionAction, note?: string | null): Promise<CaseStudyView> {
      const transition = TRANSITIONS[action];
      if (!transition) throw new DomainError('invalid', 'errors.transitionNotAllowed');
      return db.transaction().execute(async (trx) => {
        const { row, who } = await readable(trx, id, userId);
        const author = row.authorId === userId;
        const moderator = can(who.role, 'moderation.act');
        // A moderator does not review their own case study (another moderator or an admin does).
        if (transition.by === 'moderator' && author) throw new DomainError('forbidden', 'errors.ownCaseStudy');
        if (!allowedActions(row.status, { author, moderator }).includes(action)) {
          throw new DomainError(transition.by === 'moderator' && !moderator ? 'forbidden' : 'conflict', 'errors.transitionNotAllowed');
        }
        const trimmed = note?.trim() || null;
        if (transition.noteRequired && !trimmed) throw new DomainError('invalid', 'errors.noteRequired', 'note');
        if (action === 'submit') {
          // As for saving: authors write and submit while the consultation is open (moderators review any time).
          const { phase } = await trx.selectFrom('consultations').select('phase').where('id', '=', row.consultationId).executeTakeFirstOrThrow();
          if (!canSubmitCaseStudy(phase)) throw new DomainError('forbidden', 'errors.phaseClosed');
          // The stored record must be complete, as a form submission would have to be.
          const tags = (await tagsOf(trx, [row.id])).get(row.id)!;
          const missing = missingForSubmission(inputOf(row, tags));
          if (isVisuallyEmpty(row.bodyText)) missing.body = 'errors.required';
          if (Object.keys(missing).length) throw new DomainError('invalid', 'errors.caseStudyInvalid', undefined, missing);
        }
        await applyTransition(trx, row, action, userId, trimmed);
        const [view] = await views(trx, [await loadRow(trx, id)], who);
        return view!;
      });
    },

    /** One case study as the caller may see it; "not found" if they may not. */
    async get(id: number, userId: string | null): Promise<CaseStudyView & { actions: TransitionAction[] }> {
      const { row, who } = await readable(db, id, userId);
      const [view] = await views(db, [row], who);
      const author = row.authorId === userId;
      const moderator = can(who.role, 'moderation.act');
      const actions = allowedActions(row.status, { author, moderator: moderator && !author });
      return { ...view!, actions };
    },

    /** The lifecycle so far (from the audit log), for the author and moderators. */
    async history(id: number, userId: string) {
      const { row, who } = await readable(db, id, userId);
      if (row.authorId !== userId && !can(who.role, 'moderation.act')) throw new DomainError('forbidden', 'errors.forbidden');
      const rows = await db
        .selectFrom('auditLog')
        .leftJoin('users', 'users.id', 'auditLog.actorId')
        .select(['auditLog.id', 'auditLog.at', 'auditLog.action', 'auditLog.reason', 'auditLog.details', 'auditLog.actorId', 'users.name as actorName'])
        .where('auditLog.subjectType', '=', 'case_study')
        .where('auditLog.subjectId', '=', String(id))
        // Its own steps only: a moderator's dismissal of flags (`flags.dismiss`) is not the author's business.
        .where('auditLog.action', 'like', 'case_study.%')
        .orderBy('auditLog.id', 'asc')
        .execute();
      return rows.map((r) => {
        const details = JSON.parse(r.details) as { from?: string; to?: string };
        return {
          id: r.id,
          at: r.at,
          action: r.action.replace(/^case_study\./, ''), // submit, review, … feature
          from: details.from ?? null,
          to: details.to ?? null,
          note: r.reason,
          /** The author's own steps are theirs; a moderator is named to the author as "a moderator". */
          by: r.actorId === row.authorId ? ('author' as const) : ('moderator' as const),
          actorName: can(who.role, 'moderation.act') ? r.actorName : null,
        };
      });
    },

    /** How many published case studies the caller may see (the catalogue's total, alone). */
    async publishedCount(consultationId: number, userId: string | null): Promise<number> {
      return countOf(catalogueIds(consultationId, await caller(userId, consultationId), {}));
    },

    /**
     * The catalogue: published case studies the caller may see, narrowed by `filters`, with
     * how many of them carry each facet value.
     */
    async catalogue(consultationId: number, userId: string | null, filters: CatalogueFilters, page = 1) {
      const who = await caller(userId, consultationId);
      const ids = catalogueIds(consultationId, who, filters);
      const [total, tagCounts, levelCounts] = await Promise.all([
        countOf(ids),
        db
          .selectFrom('caseStudyTags')
          .select((eb) => ['kind', 'value', eb.fn.countAll<string | number>().as('count')])
          .where('caseStudyId', 'in', ids)
          .groupBy(['kind', 'value'])
          .execute(),
        db
          .selectFrom('caseStudies')
          .select((eb) => ['level', eb.fn.countAll<string | number>().as('count')])
          .where('id', 'in', ids)
          .where('level', 'is not', null)
          .groupBy('level')
          .execute(),
      ]);
      const pages = Math.max(1, Math.ceil(total / CATALOGUE_PAGE_SIZE));
      const current = Math.min(Math.max(1, page), pages);
      const rows = await selectRows()
        .where('caseStudies.id', 'in', ids)
        .orderBy('caseStudies.publishedAt', 'desc')
        .orderBy('caseStudies.id', 'desc')
        .limit(CATALOGUE_PAGE_SIZE)
        .offset((current - 1) * CATALOGUE_PAGE_SIZE)
        .execute();
      const facets: Record<string, Record<string, number>> = { level: {} };
      for (const kind of TAG_KINDS) facets[kind] = {};
      for (const r of tagCounts) facets[r.kind]![r.value] = Number(r.count);
      for (const r of levelCounts) facets.level![r.level!] = Number(r.count);
      return { items: (await views(db, rows, who)).map(summarize), facets, total, page: current, pages };
    },

    /** The author's own case studies, any state. */
    async mine(userId: string, consultationId: number): Promise<CaseStudySummary[]> {
      const who = await caller(userId, consultationId);
      const rows = await selectRows()
        .where('caseStudies.consultationId', '=', consultationId)
        .where('caseStudies.authorId', '=', userId)
        .orderBy('caseStudies.updatedAt', 'desc')
        .execute();
      return (await views(db, rows, who)).map(summarize);
    },

    /** The moderators' review queue: case studies awaiting a decision (or in `statuses`). */
    async queue(userId: string, consultationId: number, statuses: CaseStudyRow['status'][] = ['submitted', 'in_review', 'verified']) {
      const who = await caller(userId, consultationId);
      if (!can(who.role, 'moderation.act')) throw new DomainError('forbidden', 'errors.forbidden');
      if (statuses.length === 0) return [];
      const rows = await selectRows()
        .where('caseStudies.consultationId', '=', consultationId)
        .where('caseStudies.status', 'in', statuses)
        .orderBy('caseStudies.submittedAt', 'asc')
        .orderBy('caseStudies.id', 'asc')
        .execute();
      return (await views(db, rows, who)).map((v) => ({ ...summarize(v), submittedAt: v.submittedAt }));
    },

    /** Published case studies informing a sub-question, featured ones first. */
    async forSubQuestion(consultationId: number, subQuestionId: number, userId: string | null): Promise<CaseStudySummary[]> {
      const who = await caller(userId, consultationId);
      const rows = await selectRows()
        .where('caseStudies.id', 'in', catalogueIds(consultationId, who, { subQuestion: [String(subQuestionId)] }))
        .orderBy('caseStudies.publishedAt', 'desc')
        .execute();
      const items = (await views(db, rows, who)).map(summarize);
      const featured = (s: CaseStudySummary) => (s.featuredOn.includes(subQuestionId) ? 0 : 1);
      return items.sort((a, b) => featured(a) - featured(b));
    },

    /**
     * Features (or stops featuring) a published case study on a sub-question it informs; audited,
     * and its author notified (`details.thread`: the sub-question's number). Doing what is already
     * done changes nothing and tells no one.
     */
    async feature(userId: string, id: number, subQuestionId: number, featured: boolean): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const { row, who } = await readable(trx, id, userId);
        if (!can(who.role, 'moderation.act')) throw new DomainError('forbidden', 'errors.forbidden');
        if (row.status !== 'published') throw new DomainError('conflict', 'errors.featureUnpublished');
        const tags = (await tagsOf(trx, [id])).get(id)!;
        if (!tags.subQuestion.includes(String(subQuestionId))) throw new DomainError('invalid', 'errors.choice', 'subQuestionId');
        const existing = await trx
          .selectFrom('featuredCaseStudies')
          .select('caseStudyId')
          .where('caseStudyId', '=', id)
          .where('subQuestionId', '=', subQuestionId)
          .executeTakeFirst();
        if (!!existing === featured) return;
        if (featured) {
          await trx.insertInto('featuredCaseStudies').values({ caseStudyId: id, subQuestionId, featuredBy: userId, featuredAt: new Date().toISOString() }).execute();
        } else {
          await trx.deleteFrom('featuredCaseStudies').where('caseStudyId', '=', id).where('subQuestionId', '=', subQuestionId).execute();
        }
        await recordAudit(trx, {
          actorId: userId,
          consultationId: row.consultationId,
          action: featured ? 'case_study.feature' : 'case_study.unfeature',
          subjectType: 'case_study',
          subjectId: String(id),
          details: { subQuestionId, title: row.title },
        });
        if (userId !== row.authorId) {
          // The author hears of it as of any decision about their work; the page words it in their language.
          const { slug } = await trx.selectFrom('consultations').select('slug').where('id', '=', row.consultationId).executeTakeFirstOrThrow();
          const { number } = await trx.selectFrom('subQuestions').select('number').where('id', '=', subQuestionId).executeTakeFirstOrThrow();
          await notify(trx, {
            userId: row.authorId,
            kind: featured ? 'case_study.feature' : 'case_study.unfeature',
            subjectType: 'case_study',
            subjectId: id,
            details: { title: row.title, slug, thread: number },
          });
        }
      });
    },
  };
}

/** Raw form input, unchecked, as far as `missingForSubmission` looks at it (when parsing failed). */
function roughInput(raw: unknown): CaseStudyInput {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && !isVisuallyEmpty(v) ? v.trim() : '');
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  return {
    ...r,
    summary: text(r.summary),
    results: text(r.results),
    worked: text(r.worked),
    didNotWork: text(r.didNotWork),
    level: text(r.level) || undefined,
    stage: text(r.stage) || undefined,
    partners: list(r.partners),
    implementation: list(r.implementation),
    themes: list(r.themes),
    subQuestions: list(r.subQuestions),
  } as CaseStudyInput;
}

function inputOf(row: Row, tags: Tags): CaseStudyInput {
  return {
    title: row.title,
    summary: row.summary,
    partners: JSON.parse(row.partners) as Partner[],
    origin: tags.origin,
    destination: tags.destination,
    implementation: tags.implementation,
    level: row.level ?? undefined,
    themes: tags.theme,
    sdgTargets: tags.sdg,
    stage: row.stage ?? undefined,
    funding: JSON.parse(row.funding) as Funding[],
    results: row.results,
    indicators: row.indicators,
    worked: row.worked,
    didNotWork: row.didNotWork,
    subQuestions: tags.subQuestion.map(Number),
    contact: row.contact,
    attribution: row.attribution,
    visibility: row.visibility,
    language: row.language as Language,
  };
}

function toView(row: Row, tags: Tags, featuredOn: number[], who: Caller): CaseStudyView {
  const mine = !!who.id && who.id === row.authorId;
  const moderator = moderates(who);
  const { author, real } = authorsOf(row);
  return {
    id: row.id,
    consultationId: row.consultationId,
    status: row.status,
    visibility: row.visibility,
    title: row.title,
    summary: row.summary,
    html: row.bodyHtml,
    language: row.language,
    level: row.level,
    stage: row.stage,
    partners: JSON.parse(row.partners) as Partner[],
    funding: JSON.parse(row.funding) as Funding[],
    results: row.results,
    indicators: row.indicators,
    worked: row.worked,
    didNotWork: row.didNotWork,
    contact: row.attribution !== 'chatham' || mine || moderator ? row.contact : null,
    themes: tags.theme,
    sdgTargets: tags.sdg,
    origin: tags.origin,
    destination: tags.destination,
    implementation: tags.implementation,
    subQuestions: tags.subQuestion.map(Number).sort((a, b) => a - b),
    featuredOn,
    author,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    submittedAt: row.submittedAt,
    publishedAt: row.publishedAt,
    ...(mine || moderator ? { reviewNote: row.reviewNote } : {}),
    ...(moderator ? { realAuthor: real } : {}),
    ...(mine ? { mine: true, body: row.body, attribution: row.attribution } : {}),
  };
}

function summarize(view: CaseStudyView): CaseStudySummary {
  const { id, status, visibility, title, summary, level, themes, implementation, author, publishedAt, updatedAt, featuredOn, realAuthor, mine } = view;
  return {
    id,
    status,
    visibility,
    title,
    summary,
    level,
    themes,
    implementation,
    author,
    publishedAt,
    updatedAt,
    featuredOn,
    ...(realAuthor ? { realAuthor } : {}),
    ...(mine ? { mine } : {}),
  };
}

export type CaseStudyService = ReturnType<typeof createCaseStudyService>;
