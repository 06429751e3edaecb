import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { Original, useLangOf } from '../components/Translated';
import { localize } from '../consultations/localize';
import { pageTitle, requireConsultation } from '../utils/http.server';

export async function loader({ params, context }: LoaderFunctionArgs) {
  const { language, services, user } = context;
  const consultation = await requireConsultation(context, params.slug);
  const source = consultation.sourceLanguage;
  const [questions, caseStudyCount] = await Promise.all([
    services.consultations.listQuestions(consultation.id),
    services.caseStudies.publishedCount(consultation.id, user?.id ?? null),
  ]);
  const title = localize(consultation.title, language, source)!;
  return {
    title: pageTitle(title.text),
    slug: consultation.slug,
    phase: consultation.phase,
    heading: title,
    forum: consultation.forum,
    background: {
      lang: consultation.background[language] ? language : source,
      paragraphs: consultation.background[language] ?? consultation.background[source] ?? [],
    },
    keyFigures: consultation.keyFigures.map((f) => ({
      id: f.id,
      value: f.value,
      unit: f.unit,
      sentence: localize(f, language, source)!,
    })),
    questions: questions.map((q) => ({
      number: q.number,
      text: localize(q.text, language, source)!,
      subQuestionCount: q.subQuestions.length,
    })),
    caseStudyCount,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export default function ConsultationLanding() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const langOf = useLangOf();
  return (
    <div className="page">
      <header className="page-header">
        <p className="eyebrow" lang={langOf('fr')}>
          {data.forum}
        </p>
        <h1 lang={langOf(data.heading.lang)}>{data.heading.text}</h1>
        <Original shown={data.heading} />
        <p className="phase">
          <span className="phase-label">{t('phase.label')}</span> <span className={`badge badge-${data.phase}`}>{t(`phase.${data.phase}`)}</span>
        </p>
      </header>

      <section aria-labelledby="questions-heading" className="section">
        <h2 id="questions-heading">{t('landing.questions')}</h2>
        <p className="lead">{t('landing.questionsIntro')}</p>
        <ol className="question-list">
          {data.questions.map((q) => (
            <li key={q.number} className="card">
              <p className="card-eyebrow">{t('landing.questionLabel', { number: q.number })}</p>
              <p className="card-title">
                <Link to={`q/${q.number}`} lang={langOf(q.text.lang)}>
                  {q.text.text}
                </Link>
              </p>
              <p className="card-meta">{t('landing.subQuestionCount', { count: q.subQuestionCount })}</p>
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="case-studies-heading" className="section">
        <h2 id="case-studies-heading">{t('caseStudies.landing.heading')}</h2>
        <p>{t('caseStudies.landing.intro')}</p>
        <p className="actions">
          <Link to="case-studies">{t('caseStudies.landing.link', { count: data.caseStudyCount })}</Link>
        </p>
      </section>

      {data.keyFigures.length > 0 ? (
        <section aria-labelledby="figures-heading" className="section">
          <h2 id="figures-heading">{t('landing.keyFigures')}</h2>
          <ul className="figures">
            {data.keyFigures.map((f) => (
              <li key={f.id} className="figure">
                <p className="figure-value" lang={langOf('fr')}>
                  {f.value.toLocaleString(i18n.language)} <span className="figure-unit">{f.unit}</span>
                </p>
                <p className="figure-text" lang={langOf(f.sentence.lang)}>
                  {f.sentence.text}
                </p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="background-heading" className="section prose">
        <h2 id="background-heading">{t('landing.background')}</h2>
        {data.background.lang !== i18n.language ? <p className="note">{t('landing.backgroundInSource')}</p> : null}
        <div lang={langOf(data.background.lang)}>
          {data.background.paragraphs.map((p, i) => (
            <p key={i}>{p}</p>
          ))}
        </div>
      </section>
    </div>
  );
}
