import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { can } from '../accounts/roles';
import { ReportDownloads } from '../components/exports/Downloads';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { Original, Translated, useLangOf } from '../components/Translated';
import { mayReadCompilation } from '../compilation/access';
import { consultationTitle, localize } from '../consultations/localize';
import { notFound, pageTitle, requireConsultation } from '../utils/http.server';

export async function loader({ params, context }: LoaderFunctionArgs) {
  const { language, services, t } = context;
  const consultation = await requireConsultation(context, params.slug);
  const question = await services.consultations.getQuestion(consultation.id, params.question ?? '');
  if (!question) notFound();
  const source = consultation.sourceLanguage;
  // The compilation's link, for those who may read it (app/compilation/access.ts).
  const role = context.user ? await services.accounts.roleIn(context.user.id, consultation.id) : null;
  const readsCompilation = !!context.user && mayReadCompilation(role, consultation.phase);
  return {
    readsCompilation,
    // Moderators, rapporteurs and admins download this question's report and its contributions.
    reports: can(role, 'exports.report'),
    language,
    title: pageTitle(t('question.title', { number: question.number }), consultationTitle(consultation, language)),
    slug: consultation.slug,
    consultationTitle: consultationTitle(consultation, language),
    number: question.number,
    text: localize(question.text, language, source)!,
    intro: localize(question.intro, language, source),
    subQuestions: question.subQuestions.map((s) => ({ number: s.number, text: localize(s.text, language, source)! })),
    signedIn: !!context.user,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export default function QuestionPage() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const langOf = useLangOf();
  return (
    <div className="page">
      <Breadcrumbs
        items={[
          { label: data.consultationTitle, to: `/c/${data.slug}` },
          { label: t('question.title', { number: data.number }) },
        ]}
      />
      <header className="page-header">
        <p className="eyebrow">{t('question.title', { number: data.number })}</p>
        <h1 lang={langOf(data.text.lang)}>{data.text.text}</h1>
        <Original shown={data.text} />
      </header>

      {data.intro ? (
        <section aria-labelledby="context-heading" className="section prose">
          <h2 id="context-heading">{t('question.context')}</h2>
          <Translated shown={data.intro} />
        </section>
      ) : null}

      <section aria-labelledby="subquestions-heading" className="section">
        <h2 id="subquestions-heading">{t('question.subQuestions')}</h2>
        <ol className="question-list">
          {data.subQuestions.map((s) => (
            <li key={s.number} className="card">
              <p className="card-eyebrow">{t('question.subQuestionLabel', { number: s.number })}</p>
              <p className="card-title">
                <Link to={s.number} lang={langOf(s.text.lang)}>
                  {s.text.text}
                </Link>
              </p>
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="general-heading" className="section">
        <h2 id="general-heading">{t('question.general')}</h2>
        <p>
          <Link to="general">{t('question.generalLink', { number: data.number })}</Link>
        </p>
        <p className="muted">{t('question.generalHint')}</p>
      </section>

      {data.readsCompilation ? (
        <p className="section">
          <Link to="compilation">{t('compilation.page.questionLink', { number: data.number })}</Link>
        </p>
      ) : null}

      {data.signedIn ? (
        <p className="section">
          <Link to={`/c/${data.slug}/notes?question=${encodeURIComponent(data.number)}`}>{t('notes.questionLink', { number: data.number })}</Link>
        </p>
      ) : null}

      {data.reports ? (
        <div className="section">
          <ReportDownloads
            slug={data.slug}
            question={data.number}
            language={data.language}
            heading={t('exports.ui.questionHeading', { number: data.number })}
            data={[{ label: t('exports.ui.contributions'), href: `/c/${data.slug}/q/${data.number}/contributions` }]}
          />
        </div>
      ) : null}
    </div>
  );
}
