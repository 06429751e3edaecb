/**
 * The one place the search benchmark reaches the search service (issue 15):
 * `createSearchService(db)` from app/search/search.server.ts, whose `search(viewer, input)`
 * answers `SearchResults` (app/search/search-types.ts).
 *
 * Loaded by a dynamic import so the benchmark type-checks and the other scenarios run while the
 * service is not there yet; without it, `loadSearchService` throws saying so (before any data
 * is generated). Once it is there, a static import here would also type-check its signature.
 */
import type { Kysely } from 'kysely';
import type { SearchFilters, SearchResults } from '../../app/search/search-types';
import type { Database } from '../../db/schema';

export interface SearchViewer {
  /** null: signed out. */
  userId: string | null;
  consultationId: number;
}

export interface SearchInput {
  q: string;
  filters: SearchFilters;
  /** 1-based. */
  page: number;
}

export interface SearchService {
  search(viewer: SearchViewer, input: SearchInput): Promise<SearchResults>;
}

const SERVICE_MODULE = '../../app/search/search.server';

export async function loadSearchService(db: Kysely<Database>): Promise<SearchService> {
  let loaded: { createSearchService?: (db: Kysely<Database>) => SearchService };
  try {
    loaded = (await import(/* @vite-ignore */ SERVICE_MODULE)) as typeof loaded;
  } catch (error) {
    throw new Error(`the search service (app/search/search.server.ts) cannot be loaded: ${(error as Error).message}`);
  }
  if (typeof loaded.createSearchService !== 'function') throw new Error('app/search/search.server.ts exports no createSearchService(db)');
  return loaded.createSearchService(db);
}
