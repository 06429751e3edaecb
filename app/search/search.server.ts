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
import type { Database, Phase } from '../../db/schema';
import { searchIndexOf, type IndexedKind } from '../../db/search';
import { mayReadCompilation } from '../compilation/access';
import { keyPointHref, noteHref } from '../compilation/links';
import { caseStudiesInforming, readableCaseStudies, readablePosts, sourceCaseStudies, sourcePosts } from '../contributions/filters.server';
import { postOnItsPageHref } from '../contributions/links';
import { citationKey } from '../contributions/refs';
import { readSources, viewerIn, type CaseStudyDetails, type PostDetails, type Source } from '../contributions/sources.server';
import { moderates, type ContributionViewer } from '../contributions/visibility';
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
  type SnippetPart,
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

/** A consultation's questions, sub-questions and threads: to turn facet values (numbers) into ids and back. */
interface Structure {
  questions: { id: number; number: string }[];
  subQuestions: { id: number; number: string; questionId: number }[];
  threads: { id: number; questionId: number; subQuestionId: number | null }[];
}

/** A row of the search statement: a facet value's count, or one hit of the page (`facet` 'page'). */
interface CountRow {
  facet: string;
  value: string | null;
  /** The count; for a page row, the hit's relevance. */
  n: number | string;
}

/** The number of a question / sub-question, ordered as numbers ("2.10" after "2.9"). */
const byNumber = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

