/**
 * A consultation's landing page: its questions, case studies, key figures and background, and
 * its current phase. An admin moves the phase from here, one step forward or back, through a
 * confirmation that says what closes and opens (`?confirm=forward|back`, then a keyed POST:
 * works without JavaScript, and a double submit moves once).
 */
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { can } from '../accounts/roles';
import { ReportDownloads } from '../components/exports/Downloads';
import { PhaseControl } from '../components/PhaseControl';
import { InSourceLanguage, Original, useLangOf } from '../components/Translated';
import type { KeyFigure, Language } from '../consultations/content.schema';
import { localize, type Shown } from '../consultations/localize';
import { canMovePhase, phaseMoveEffects, phaseMoveTarget, type PhaseMove } from '../consultations/phases';
import { handleIntents, intentForm } from '../utils/forms.server';
import { pageTitle, requireConsultation, requireUser } from '../utils/http.server';
import { phaseMoveSchema } from '../validation.server';

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const { language, services, user } = context;
  const consultation = await requireConsultation(context, params.slug);
  const source = consultation.sourceLanguage;
  const [questions, caseStudyCount, role] = await Promise.all([
    services.consultations.listQuestions(consultation.id),
    services.caseStudies.publishedCount(consultation.id, user?.id ?? null),
    user ? services.accounts.roleIn(user.id, consultation.id) : null,
  ]);
  const title = localize(consultation.title, language, source)!;
  const phase = consultation.phase;
  // The admin's control: each move that exists from here, with what it closes and opens.
  const moves = canMovePhase(role)
    ? (['forward', 'back'] as const).flatMap((move: PhaseMove) => {
        const to = phaseMoveTarget(phase, move);
        return to ? [{ move, to, effects: phaseMoveEffects(phase, to) }] : [];
      })
    : [];
  const asked = new URL(request.url).searchParams.get('confirm');
  return {
    title: pageTitle(title.text),
    slug: consultation.slug,
    phase,
    phaseControl: moves.length ? { moves, confirm: moves.find((m) => m.move === asked)?.move ?? null } : null,
    heading: title,
    // A name: its translation alone (no original to fold out under an eyebrow).
    forum: forumName(localize(consultation.forum, language, source)),
    background: {
      lang: consultation.background[language] ? language : source,
      paragraphs: consultation.background[language] ?? consultation.background[source] ?? [],
    },
    keyFigures: consultation.keyFigures.map((f) => keyFigure(f, language, source)),
    questions: questions.map((q) => ({
      number: q.number,
      text: localize(q.text, language, source)!,
      subQuestionCount: q.subQuestions.length,
    })),
    caseStudyCount,
    // Moderators, rapporteurs and admins download the report and the case-study catalogue.
    reports: can(role, 'exports.report'),
    language,
  };
}

const forumName = (shown: Shown | null) => (shown ? { text: shown.text, lang: shown.lang } : null);

/**
 * A key figure in the reader's language when its sentence and unit are both translated, else
 * wholly in the source language (`lang`), never half and half.
 */
function keyFigure(figure: KeyFigure, language: Language, source: Language) {
  const units: Partial<Record<Language, string>> = typeof figure.unit === 'string' ? { [source]: figure.unit } : figure.unit;
  const translated = language !== source && !!figure[language]?.trim() && units[language] !== undefined;
  const lang = translated ? language : source;
  return { id: figure.id, value: figure.value, unit: units[lang] ?? '', sentence: figure[lang] ?? '', lang };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

/** An admin moves the phase (`intent=phase`: the phase seen and the direction; keyed). */
export async function action({ params, context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const consultation = await requireConsultation(context, params.slug);
  const formData = await request.formData();
  return handleIntents(
    formData,
    {
      phase: intentForm(
        phaseMoveSchema,
        async ({ from, move }) => {
          const { to } = await context.services.phases.move(user.id, consultation.id, from, move);
          return redirect(`/c/${consultation.slug}?moved=${to}#phase`);
        },
        { once: true },
      ),
    },
    { context, userId: user.id },
  );
}

export default function ConsultationLanding() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const { t, i18n } = useTranslation();
  const langOf = useLangOf();
  return (
    <div className="page">
      <header className="page-header">
        {data.forum ? (
          <p className="eyebrow">
            <span lang={langOf(data.forum.lang)}>{data.forum.text}</span>
            <InSourceLanguage lang={data.forum.lang} />
          </p>
        ) : null}
        <h1 lang={langOf(data.heading.lang)}>{data.heading.text}</h1>
        <Original shown={data.heading} />
        <p className="phase" id="phase">
          <span className="phase-label">{t('phase.label')}</span> <span className={`badge badge-${data.phase}`}>{t(`phase.${data.phase}`)}</span>
        </p>
        {data.phaseControl ? (
          <PhaseControl phase={data.phase} control={data.phaseControl} moved={params.get('moved')} error={actionData?.error ?? null} />
        ) : null}
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

      {data.reports ? (
        <div className="section">
          <ReportDownloads
            slug={data.slug}
            language={data.language}
            heading={t('exports.ui.reportHeading')}
            data={[{ label: t('exports.ui.caseStudies'), href: `/c/${data.slug}/case-studies/catalogue` }]}
          />
        </div>
      ) : null}

      {data.keyFigures.length > 0 ? (
        <section aria-labelledby="figures-heading" className="section">
          <h2 id="figures-heading">{t('landing.keyFigures')}</h2>
          {data.keyFigures.some((f) => f.lang !== i18n.language) ? <p className="note">{t('landing.figuresInSource')}</p> : null}
          <ul className="figures">
            {data.keyFigures.map((f) => (
              <li key={f.id} className="figure" lang={langOf(f.lang)}>
                <p className="figure-value">
                  {f.value.toLocaleString(f.lang)} <span className="figure-unit">{f.unit}</span>
                </p>
                <p className="figure-text">{f.sentence}</p>
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
