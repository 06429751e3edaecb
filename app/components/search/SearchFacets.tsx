/**
 * The search's facets, beside the results (below them on a narrow screen): per facet a heading
 * and its values with their counts, each a plain link that sets that filter (back on page 1).
 * The chosen value is marked (aria-current) and has a "remove" link; one link clears them all.
 */
import { Link } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { SearchFacet } from '../../search/search-types';
import { searchHref, withFilter, type SearchState } from '../../search/search-url';

export interface FacetGroup {
  facet: SearchFacet;
  heading: string;
  values: { value: string; count: number; label: string; detail?: string; lang?: string; chosen: boolean }[];
}

export function SearchFacets({ slug, state, facets }: { slug: string; state: SearchState; facets: FacetGroup[] }) {
  const { t } = useTranslation();
  const filtered = Object.keys(state.filters).length > 0;
  return (
    <section className="search-filters" aria-labelledby="filters-heading">
      <h2 id="filters-heading">{t('search.filtersHeading')}</h2>
      {filtered ? (
        <p className="search-clear">
          <Link to={searchHref(slug, { q: state.q, filters: {}, page: 1 })}>{t('search.clearFilters')}</Link>
        </p>
      ) : null}
      {facets.map((group) => (
        <div key={group.facet} className="search-facet">
          <h3 id={`facet-${group.facet}`}>{group.heading}</h3>
          <ul aria-labelledby={`facet-${group.facet}`} role="list">
            {group.values.map((v) => {
              const name = (
                <>
                  <span className="search-facet-label">{v.label}</span>
                  {v.detail ? (
                    <span className="search-facet-detail" lang={v.lang}>
                      {v.detail}
                    </span>
                  ) : null}
                </>
              );
              return (
                <li key={v.value} className={v.chosen ? 'search-facet-chosen' : undefined}>
                  {v.chosen ? (
                    <>
                      <span aria-current="true" className="search-facet-current">
                        {name} <span className="search-facet-count">({v.count})</span>
                      </span>{' '}
                      <Link
                        to={withFilter(slug, state, group.facet, null)}
                        className="search-facet-remove"
                        aria-label={t('search.removeFilter', { filter: `${group.heading}: ${v.label}` })}
                      >
                        {t('search.remove')}
                      </Link>
                    </>
                  ) : (
                    <Link to={withFilter(slug, state, group.facet, v.value)}>
                      {name} <span className="search-facet-count">({v.count})</span>
                    </Link>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </section>
  );
}
