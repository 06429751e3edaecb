/**
 * Contributions as sources (docs/decisions/0014): what citations, the compilation, coverage,
 * search and exports quote, each with its attribution applied for the viewer. `readSources`
 * resolves a batch of refs; `selectPostSources` / `selectCaseStudySources` with `postSource` /
 * `caseStudySource` serve lists that pick their own rows (filtered with filters.server.ts): one
 * function per kind turns a row into a source.
 *
 * An available source carries the author as the attribution allows (`author`: never a name,
 * an organisation or a user id under the Chatham House rule), and who really wrote it
 * (`realAuthor`) only for moderators. Hidden, withdrawn and missing ones carry their marker and
 * state alone.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { roleOf } from '../accounts/accounts.server';
import type { AuthorRecord, PublicAuthor } from './attribution';
import type { CaseStudyStatus, PostStatus, Visibility } from './statuses';
import { AUTHOR_COLUMNS, authorsOf } from './filters.server';
import { caseStudyHref, postHrefFromThread } from './links';
import { citationKey, citationMarker, type CitationKind, type CitationRef } from './refs';
import { caseStudySourceState, mayReadCaseStudy, mayReadPost, moderates, postSourceState, type ContributionViewer, type SourceState } from './visibility';

/** A post's clippable text: its body's plain text (posts.bodyText). */
export interface PostFields {
  body: string;
}

/** A case study's clippable texts, each plain text. */
export interface CaseStudyFields {
  title: string;
  summary: string;
  body: string;
  results: string;
  indicators: string;
  worked: string;
  didNotWork: string;
}

export const POST_FIELDS = ['body'] as const satisfies readonly (keyof PostFields)[];
export const CASE_STUDY_FIELDS = ['title', 'summary', 'body', 'results', 'indicators', 'worked', 'didNotWork'] as const satisfies readonly (keyof CaseStudyFields)[];
export type SourceField = (typeof CASE_STUDY_FIELDS)[number];

interface SourceBase {
  kind: CitationKind;
  id: number;
  /** `post:17`: the key of `readSources`' map (refs.ts `citationKey`). */
  key: string;
  /** C-17, CS-4 */
  marker: string;
}

export interface UnavailableSource extends SourceBase {
  state: Exclude<SourceState, 'available'>;
  /**
   * Only when asked for (`readSources(…, { readable: true })`) and only to a viewer who may still
   * read the contribution on its own page (visibility.ts `mayReadPost` / `mayReadCaseStudy`: a
   * hidden post to moderators and its author, an unpublished case study to moderators): what it
   * holds now, with its status, so that staff tools can say what became of it ("rejected").
   * Never part of what a shared document (a note's footnotes) shows.
   */
  readable?: ReadableContribution;
}

interface DetailsBase {
  consultationId: number;
  /** The author's stakeholder group (shown under every attribution). */
  stakeholderGroup: string;
  language: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  /** When its text last changed (ISO-8601 UTC): a post's last edit (else its creation), a case study's last update. */
  changedAt: string;
  author: PublicAuthor;
  /** Moderators only. */
  realAuthor?: AuthorRecord;
  href: string;
}

export interface PostDetails extends DetailsBase {
  kind: 'post';
  status: PostStatus;
  /** The question's number ("2") and the thread's: a sub-question ("2.4") or the question's general thread ("2"). */
  question: string;
  thread: string;
  questionId: number;
  /** null for a question's general thread. */
  subQuestionId: number | null;
  fields: PostFields;
}

export interface CaseStudyDetails extends DetailsBase {
  kind: 'case_study';
  status: CaseStudyStatus;
  /** `restricted` reaches reviewers only (to anyone else such a case study is "missing"). */
  visibility: Visibility;
  /** The sub-questions (ids) it informs. */
  subQuestionIds: number[];
  fields: CaseStudyFields;
}

/** A contribution as it stands (`UnavailableSource.readable`). */
export type ReadableContribution = PostDetails | CaseStudyDetails;

export type AvailablePostSource = Omit<SourceBase, 'kind'> & PostDetails & { state: 'available' };
export type AvailableCaseStudySource = Omit<SourceBase, 'kind'> & CaseStudyDetails & { state: 'available' };

export type AvailableSource = AvailablePostSource | AvailableCaseStudySource;
export type Source = AvailableSource | UnavailableSource;

/** Most ids per `in (…)` list: well within SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 1000;

/** The viewer `userId` (null: anonymous) is in consultation `consultationId`. */
export async function viewerIn(db: Kysely<Database>, userId: string | null, consultationId: number): Promise<ContributionViewer> {
  return { consultationId, userId, role: userId ? await roleOf(db, userId, consultationId) : null };
}

