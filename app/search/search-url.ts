/**
 * The search page's address: `/c/<slug>/search?q=…&<facet>=…&page=N`. Isomorphic: the page
 * builds every facet and pagination link with it (plain links, so that all works without JS).
 */
import { SEARCH_FACETS, type SearchFacet, type SearchFilters } from './search-types';

export interface SearchState {
  q: string;
  filters: SearchFilters;
  page: number;
}

export function searchPath(slug: string): string {
  return `/c/${slug}/search`;
}

/**
 * The address of `state`, the facets in the contract's order, page 1 left out. An empty query is
 * kept (`q=`) so the address always says it is a search.
 */
export function searchHref(slug: string, state: SearchState): string {
  const params = new URLSearchParams({ q: state.q });
  for (const facet of SEARCH_FACETS) {
    const value = state.filters[facet];
    if (value !== undefined) params.set(facet, value);
  }
  if (state.page > 1) params.set('page', String(state.page));
  return `${searchPath(slug)}?${params}`;
}

/** The same search with `facet` set to `value` (or removed: null), back on page 1. */
export function withFilter(slug: string, state: SearchState, facet: SearchFacet, value: string | null): string {
  const filters: SearchFilters = { ...state.filters };
  if (value === null) delete filters[facet];
  else filters[facet] = value;
  return searchHref(slug, { q: state.q, filters, page: 1 });
}
