import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { Original, useLangOf } from '../components/Translated';
import { localize } from '../consultations/localize';
import { notFound, pageTitle, requireConsultation } from '../utils/http.server';

/** `/c/:slug/q/2/2.4` is sub-question 2.4's thread; `/c/:slug/q/2/general` question 2's general one. */
export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const { language, services, t, user } = context;
  const consultation = await requireConsultation(context, params.slug);
  const questionNumber = params.question ?? '';
  const general = params.thread === 'general';
  const threadNumber = general ? questionNumber : (params.thread ?? '');
  const thread = await services.consultations.getThread(consultation.id, threadNumber);
  if (!thread || thread.question.number !== questionNumber || (!general && !thread.subQuestion)) notFound();

  const source = consultation.sourceLanguage;
  const heading = general
    ? t('thread.generalTitle', { number: questionNumber })
    : t('thread.subQuestionTitle', { number: threadNumber });
  const url = new URL(request.url);
  return {
    title: pageTitle(heading, localize(consultation.title, language, source)!.text),
    slug: consultation.slug,
    consultationTitle: localize(consultation.title, language, source)!.text,
    questionNumber,
    heading,
    text: localize(thread.subQuestion ? thread.subQuestion.text : thread.question.text, language, source)!,
    user: user ? { name: user.name } : null,
    here: url.pathname,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export default function ThreadPage() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const langOf = useLangOf();
  return (
    <div className="page">
      <Breadcrumbs
        items={[
          { label: data.consultationTitle, to: `/c/${data.slug}` },
          { label: t('question.title', { number: data.questionNumber }), to: `/c/${data.slug}/q/${data.questionNumber}` },
          { label: data.heading },
        ]}
      />
      <header className="page-header">
        <p className="eyebrow">{data.heading}</p>
        <h1 lang={langOf(data.text.lang)}>{data.text.text}</h1>
        <Original shown={data.text} />
      </header>

      <section aria-labelledby="contributions-heading" className="section">
        <h2 id="contributions-heading">{t('thread.contributions')}</h2>
        <div className="empty-state">
          <p className="empty-title">{t('thread.empty')}</p>
          <p>{t('thread.emptyInvite')}</p>
          {data.user ? (
            <p className="muted">{t('thread.signedInHint', { name: data.user.name })}</p>
          ) : (
            <p className="actions">
              <Link className="button" to={`/sign-in?redirectTo=${encodeURIComponent(data.here)}`}>
                {t('thread.signInToContribute')}
              </Link>
              <Link className="button button-secondary" to="/register">
                {t('thread.registerToContribute')}
              </Link>
            </p>
          )}
        </div>
      </section>

      <p>
        <Link to={`/c/${data.slug}/q/${data.questionNumber}`}>{t('thread.backToQuestion', { number: data.questionNumber })}</Link>
      </p>
    </div>
  );
}
