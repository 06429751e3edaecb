/**
 * Writing a new case study: the guided form (CaseStudyForm), saved as a draft or submitted for
 * review. Signed-in participants only; the service decides everything else (open phase, fields).
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { caseStudyFormAction, caseStudyFormOptions } from '../components/case-studies/case-study-pages.server';
import { CaseStudyForm, useReplyKey } from '../components/case-studies/CaseStudyForm';
import { newCaseStudyDefaults } from '../components/case-studies/form-values';
import { consultationTitle } from '../consultations/localize';
import { postComposerLinks } from '../editor/PostComposer';
import { isSupportedLanguage } from '../i18n/config';
import caseStudyStyles from '../styles/case-studies.css';
import { pageTitle, requireConsultation, requireUser } from '../utils/http.server';
import { canSubmitCaseStudy } from '../consultations/phases';
import { PhaseClosedNotice } from '../components/PhaseNotice';

export const links: LinksFunction = () => [...postComposerLinks(), { rel: 'stylesheet', href: caseStudyStyles }];

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const { language, t } = context;
  const consultation = await requireConsultation(context, params.slug);
  const consultationName = consultationTitle(consultation, language);
  return {
    title: pageTitle(t('caseStudies.form.newTitle'), consultationName),
    slug: consultation.slug,
    consultationTitle: consultationName,
    open: canSubmitCaseStudy(consultation.phase),
    phase: consultation.phase,
    options: await caseStudyFormOptions(context, consultation),
    defaults: newCaseStudyDefaults({ attribution: user.defaultAttribution, language: isSupportedLanguage(user.locale) ? user.locale : language }),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export async function action({ params, context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const consultation = await requireConsultation(context, params.slug);
  return caseStudyFormAction(context, user.id, consultation, await request.formData());
}

export default function NewCaseStudy() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const replyKey = useReplyKey(actionData);
  const { t } = useTranslation();
  const base = `/c/${data.slug}/case-studies`;
  return (
    <div className="page case-study-page">
      <Breadcrumbs
        items={[
          { label: data.consultationTitle, to: `/c/${data.slug}` },
          { label: t('caseStudies.title'), to: base },
          { label: t('caseStudies.form.newTitle') },
        ]}
      />
      <header className="page-header">
        <p className="eyebrow">{t('caseStudies.title')}</p>
        <h1>{t('caseStudies.form.newTitle')}</h1>
        <p className="lead">{t('caseStudies.form.intro')}</p>
      </header>
      {data.open ? (
        <CaseStudyForm key={replyKey} options={data.options} defaultValue={data.defaults} lastResult={actionData?.result} cancelHref={base} creates />
      ) : (
        <PhaseClosedNotice phase={data.phase} what="caseStudies">
          <p>
            <Link to={base}>{t('caseStudies.backToCatalogue')}</Link>
          </p>
        </PhaseClosedNotice>
      )}
    </div>
  );
}
