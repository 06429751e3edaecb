/**
 * The compilation of a question (issue 12): moderators turn its contributions into key points,
 * each quoting its sources through clips. Plain TS over Kysely; pages and socket handlers call it.
 *
 * Rules:
 * - Writes: the consultation's moderators and admins (`moderation.act`), each in one transaction
 *   with its audit entry. Reads (list, history, coverage): moderators, rapporteurs and admins
 *   (`content.review`) always; participants once the consultation is in `synthesis` or `final`,
 *   and they see no words of a source they may no longer read.
 * - A clip quotes a contribution informing the key point's question, in the same consultation:
 *   a visible post of one of the question's threads (its general thread or a sub-question's), or
 *   a published, public case study informing one of its sub-questions. Which contributions are
 *   sources, their texts and their attribution come from app/contributions (readSources), the
 *   same rule as citations and coverage; restricted case studies, sources for staff, are not
 *   clipped because participants read compilations in the synthesis phase. Its range is checked
 *   against the field's current plain text, its quote must be the words there exactly, and the
 *   SHA-256 is computed here (a client's is never taken).
 * - Nothing a moderator does loses a source: there is no removal of a clip or a key point. A
 *   merge moves the merged point's clips to the survivor (recording where from), keeps the merged
 *   point (hidden from the live list, `mergedIntoId`) and records the merge.
 * - Positions are 1…n among a question's live points, rewritten in the transaction that changes
 *   them; PostgreSQL writers of one question queue on its row (FOR UPDATE), SQLite's single
 *   writer does so by itself, and a unique index backs both.
 * - `clientId` on creations: a retry with the same key answers the first result.
 */
import crypto from 'node:crypto';
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { z } from 'zod';
import type { ClipRow, Database, KeyPointRow, SourceField, Stance } from '../../db/schema';
import { roleOf } from '../accounts/accounts.server';
import { can, type Role } from '../accounts/roles';
import { recordAudit } from '../audit/audit.server';
import type { PublicAuthor } from '../contributions/attribution';
import { citationKey, type CitationRef } from '../contributions/refs';
import { consultationOfContribution, readSources, type AvailableSource, type ReadableContribution, type Source } from '../contributions/sources.server';
import type { SourceStanding } from '../contributions/standing';
import type { ContributionViewer } from '../contributions/visibility';
import { mayEditCompilation, mayReadCompilation } from './access';
import { DomainError } from '../utils/errors';
import {
  clipFieldsOf,
  clipSchema,
  clipWholeSchema,
  keyPointSchema,
  mergeSchema,
  moveSchema,
  reorderSchema,
  setStanceSchema,
  type ClipInput,
  type ClipWholeInput,
  type KeyPointInput,
} from './compilation.schema';
import { backlinksOf, type Backlink } from './backlinks.server';
import { coverage, notYetReflected, type CoverageRow, type UnreflectedPage } from './coverage.server';
import type { NotYetReflectedFilters } from './compilation.schema';

/** A clip's source: a post or a case study (app/contributions/refs.ts). */
export type SourceRef = CitationRef;

/** Where a clip's source stands now, against what was clipped (the vocabulary note citations share). */
export type ClipState = SourceStanding;

export interface ClipView {
  id: number;
  keyPointId: number;
  source: SourceRef;
  field: SourceField;
  start: number;
  end: number;
  /** The words clipped; null for a reader who may not read the source any more. */
  quote: string | null;
  quoteSha256: string;
  stance: Stance;
  clippedAt: string;
  /** The key point it was clipped into before a merge moved it here. */
  movedFromId: number | null;
  state: ClipState;
  /** `changed`: the words now at the range (null for a reader who may not read them). */
  currentWords: string | null;
  /** `changed`: where the clipped words now are in the field, if they still are (start offset). */
  foundAt: number | null;
  /** As the source's attribution allows; null when the source is gone or unreadable to the reader. */
  author: PublicAuthor | null;
  /** The author's stakeholder group (shown even under Chatham House); null when gone or unreadable. */
  stakeholderGroup: string | null;
  language: string | null;
}

export interface KeyPointView {
  id: number;
  position: number;
  heading: string;
  summary: string;
  language: string;
  createdAt: string;
  updatedAt: string;
  clips: ClipView[];
  /** Stakeholder groups per stance, from the clips readers may see, each once, sorted. */
  groups: Record<Stance, string[]>;
  /** The key points merged into this one (ids). */
  mergedFrom: number[];
}

export interface CompilationView {
  questionId: number;
  consultationId: number;
  canEdit: boolean;
  keyPoints: KeyPointView[];
}

