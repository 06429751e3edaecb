/**
 * Editing one's own case study while it is a draft or sent back for changes. The service
 * decides who may edit what: others get "not found", a case study under review a notice.
 */
import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { EDITABLE } from '../case-studies/lifecycle';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { CaseStudyStatusBadge } from '../components/case-studies/badges';
import { caseStudyFormAction, caseStudyFormOptions, defaultsFromView } from '../components/case-studies/case-study-pages.server';
import { CaseStudyForm, useReplyKey } from '../components/case-studies/CaseStudyForm';
import { consultationTitle } from '../consultations/localize';
import { postComposerLinks } from '../editor/PostComposer';
import caseStudyStyles from '../styles/case-studies.css';
import { isDomainError } from '../utils/errors';
import { idOf, notFound, pageTitle, requireConsultation, requireUser } from '../utils/http.server';
import { canSubmitCaseStudy } from '../consultations/phases';
import { PhaseClosedNotice } from '../components/PhaseNotice';

export const links: LinksFunction = () => [...postComposerLinks(), { rel: 'stylesheet', href: caseStudyStyles }];

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const { language, t, services } = context;
  const consultation = await requireConsultation(context, params.slug);
  const id = idOf(params.id);
  const view = await services.caseStudies.get(id, user.id).catch((error: unknown) => {
    if (isDomainError(error) && error.code === 'not_found') notFound();
    throw error;
  });
  // Moderators may read a submitted case study, but only its author edits it.
  if (!view.mine || view.consultationId !== consultation.id) notFound();
  const consultationName = consultationTitle(consultation, language);
  const locked = !EDITABLE.includes(view.status);
  const body = {
    title: pageTitle(t('caseStudies.form.editTitle'), view.title, consultationName),
    slug: consultation.slug,
    consultationTitle: consultationName,
    id: view.id,
    caseStudyTitle: view.title,
    status: view.status,
    locked,
    open: canSubmitCaseStudy(consultation.phase),
    phase: consultation.phase,
    reviewNote: view.status === 'changes_requested' ? (view.reviewNote ?? null) : null,
    options: locked ? null : await caseStudyFormOptions(context, consultation, view),
    defaults: locked ? null : await defaultsFromView(context, view),
  };
  return data(body, { status: locked ? 409 : 200 });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export async function action({ params, context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const consultation = await requireConsultation(context, params.slug);
  const id = idOf(params.id);
  return caseStudyFormAction(context, user.id, consultation, await request.formData(), id);
}

export default function EditCaseStudy() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const replyKey = useReplyKey(actionData);
  const { t } = useTranslation();
  const base = `/c/${data.slug}/case-studies`;
  const page = `${base}/${data.id}`;
  return (
    <div className="page case-study-page">
      <Breadcrumbs
        items={[
          { label: data.consultationTitle, to: `/c/${data.slug}` },
          { label: t('caseStudies.title'), to: base },
          { label: data.caseStudyTitle, to: page },
          { label: t('caseStudies.form.editTitle') },
        ]}
      />
      <header className="page-header">
        <p className="eyebrow">
          {t('caseStudies.form.editTitle')} <CaseStudyStatusBadge status={data.status} />
        </p>
        <h1>{data.caseStudyTitle}</h1>
      </header>
      {data.locked || !data.options || !data.defaults ? (
        <div className="notice notice-error" role="alert">
          <p>{t('errors.caseStudyLocked')}</p>
          <p>
            <Link to={page}>{t('caseStudies.backToCaseStudy')}</Link>
          </p>
        </div>
      ) : !data.open ? (
        <PhaseClosedNotice phase={data.phase} what="caseStudies">
          <p>
            <Link to={page}>{t('caseStudies.backToCaseStudy')}</Link>
          </p>
        </PhaseClosedNotice>
      ) : (
        <>
          {data.reviewNote ? (
            <div className="cs-review-note" role="note" aria-labelledby="review-note-heading">
              <h2 id="review-note-heading">{t('caseStudies.page.changesRequested')}</h2>
              <p className="cs-pre">{data.reviewNote}</p>
            </div>
          ) : null}
          <CaseStudyForm key={replyKey} options={data.options} defaultValue={data.defaults} lastResult={actionData?.result} cancelHref={page} />
        </>
      )}
    </div>
  );
}
