/**
 * The search (issue 15, docs/decisions/0019): posts, case studies, key points and note passages
 * of one consultation holding a query's words, ranked, with facet counts, a page at a time.
 *
 * One query finds, filters and counts, on either database:
 * - the full-text index (db/search/: FTS5 or tsvector) says which rows hold the words;
 * - the contributions module's filters (app/contributions/filters.server.ts) say, in the same
 *   query, which of them this viewer may see, so that counts and pages are of what they see;
 * - an author is found by what their attribution shows others (name and organisation when named,
 *   the organisation alone): a Chatham House author's name or organisation matches nothing.
 * Then the page's items are read through the contributions module (`readSources`), attribution
 * applied, and their snippets cut on the server (app/search/snippet.ts): parts of plain text.
 *
 * Who finds what: posts a thread shows (moderators: hidden ones too, marked); case studies
 * that are sources (published, public; restricted ones for reviewers; moderators: submitted
 * ones too, marked); key points to whoever reads the compilation (app/compilation/access.ts);
 * notes to whoever is signed in (app/notes/access.ts).
 */
import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema';
import { searchIndexOf, type IndexedKind } from '../../db/search';
import { mayReadCompilation } from '../compilation/access';
import { keyPointHref, noteHref } from '../compilation/links';
import { caseStudiesInforming, readableCaseStudies, readablePosts, sourceCaseStudies, sourcePosts } from '../contributions/filters.server';
import { postOnItsPageHref } from '../contributions/links';
import { citationKey } from '../contributions/refs';
import { readSources, type CaseStudyDetails, type PostDetails, type Source } from '../contributions/sources.server';
import { moderates, type ContributionViewer } from '../contributions/visibility';
import { viewerIn } from '../contributions/sources.server';
import { parseQuery } from './query';
import {
  SEARCH_FACETS,
  SEARCH_KINDS,
  SEARCH_MAX_PAGE,
  SEARCH_PAGE_SIZE,
  type FacetValue,
  type ParsedQuery,
  type SearchFacet,
  type SearchFilters,
  type SearchHit,
  type SearchKind,
  type SearchResults,
} from './search-types';
import { snippetOf } from './snippet';

/** Who searches: a user (null: anonymous) in a consultation. */
export interface Searcher {
  userId: string | null;
  consultationId: number;
}

export interface SearchInput {
  q: string;
  filters: SearchFilters;
  /** 1-based; clamped to 1…SEARCH_MAX_PAGE. */
  page: number;
}

/** What a tool narrows the search to (the citation dialog, the compilation's sources). */
export interface SearchScope {
  kinds?: readonly SearchKind[];
  /** Contributions of this question (its threads; case studies informing it). */
  questionId?: number | null;
  /** Only what may be cited or clipped (visible posts, published case studies), whoever asks. */
  sourcesOnly?: boolean;
  /** Public case studies only (the compilation: participants read it in the synthesis phase). */
  publicOnly?: boolean;
  /** Results per page (1…100; SEARCH_PAGE_SIZE by default). */
  pageSize?: number;
  /** The query is being typed: its last word counts as a prefix. */
  asYouType?: boolean;
}

/** Authors matched by name at most (a name query matching more is a word, not a name). */
const AUTHORS_MAX = 200;
/** Characters of a facet value kept from the URL (longer ones match nothing anyway). */
const FACET_VALUE_MAX = 100;

const MARKER_PREFIX: Record<SearchKind, string> = { post: 'C', case_study: 'CS', key_point: 'KP', note: 'N' };

function emptyFacets(): Record<SearchFacet, FacetValue[]> {
  return Object.fromEntries(SEARCH_FACETS.map((f) => [f, []])) as unknown as Record<SearchFacet, FacetValue[]>;
}

/** The filters worth applying: known facets, non-empty values of sensible length. */
export function cleanFilters(filters: SearchFilters): SearchFilters {
  const out: SearchFilters = {};
  for (const facet of SEARCH_FACETS) {
    const value = filters[facet];
    if (typeof value === 'string' && value.length > 0 && value.length <= FACET_VALUE_MAX) out[facet] = value;
  }
  if (out.kind && !(SEARCH_KINDS as readonly string[]).includes(out.kind)) delete out.kind;
  return out;
}

