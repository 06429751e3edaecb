/**
 * Full-text search of a consultation (issue 15): `/c/<slug>/search?q=…&<facet>=…&page=N`.
 *
 * Everything is a plain GET form or a plain link, so the page works without JavaScript: the
 * query form, each facet value (a link that sets or removes one filter, back on page 1) and the
 * pages. The service (`services.search`, app/search/search-types.ts) decides what the reader may
 * see; this page reads the URL forgivingly (search-params.server.ts) and names every facet value
 * in the reader's language (facet-labels.server.ts). No `q` at all: the form alone, nothing searched.
 */
import { json, type HeadersFunction, type LinksFunction, type LoaderFunctionArgs, type MetaDescriptor, type MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { SearchFacets, type FacetGroup } from '../components/search/SearchFacets';
import { SearchHitItem, type HitView } from '../components/search/SearchHitItem';
import { consultationTitle, groupLabels } from '../consultations/localize';
import { searchVocabulary } from '../search/facet-labels.server';
import { searchAllowed } from '../search/search-limit.server';
import { parseSearchParams } from '../search/search-params.server';
import { QUERY_MAX_CHARS, QUERY_MAX_TERMS, SEARCH_FACETS, SEARCH_KINDS, SEARCH_MAX_PAGE, type SearchFacet } from '../search/search-types';
import { searchHref, searchPath, type SearchState } from '../search/search-url';
import searchStyles from '../styles/search.css';
import { pageTitle, requireConsultation } from '../utils/http.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: searchStyles }];

/** A refused search (429) says when to come back. */
export const headers: HeadersFunction = ({ loaderHeaders }) => {
  const retry = loaderHeaders.get('retry-after');
  return retry ? { 'retry-after': retry } : new Headers();
};

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const { language, services, t, user } = context;
  const consultation = await requireConsultation(context, params.slug);
  const questions = await services.consultations.listQuestions(consultation.id);
  const vocabulary = searchVocabulary(consultation, questions, language, t);
  const url = new URL(request.url);
  const state = parseSearchParams(url.searchParams, vocabulary.isKnown);
  const name = consultationTitle(consultation, language);
  const common = { slug: consultation.slug, consultationTitle: name, groups: groupLabels(consultation, language) };

  if (!url.searchParams.has('q')) {
    return { ...common, title: pageTitle(t('search.title'), name), searched: false as const, query: '' };
  }

  const allowed = await searchAllowed(context, 'page');
  if (!allowed.ok) {
    return json(
      { ...common, title: pageTitle(t('search.title'), name), searched: true as const, query: state.q, problem: 'busy' as const, fellBack: false, truncated: false, total: 0, page: 1, pages: 1, capped: false, firstIndex: 1, filters: state.filters, hits: [] as HitView[], facets: [] as FacetGroup[], previous: null, next: null },
      { status: 429, headers: { 'retry-after': String(allowed.retryAfterSeconds) } },
    );
  }
  const results = await services.search.search({ userId: user?.id ?? null, consultationId: consultation.id }, state);
  const chosen = results.filters;
  const collator = new Intl.Collator(language);
  const facets: FacetGroup[] = [];
  for (const facet of SEARCH_FACETS) {
    const values = [...(results.facets[facet] ?? [])].filter((v) => vocabulary.isKnown(facet, v.value));
    // A chosen value the search no longer counts stays listed, so that it can be removed.
    const value = chosen[facet];
    if (value !== undefined && !values.some((v) => v.value === value)) values.push({ value, count: 0 });
    if (!values.length) continue;
    const labelled = values.map((v) => ({ ...v, ...vocabulary.label(facet, v.value), chosen: v.value === value }));
    facets.push({ facet, heading: t(`search.facets.${facet}`), values: labelled.sort(facetOrder(facet, vocabulary.position, collator)) });
  }

  const hits: HitView[] = results.hits.map((hit) => {
    const where = hit.subQuestion
      ? vocabulary.label('subQuestion', hit.subQuestion)
      : hit.question
        ? vocabulary.label('question', hit.question)
        : null;
    return {
      kind: hit.kind,
      id: hit.id,
      marker: hit.marker,
      title: hit.title,
      snippet: hit.snippet,
      author: hit.author,
      // Only where the public line hides who wrote it (as thread pages do).
      realAuthor: hit.realAuthor && hit.author?.attribution !== 'named' ? hit.realAuthor.name : null,
      language: hit.language,
      createdAt: hit.createdAt,
      href: hit.href,
      kindLabel: t(`search.kinds.${hit.kind}`),
      where,
      statusLabel: hit.status ? statusLabel(t, hit.kind, hit.status) : null,
      restricted: !!hit.restricted,
    };
  });

  const pages = Math.max(1, Math.min(SEARCH_MAX_PAGE, Math.ceil(results.total / Math.max(1, results.pageSize))));
  const shown: SearchState = { q: results.query, filters: chosen, page: results.page };
  return {
    ...common,
    title: pageTitle(results.query ? t('search.titleFor', { query: results.query.slice(0, 80) }) : t('search.title'), name),
    searched: true as const,
    query: results.query,
    problem: results.problem,
    fellBack: results.fellBack,
    truncated: results.truncated,
    total: results.total,
    page: results.page,
    pages,
    // More than the pages one may open: the reader is told to narrow the search.
    capped: results.total > SEARCH_MAX_PAGE * results.pageSize,
    firstIndex: (results.page - 1) * results.pageSize + 1,
    filters: chosen,
    hits,
    facets,
    previous: results.page > 1 ? searchHref(consultation.slug, { ...shown, page: Math.min(results.page - 1, pages) }) : null,
    next: results.page < pages ? searchHref(consultation.slug, { ...shown, page: results.page + 1 }) : null,
  };
}

