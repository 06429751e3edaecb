/**
 * The case study catalogue: the published case studies the reader may see (the service decides,
 * restricted ones included for moderators and rapporteurs), narrowed by facets. The filters are
 * a plain GET form of checkboxes: the URL carries them as repeated parameters
 * (`?theme=skills&theme=protection&level=local`), values unknown to the consultation are ignored.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { isCountry } from '../accounts/countries.server';
import type { CatalogueFilters } from '../case-studies/case-studies.server';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { RestrictedBadge } from '../components/case-studies/badges';
import { countryNames, questionOptions, vocabularyLabels } from '../components/case-studies/case-study-pages.server';
import { formatUtc } from '../components/utc-date';
import { AuthorLine, UserText } from '../components/UserText';
import { consultationTitle } from '../consultations/localize';
import caseStudyStyles from '../styles/case-studies.css';
import { pageTitle, requireConsultation } from '../utils/http.server';
import { canSubmitCaseStudy } from '../consultations/phases';
import { PhaseClosedNotice } from '../components/PhaseNotice';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: caseStudyStyles }];

/** The facets, in the order the filter form shows them; each is a URL parameter. */
const FACETS = ['theme', 'implementation', 'origin', 'destination', 'level', 'group', 'sdg', 'subQuestion'] as const;
type Facet = (typeof FACETS)[number];
const LEVELS = ['local', 'regional', 'global'];
const COUNTRY_FACETS: readonly Facet[] = ['implementation', 'origin', 'destination'];

