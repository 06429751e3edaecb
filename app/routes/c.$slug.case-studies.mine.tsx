/**
 * The signed-in author's own case studies in this consultation, whatever their state.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { EDITABLE } from '../case-studies/lifecycle';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { CaseStudyStatusBadge, RestrictedBadge } from '../components/case-studies/badges';
import { formatUtc } from '../components/utc-date';
import { UserText } from '../components/UserText';
import { consultationTitle } from '../consultations/localize';
import caseStudyStyles from '../styles/case-studies.css';
import { pageTitle, requireConsultation, requireUser } from '../utils/http.server';
import { canSubmitCaseStudy } from '../consultations/phases';
import { PhaseClosedNotice } from '../components/PhaseNotice';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: caseStudyStyles }];

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const { language, services, t } = context;
  const consultation = await requireConsultation(context, params.slug);
  const items = await services.caseStudies.mine(user.id, consultation.id);
  const consultationName = consultationTitle(consultation, language);
  const open = canSubmitCaseStudy(consultation.phase);
  return {
    title: pageTitle(t('caseStudies.mine.title'), consultationName),
    slug: consultation.slug,
    consultationTitle: consultationName,
    open,
    phase: consultation.phase,
    items: items.map((i) => ({
      id: i.id,
      title: i.title,
      status: i.status,
      visibility: i.visibility,
      updatedAt: i.updatedAt,
      editable: open && EDITABLE.includes(i.status),
    })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export default function MyCaseStudies() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const base = `/c/${data.slug}/case-studies`;
  return (
    <div className="page case-study-page">
      <Breadcrumbs
        items={[
          { label: data.consultationTitle, to: `/c/${data.slug}` },
          { label: t('caseStudies.title'), to: base },
          { label: t('caseStudies.mine.title') },
        ]}
      />
      <header className="page-header">
        <p className="eyebrow">{t('caseStudies.title')}</p>
        <h1>{t('caseStudies.mine.title')}</h1>
        <p className="lead">{t('caseStudies.mine.intro')}</p>
        {data.open ? (
          <p className="actions">
            <Link className="button" to={`${base}/new`}>
              {t('caseStudies.catalogue.submit')}
            </Link>
          </p>
        ) : (
          <PhaseClosedNotice phase={data.phase} what="caseStudies" />
        )}
      </header>

      {data.items.length === 0 ? (
        <div className="empty-state">
          <p className="empty-title">{t('caseStudies.mine.empty')}</p>
          <p>{t('caseStudies.mine.emptyInvite')}</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table cs-mine">
            <caption className="visually-hidden">{t('caseStudies.mine.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('caseStudies.fields.title')}</th>
                <th scope="col">{t('caseStudies.mine.status')}</th>
                <th scope="col">{t('caseStudies.mine.updated')}</th>
                <th scope="col">{t('caseStudies.mine.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((item) => (
                <tr key={item.id}>
                  <th scope="row">
                    <Link to={`${base}/${item.id}`}>
                      <UserText>{item.title}</UserText>
                    </Link>
                    {item.visibility === 'restricted' ? ' ' : null}
                    <RestrictedBadge visibility={item.visibility} />
                  </th>
                  <td>
                    <CaseStudyStatusBadge status={item.status} />
                  </td>
                  <td>
                    <time dateTime={item.updatedAt}>{formatUtc(i18n.language, item.updatedAt)}</time>
                  </td>
                  <td>
                    {item.editable ? (
                      <Link to={`${base}/${item.id}/edit`} aria-label={t('caseStudies.mine.editNamed', { title: item.title })}>
                        {t('caseStudies.page.edit')}
                      </Link>
                    ) : (
                      <span className="muted">{t('caseStudies.mine.locked')}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p>
        <Link to={base}>{t('caseStudies.backToCatalogue')}</Link>
      </p>
    </div>
  );
}