/** Kinds in the contract's order, questions as the consultation orders them, newest month first, else most results first. */
function facetOrder(
  facet: SearchFacet,
  position: (facet: 'question' | 'subQuestion', value: string) => number,
  collator: Intl.Collator,
): (a: { value: string; count: number; label: string }, b: { value: string; count: number; label: string }) => number {
  switch (facet) {
    case 'kind':
      return (a, b) => SEARCH_KINDS.indexOf(a.value as never) - SEARCH_KINDS.indexOf(b.value as never);
    case 'question':
    case 'subQuestion':
      return (a, b) => position(facet, a.value) - position(facet, b.value);
    case 'month':
      return (a, b) => (a.value < b.value ? 1 : a.value > b.value ? -1 : 0);
    default:
      return (a, b) => b.count - a.count || collator.compare(a.label, b.label);
  }
}

/** A post's moderation state, a case study's review state, in the reader's language. */
function statusLabel(t: LoaderFunctionArgs['context']['t'], kind: string, status: string): string {
  if (kind === 'case_study') return t(`caseStudies.statuses.${status}`, { defaultValue: status });
  return t(`search.status.${status}`, { defaultValue: status });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  if (!data) return [];
  const tags: MetaDescriptor[] = [{ title: data.title }, { name: 'robots', content: 'noindex' }];
  if (data.searched) {
    if (data.previous) tags.push({ tagName: 'link', rel: 'prev', href: data.previous });
    if (data.next) tags.push({ tagName: 'link', rel: 'next', href: data.next });
  }
  return tags;
};

export default function SearchPage() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const base = searchPath(data.slug);
  const groupLabel = (id: string) => data.groups[id] ?? id;
  const problemId = 'search-problem';
  const problem = data.searched ? data.problem : null;
  const filters = data.searched ? data.filters : {};

  return (
    <div className="page page-wide search-page">
      <Breadcrumbs items={[{ label: data.consultationTitle, to: `/c/${data.slug}` }, { label: t('search.title') }]} />
      <header className="page-header">
        <p className="eyebrow">{data.consultationTitle}</p>
        <h1>{t('search.title')}</h1>
        {!data.searched ? <p className="lead">{t('search.intro')}</p> : null}
        {/* key: a new search (back, forward, another link) shows its own words, not the last typed. */}
        <Form method="get" action={base} className="search-form" key={data.query}>
          <label htmlFor="search-q" className="search-form-label">
            {t('search.label')}
          </label>
          <div className="search-form-row">
            <input
              id="search-q"
              type="search"
              name="q"
              defaultValue={data.query}
              autoComplete="off"
              spellCheck={false}
              aria-describedby={problem ? `${problemId} search-hint` : 'search-hint'}
              aria-invalid={problem ? true : undefined}
            />
            {/* A new query keeps the filters chosen (each can be removed beside the results). */}
            {SEARCH_FACETS.map((facet) =>
              filters[facet] !== undefined ? <input key={facet} type="hidden" name={facet} value={filters[facet]} /> : null,
            )}
            <button type="submit" className="button">
              {t('search.submit')}
            </button>
          </div>
          <p className="field-hint" id="search-hint">
            {t('search.hint')}
          </p>
        </Form>
      </header>

      {data.searched ? (
        <div className="search-layout">
          <section className="search-results" aria-labelledby="results-heading">
            <h2 id="results-heading">{t('search.resultsHeading')}</h2>
            {/* Announced after each search (with JavaScript, the page is not reloaded): the count,
                or why nothing was searched (the field points to it too). */}
            <p role="status" aria-live="polite" id={problem ? problemId : undefined} className={problem ? 'notice notice-error search-count' : 'search-count'}>
              {problem ? t(`search.problem.${problem}`, { max: QUERY_MAX_CHARS }) : t('search.count', { count: data.total })}
            </p>
            {data.fellBack ? <p className="notice search-note">{t('search.fellBack')}</p> : null}
            {data.truncated ? <p className="notice search-note">{t('search.truncated', { max: QUERY_MAX_TERMS })}</p> : null}

            {problem ? null : data.hits.length === 0 ? (
              <div className="empty-state">
                {data.total > 0 ? (
                  <p>
                    {t('search.beyond')} <Link to={searchHref(data.slug, { q: data.query, filters, page: 1 })}>{t('search.firstPage')}</Link>
                  </p>
                ) : (
                  <>
                    <p className="empty-title">{t('search.none')}</p>
                    <p>{t('search.noneHint')}</p>
                  </>
                )}
              </div>
            ) : (
              <ol className="search-hits" start={data.firstIndex}>
                {data.hits.map((hit) => (
                  <SearchHitItem key={`${hit.kind}-${hit.id}`} hit={hit} groupLabel={groupLabel} />
                ))}
              </ol>
            )}

            {data.pages > 1 ? (
              <nav aria-label={t('search.pagination')} className="pagination search-pagination">
                {data.previous ? (
                  <Link to={data.previous} rel="prev">
                    {t('search.previous')}
                  </Link>
                ) : (
                  <span />
                )}
                <span>{t('search.pageOf', { page: Math.min(data.page, data.pages), pages: data.pages })}</span>
                {data.next ? (
                  <Link to={data.next} rel="next">
                    {t('search.next')}
                  </Link>
                ) : (
                  <span />
                )}
              </nav>
            ) : null}
            {data.capped ? <p className="muted search-capped">{t('search.capped', { pages: SEARCH_MAX_PAGE })}</p> : null}
          </section>

          {data.facets.length > 0 ? <SearchFacets slug={data.slug} state={{ q: data.query, filters, page: data.page }} facets={data.facets} /> : null}
        </div>
      ) : null}
    </div>
  );
}
