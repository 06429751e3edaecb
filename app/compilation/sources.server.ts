/**
 * The sources side of the compilation page (issue 12): one thread of the question at a time (its
 * general thread or a sub-question's), its visible posts a page at a time, oldest first, and the
 * published, public case studies informing that sub-question, each with the plain text of every
 * field a clip may quote and its author as the source's attribution allows: all read through
 * app/contributions (`readSources`, ADR 0014), as `viewer` may see them. A page never holds the
 * whole question: a question of 2,000 posts is read one thread page (SOURCES_PAGE posts) at a time.
 */
import type { Kysely } from 'kysely';
import type { Database, SourceField, SourceKind } from '../../db/schema';
import type { PublicAuthor } from '../contributions/attribution';
import { citationKey } from '../contributions/refs';
import { readSources, type AvailableSource } from '../contributions/sources.server';
import type { ContributionViewer } from '../contributions/visibility';
import type { SearchService } from '../search/search.server';
import type { QueryProblem } from '../search/search-types';
import { clipFieldsOf } from './compilation.schema';

/** Posts per page of the sources side. */
export const SOURCES_PAGE = 40;
/** Case studies per page: each carries up to seven fields of text. */
export const CASE_STUDIES_PAGE = 10;

export interface PageSource {
  kind: SourceKind;
  id: number;
  author: PublicAuthor;
  language: string;
  createdAt: string;
  /** A reply's parent post (null: a contribution of its own, or a case study). */
  parentId: number | null;
  /** The clippable fields that hold words, each as its plain text (UTF-16 offsets count in it). */
  fields: { field: SourceField; text: string }[];
}

export interface SourcesPage {
  items: PageSource[];
  /** Pass back as `after` for the next page; null on the last. */
  next: number | null;
  total: number;
}

function toPageSource(source: AvailableSource, parentId: number | null): PageSource {
  const fields = source.fields as Partial<Record<SourceField, string>>;
  return {
    kind: source.kind,
    id: source.id,
    author: source.author,
    language: source.language,
    createdAt: source.createdAt,
    parentId,
    fields: clipFieldsOf(source.kind)
      .map((field) => ({ field, text: fields[field] ?? '' }))
      .filter((f) => f.text.trim() !== ''),
  };
}

/** The available sources of `refs` as `viewer` may see them, in the refs' order, with `parentOf` each. */
async function pageOf(db: Kysely<Database>, viewer: ContributionViewer, refs: { kind: SourceKind; id: number; parentId: number | null }[]): Promise<PageSource[]> {
  const found = await readSources(db, viewer, refs);
  return refs.flatMap((ref) => {
    const source = found.get(citationKey(ref));
    return source && source.state === 'available' ? [toPageSource(source, ref.parentId)] : [];
  });
}

/** One page of a thread's visible posts, oldest first, after post id `after` (0: from the start). */
export async function threadPosts(db: Kysely<Database>, viewer: ContributionViewer, threadId: number, after = 0, limit = SOURCES_PAGE): Promise<SourcesPage> {
  const visible = () => db.selectFrom('posts').where('threadId', '=', threadId).where('status', '=', 'visible');
  const [rows, count] = await Promise.all([
    visible().select(['id', 'parentId']).where('id', '>', after).orderBy('id').limit(limit + 1).execute(),
    visible().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  const page = rows.slice(0, limit);
  const items = await pageOf(db, viewer, page.map((r) => ({ kind: 'post' as const, id: r.id, parentId: r.parentId })));
  return { items, next: rows.length > limit ? page[page.length - 1]!.id : null, total: Number(count?.n ?? 0) };
}

/** One page of the published, public case studies informing sub-question `subQuestionId`, oldest first. */
export async function subQuestionCaseStudies(db: Kysely<Database>, viewer: ContributionViewer, subQuestionId: number, after = 0, limit = CASE_STUDIES_PAGE): Promise<SourcesPage> {
  const informing = () =>
    db
      .selectFrom('caseStudies')
      .innerJoin('caseStudyTags', (join) => join.onRef('caseStudyTags.caseStudyId', '=', 'caseStudies.id').on('caseStudyTags.kind', '=', 'subQuestion'))
      .where('caseStudyTags.value', '=', String(subQuestionId))
      .where('caseStudies.status', '=', 'published')
      .where('caseStudies.visibility', '=', 'public');
  const [rows, count] = await Promise.all([
    informing().select('caseStudies.id').where('caseStudies.id', '>', after).orderBy('caseStudies.id').limit(limit + 1).execute(),
    informing().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  const page = rows.slice(0, limit);
  const items = await pageOf(db, viewer, page.map((r) => ({ kind: 'case_study' as const, id: r.id, parentId: null })));
  return { items, next: rows.length > limit ? page[page.length - 1]!.id : null, total: Number(count?.n ?? 0) };
}

/** The thread number ("2.4", or "2" for a general thread) of each post of `postIds` that exists: for links to it. */
export async function threadNumbersOf(db: Kysely<Database>, postIds: number[]): Promise<Record<number, string>> {
  const ids = [...new Set(postIds)];
  if (ids.length === 0) return {};
  const rows = await db.selectFrom('posts').innerJoin('threads', 'threads.id', 'posts.threadId').select(['posts.id', 'threads.number']).where('posts.id', 'in', ids).execute();
  return Object.fromEntries(rows.map((r) => [r.id, r.number]));
}

/** A question's threads: its general one (subQuestionId null) and one per sub-question. */
export async function threadsOf(db: Kysely<Database>, questionId: number) {
  return db.selectFrom('threads').select(['id', 'number', 'subQuestionId']).where('questionId', '=', questionId).orderBy('id').execute();
}

/** Sources per page of a search of the sources side. */
export const SEARCHED_PAGE = 20;

export interface SearchedSources {
  items: PageSource[];
  total: number;
  /** 1-based, and how many there are. */
  page: number;
  pages: number;
  /** Why nothing was searched (app/search/search-types.ts), else null. */
  problem: QueryProblem | null;
}

/**
 * One page of the question's sources holding the words of `q`, best first: the search
 * (app/search/search.server.ts) over what may be clipped into this question (visible posts of its
 * threads, published public case studies informing it), then read as the thread pages are.
 */
export async function searchedSources(db: Kysely<Database>, search: SearchService, viewer: ContributionViewer, questionId: number, q: string, page: number): Promise<SearchedSources> {
  const result = await search.find(
    { userId: viewer.userId, consultationId: viewer.consultationId },
    { q, filters: {}, page },
    { kinds: ['post', 'case_study'], questionId, sourcesOnly: true, publicOnly: true, pageSize: SEARCHED_PAGE },
  );
  const postIds = result.found.filter((f) => f.kind === 'post').map((f) => f.id);
  const parents = postIds.length ? await db.selectFrom('posts').select(['id', 'parentId']).where('id', 'in', postIds).execute() : [];
  const parentOf = new Map(parents.map((p) => [p.id, p.parentId]));
  const items = await pageOf(
    db,
    viewer,
    result.found.map((f) => ({ kind: f.kind as SourceKind, id: f.id, parentId: f.kind === 'post' ? (parentOf.get(f.id) ?? null) : null })),
  );
  return { items, total: result.total, page: result.page, pages: Math.max(1, Math.ceil(result.total / SEARCHED_PAGE)), problem: result.problem };
}