const identity = (ref: CitationRef) => ({ key: citationKey(ref), marker: citationMarker(ref.kind, ref.id) });

/** A source that cannot be shown to this viewer: its marker and state alone. */
export function unavailable(ref: CitationRef, state: UnavailableSource['state']): UnavailableSource {
  return { kind: ref.kind, id: ref.id, ...identity(ref), state };
}

/** Posts with what `postSource` needs: narrow it with `.where(…)` (filters.server.ts) and run it. */
export function selectPostSources(db: Kysely<Database>) {
  return db
    .selectFrom('posts')
    .innerJoin('threads', 'threads.id', 'posts.threadId')
    .innerJoin('questions', 'questions.id', 'threads.questionId')
    .innerJoin('users', 'users.id', 'posts.authorId')
    .select([
      'posts.id',
      'posts.authorId',
      'posts.status',
      'posts.attribution',
      'posts.language',
      'posts.bodyText',
      'posts.createdAt',
      'posts.editedAt',
      'threads.consultationId',
      'threads.number as thread',
      'threads.questionId',
      'threads.subQuestionId',
      'questions.number as question',
      ...AUTHOR_COLUMNS,
    ]);
}

/** Case studies with what `caseStudySource` needs: narrow it with `.where(…)` (filters.server.ts) and run it. */
export function selectCaseStudySources(db: Kysely<Database>) {
  return db
    .selectFrom('caseStudies')
    .innerJoin('users', 'users.id', 'caseStudies.authorId')
    .select([
      'caseStudies.id',
      'caseStudies.authorId',
      'caseStudies.consultationId',
      'caseStudies.status',
      'caseStudies.visibility',
      'caseStudies.attribution',
      'caseStudies.language',
      'caseStudies.title',
      'caseStudies.summary',
      'caseStudies.bodyText',
      'caseStudies.results',
      'caseStudies.indicators',
      'caseStudies.worked',
      'caseStudies.didNotWork',
      'caseStudies.createdAt',
      'caseStudies.updatedAt',
      ...AUTHOR_COLUMNS,
    ]);
}

export type PostSourceRow = Awaited<ReturnType<ReturnType<typeof selectPostSources>['execute']>>[number];
export type CaseStudySourceRow = Awaited<ReturnType<ReturnType<typeof selectCaseStudySources>['execute']>>[number];

/** The sub-question ids each case study informs (its `subQuestion` tags). */
export async function subQuestionsOf(db: Kysely<Database>, ids: number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(ids.map((id) => [id, []]));
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .selectFrom('caseStudyTags')
      .select(['caseStudyId', 'value'])
      .where('kind', '=', 'subQuestion')
      .where('caseStudyId', 'in', ids.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.get(r.caseStudyId)?.push(Number(r.value));
  }
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}

function attributed(row: Parameters<typeof authorsOf>[0], viewer: ContributionViewer) {
  const { author, real } = authorsOf(row);
  return { author, ...(moderates(viewer) ? { realAuthor: real } : {}) };
}

function postDetails(row: PostSourceRow, viewer: ContributionViewer, slug: string): PostDetails {
  return {
    kind: 'post',
    status: row.status,
    consultationId: row.consultationId,
    question: row.question,
    thread: row.thread,
    questionId: row.questionId,
    subQuestionId: row.subQuestionId,
    stakeholderGroup: row.authorGroup,
    language: row.language,
    createdAt: row.createdAt,
    changedAt: row.editedAt ?? row.createdAt,
    fields: { body: row.bodyText },
    ...attributed(row, viewer),
    href: postHrefFromThread(slug, row.thread, row.id),
  };
}

function caseStudyDetails(row: CaseStudySourceRow, viewer: ContributionViewer, slug: string, subQuestionIds: number[]): CaseStudyDetails {
  return {
    kind: 'case_study',
    status: row.status,
    visibility: row.visibility,
    consultationId: row.consultationId,
    subQuestionIds,
    stakeholderGroup: row.authorGroup,
    language: row.language,
    createdAt: row.createdAt,
    changedAt: row.updatedAt,
    fields: {
      title: row.title,
      summary: row.summary,
      body: row.bodyText,
      results: row.results,
      indicators: row.indicators,
      worked: row.worked,
      didNotWork: row.didNotWork,
    },
    ...attributed(row, viewer),
    href: caseStudyHref(slug, row.id),
  };
}

/** Options of `postSource`, `caseStudySource` and `readSources`. */
export interface SourceOptions {
  /** Give unavailable sources the viewer may still read their `readable` details (staff tools; never footnotes). */
  readable?: boolean;
}