/** A subquery in parentheses, to be joined under an alias. */
const within = <T>(query: RawBuilder<T>) => sql<T>`(${query})`;

/** The number of a question / sub-question, ordered as numbers ("2.10" after "2.9"). */
const byNumber = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

export function createSearchService(db: Kysely<Database>) {
  const index = searchIndexOf(db);

  /** Users found by what their attribution shows: ids for named attributions, ids for organisation ones. */
  async function authorsMatching(query: ParsedQuery): Promise<{ named: string[]; organisation: string[] }> {
    const [named, organisation] = await Promise.all(
      (['name', 'organisation'] as const).map(async (scope) => {
        const rows = await sql<{ id: string }>`${index.authorHits(query, scope)} limit ${AUTHORS_MAX}`.execute(db);
        return rows.rows.map((r) => r.id);
      }),
    );
    return { named: named!, organisation: organisation! };
  }

  /**
   * `(id, score)` of a kind's rows holding the words, or written by an author found by name (with
   * score 0, and none holding an excluded word). Attributed kinds only take the authors.
   */
  function hitsOf(kind: IndexedKind, query: ParsedQuery, authors: { named: string[]; organisation: string[] } | null, ranked: boolean): RawBuilder<{ id: number; score: number }> {
    const text = index.textHits(kind, query, ranked);
    if (!authors || (authors.named.length === 0 && authors.organisation.length === 0)) return text;
    const table = sql.raw(kind === 'post' ? 'posts' : 'case_studies');
    const list = (ids: string[]) => (ids.length ? sql.join(ids) : sql`null`);
    const excluded = index.excludedHits(kind, query);
    return sql<{ id: number; score: number }>`select id, max(score) as score from (
      ${text}
      union all
      select a.id as id, cast(0 as real) as score from ${table} a
      where ((a.attribution = 'named' and a.author_id in (${list(authors.named)}))
          or (a.attribution = 'organisation' and a.author_id in (${list(authors.organisation)})))
        ${excluded ? sql`and a.id not in (${excluded})` : sql``}
    ) as found group by id`;
  }

  /** The hits of every kind the viewer may see, one row each: kind, id, score and the facet columns. */
  function candidates(viewer: ContributionViewer, phase: string, query: ParsedQuery, authors: { named: string[]; organisation: string[] }, scope: SearchScope, ranked: boolean) {
    const kinds = new Set(scope.kinds ?? SEARCH_KINDS);
    const questionId = scope.questionId ?? null;
    const staff = !scope.sourcesOnly && moderates(viewer);
    const branches: Expression<unknown>[] = [];
    const month = (column: string) => sql<string>`substr(${sql.ref(column)}, 1, 7)`;

    if (kinds.has('post')) {
      let posts = db
        .selectFrom('posts')
        .innerJoin(within(hitsOf('post', query, authors, ranked)).as('h'), 'h.id', 'posts.id')
        .innerJoin('threads', 'threads.id', 'posts.threadId')
        .innerJoin('questions', 'questions.id', 'threads.questionId')
        .leftJoin('subQuestions', 'subQuestions.id', 'threads.subQuestionId')
        .innerJoin('users', 'users.id', 'posts.authorId')
        .select([
          sql<string>`'post'`.as('kind'),
          'posts.id',
          'h.score',
          'posts.language',
          month('posts.createdAt').as('month'),
          'questions.number as question',
          'subQuestions.number as subQuestion',
          'users.stakeholderGroup as grp',
        ])
        .where(staff ? readablePosts(viewer) : sourcePosts(viewer));
      if (questionId !== null) posts = posts.where('threads.questionId', '=', questionId);
      branches.push(posts);
    }
    if (kinds.has('case_study')) {
      let studies = db
        .selectFrom('caseStudies')
        .innerJoin(within(hitsOf('case_study', query, authors, ranked)).as('h'), 'h.id', 'caseStudies.id')
        .innerJoin('users', 'users.id', 'caseStudies.authorId')
        .select([
          sql<string>`'case_study'`.as('kind'),
          'caseStudies.id',
          'h.score',
          'caseStudies.language',
          month('caseStudies.createdAt').as('month'),
          sql<string | null>`null`.as('question'),
          sql<string | null>`null`.as('subQuestion'),
          'users.stakeholderGroup as grp',
        ])
        .where(staff ? readableCaseStudies(viewer) : sourceCaseStudies(viewer));
      // A participant's own unpublished case study is theirs to find on their own page, not here.
      if (staff) studies = studies.where('caseStudies.status', '!=', 'draft');
      if (questionId !== null) studies = studies.where(caseStudiesInforming(questionId));
      if (scope.publicOnly) studies = studies.where('caseStudies.visibility', '=', 'public');
      branches.push(studies);
    }
    if (kinds.has('key_point') && mayReadCompilation(viewer.role, phase as never)) {
      let points = db
        .selectFrom('keyPoints')
        .innerJoin(within(hitsOf('key_point', query, null, ranked)).as('h'), 'h.id', 'keyPoints.id')
        .innerJoin('questions', 'questions.id', 'keyPoints.questionId')
        .select([
          sql<string>`'key_point'`.as('kind'),
          'keyPoints.id',
          'h.score',
          'keyPoints.language',
          month('keyPoints.createdAt').as('month'),
          'questions.number as question',
          sql<string | null>`null`.as('subQuestion'),
          sql<string | null>`null`.as('grp'),
        ])
        .where('keyPoints.consultationId', '=', viewer.consultationId)
        .where('keyPoints.mergedIntoId', 'is', null);
      if (questionId !== null) points = points.where('keyPoints.questionId', '=', questionId);
      branches.push(points);
    }
    if (kinds.has('note') && viewer.userId !== null && phase !== 'draft') {
      let notes = db
        .selectFrom('notes')
        .innerJoin(within(hitsOf('note', query, null, ranked)).as('h'), 'h.id', 'notes.id')
        .leftJoin('questions', 'questions.id', 'notes.questionId')
        .select([
          sql<string>`'note'`.as('kind'),
          'notes.id',
          'h.score',
          sql<string | null>`null`.as('language'),
          month('notes.updatedAt').as('month'),
          'questions.number as question',
          sql<string | null>`null`.as('subQuestion'),
          'notes.stakeholderGroup as grp',
        ])
        .where('notes.consultationId', '=', viewer.consultationId);
      if (questionId !== null) notes = notes.where('notes.questionId', '=', questionId);
      branches.push(notes);
    }
    return branches;
  }

  /** The chosen filters as a condition on a hit row `f` (kind, id and the facet columns). */
  function filterCondition(filters: SearchFilters, consultationId: number): RawBuilder<SqlBool> {
    const tagged = (kinds: string[], value: string) =>
      sql`(f.kind = 'case_study' and f.id in (select case_study_id from case_study_tags where kind in (${sql.join(kinds)}) and value = ${value}))`;
    const inQuestion = (column: 'q.number' | 'sq.number', value: string) =>
      sql`(f.kind = 'case_study' and f.id in (
        select t.case_study_id from case_study_tags t
        join sub_questions sq on t.value = cast(sq.id as text)
        join questions q on q.id = sq.question_id
        where t.kind = 'subQuestion' and q.consultation_id = ${consultationId} and ${sql.raw(column)} = ${value}))`;
    const parts: RawBuilder<unknown>[] = [sql`1 = 1`];
    if (filters.kind) parts.push(sql`f.kind = ${filters.kind}`);
    if (filters.question) parts.push(sql`(f.question = ${filters.question} or ${inQuestion('q.number', filters.question)})`);
    if (filters.subQuestion) parts.push(sql`(f.sub_question = ${filters.subQuestion} or ${inQuestion('sq.number', filters.subQuestion)})`);
    if (filters.theme) parts.push(tagged(['theme'], filters.theme));
    if (filters.country) parts.push(tagged(['origin', 'destination'], filters.country));
    if (filters.group) parts.push(sql`f.grp = ${filters.group}`);
    if (filters.language) parts.push(sql`f.language = ${filters.language}`);
    if (filters.month) parts.push(sql`f.month = ${filters.month}`);
    return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
  }

  /** `with f as (…)`: the hits as the viewer may see them, under the chosen filters. */
  function filtered(branches: Expression<unknown>[], filters: SearchFilters, consultationId: number) {
    // SQLite takes no parenthesised SELECT in a UNION: each branch is read from as a subquery.
    const union = sql.join(
      branches.map((branch, i) => sql`select * from ${branch} as ${sql.raw(`b${i}`)}`),
      sql` union all `,
    );
    return sql`with hits as (${union}), f as (select * from hits f where ${filterCondition(filters, consultationId)})`;
  }

  async function facetsOf(withF: RawBuilder<unknown>, consultationId: number): Promise<{ total: number; facets: Record<SearchFacet, FacetValue[]> }> {
    const tags = (kinds: string[]) => sql`join case_study_tags t on f.kind = 'case_study' and t.case_study_id = f.id and t.kind in (${sql.join(kinds)})`;
    const subQuestionTags = sql`${tags(['subQuestion'])} join sub_questions sq on t.value = cast(sq.id as text) join questions q on q.id = sq.question_id and q.consultation_id = ${consultationId}`;
    const rows = await index.execute(db, sql<{ facet: string; value: string; n: number | string }>`${withF}
      select facet, value, sum(n) as n from (
        select 'total' as facet, '' as value, count(*) as n from f
        union all select 'kind', f.kind, count(*) from f group by f.kind
        union all select 'question', f.question, count(*) from f where f.question is not null group by f.question
        union all select 'question', q.number, count(distinct f.id) from f ${subQuestionTags} group by q.number
        union all select 'subQuestion', f.sub_question, count(*) from f where f.sub_question is not null group by f.sub_question
        union all select 'subQuestion', sq.number, count(distinct f.id) from f ${subQuestionTags} group by sq.number
        union all select 'theme', t.value, count(distinct f.id) from f ${tags(['theme'])} group by t.value
        union all select 'country', t.value, count(distinct f.id) from f ${tags(['origin', 'destination'])} group by t.value
        union all select 'group', f.grp, count(*) from f where f.grp is not null group by f.grp
        union all select 'language', f.language, count(*) from f where f.language is not null group by f.language
        union all select 'month', f.month, count(*) from f where f.month is not null group by f.month
      ) as counted group by facet, value`);
    const facets = emptyFacets();
    let total = 0;
    for (const row of rows) {
      const count = Number(row.n);
      if (row.facet === 'total') total = count;
      else if ((SEARCH_FACETS as readonly string[]).includes(row.facet) && count > 0) facets[row.facet as SearchFacet].push({ value: row.value, count });
    }
    const kindOrder = (v: string) => (SEARCH_KINDS as readonly string[]).indexOf(v);
    facets.kind.sort((a, b) => kindOrder(a.value) - kindOrder(b.value));
    facets.question.sort((a, b) => byNumber(a.value, b.value));
    facets.subQuestion.sort((a, b) => byNumber(a.value, b.value));
    facets.month.sort((a, b) => b.value.localeCompare(a.value));
    for (const facet of ['theme', 'country', 'group', 'language'] as const) facets[facet].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    return { total, facets };
  }

  async function pageOf(withF: RawBuilder<unknown>, offset: number, limit: number) {
    const rows = await index.execute(db, sql<{ kind: SearchKind; id: number; score: number }>`${withF}
      select f.kind, f.id, f.score from f order by f.score desc, f.kind, f.id desc limit ${limit} offset ${offset}`);
    return rows.map((r) => ({ kind: r.kind, id: Number(r.id) }));
  }

  /** The page's items as the viewer may see them, in the page's order. */
  async function hitsFor(viewer: ContributionViewer, slug: string, query: ParsedQuery, found: { kind: SearchKind; id: number }[]): Promise<SearchHit[]> {
    const contributions = found.filter((f): f is { kind: 'post' | 'case_study'; id: number } => f.kind === 'post' || f.kind === 'case_study');
    const keyPointIds = found.filter((f) => f.kind === 'key_point').map((f) => f.id);
    const noteIds = found.filter((f) => f.kind === 'note').map((f) => f.id);
    const [sources, points, notes] = await Promise.all([
      readSources(db, viewer, contributions, { readable: true }),
      keyPointIds.length
        ? db
            .selectFrom('keyPoints')
            .innerJoin('questions', 'questions.id', 'keyPoints.questionId')
            .select(['keyPoints.id', 'keyPoints.heading', 'keyPoints.summary', 'keyPoints.language', 'keyPoints.createdAt', 'questions.number as question'])
            .where('keyPoints.id', 'in', keyPointIds)
            .execute()
        : [],
      noteIds.length
        ? db
            .selectFrom('notes')
            .leftJoin('questions', 'questions.id', 'notes.questionId')
            .select(['notes.id', 'notes.title', 'notes.text', 'notes.updatedAt', 'questions.number as question'])
            .where('notes.id', 'in', noteIds)
            .execute()
        : [],
    ]);
    const studySubQuestions = [...sources.values()].flatMap((s) => {
      const details = detailsOf(s);
      return details?.kind === 'case_study' ? details.subQuestionIds.slice(0, 1) : [];
    });
    const numbers = studySubQuestions.length
      ? await db
          .selectFrom('subQuestions')
          .innerJoin('questions', 'questions.id', 'subQuestions.questionId')
          .select(['subQuestions.id', 'subQuestions.number', 'questions.number as question'])
          .where('subQuestions.id', 'in', studySubQuestions)
          .execute()
      : [];
    const hits: SearchHit[] = [];
    for (const item of found) {
      const marker = `${MARKER_PREFIX[item.kind]}-${item.id}`;
      if (item.kind === 'post' || item.kind === 'case_study') {
        const source = sources.get(citationKey({ kind: item.kind, id: item.id }));
        const details = source && detailsOf(source);
        if (!details) continue; // changed between the two queries: no longer shown to this viewer
        hits.push(contributionHit(details, item.id, marker, slug, query, numbers));
      } else if (item.kind === 'key_point') {
        const p = points.find((r) => r.id === item.id);
        if (!p) continue;
        hits.push({
          kind: 'key_point',
          id: p.id,
          marker,
          title: p.heading,
          snippet: snippetOf(p.summary || p.heading, query),
          author: null,
          language: p.language,
          createdAt: p.createdAt,
          question: p.question,
          subQuestion: null,
          href: keyPointHref(slug, p.question, p.id),
        });
      } else {
        const n = notes.find((r) => r.id === item.id);
        if (!n) continue;
        const snippet = snippetOf(n.text || n.title, query);
        const words = snippet.find((part) => part.match)?.text;
        hits.push({
          kind: 'note',
          id: n.id,
          marker,
          title: n.title,
          snippet,
          author: null,
          language: '',
          createdAt: n.updatedAt,
          question: n.question,
          subQuestion: null,
          // The passage: a text fragment (browsers that know it scroll to the words and mark them).
          href: `${noteHref(slug, n.id)}${words ? `#:~:text=${encodeURIComponent(words)}` : ''}`,
        });
      }
    }
    return hits;
  }

  /** Parses, checks the consultation and runs the search: the page's `(kind, id)` in order, the total and the facets. */
  async function run(who: Searcher, input: SearchInput, scope: SearchScope) {
    const filters = cleanFilters(input.filters);
    const pageSize = Math.min(Math.max(scope.pageSize ?? SEARCH_PAGE_SIZE, 1), 100);
    const page = Math.min(Math.max(Math.trunc(Number.isFinite(input.page) ? input.page : 1), 1), SEARCH_MAX_PAGE);
    const parsed = parseQuery(input.q);
    const base = { query: input.q.trim().slice(0, 1000), filters, page, pageSize, total: 0, facets: emptyFacets(), fellBack: false, truncated: false };
    if (!parsed.ok) return { ...base, problem: parsed.problem, found: [], parsed: null, viewer: null, slug: '' };
    const query = scope.asYouType ? asYouType(parsed.query, input.q) : parsed.query;
    const done = { ...base, problem: null, fellBack: query.fellBack, truncated: query.truncated, parsed: query, found: [] as { kind: SearchKind; id: number }[] };
    const consultation = await db.selectFrom('consultations').select(['slug', 'phase']).where('id', '=', who.consultationId).executeTakeFirst();
    const viewer = await viewerIn(db, who.userId, who.consultationId);
    if (!consultation || (consultation.phase === 'draft' && viewer.role !== 'admin')) return { ...done, viewer, slug: '' };
    const authors = await authorsMatching(query);
    // Twice the same hits: unranked to count them (ranking reads every row found), ranked for the page.
    const hits = (ranked: boolean) => candidates(viewer, consultation.phase, query, authors, scope, ranked);
    const counting = hits(false);
    if (counting.length === 0) return { ...done, viewer, slug: consultation.slug };
    const { total, facets } = await facetsOf(filtered(counting, filters, who.consultationId), who.consultationId);
    const found = total === 0 ? [] : await pageOf(filtered(hits(true), filters, who.consultationId), (page - 1) * pageSize, pageSize);
    return { ...done, total, facets, found, viewer, slug: consultation.slug };
  }

  return {
    /**
     * One page of what `who` may find for `input.q` in their consultation, with the facet
     * counts of everything found under the chosen filters. A query that cannot be searched
     * (empty, too long, operators only, exclusions only) answers its `problem` and nothing else;
     * nothing in it reaches SQL but as bound parameters.
     */
    async search(who: Searcher, input: SearchInput, scope: SearchScope = {}): Promise<SearchResults> {
      const { found, parsed, viewer, slug, ...results } = await run(who, input, scope);
      const hits = found.length && parsed && viewer ? await hitsFor(viewer, slug, parsed, found) : [];
      return { ...results, hits };
    },

    /**
     * The same search's page as `(kind, id)` alone, in rank order, for tools that show found items
     * their own way (the citation dialog, the compilation's sources): `problem`, `total` and `found`.
     */
    async find(who: Searcher, input: SearchInput, scope: SearchScope = {}) {
      const { problem, total, found, page, pageSize } = await run(who, input, scope);
      return { problem, total, found, page, pageSize };
    },
  };
}