export interface HistoryEntry {
  id: number;
  at: string;
  action: string;
  actorId: string | null;
  actorName: string | null;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown>;
}

/** Far beyond any real position: where points wait while their positions are rewritten. */
const PARKED = 1_000_000;

export const sha256Hex = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/** A quote holds at least a letter, a digit or a symbol (an emoji): not only blanks, marks or punctuation. */
const QUOTES_WORDS = /[\p{L}\p{N}\p{S}]/u;

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** Parses with a schema; the first problem becomes a DomainError naming its field. */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const message = issue.message.includes('.') ? issue.message : 'compilation.invalid';
  throw new DomainError('invalid', message, issue.path.join('.') || undefined);
}

/** A source's text fields by name (a post's `body`; a case study's title, summary, …). */
const fieldText = (source: AvailableSource | ReadableContribution, field: SourceField): string =>
  (source.fields as Partial<Record<SourceField, string>>)[field] ?? '';

/** What a reader may still see of a source: an available one, or (staff) one they may read on its own page. */
const detailsOf = (source: Source | undefined): AvailableSource | ReadableContribution | null =>
  !source ? null : source.state === 'available' ? source : (source.readable ?? null);

/**
 * The state of a clip's source now, for the reader `source` was read for (readSources with
 * `readable`). Order: gone, then the source's own state, then its words. A case study that
 * reviewers see as withdrawn is `rejected` to those who may still read it and see it was
 * rejected; one restricted is a source for reviewers only (to others it is `missing`).
 * `fresh` means the words at the stored range hash to the stored fingerprint.
 */
export function clipState(clip: Pick<ClipRow, 'sourceField' | 'startOffset' | 'endOffset' | 'quote' | 'quoteSha256'>, source: Source | undefined) {
  if (!source || source.state === 'missing') return { state: 'missing' as const, currentWords: null, foundAt: null };
  if (source.state === 'hidden') return { state: 'hidden' as const, currentWords: null, foundAt: null };
  if (source.state !== 'available') {
    const rejected = source.readable?.kind === 'case_study' && source.readable.status === 'rejected';
    return { state: rejected ? ('rejected' as const) : ('withdrawn' as const), currentWords: null, foundAt: null };
  }
  if (source.kind === 'case_study' && source.visibility === 'restricted') return { state: 'restricted' as const, currentWords: null, foundAt: null };
  const text = fieldText(source, clip.sourceField);
  const now = text.slice(clip.startOffset, clip.endOffset);
  if (sha256Hex(now) === clip.quoteSha256) return { state: 'fresh' as const, currentWords: null, foundAt: null };
  const at = text.indexOf(clip.quote);
  return { state: 'changed' as const, currentWords: now, foundAt: at >= 0 ? at : null };
}

/** Told after a write to a question's compilation is committed (the live room, server/socket/compilation.ts). */
export interface CompilationChanged {
  questionId: number;
  /** When it was committed (ms since the epoch): clients refetch once per newer one. */
  version: number;
}

export interface CompilationServiceOptions {
  /** Called after every committed write (never inside its transaction); a failing listener does not fail the write. */
  publish?: (event: CompilationChanged) => void;
}