export function createSearchService(db: Kysely<Database>) {
  const index = searchIndexOf(db);

  /** Users found by what their attribution shows: ids for named attributions, ids for organisation ones. */
  async function authorsMatching(query: ParsedQuery): Promise<{ named: string[]; organisation: string[] }> {
    const [named, organisation] = await Promise.all(
      (['name', 'organisation'] as const).map(async (scope) => {
        const rows = await sql<{ id: string }>`${index.authorHits(query, scope)} limit ${sql.lit(AUTHORS_MAX)}`.execute(db);
        return rows.rows.map((r) => r.id);
      }),
    );
    return { named: named!, organisation: organisation! };
  }

  /**
   * `(id, score)` of a kind's rows holding the words, or written by an author found by name (with
   * score 0, and none holding an excluded word). Attributed kinds only take the authors.
   */
  function hitsOf(kind: IndexedKind, query: ParsedQuery, authors: { named: string[]; organisation: string[] } | null): RawBuilder<{ id: number; score: number }> {
    const text = index.textHits(kind, query);
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

  /**
   * The hits of every kind the viewer may see, one row each, in the columns every branch shares:
   * kind, id, score, and what the facets count: `tid` the thread (posts), `qid` the question (key
   * points, notes), `aid` the author (posts, case studies), `grp` a note's stakeholder group,
   * `lang`, `month` (YYYY-MM). Ids, not labels: a post needs no join beyond the index's.
   */
  function candidates(viewer: ContributionViewer, phase: string, query: ParsedQuery, authors: { named: string[]; organisation: string[] }, scope: SearchScope) {
    const kinds = new Set(scope.kinds ?? SEARCH_KINDS);
    const questionId = scope.questionId ?? null;
    const staff = !scope.sourcesOnly && moderates(viewer);
    const branches: Expression<unknown>[] = [];
    const month = (column: string) => sql<string>`substr(${sql.ref(column)}, 1, 7)`;
    // Typed: PostgreSQL types a bare null as text, and a union's columns must agree.
    const noId = sql<null>`cast(null as integer)`;
    const noText = sql<null>`cast(null as text)`;

    if (kinds.has('post')) {
      let posts = db
        .selectFrom('posts')
        .innerJoin(within(hitsOf('post', query, authors)).as('h'), 'h.id', 'posts.id')
        .select([
          sql<string>`'post'`.as('kind'),
          'posts.id',
          'h.score',
          'posts.threadId as tid',
          noId.as('qid'),
          'posts.authorId as aid',
          noText.as('grp'),
          'posts.language as lang',
          month('posts.createdAt').as('month'),
        ])
        .where(staff ? readablePosts(viewer) : sourcePosts(viewer));
      if (questionId !== null) posts = posts.where('posts.threadId', 'in', db.selectFrom('threads').select('threads.id').where('threads.questionId', '=', questionId));
      branches.push(posts);
    }
    if (kinds.has('case_study')) {
      let studies = db
        .selectFrom('caseStudies')
        .innerJoin(within(hitsOf('case_study', query, authors)).as('h'), 'h.id', 'caseStudies.id')
        .select([
          sql<string>`'case_study'`.as('kind'),
          'caseStudies.id',
          'h.score',
          noId.as('tid'),
          noId.as('qid'),
          'caseStudies.authorId as aid',
          noText.as('grp'),
          'caseStudies.language as lang',
          month('caseStudies.createdAt').as('month'),
        ])
        .where(staff ? readableCaseStudies(viewer) : sourceCaseStudies(viewer));
      // A participant's own unpublished case study is theirs to find on their own page, not here.
      if (staff) studies = studies.where('caseStudies.status', '!=', 'draft');
      if (questionId !== null) studies = studies.where(caseStudiesInforming(questionId));
      if (scope.publicOnly) studies = studies.where('caseStudies.visibility', '=', 'public');
      branches.push(studies);
    }
    if (kinds.has('key_point') && mayReadCompilation(viewer.role, phase as Phase)) {
      let points = db
        .selectFrom('keyPoints')
        .innerJoin(within(hitsOf('key_point', query, null)).as('h'), 'h.id', 'keyPoints.id')
        .select([
          sql<string>`'key_point'`.as('kind'),
          'keyPoints.id',
          'h.score',
          noId.as('tid'),
          'keyPoints.questionId as qid',
          noText.as('aid'),
          noText.as('grp'),
          'keyPoints.language as lang',
          month('keyPoints.createdAt').as('month'),
        ])
        .where('keyPoints.consultationId', '=', viewer.consultationId)
        .where('keyPoints.mergedIntoId', 'is', null);
      if (questionId !== null) points = points.where('keyPoints.questionId', '=', questionId);
      branches.push(points);
    }
    if (kinds.has('note') && viewer.userId !== null && phase !== 'draft') {
      let notes = db
        .selectFrom('notes')
        .innerJoin(within(hitsOf('note', query, null)).as('h'), 'h.id', 'notes.id')
        .select([
          sql<string>`'note'`.as('kind'),
          'notes.id',
          'h.score',
          noId.as('tid'),
          'notes.questionId as qid',
          noText.as('aid'),
          'notes.stakeholderGroup as grp',
          noText.as('lang'),
          month('notes.updatedAt').as('month'),
        ])
        .where('notes.consultationId', '=', viewer.consultationId);
      if (questionId !== null) notes = notes.where('notes.questionId', '=', questionId);
      branches.push(notes);
    }
    return branches;
  }

  async function structureOf(consultationId: number): Promise<Structure> {
    const [questions, subQuestions, threads] = await Promise.all([
      db.selectFrom('questions').select(['id', 'number']).where('consultationId', '=', consultationId).execute(),
      db
        .selectFrom('subQuestions')
        .innerJoin('questions', 'questions.id', 'subQuestions.questionId')
        .select(['subQuestions.id', 'subQuestions.number', 'subQuestions.questionId'])
        .where('questions.consultationId', '=', consultationId)
        .execute(),
      db.selectFrom('threads').select(['id', 'questionId', 'subQuestionId']).where('consultationId', '=', consultationId).execute(),
    ]);
    return { questions, subQuestions, threads };
  }

  /**
   * The chosen filters as a condition on a hit row `f`. Facet values arrive as the page shows them
   * (a question's number, a sub-question's); `structure` turns them into ids. A value nothing has
   * matches nothing.
   */
  function filterCondition(filters: SearchFilters, structure: Structure): RawBuilder<SqlBool> {
    const ids = (list: number[]) => (list.length ? sql.join(list) : sql`null`);
    const texts = (list: number[]) => (list.length ? sql.join(list.map(String)) : sql`null`);
    const tagged = (kinds: string[], values: RawBuilder<unknown>) =>
      sql`(f.kind = 'case_study' and f.id in (select case_study_id from case_study_tags where kind in (${sql.join(kinds)}) and value in (${values})))`;
    const parts: RawBuilder<unknown>[] = [sql`1 = 1`];
    if (filters.kind) parts.push(sql`f.kind = ${filters.kind}`);
    if (filters.question) {
      const question = structure.questions.find((q) => q.number === filters.question);
      const subs = structure.subQuestions.filter((s) => s.questionId === question?.id).map((s) => s.id);
      const threads = structure.threads.filter((t) => t.questionId === question?.id).map((t) => t.id);
      parts.push(sql`(f.tid in (${ids(threads)}) or f.qid = ${question?.id ?? -1} or ${tagged(['subQuestion'], texts(subs))})`);
    }
    if (filters.subQuestion) {
      const sub = structure.subQuestions.find((s) => s.number === filters.subQuestion);
      const threads = structure.threads.filter((t) => sub && t.subQuestionId === sub.id).map((t) => t.id);
      parts.push(sql`(f.tid in (${ids(threads)}) or ${tagged(['subQuestion'], texts(sub ? [sub.id] : []))})`);
    }
    if (filters.theme) parts.push(tagged(['theme'], sql`${filters.theme}`));
    if (filters.country) parts.push(tagged(['origin', 'destination'], sql`${filters.country}`));
    if (filters.group) parts.push(sql`(f.grp = ${filters.group} or f.aid in (select id from users where stakeholder_group = ${filters.group}))`);
    if (filters.language) parts.push(sql`f.lang = ${filters.language}`);
    if (filters.month) parts.push(sql`f.month = ${filters.month}`);
    return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
  }

  /**
   * One statement: the hits (materialised once), under the filters; every facet's counts by id
   * (grouping by small integers and short codes), and the page's hits with their relevance.
   * Labels and numbers are put on afterwards (`facetsOf`): a few hundred rows, not one per hit.
   *
   * The hits are read three times whatever their number, not once per facet: `c` counts them per
   * combination of the facets a hit row holds (kind, thread, question, group, language, month:
   * at most a few hundred combinations), `a` per author, `t` lists the tags of the case studies
   * among them; each facet then sums one of these. The `cross join`s keep the hits the outer
   * loop on SQLite (a join written plainly let it index the hits anew for each tag facet).
   * The page's limit and offset are written in, not bound: SQLite prepares a statement reading a
   * full-text table again at every run whose LIMIT is a bound parameter (0.7 ms here, for every
   * search); they are integers the code computed, a few distinct values.
   */
  async function countAndPage(branches: Expression<unknown>[], filters: SearchFilters, structure: Structure, offset: number, limit: number): Promise<CountRow[]> {
    // SQLite takes no parenthesised SELECT in a UNION: each branch is read from as a subquery.
    const union = sql.join(
      branches.map((branch, i) => sql`select * from ${branch} as ${sql.raw(`b${i}`)}`),
      sql` union all `,
    );
    const sum = sql`cast(sum(c.n) as double precision)`;
    const count = sql`cast(count(*) as double precision)`;
    const distinct = sql`cast(count(distinct t.id) as double precision)`;
    const tagKinds = sql.join(['subQuestion', 'theme', 'origin', 'destination']);
    return index.execute(
      db,
      sql<CountRow>`with f as materialized (select * from (${union}) as f where ${filterCondition(filters, structure)}),
      c as materialized (select f.kind, f.tid, f.qid, f.grp, f.lang, f.month, count(*) as n from f group by f.kind, f.tid, f.qid, f.grp, f.lang, f.month),
      a as materialized (select f.aid, count(*) as n from f where f.aid is not null group by f.aid),
      t as materialized (select tag.kind, tag.value, tag.case_study_id as id from f cross join case_study_tags tag
        where f.kind = 'case_study' and tag.case_study_id = f.id and tag.kind in (${tagKinds}))
      select 'total' as facet, cast(null as text) as value, ${sum} as n from c
      union all select 'kind', c.kind, ${sum} from c group by c.kind
      union all select 'thread', cast(c.tid as text), ${sum} from c where c.tid is not null group by c.tid
      union all select 'question', cast(c.qid as text), ${sum} from c where c.qid is not null group by c.qid
      union all select 'group', c.grp, ${sum} from c where c.grp is not null group by c.grp
      union all select 'language', c.lang, ${sum} from c where c.lang is not null group by c.lang
      union all select 'month', c.month, ${sum} from c where c.month is not null group by c.month
      union all select 'group', u.stakeholder_group, cast(sum(a.n) as double precision) from a cross join users u where u.id = a.aid group by u.stakeholder_group
      union all select 'caseStudyQuestion', cast(sq.question_id as text), ${distinct} from t cross join sub_questions sq where t.kind = 'subQuestion' and t.value = cast(sq.id as text) group by sq.question_id
      union all select 'subQuestion', t.value, ${count} from t where t.kind = 'subQuestion' group by t.value
      union all select 'theme', t.value, ${count} from t where t.kind = 'theme' group by t.value
      union all select 'country', t.value, ${distinct} from t where t.kind in ('origin', 'destination') group by t.value
      union all select * from (
        select 'page' as facet, f.kind || ':' || cast(f.id as text) as value, cast(f.score as double precision) as n
        from f order by f.score desc, f.kind, f.id desc limit ${sql.lit(Math.trunc(limit))} offset ${sql.lit(Math.trunc(offset))}) as page`,
    );
  }

  /** The counts of `countAndPage` as facets (numbers, group ids), the total, and the page in rank order. */
  function facetsOf(rows: CountRow[], structure: Structure) {
    const facets = emptyFacets();
    const tally = new Map<SearchFacet, Map<string, number>>(SEARCH_FACETS.map((f) => [f, new Map()]));
    const add = (facet: SearchFacet, value: string | undefined, n: number) => {
      if (value === undefined || n <= 0) return;
      const counts = tally.get(facet)!;
      counts.set(value, (counts.get(value) ?? 0) + n);
    };
    const questionNumber = new Map(structure.questions.map((q) => [String(q.id), q.number]));
    const subNumber = new Map(structure.subQuestions.map((s) => [String(s.id), s.number]));
    const threadOf = new Map(structure.threads.map((t) => [String(t.id), t]));
    let total = 0;
    const page: { kind: SearchKind; id: number; score: number }[] = [];
    for (const row of rows) {
      const n = Number(row.n);
      const value = row.value ?? '';
      switch (row.facet) {
        case 'total':
          total = n;
          break;
        case 'page': {
          const [kind, id] = value.split(':');
          page.push({ kind: kind as SearchKind, id: Number(id), score: n });
          break;
        }
        case 'thread': {
          const thread = threadOf.get(value);
          if (!thread) break;
          add('question', questionNumber.get(String(thread.questionId)), n);
          if (thread.subQuestionId !== null) add('subQuestion', subNumber.get(String(thread.subQuestionId)), n);
          break;
        }
        case 'question':
        case 'caseStudyQuestion':
          add('question', questionNumber.get(value), n);
          break;
        case 'subQuestion':
          add('subQuestion', subNumber.get(value), n);
          break;
        case 'kind':
        case 'theme':
        case 'country':
        case 'group':
        case 'language':
        case 'month':
          add(row.facet, value, n);
          break;
      }
    }
    for (const facet of SEARCH_FACETS) facets[facet] = [...tally.get(facet)!].map(([value, count]) => ({ value, count }));
    const kindOrder = (v: string) => (SEARCH_KINDS as readonly string[]).indexOf(v);
    facets.kind.sort((a, b) => kindOrder(a.value) - kindOrder(b.value));
    facets.question.sort((a, b) => byNumber(a.value, b.value));
    facets.subQuestion.sort((a, b) => byNumber(a.value, b.value));
    facets.month.sort((a, b) => b.value.localeCompare(a.value));
    for (const facet of ['theme', 'country', 'group', 'language'] as const) facets[facet].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    // The page as SQL ordered it (a union keeps no order): best first, then kind, then newest.
    page.sort((a, b) => b.score - a.score || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || b.id - a.id);
    return { total, facets, found: page.map(({ kind, id }) => ({ kind, id })) };
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
          href: `${noteHref(slug, n.id)}${textFragment(snippet)}`,
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
    const [authors, structure] = await Promise.all([authorsMatching(query), structureOf(who.consultationId)]);
    const branches = candidates(viewer, consultation.phase, query, authors, scope);
    if (branches.length === 0) return { ...done, viewer, slug: consultation.slug };
    const rows = await countAndPage(branches, filters, structure, (page - 1) * pageSize, pageSize);
    const { total, facets, found } = facetsOf(rows, structure);
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

/** A text fragment's part: percent-encoded, its own separators (`-`, `,`, `&`) too. */
const fragmentPart = (text: string) => encodeURIComponent(text).replace(/-/g, '%2D').replace(/,/g, '%2C').replace(/&/g, '%26');

/**
 * The link to a passage (`#:~:text=prefix-,words,-suffix`): browsers that know text fragments
 * scroll to the first match of the snippet's words and mark it. The words around them (up to
 * three on each side) pin it to the note's text, not the same word in the page's header. '' when
 * the snippet marks nothing (found by a stem the snippet does not know).
 */
export function textFragment(snippet: SnippetPart[]): string {
  const at = snippet.findIndex((part) => part.match);
  if (at < 0) return '';
  // The run of matched words that starts there ("compétences numériques"), spaces between them.
  let end = at;
  while (snippet[end + 2]?.match && /^\s+$/.test(snippet[end + 1]!.text)) end += 2;
  const words = (text: string) => text.replace(/…/g, ' ').split(/\s+/).filter(Boolean);
  const before = at > 0 ? words(snippet[at - 1]!.text).slice(-3).join(' ') : '';
  const after = end + 1 < snippet.length ? words(snippet[end + 1]!.text).slice(0, 3).join(' ') : '';
  const match = snippet
    .slice(at, end + 1)
    .map((part) => part.text)
    .join('')
    .trim();
  return `#:~:text=${before ? `${fragmentPart(before)}-,` : ''}${fragmentPart(match)}${after ? `,-${fragmentPart(after)}` : ''}`;
}

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
  const texts = [f.summary, f.body, f.results, f.indicators, f.worked, f.didNotWork, f.title].filter((t) => t.trim() !== '');
  let snippet: SnippetPart[] | undefined;
  let firstField: SnippetPart[] | undefined;
  for (const text of texts) {
    const candidate = snippetOf(text, query);
    firstField ??= candidate;
    if (candidate.some((part) => part.match)) {
      snippet = candidate;
      break;
    }
  }
  snippet ??= firstField ?? [];
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