/**
 * As typed in a live dialog: the last word, not yet followed by a space, is a prefix ("compét"
 * finds "compétences"), unless it is quoted or excluded.
 */
function asYouType(query: ParsedQuery, typed: string): ParsedQuery {
  const last = query.terms[query.terms.length - 1];
  if (!last || last.negated || last.prefix || last.words.length !== 1 || /[\s"”»*]$/u.test(typed) || last.words[0]!.length < 2) return query;
  return { ...query, terms: [...query.terms.slice(0, -1), { ...last, prefix: true }] };
}

export type SearchService = ReturnType<typeof createSearchService>;

/** What a source shows this viewer: its details when available, or (staff) what it holds now. */
function detailsOf(source: Source): PostDetails | CaseStudyDetails | null {
  if (source.state === 'available') return source;
  return source.readable ?? null;
}

function contributionHit(
  details: PostDetails | CaseStudyDetails,
  id: number,
  marker: string,
  slug: string,
  query: ParsedQuery,
  numbers: { id: number; number: string; question: string }[],
): SearchHit {
  const common = {
    id,
    marker,
    author: details.author,
    ...(details.realAuthor ? { realAuthor: details.realAuthor } : {}),
    language: details.language,
    createdAt: details.createdAt,
  };
  if (details.kind === 'post') {
    return {
      ...common,
      kind: 'post',
      title: '',
      snippet: snippetOf(details.fields.body, query),
      question: details.question,
      subQuestion: details.thread === details.question ? null : details.thread,
      href: postOnItsPageHref(slug, details.question, details.thread, id),
      ...(details.status !== 'visible' ? { status: details.status } : {}),
    };
  }
  const f = details.fields;
  // The field holding the words (the summary when none does: found by its author, or by a stem).
  const texts = [f.summary, f.body, f.results, f.indicators, f.worked, f.didNotWork, f.title];
  const snippets = texts.filter((t) => t.trim() !== '').map((t) => snippetOf(t, query));
  const snippet = snippets.find((s) => s.some((part) => part.match)) ?? snippets[0] ?? [];
  const first = numbers.find((n) => n.id === details.subQuestionIds[0]);
  return {
    ...common,
    kind: 'case_study',
    title: f.title,
    snippet,
    question: first?.question ?? null,
    subQuestion: first?.number ?? null,
    href: details.href,
    ...(details.status !== 'published' ? { status: details.status } : {}),
    ...(details.visibility === 'restricted' ? { restricted: true } : {}),
  };
}