export function createCompilationService(db: Kysely<Database>, options: CompilationServiceOptions = {}) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  /** After a commit: the question's compilation changed (a no-op write is told too; readers just refetch). */
  const changed = (questionId: number) => {
    try {
      options.publish?.({ questionId, version: Date.now() });
    } catch (error) {
      console.error('[compilation] publishing a change failed:', error);
    }
  };

  /** The question and its consultation; "not found" for a draft consultation's. */
  async function questionOf(trx: Kysely<Database>, questionId: number, lock = false) {
    let q = trx
      .selectFrom('questions')
      .innerJoin('consultations', 'consultations.id', 'questions.consultationId')
      .select(['questions.id', 'questions.consultationId', 'questions.number', 'consultations.phase', 'consultations.sourceLanguage', 'consultations.languages'])
      .where('questions.id', '=', questionId)
      .where('consultations.phase', '!=', 'draft');
    // PostgreSQL: writers of one question's compilation queue here (positions, merges).
    if (lock && postgres) q = q.forUpdate('questions');
    const row = await q.executeTakeFirst();
    if (!row) throw new DomainError('not_found', 'compilation.questionNotFound');
    return row;
  }

  /** The user may change this consultation's compilations now: a moderator or admin, in a phase that allows it (app/consultations/phases.ts). */
  async function assertModerator(trx: Kysely<Database>, userId: string, consultationId: number) {
    const role = await roleOf(trx, userId, consultationId);
    if (!can(role, 'moderation.act')) throw new DomainError('forbidden', 'compilation.forbidden');
    const { phase } = await trx.selectFrom('consultations').select('phase').where('id', '=', consultationId).executeTakeFirstOrThrow();
    if (!mayEditCompilation(role, phase)) throw new DomainError('forbidden', 'compilation.closed');
  }

  /** A key point to write to: it exists, is live, and the user moderates its consultation; locks its question. */
  async function writableKeyPoint(trx: Kysely<Database>, userId: string, keyPointId: number, field = 'keyPointId'): Promise<KeyPointRow> {
    const point = await trx.selectFrom('keyPoints').selectAll().where('id', '=', keyPointId).executeTakeFirst();
    if (!point) throw new DomainError('not_found', 'compilation.keyPointNotFound', field);
    await questionOf(trx, point.questionId, true);
    await assertModerator(trx, userId, point.consultationId);
    // Read again under the lock: a merge may have landed meanwhile.
    const current = await trx.selectFrom('keyPoints').selectAll().where('id', '=', keyPointId).executeTakeFirstOrThrow();
    if (current.mergedIntoId !== null) throw new DomainError('conflict', 'compilation.keyPointMerged', field);
    return current;
  }

  function languageOf(question: { sourceLanguage: string; languages: string }, language: string | undefined): string {
    if (language === undefined) return question.sourceLanguage;
    const allowed = JSON.parse(question.languages) as string[];
    if (!allowed.includes(language)) throw new DomainError('invalid', 'errors.choice', 'language');
    return language;
  }

  async function nextPosition(trx: Kysely<Database>, questionId: number): Promise<number> {
    const row = await trx
      .selectFrom('keyPoints')
      .select((eb) => eb.fn.max('position').as('max'))
      .where('questionId', '=', questionId)
      .where('mergedIntoId', 'is', null)
      .executeTakeFirst();
    return Number(row?.max ?? 0) + 1;
  }

  /**
   * Rewrites the positions of a question's live points to 1…n in `order` (every live point): first
   * out of the way (+PARKED: the unique index is checked row by row on PostgreSQL), then in place.
   */
  async function writePositions(trx: Kysely<Database>, questionId: number, order: number[]) {
    if (order.length === 0) return;
    const updateLive = () => trx.updateTable('keyPoints').where('questionId', '=', questionId).where('mergedIntoId', 'is', null);
    await updateLive().set({ position: sql<number>`${sql.ref('position')} + ${PARKED}` }).execute();
    const cases = sql.join(order.map((id, i) => sql`when ${id} then cast(${i + 1} as integer)`), sql` `);
    await updateLive().set({ position: sql<number>`case ${sql.ref('id')} ${cases} end` }).where('id', 'in', order).execute();
  }

  async function liveOrder(trx: Kysely<Database>, questionId: number): Promise<number[]> {
    const rows = await trx.selectFrom('keyPoints').select('id').where('questionId', '=', questionId).where('mergedIntoId', 'is', null).orderBy('position').orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  async function insertKeyPoint(
    trx: Kysely<Database>,
    userId: string,
    question: Awaited<ReturnType<typeof questionOf>>,
    input: { heading: string; summary: string; language?: string; clientId?: string },
  ): Promise<number> {
    const now = new Date().toISOString();
    const language = languageOf(question, input.language);
    const { id } = await trx
      .insertInto('keyPoints')
      .values({
        consultationId: question.consultationId,
        questionId: question.id,
        heading: input.heading,
        summary: input.summary,
        position: await nextPosition(trx, question.id),
        language,
        authorId: userId,
        clientId: input.clientId ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: userId,
      consultationId: question.consultationId,
      action: 'key_point.create',
      subjectType: 'key_point',
      subjectId: String(id),
      details: { questionId: question.id, heading: input.heading, summary: input.summary, language },
    });
    return id;
  }

  /** Checks a source may be clipped into a point of `question` by `userId` and returns it. */
  async function clippableSource(
    trx: Kysely<Database>,
    userId: string,
    question: { id: number; consultationId: number },
    ref: SourceRef,
    field: SourceField,
  ): Promise<AvailableSource> {
    const viewer: ContributionViewer = { consultationId: question.consultationId, userId, role: await roleOf(trx, userId, question.consultationId) };
    const source = (await readSources(trx, viewer, [ref], { readable: true })).get(citationKey(ref))!;
    if (source.state === 'missing') {
      const elsewhere = await consultationOfContribution(trx, ref);
      if (elsewhere !== null && elsewhere !== question.consultationId) throw new DomainError('invalid', 'compilation.sourceOtherConsultation', 'sourceId');
      throw new DomainError('not_found', 'compilation.sourceNotFound', 'sourceId');
    }
    const details = detailsOf(source);
    // A case study its moderators may not read (a draft) is its author's business: answered as one that does not exist.
    if (!details && source.kind === 'case_study') throw new DomainError('not_found', 'compilation.sourceNotFound', 'sourceId');
    if (details && !(await informs(trx, details, question.id))) throw new DomainError('invalid', 'compilation.sourceOtherQuestion', 'sourceId');
    if (source.state !== 'available' || (source.kind === 'case_study' && source.visibility !== 'public')) {
      throw new DomainError('invalid', 'compilation.sourceNotClippable', 'sourceId');
    }
    if (!clipFieldsOf(source.kind).includes(field)) throw new DomainError('invalid', 'compilation.field', 'field');
    return source;
  }

  /** Whether a contribution informs question `questionId`: a post of one of its threads, a case study tagged with one of its sub-questions. */
  async function informs(trx: Kysely<Database>, source: AvailableSource | ReadableContribution, questionId: number): Promise<boolean> {
    if (source.kind === 'post') return source.questionId === questionId;
    if (source.subQuestionIds.length === 0) return false;
    return !!(await trx.selectFrom('subQuestions').select('id').where('questionId', '=', questionId).where('id', 'in', source.subQuestionIds).executeTakeFirst());
  }

  async function storeClip(
    trx: Kysely<Database>,
    userId: string,
    questionId: number,
    input: { keyPointId?: number; newKeyPoint?: { heading: string; summary: string; language?: string }; sourceKind: SourceRef['kind']; sourceId: number; field: SourceField; stance: Stance; clientId?: string },
    range: (text: string) => { start: number; end: number; quote: string },
  ): Promise<{ clipId: number; keyPointId: number }> {
    if (input.clientId) {
      const earlier = await trx.selectFrom('clips').select(['id', 'keyPointId']).where('clippedBy', '=', userId).where('clientId', '=', input.clientId).executeTakeFirst();
      if (earlier) return { clipId: earlier.id, keyPointId: earlier.keyPointId };
    }
    let question: Awaited<ReturnType<typeof questionOf>>;
    let keyPointId: number;
    if (input.keyPointId !== undefined) {
      const point = await writableKeyPoint(trx, userId, input.keyPointId);
      if (point.questionId !== questionId) throw new DomainError('invalid', 'compilation.keyPointOtherQuestion', 'keyPointId');
      question = await questionOf(trx, point.questionId);
      keyPointId = point.id;
    } else {
      question = await questionOf(trx, questionId, true);
      await assertModerator(trx, userId, question.consultationId);
      keyPointId = -1; // made below, once the source is known to be good
    }
    const source = await clippableSource(trx, userId, question, { kind: input.sourceKind, id: input.sourceId }, input.field);
    const { start, end, quote } = range(fieldText(source, input.field));
    if (keyPointId === -1) keyPointId = await insertKeyPoint(trx, userId, question, input.newKeyPoint!);
    const now = new Date().toISOString();
    const quoteSha256 = sha256Hex(quote);
    const { id } = await trx
      .insertInto('clips')
      .values({
        keyPointId,
        sourceKind: input.sourceKind,
        sourceId: input.sourceId,
        sourceField: input.field,
        startOffset: start,
        endOffset: end,
        quote,
        quoteSha256,
        stance: input.stance,
        clippedBy: userId,
        clippedAt: now,
        clientId: input.clientId ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: userId,
      consultationId: question.consultationId,
      action: 'key_point.clip',
      subjectType: 'key_point',
      subjectId: String(keyPointId),
      details: { questionId: question.id, clipId: id, source: citationKey(source), field: input.field, start, end, quoteSha256, stance: input.stance },
    });
    return { clipId: id, keyPointId };
  }

  /** The question a clip input is for: its key point's, or the one given for a new point. */
  async function questionForClip(input: { keyPointId?: number }, questionId: number | undefined): Promise<number> {
    if (input.keyPointId !== undefined) {
      const point = await db.selectFrom('keyPoints').select('questionId').where('id', '=', input.keyPointId).executeTakeFirst();
      if (!point) throw new DomainError('not_found', 'compilation.keyPointNotFound', 'keyPointId');
      if (questionId !== undefined && questionId !== point.questionId) throw new DomainError('invalid', 'compilation.keyPointOtherQuestion', 'keyPointId');
      return point.questionId;
    }
    if (questionId === undefined) throw new DomainError('invalid', 'compilation.target', 'keyPointId');
    return questionId;
  }

  const earlierKeyPoint = async (userId: string, clientId: string | undefined) =>
    clientId ? (await db.selectFrom('keyPoints').select('id').where('authorId', '=', userId).where('clientId', '=', clientId).executeTakeFirst())?.id : undefined;
  const earlierClip = async (userId: string, clientId: string | undefined) => {
    const row = clientId ? await db.selectFrom('clips').select(['id', 'keyPointId']).where('clippedBy', '=', userId).where('clientId', '=', clientId).executeTakeFirst() : undefined;
    return row && { clipId: row.id, keyPointId: row.keyPointId };
  };

  /**
   * Runs a creation; when it fails and its client id is now taken (the same request sent twice at
   * once: the unique index refused the second), answers what the first stored.
   */
  async function retriedOnce<T>(clientId: string | undefined, earlier: () => Promise<T | undefined>, create: () => Promise<T>): Promise<T> {
    try {
      return await create();
    } catch (error) {
      const first = clientId ? await earlier() : undefined;
      if (first !== undefined) return first;
      throw error;
    }
  }

  /** Tells the change once `write` has committed; a refused write tells nothing. */
  async function published<T>(questionId: number, write: Promise<T>): Promise<T> {
    const result = await write;
    changed(questionId);
    return result;
  }

  async function viewerOf(userId: string | null, questionId: number) {
    const question = await questionOf(db, questionId);
    const role: Role = userId ? await roleOf(db, userId, question.consultationId) : 'participant';
    if (!userId || !mayReadCompilation(role, question.phase)) throw new DomainError('forbidden', 'compilation.forbiddenRead');
    return { question, role };
  }

  return {
    /** A new key point at the end of question `questionId`'s list; its id. Retried with the same clientId: the same id. */
    async createKeyPoint(userId: string, questionId: number, input: KeyPointInput): Promise<number> {
      const checked = parse(keyPointSchema, input);
      const id = await retriedOnce(checked.clientId, () => earlierKeyPoint(userId, checked.clientId), () => db.transaction().execute(async (trx) => {
        const question = await questionOf(trx, questionId, true);
        await assertModerator(trx, userId, question.consultationId);
        if (checked.clientId) {
          const earlier = await trx.selectFrom('keyPoints').select(['id', 'questionId']).where('authorId', '=', userId).where('clientId', '=', checked.clientId).executeTakeFirst();
          if (earlier) return earlier.id;
        }
        return insertKeyPoint(trx, userId, question, checked);
      }));
      changed(questionId);
      return id;
    },

    /** New heading, summary (and language) of a live key point. */
    async editKeyPoint(userId: string, keyPointId: number, input: Omit<KeyPointInput, 'clientId'>): Promise<void> {
      const checked = parse(keyPointSchema, { ...input, clientId: undefined });
      const questionId = await db.transaction().execute(async (trx) => {
        const point = await writableKeyPoint(trx, userId, keyPointId);
        const question = await questionOf(trx, point.questionId);
        const language = checked.language === undefined ? point.language : languageOf(question, checked.language);
        if (point.heading === checked.heading && point.summary === checked.summary && point.language === language) return point.questionId;
        await trx.updateTable('keyPoints').set({ heading: checked.heading, summary: checked.summary, language, updatedAt: new Date().toISOString() }).where('id', '=', keyPointId).execute();
        await recordAudit(trx, {
          actorId: userId,
          consultationId: point.consultationId,
          action: 'key_point.edit',
          subjectType: 'key_point',
          subjectId: String(keyPointId),
          details: {
            questionId: point.questionId,
            before: { heading: point.heading, summary: point.summary, language: point.language },
            after: { heading: checked.heading, summary: checked.summary, language },
          },
        });
        return point.questionId;
      });
      changed(questionId);
    },

    /**
     * The question's live key points in a new order: `keyPointIds` must list every one of them,
     * once (else `compilation.orderStale`: someone added or merged one meanwhile).
     */
    async reorder(userId: string, questionId: number, input: { keyPointIds: number[] }): Promise<void> {
      const { keyPointIds } = parse(reorderSchema, input);
      await db.transaction().execute(async (trx) => {
        const question = await questionOf(trx, questionId, true);
        await assertModerator(trx, userId, question.consultationId);
        const before = await liveOrder(trx, questionId);
        const same = new Set(keyPointIds);
        if (same.size !== keyPointIds.length || before.length !== keyPointIds.length || before.some((id) => !same.has(id))) {
          throw new DomainError('conflict', 'compilation.orderStale', 'keyPointIds');
        }
        if (before.every((id, i) => id === keyPointIds[i])) return;
        await writePositions(trx, questionId, keyPointIds);
        await recordAudit(trx, {
          actorId: userId,
          consultationId: question.consultationId,
          action: 'key_point.reorder',
          subjectType: 'question',
          subjectId: String(questionId),
          details: { questionId, before, after: keyPointIds },
        });
      });
      changed(questionId);
    },

    /** One live key point moved to `position` (clamped to the list), the others closing up. */
    async move(userId: string, input: { keyPointId: number; position: number }): Promise<void> {
      const { keyPointId, position } = parse(moveSchema, input);
      const questionId = await db.transaction().execute(async (trx) => {
        const point = await writableKeyPoint(trx, userId, keyPointId);
        const before = await liveOrder(trx, point.questionId);
        const after = before.filter((id) => id !== keyPointId);
        after.splice(Math.min(position, before.length) - 1, 0, keyPointId);
        if (before.every((id, i) => id === after[i])) return point.questionId;
        await writePositions(trx, point.questionId, after);
        await recordAudit(trx, {
          actorId: userId,
          consultationId: point.consultationId,
          action: 'key_point.reorder',
          subjectType: 'question',
          subjectId: String(point.questionId),
          details: { questionId: point.questionId, before, after, moved: keyPointId },
        });
        return point.questionId;
      });
      changed(questionId);
    },

    /**
     * Clips a passage into a key point (existing: `keyPointId`; new: `newKeyPoint`, then
     * `questionId` is needed). See the top of this file for what is checked. Resolves to the
     * clip's and its key point's ids; a retry with the same clientId answers the first clip.
     */
    async clip(userId: string, input: ClipInput & { questionId?: number }): Promise<{ clipId: number; keyPointId: number }> {
      const checked = parse(clipSchema, input);
      const questionId = await questionForClip(checked, input.questionId);
      return published(questionId, retriedOnce(checked.clientId, () => earlierClip(userId, checked.clientId), () => db.transaction().execute((trx) =>
        storeClip(trx, userId, questionId, checked, (text) => {
          const { start, end, quote } = checked;
          if (end <= start || end > text.length) throw new DomainError('invalid', 'compilation.rangeOutside', 'start');
          // A range may not cut a character written with two UTF-16 units (an emoji, a rare ideogram).
          if ((start > 0 && isLowSurrogate(text.charCodeAt(start)) && isHighSurrogate(text.charCodeAt(start - 1))) || (isHighSurrogate(text.charCodeAt(end - 1)) && isLowSurrogate(text.charCodeAt(end)))) {
            throw new DomainError('invalid', 'compilation.rangeSplitsCharacter', 'start');
          }
          if (text.slice(start, end) !== quote) throw new DomainError('invalid', 'compilation.quoteMismatch', 'quote');
          // Blanks or punctuation alone quote no words, yet would count the contribution as reflected (coverage).
          if (!QUOTES_WORDS.test(quote)) throw new DomainError('invalid', 'compilation.quoteEmpty', 'quote');
          return { start, end, quote };
        }),
      )));
    },

    /** Clips a whole field of a contribution (the form without JavaScript). */
    async clipWhole(userId: string, input: ClipWholeInput & { questionId?: number }): Promise<{ clipId: number; keyPointId: number }> {
      const checked = parse(clipWholeSchema, input);
      const questionId = await questionForClip(checked, input.questionId);
      return published(questionId, retriedOnce(checked.clientId, () => earlierClip(userId, checked.clientId), () => db.transaction().execute((trx) =>
        storeClip(trx, userId, questionId, checked, (text) => {
          if (text.length === 0) throw new DomainError('invalid', 'compilation.fieldEmpty', 'field');
          return { start: 0, end: text.length, quote: text };
        }),
      )));
    },

    /** Whether a clip supports, qualifies or disagrees with its key point. */
    async setStance(userId: string, input: { clipId: number; stance: Stance }): Promise<void> {
      const { clipId, stance } = parse(setStanceSchema, input);
      const questionId = await db.transaction().execute(async (trx) => {
        const clip = await trx.selectFrom('clips').select(['id', 'keyPointId', 'stance']).where('id', '=', clipId).executeTakeFirst();
        if (!clip) throw new DomainError('not_found', 'compilation.clipNotFound', 'clipId');
        const point = await writableKeyPoint(trx, userId, clip.keyPointId, 'clipId');
        if (clip.stance === stance) return point.questionId;
        await trx.updateTable('clips').set({ stance }).where('id', '=', clipId).execute();
        await recordAudit(trx, {
          actorId: userId,
          consultationId: point.consultationId,
          action: 'key_point.stance',
          subjectType: 'key_point',
          subjectId: String(point.id),
          details: { questionId: point.questionId, clipId, from: clip.stance, to: stance },
        });
        return point.questionId;
      });
      changed(questionId);
    },

    /**
     * Merges `mergedId` into `survivorId` (same question, both live, not the same): the survivor
     * takes every clip, the merged point leaves the live list and the positions close up.
     */
    async merge(userId: string, input: { survivorId: number; mergedId: number }): Promise<void> {
      const { survivorId, mergedId } = parse(mergeSchema, input);
      if (survivorId === mergedId) throw new DomainError('invalid', 'compilation.mergeSelf', 'mergedId');
      const questionId = await db.transaction().execute(async (trx) => {
        const survivor = await writableKeyPoint(trx, userId, survivorId, 'survivorId');
        const merged = await trx.selectFrom('keyPoints').selectAll().where('id', '=', mergedId).executeTakeFirst();
        if (!merged) throw new DomainError('not_found', 'compilation.keyPointNotFound', 'mergedId');
        if (merged.questionId !== survivor.questionId) throw new DomainError('invalid', 'compilation.mergeAcrossQuestions', 'mergedId');
        if (merged.mergedIntoId !== null) throw new DomainError('conflict', 'compilation.keyPointMerged', 'mergedId');
        const now = new Date().toISOString();
        const moved = await trx
          .updateTable('clips')
          .set({ keyPointId: survivorId, movedFromId: sql<number>`coalesce(${sql.ref('movedFromId')}, ${mergedId})` })
          .where('keyPointId', '=', mergedId)
          .executeTakeFirst();
        const clipsMoved = Number(moved.numUpdatedRows);
        await trx.updateTable('keyPoints').set({ mergedIntoId: survivorId, updatedAt: now }).where('id', '=', mergedId).execute();
        await trx.updateTable('keyPoints').set({ updatedAt: now }).where('id', '=', survivorId).execute();
        // Points merged earlier into the merged one now point to the survivor: one hop to the live point.
        await trx.updateTable('keyPoints').set({ mergedIntoId: survivorId }).where('mergedIntoId', '=', mergedId).execute();
        await trx.insertInto('keyPointMerges').values({ survivorId, mergedId, clipsMoved, mergedBy: userId, mergedAt: now }).execute();
        await writePositions(trx, survivor.questionId, await liveOrder(trx, survivor.questionId));
        await recordAudit(trx, {
          actorId: userId,
          consultationId: survivor.consultationId,
          action: 'key_point.merge',
          subjectType: 'key_point',
          subjectId: String(survivorId),
          details: { questionId: survivor.questionId, survivorId, mergedId, clipsMoved, mergedHeading: merged.heading },
        });
        return survivor.questionId;
      });
      changed(questionId);
    },

    /**
     * The compilation of a question as `userId` may read it: live key points in order, each with
     * its clips (oldest first) and their state against the sources now.
     */
    async list(userId: string | null, questionId: number): Promise<CompilationView> {
      const { question, role } = await viewerOf(userId, questionId);
      // As the contributions module has it (app/contributions/visibility.ts): moderators read
      // hidden and withdrawn words, reviewers (rapporteurs too) restricted case studies only.
      const moderator = can(role, 'moderation.act');
      const reviewer = can(role, 'content.review');
      const [points, clips, merges] = await Promise.all([
        db.selectFrom('keyPoints').selectAll().where('questionId', '=', questionId).where('mergedIntoId', 'is', null).orderBy('position').execute(),
        db
          .selectFrom('clips')
          .innerJoin('keyPoints', 'keyPoints.id', 'clips.keyPointId')
          .selectAll('clips')
          .where('keyPoints.questionId', '=', questionId)
          .where('keyPoints.mergedIntoId', 'is', null)
          .orderBy('clips.id')
          .execute(),
        db.selectFrom('keyPointMerges').innerJoin('keyPoints', 'keyPoints.id', 'keyPointMerges.survivorId').select(['keyPointMerges.survivorId', 'keyPointMerges.mergedId']).where('keyPoints.questionId', '=', questionId).execute(),
      ]);
      const viewer: ContributionViewer = { consultationId: question.consultationId, userId, role };
      const sources = await readSources(db, viewer, clips.map((c) => ({ kind: c.sourceKind, id: c.sourceId })), { readable: true });
      const byPoint = new Map<number, ClipView[]>(points.map((p) => [p.id, []]));
      for (const clip of clips) {
        const source = sources.get(citationKey({ kind: clip.sourceKind, id: clip.sourceId }));
        // A case study this viewer may not read is already "missing" (readSources answers as its
        // page would): no other state tells that it exists and what became of it.
        const { state, currentWords, foundAt } = clipState(clip, source);
        // Words of a source that is no longer a contribution stay with moderators (restricted case
        // studies with reviewers); who wrote it, with whoever may still read it (app/contributions).
        const readable = state === 'fresh' || state === 'changed' || moderator || (reviewer && state === 'restricted');
        const details = readable ? detailsOf(source) : null;
        byPoint.get(clip.keyPointId)?.push({
          id: clip.id,
          keyPointId: clip.keyPointId,
          source: { kind: clip.sourceKind, id: clip.sourceId },
          field: clip.sourceField,
          start: clip.startOffset,
          end: clip.endOffset,
          quote: readable ? clip.quote : null,
          quoteSha256: clip.quoteSha256,
          stance: clip.stance,
          clippedAt: clip.clippedAt,
          movedFromId: clip.movedFromId,
          state,
          currentWords: readable ? currentWords : null,
          foundAt: readable ? foundAt : null,
          author: details?.author ?? null,
          stakeholderGroup: details?.stakeholderGroup ?? null,
          language: details?.language ?? null,
        });
      }
      return {
        questionId,
        consultationId: question.consultationId,
        canEdit: mayEditCompilation(role, question.phase),
        keyPoints: points.map((p) => {
          const own = byPoint.get(p.id)!;
          const groups = (stance: Stance) => [...new Set(own.filter((c) => c.stance === stance && c.stakeholderGroup).map((c) => c.stakeholderGroup!))].sort();
          return {
            id: p.id,
            position: p.position,
            heading: p.heading,
            summary: p.summary,
            language: p.language,
            createdAt: p.createdAt,
            updatedAt: p.updatedAt,
            clips: own,
            groups: { supports: groups('supports'), qualifies: groups('qualifies'), disagrees: groups('disagrees') },
            mergedFrom: merges.filter((m) => m.survivorId === p.id).map((m) => m.mergedId),
          };
        }),
      };
    },

    /** Where contributions went, as `viewer` may follow (backlinks.server.ts), by `citationKey`. */
    backlinks: (viewer: ContributionViewer, refs: readonly SourceRef[]): Promise<Record<string, Backlink[]>> => backlinksOf(db, viewer, refs),

    /**
     * Whether `userId` may read question `questionId`'s compilation now (role and phase as they
     * are in the database), and write to it: for the live room's joins. Throws
     * `compilation.questionNotFound` (not_found) or `compilation.forbiddenRead` (forbidden).
     */
    async access(userId: string | null, questionId: number): Promise<{ consultationId: number; canEdit: boolean }> {
      const { question, role } = await viewerOf(userId, questionId);
      return { consultationId: question.consultationId, canEdit: mayEditCompilation(role, question.phase) };
    },

    /** The coverage table of a question (coverage.server.ts). */
    coverage: (userId: string | null, consultationId: number, questionId: number): Promise<CoverageRow[]> => coverage(db, consultationId, questionId, userId),

    /** A page of the question's contributions not yet reflected (coverage.server.ts). */
    notYetReflected: (userId: string | null, consultationId: number, questionId: number, filters?: NotYetReflectedFilters): Promise<UnreflectedPage> =>
      notYetReflected(db, consultationId, questionId, userId, filters),

    /**
     * The history of a question's compilation, newest first: the audit entries of its key points
     * (merged ones included) and of its order. Moderators, rapporteurs and admins.
     */
    async history(userId: string, questionId: number, limit = 200): Promise<HistoryEntry[]> {
      const { role } = await viewerOf(userId, questionId);
      if (!can(role, 'content.review')) throw new DomainError('forbidden', 'compilation.forbiddenRead');
      const ids = db.selectFrom('keyPoints').select(sql<string>`cast(${sql.ref('keyPoints.id')} as text)`.as('id')).where('keyPoints.questionId', '=', questionId);
      const rows = await db
        .selectFrom('auditLog')
        .leftJoin('users', 'users.id', 'auditLog.actorId')
        .select(['auditLog.id', 'auditLog.at', 'auditLog.action', 'auditLog.actorId', 'users.name as actorName', 'auditLog.subjectType', 'auditLog.subjectId', 'auditLog.details'])
        .where((eb) =>
          eb.or([
            eb.and([eb('auditLog.subjectType', '=', 'key_point'), eb('auditLog.subjectId', 'in', ids)]),
            eb.and([eb('auditLog.subjectType', '=', 'question'), eb('auditLog.subjectId', '=', String(questionId)), eb('auditLog.action', '=', 'key_point.reorder')]),
          ]),
        )
        .orderBy('auditLog.id', 'desc')
        .limit(Math.min(Math.max(limit, 1), 1000))
        .execute();
      return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
    },
  };
}

export type CompilationService = ReturnType<typeof createCompilationService>;
