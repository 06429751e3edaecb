/**
 * The search page's URL parameters, read forgivingly: whatever a URL carries, the page answers
 * (never a 500). `q`: the first one, as typed (the service trims it and says when it is too long);
 * a facet value the consultation does not know is dropped; `page` is clamped to
 * 1…SEARCH_MAX_PAGE (anything not a number: 1).
 */
import { z } from 'zod';
import { SEARCH_FACETS, SEARCH_MAX_PAGE, type SearchFacet, type SearchFilters } from './search-types';
import type { SearchState } from './search-url';

/** The longest parameter value kept; beyond it a value is no facet value anyway. */
const VALUE_MAX = 200;

const page = z
  .string()
  .transform((raw) => {
    // Digits only: `0x10`, `2.5` or `1e3` are no page number.
    if (!/^\d{1,6}$/.test(raw.trim())) return 1;
    return Math.min(Math.max(Number(raw.trim()), 1), SEARCH_MAX_PAGE);
  })
  .catch(1);

/** The schema for one consultation: `isKnown` says which facet values it has. */
export function searchParamsSchema(isKnown: (facet: SearchFacet, value: string) => boolean) {
  const filter = (facet: SearchFacet) =>
    z
      .string()
      .max(VALUE_MAX)
      .refine((v) => isKnown(facet, v))
      .optional()
      .catch(undefined);
  return z.object({
    q: z.string().catch(''),
    page: page.default(1),
    ...(Object.fromEntries(SEARCH_FACETS.map((f) => [f, filter(f)])) as Record<SearchFacet, ReturnType<typeof filter>>),
  });
}

/** The search a URL asks for (first value of each parameter). */
export function parseSearchParams(params: URLSearchParams, isKnown: (facet: SearchFacet, value: string) => boolean): SearchState {
  const first: Record<string, string> = {};
  for (const key of ['q', 'page', ...SEARCH_FACETS]) {
    const value = params.get(key);
    if (value !== null) first[key] = value;
  }
  const parsed = searchParamsSchema(isKnown).parse(first);
  const filters: SearchFilters = {};
  for (const facet of SEARCH_FACETS) {
    const value = parsed[facet];
    if (value !== undefined) filters[facet] = value;
  }
  return { q: parsed.q, filters, page: parsed.page };
}
