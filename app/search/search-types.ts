/**
 * The search's contract (issue 15), isomorphic: what a query becomes once parsed, what a search
 * answers, and the facets it counts. The same on SQLite and PostgreSQL (db/search/).
 */
import type { PublicAuthor, AuthorRecord } from '../contributions/attribution';

/** What a search finds: a thread post, a case study, a key point of a compilation, a synthesis note's passage. */
export const SEARCH_KINDS = ['post', 'case_study', 'key_point', 'note'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** Most characters a query may have (longer: `search.tooLong`, nothing is searched). */
export const QUERY_MAX_CHARS = 256;
/** Most terms a query keeps (words and phrases, excluded ones included); the rest are ignored, and said so. */
export const QUERY_MAX_TERMS = 12;
/** Results per page. */
export const SEARCH_PAGE_SIZE = 20;
/** Pages one may ask for (deeper pages: refine the query). */
export const SEARCH_MAX_PAGE = 50;

/**
 * One term of a query. `words` are lower-case, NFC, letters, digits and marks only (never an
 * operator or a quote: nothing of the query's syntax reaches SQL); several words make an exact
 * phrase. `prefix`: the last word is a prefix (`numéri*`). `negated`: items holding it are excluded.
 */
export interface SearchTerm {
  words: string[];
  prefix: boolean;
  negated: boolean;
}

/** A parsed query: at least one term that is not negated. */
export interface ParsedQuery {
  terms: SearchTerm[];
  /** The syntax was not understood (an unclosed quote, an operator alone…) and plain words were searched instead. */
  fellBack: boolean;
  /** Terms beyond QUERY_MAX_TERMS were ignored. */
  truncated: boolean;
}

/**
 * Why a query searches nothing: said to the user in their language (`search.problem.<reason>`).
 * `busy`: too many searches from one person or address in a minute (the page answers 429).
 */
export type QueryProblem = 'empty' | 'tooLong' | 'operatorsOnly' | 'onlyExclusions' | 'busy';

export type ParseOutcome = { ok: true; query: ParsedQuery } | { ok: false; problem: QueryProblem };

/** A piece of a snippet: text, and whether it is one of the query's words. Rendered as text (never HTML). */
export interface SnippetPart {
  text: string;
  match: boolean;
}

/**
 * The facets a search counts, each value with the number of results holding it under the filters
 * chosen. Values: `kind` a SearchKind; `question` a question's number ("3"), `subQuestion` a
 * sub-question's ("3.2"); `theme` and `group` the consultation's ids; `language` a content language
 * code; `country` an ISO 3166-1 alpha-2 code, a case study's countries of origin and destination
 * (an author's country is shown nowhere, so it is no facet); `month` `YYYY-MM` (UTC). A case study
 * informing several sub-questions counts once under each.
 */
export const SEARCH_FACETS = ['kind', 'question', 'subQuestion', 'theme', 'group', 'language', 'country', 'month'] as const;
export type SearchFacet = (typeof SEARCH_FACETS)[number];

/** The filters chosen: one value per facet at most (`month` is `YYYY-MM`, UTC). */
export type SearchFilters = Partial<Record<SearchFacet, string>>;

export interface FacetValue {
  value: string;
  count: number;
}

/** One result, as the viewer may see it: attribution applied (`author`), the real author for moderators only. */
export interface SearchHit {
  kind: SearchKind;
  id: number;
  /** C-17 (a post), CS-4 (a case study), KP-3 (a key point), N-2 (a note). */
  marker: string;
  /** A case study's title, a key point's heading, a note's title; '' for a post (its thread says where it is). */
  title: string;
  /** Around the best match, the query's words marked. */
  snippet: SnippetPart[];
  /** null for key points and notes (written together, not attributed). */
  author: PublicAuthor | null;
  realAuthor?: AuthorRecord;
  language: string;
  /** ISO-8601 UTC: when it was written (a note: last changed). */
  createdAt: string;
  /** The question's number ("3"), the sub-question's ("3.2"); null where it has none (a case study informs several: its first). */
  question: string | null;
  subQuestion: string | null;
  /** Where it is: the post in its thread, the case study, the key point in its compilation, the note at the passage. */
  href: string;
  /** Moderators only: a post's status other than visible (`hidden`), a case study's other than published (`submitted`, `rejected`…). */
  status?: string;
  /** A restricted case study (reviewers only ever see one): shown with a badge. */
  restricted?: boolean;
}

export interface SearchResults {
  /** The query as typed (trimmed), for the form. */
  query: string;
  /** Why nothing was searched, else null. */
  problem: QueryProblem | null;
  fellBack: boolean;
  truncated: boolean;
  filters: SearchFilters;
  total: number;
  /** 1-based. */
  page: number;
  pageSize: number;
  hits: SearchHit[];
  facets: Record<SearchFacet, FacetValue[]>;
}