interface FacetOption {
  value: string;
  label: string;
  count: number;
  checked: boolean;
  lang?: string;
}

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const { language, services, t, user } = context;
  const consultation = await requireConsultation(context, params.slug);
  const url = new URL(request.url);
  const vocabulary = vocabularyLabels(consultation, language);
  const questions = await questionOptions(context, consultation);
  const subQuestions = questions.flatMap((q) => q.subQuestions);

  // Only values the consultation knows; anything else in the URL is ignored.
  const valid: Record<Facet, (v: string) => boolean> = {
    theme: (v) => vocabulary.themes.some((o) => o.value === v),
    sdg: (v) => vocabulary.sdgTargets.some((o) => o.value === v),
    group: (v) => vocabulary.groups.some((o) => o.value === v),
    level: (v) => LEVELS.includes(v),
    implementation: isCountry,
    origin: isCountry,
    destination: isCountry,
    subQuestion: (v) => subQuestions.some((s) => String(s.id) === v),
  };
  const filters: CatalogueFilters = {};
  for (const facet of FACETS) {
    const values = [...new Set(url.searchParams.getAll(facet).filter(valid[facet]))].slice(0, 50);
    if (values.length) filters[facet] = values;
  }
  const requested = Number(url.searchParams.get('page') ?? '1');
  const page = Number.isSafeInteger(requested) && requested > 0 ? requested : 1;
  const result = await services.caseStudies.catalogue(consultation.id, user?.id ?? null, filters, page);

  const countries = countryNames(
    [
      ...COUNTRY_FACETS.flatMap((f) => [...Object.keys(result.facets[f] ?? {}), ...(filters[f] ?? [])]),
      ...result.items.flatMap((i) => i.implementation),
    ].filter(isCountry),
    language,
  );
  const collator = new Intl.Collator(language);
  const option = (facet: Facet, value: string, label: string, lang?: string): FacetOption => ({
    value,
    label,
    count: result.facets[facet]?.[value] ?? 0,
    checked: !!filters[facet]?.includes(value),
    ...(lang ? { lang } : {}),
  });
  /** What may narrow the list (a count) or is already chosen (so that it can be unchosen). */
  const shown = (options: FacetOption[]) => options.filter((o) => o.count > 0 || o.checked);
  const facetOptions: Record<Facet, FacetOption[]> = {
    theme: shown(vocabulary.themes.map((o) => option('theme', o.value, o.label))),
    sdg: shown(vocabulary.sdgTargets.map((o) => option('sdg', o.value, t('caseStudies.sdgLabel', { id: o.value, label: o.label })))),
    group: shown(vocabulary.groups.map((o) => option('group', o.value, o.label))),
    level: shown(LEVELS.map((l) => option('level', l, t(`caseStudies.levels.${l}`)))),
    subQuestion: shown(
      subQuestions.map((s) => option('subQuestion', String(s.id), t('caseStudies.subQuestionLabel', { number: s.number, text: s.text }), s.lang)),
    ),
    implementation: [],
    origin: [],
    destination: [],
  };
  for (const facet of COUNTRY_FACETS) {
    const codes = new Set([...Object.keys(result.facets[facet] ?? {}), ...(filters[facet] ?? [])].filter(isCountry));
    facetOptions[facet] = shown([...codes].map((code) => option(facet, code, countries[code] ?? code))).sort((a, b) =>
      collator.compare(a.label, b.label),
    );
  }

  const themeLabel = Object.fromEntries(vocabulary.themes.map((o) => [o.value, o.label]));
  const consultationName = consultationTitle(consultation, language);
  return {
    title: pageTitle(t('caseStudies.title'), consultationName),
    slug: consultation.slug,
    consultationTitle: consultationName,
    open: canSubmitCaseStudy(consultation.phase),
    phase: consultation.phase,
    signedIn: !!user,
    facets: FACETS.map((key) => ({ key, options: facetOptions[key] })).filter((f) => f.options.length > 0),
    filtered: Object.keys(filters).length > 0,
    query: FACETS.flatMap((f) => (filters[f] ?? []).map((v) => [f, v] as [string, string])),
    groups: Object.fromEntries(vocabulary.groups.map((g) => [g.value, g.label])),
    items: result.items.map((item) => ({
      ...item,
      themeLabels: item.themes.map((id) => themeLabel[id] ?? id),
      countryNames: item.implementation.map((code) => countries[code] ?? code),
    })),
    total: result.total,
    page: result.page,
    pages: result.pages,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export default function CaseStudyCatalogue() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const base = `/c/${data.slug}/case-studies`;
  const groupLabel = (id: string) => data.groups[id] ?? id;
  const newHref = `${base}/new`;
  const submitHref = data.signedIn ? newHref : `/sign-in?redirectTo=${encodeURIComponent(newHref)}`;
  const search = (pairs: [string, string][], page?: number) => {
    const params = new URLSearchParams(pairs);
    if (page && page > 1) params.set('page', String(page));
    const s = params.toString();
    return s ? `?${s}` : base;
  };
  const labelOf = (facet: string, value: string) =>
    data.facets.find((f) => f.key === facet)?.options.find((o) => o.value === value)?.label ?? value;

  return (
    <div className="page page-wide case-study-page">
      <Breadcrumbs items={[{ label: data.consultationTitle, to: `/c/${data.slug}` }, { label: t('caseStudies.title') }]} />
      <header className="page-header">
        <p className="eyebrow">{data.consultationTitle}</p>
        <h1>{t('caseStudies.title')}</h1>
        <p className="lead">{t('caseStudies.catalogue.intro')}</p>
        <p className="actions">
          {data.open ? (
            <Link className="button" to={submitHref}>
              {data.signedIn ? t('caseStudies.catalogue.submit') : t('caseStudies.catalogue.signInToSubmit')}
            </Link>
          ) : null}
          {data.signedIn ? (
            <Link className="button button-secondary" to={`${base}/mine`}>
              {t('caseStudies.mine.title')}
            </Link>
          ) : null}
        </p>
        {!data.open ? <PhaseClosedNotice phase={data.phase} what="caseStudies" /> : null}
      </header>

      <div className="cs-catalogue">
        {data.facets.length > 0 ? (
          <section className="cs-filters" aria-labelledby="filters-heading">
            <h2 id="filters-heading">{t('caseStudies.catalogue.filters')}</h2>
            <Form method="get" action={base} preventScrollReset>
              {data.facets.map((facet) => (
                <fieldset key={facet.key} className={`cs-facet${facet.options.length > 8 ? ' cs-facet-long' : ''}`}>
                  <legend>{t(`caseStudies.catalogue.facets.${facet.key}`)}</legend>
                  <ul className="choice-list" role="list">
                    {facet.options.map((o) => {
                      const id = `filter-${facet.key}-${o.value}`;
                      return (
                        <li key={o.value} className="choice">
                          <input type="checkbox" id={id} name={facet.key} value={o.value} defaultChecked={o.checked} />
                          <label htmlFor={id}>
                            <span lang={o.lang}>{o.label}</span> <span className="cs-count">({o.count})</span>
                          </label>
                        </li>
                      );
                    })}
                  </ul>
                </fieldset>
              ))}
              <p className="actions">
                <button type="submit" className="button button-small">
                  {t('caseStudies.catalogue.apply')}
                </button>
                {data.filtered ? (
                  <Link to={base} className="button button-small button-secondary">
                    {t('caseStudies.catalogue.clear')}
                  </Link>
                ) : null}
              </p>
            </Form>
          </section>
        ) : null}

        <section className="cs-results" aria-labelledby="results-heading">
          <h2 id="results-heading">
            {t('caseStudies.catalogue.total', { count: data.total })}
          </h2>
          {data.filtered ? (
            <div className="cs-active-filters">
              <p className="muted">{t('caseStudies.catalogue.activeFilters')}</p>
              <ul className="cs-tags" role="list">
                {data.query.map(([facet, value]) => (
                  <li key={`${facet}-${value}`}>
                    <Link
                      to={search(data.query.filter(([f, v]) => !(f === facet && v === value)))}
                      aria-label={t('caseStudies.catalogue.removeFilter', { filter: labelOf(facet, value) })}
                    >
                      {labelOf(facet, value)} <span aria-hidden="true">×</span>
                    </Link>
                  </li>
                ))}
              </ul>
              <p>
                <Link to={base}>{t('caseStudies.catalogue.clear')}</Link>
              </p>
            </div>
          ) : null}

          {data.items.length === 0 ? (
            <div className="empty-state">
              <p className="empty-title">{data.filtered ? t('caseStudies.catalogue.emptyFiltered') : t('caseStudies.catalogue.empty')}</p>
              <p>
                {data.filtered ? (
                  <Link to={base}>{t('caseStudies.catalogue.clear')}</Link>
                ) : data.open ? (
                  <>
                    {t('caseStudies.catalogue.emptyInvite')} <Link to={submitHref}>{t('caseStudies.catalogue.submit')}</Link>
                  </>
                ) : null}
              </p>
            </div>
          ) : (
            <ul className="cs-list" role="list">
              {data.items.map((item) => (
                <li key={item.id} className="card cs-card">
                  <h3 className="card-title">
                    <Link to={`${base}/${item.id}`}>
                      <UserText>{item.title}</UserText>
                    </Link>
                    {item.visibility === 'restricted' ? ' ' : null}
                    <RestrictedBadge visibility={item.visibility} />
                  </h3>
                  {item.summary ? <p className="cs-card-summary">{item.summary}</p> : null}
                  <dl className="cs-card-facts">
                    {item.level ? (
                      <div>
                        <dt>{t('caseStudies.fields.level')}</dt>
                        <dd>{t(`caseStudies.levels.${item.level}`)}</dd>
                      </div>
                    ) : null}
                    {item.countryNames.length > 0 ? (
                      <div>
                        <dt>{t('caseStudies.fields.implementation')}</dt>
                        <dd>{item.countryNames.join(', ')}</dd>
                      </div>
                    ) : null}
                    {item.themeLabels.length > 0 ? (
                      <div>
                        <dt>{t('caseStudies.fields.themes')}</dt>
                        <dd>{item.themeLabels.join(', ')}</dd>
                      </div>
                    ) : null}
                  </dl>
                  <p className="card-meta">
                    <AuthorLine author={item.author} t={t} groupLabel={groupLabel} />
                    {item.publishedAt ? (
                      <>
                        {' · '}
                        <time dateTime={item.publishedAt}>{t('caseStudies.page.publishedOn', { date: formatUtc(i18n.language, item.publishedAt) })}</time>
                      </>
                    ) : null}
                  </p>
                </li>
              ))}
            </ul>
          )}

          {data.pages > 1 ? (
            <nav aria-label={t('caseStudies.catalogue.pagination')} className="pagination">
              {data.page > 1 ? <Link to={search(data.query, data.page - 1)}>{t('caseStudies.catalogue.previous')}</Link> : <span />}
              <span aria-current="page">{t('caseStudies.catalogue.pageOf', { page: data.page, pages: data.pages })}</span>
              {data.page < data.pages ? <Link to={search(data.query, data.page + 1)}>{t('caseStudies.catalogue.next')}</Link> : <span />}
            </nav>
          ) : null}
        </section>
      </div>
    </div>
  );
}