/** A post as a source for `viewer` (`slug`: its consultation's, for the href). Of another consultation: missing. */
export function postSource(row: PostSourceRow, viewer: ContributionViewer, slug: string, options: SourceOptions = {}): Source {
  const ref = { kind: 'post' as const, id: row.id };
  if (row.consultationId !== viewer.consultationId) return unavailable(ref, 'missing');
  const state = postSourceState(row.status);
  if (state !== 'available') {
    return options.readable && mayReadPost(row, viewer) ? { ...unavailable(ref, state), readable: postDetails(row, viewer, slug) } : unavailable(ref, state);
  }
  return { id: row.id, ...identity(ref), state, ...postDetails(row, viewer, slug) };
}

/** A case study as a source for `viewer` (`subQuestionIds`: `subQuestionsOf`). Of another consultation: missing. */
export function caseStudySource(row: CaseStudySourceRow, viewer: ContributionViewer, slug: string, subQuestionIds: number[], options: SourceOptions = {}): Source {
  const ref = { kind: 'case_study' as const, id: row.id };
  if (row.consultationId !== viewer.consultationId) return unavailable(ref, 'missing');
  const state = caseStudySourceState(row, viewer);
  if (state !== 'available') {
    return options.readable && mayReadCaseStudy(row, viewer)
      ? { ...unavailable(ref, state), readable: caseStudyDetails(row, viewer, slug, subQuestionIds) }
      : unavailable(ref, state);
  }
  return { id: row.id, ...identity(ref), state, ...caseStudyDetails(row, viewer, slug, subQuestionIds) };
}

/**
 * The consultation a contribution belongs to whatever its state, or null when there is no such
 * contribution: for a refusal that says "of another consultation" rather than "not found" to
 * someone acting in one (the compilation's clips). Says nothing else about it.
 */
export async function consultationOfContribution(db: Kysely<Database>, ref: CitationRef): Promise<number | null> {
  const row =
    ref.kind === 'post'
      ? await db.selectFrom('posts').innerJoin('threads', 'threads.id', 'posts.threadId').select('threads.consultationId').where('posts.id', '=', ref.id).executeTakeFirst()
      : await db.selectFrom('caseStudies').select('caseStudies.consultationId').where('caseStudies.id', '=', ref.id).executeTakeFirst();
  return row?.consultationId ?? null;
}

/**
 * The sources `refs` name, as `viewer` may see them, keyed by `citationKey` (`post:17`); every
 * ref gets an entry (repeats once). A contribution of another consultation, or of none, is
 * "missing"; so is every one of a consultation still in draft, except to its admins. Four
 * queries at most whatever the number of refs (more past 1,000 ids of a kind). `options.readable`:
 * see `UnavailableSource.readable`.
 */
export async function readSources(
  db: Kysely<Database>,
  viewer: ContributionViewer,
  refs: readonly CitationRef[],
  options: SourceOptions = {},
): Promise<Map<string, Source>> {
  const out = new Map<string, Source>();
  for (const ref of refs) out.set(citationKey(ref), unavailable(ref, 'missing'));
  if (out.size === 0) return out;
  const consultation = await db.selectFrom('consultations').select(['slug', 'phase']).where('id', '=', viewer.consultationId).executeTakeFirst();
  if (!consultation || (consultation.phase === 'draft' && viewer.role !== 'admin')) return out;
  const ids = (kind: CitationKind) => [...new Set(refs.filter((r) => r.kind === kind).map((r) => r.id))];
  const chunks = (list: number[]) => Array.from({ length: Math.ceil(list.length / CHUNK) }, (_, i) => list.slice(i * CHUNK, (i + 1) * CHUNK));
  const postIds = ids('post');
  const studyIds = ids('case_study');
  const [posts, studies] = await Promise.all([
    Promise.all(chunks(postIds).map((chunk) => selectPostSources(db).where('posts.id', 'in', chunk).where('threads.consultationId', '=', viewer.consultationId).execute())),
    Promise.all(
      chunks(studyIds).map((chunk) =>
        selectCaseStudySources(db).where('caseStudies.id', 'in', chunk).where('caseStudies.consultationId', '=', viewer.consultationId).execute(),
      ),
    ),
  ]);
  for (const row of posts.flat()) out.set(citationKey({ kind: 'post', id: row.id }), postSource(row, viewer, consultation.slug, options));
  const studyRows = studies.flat();
  const shown = studyRows
    .filter((row) => caseStudySourceState(row, viewer) === 'available' || (options.readable && mayReadCaseStudy(row, viewer)))
    .map((row) => row.id);
  const subQuestions = await subQuestionsOf(db, shown);
  for (const row of studyRows) {
    out.set(citationKey({ kind: 'case_study', id: row.id }), caseStudySource(row, viewer, consultation.slug, subQuestions.get(row.id) ?? [], options));
  }
  return out;
}
