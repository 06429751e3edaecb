/**
 * One case study, as its reader may see it (the service decides: "not found" otherwise). Its
 * author also sees the review note, the lifecycle history, "edit" and "submit for review";
 * moderators the real author and a review panel with the steps the lifecycle allows, and
 * featuring on sub-questions once published. Signed-in readers may report a published one.
 */
import { redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { can } from '../accounts/roles';
import { NEEDED_TO_SUBMIT } from '../case-studies/case-study-form';
import { EDITABLE, TRANSITIONS, type TransitionAction } from '../case-studies/lifecycle';
import { Backlinks } from '../components/Backlinks';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { CaseStudyStatusBadge, RestrictedBadge } from '../components/case-studies/badges';
import { countryNames, currencyLabel, questionOptions, vocabularyLabels } from '../components/case-studies/case-study-pages.server';
import { FlagNotice } from '../components/moderation/flag-notice';
import { threadHref } from '../contributions/links';
import { formatUtc } from '../components/utc-date';
import { ReportForm } from '../components/moderation/report-form';
import { useLangOf } from '../components/Translated';
import { AuthorLine, translateIsolated, UserText } from '../components/UserText';
import { consultationTitle } from '../consultations/localize';
import type { Language } from '../consultations/content.schema';
import caseStudyStyles from '../styles/case-studies.css';
import { isDomainError } from '../utils/errors';
import { handleIntents, intentForm } from '../utils/forms.server';
import { idOf, notFound, pageTitle, requireConsultation, requireUser } from '../utils/http.server';
import { featureSchema, transitionSchema } from '../validation.server';
import { FormKeyInput } from '../components/Field';
import { canSubmitCaseStudy } from '../consultations/phases';

/** Where a field comes in the case study form (what a submission needs is listed in that order). */
const FORM_ORDER: string[] = ['title', ...Object.keys(NEEDED_TO_SUBMIT)];
const formRank = (field: string) => {
  const rank = FORM_ORDER.indexOf(field.replace(/[[.].*$/, ''));
  return rank === -1 ? FORM_ORDER.length : rank;
};

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: caseStudyStyles }];

/** What `?done=` may announce (anything else in the URL is ignored). */
const DONE = ['submit', 'review', 'request_changes', 'verify', 'publish', 'reject', 'unpublish', 'feature', 'unfeature'] as const;

async function readCaseStudy(context: LoaderFunctionArgs['context'], id: number, userId: string | null, consultationId: number) {
  const view = await context.services.caseStudies.get(id, userId).catch((error: unknown) => {
    if (isDomainError(error) && error.code === 'not_found') notFound();
    throw error;
  });
  if (view.consultationId !== consultationId) notFound();
  return view;
}

function formatAmount(amount: number, currency: string | undefined, language: Language): string {
  try {
    return currency
      ? new Intl.NumberFormat(language, { style: 'currency', currency, minimumFractionDigits: 0, maximumFractionDigits: 2 }).format(amount)
      : new Intl.NumberFormat(language, { maximumFractionDigits: 2 }).format(amount);
  } catch {
    return `${amount}${currency ? ` ${currency}` : ''}`;
  }
}

export async function loader({ params, context }: LoaderFunctionArgs) {
  const { language, services, t, user } = context;
  const consultation = await requireConsultation(context, params.slug);
  const id = idOf(params.id);
  const view = await readCaseStudy(context, id, user?.id ?? null, consultation.id);
  const role = user ? await services.accounts.roleIn(user.id, consultation.id) : null;
  const moderator = can(role, 'moderation.act');
  const [history, questions, backlinks] = await Promise.all([
    user && (view.mine || moderator) ? services.caseStudies.history(id, user.id) : null,
    questionOptions(context, consultation),
    // Where it went (key points, notes), as this reader may follow.
    services.compilation.backlinks({ consultationId: consultation.id, userId: user?.id ?? null, role }, [{ kind: 'case_study', id }]),
  ]);
  const vocabulary = vocabularyLabels(consultation, language);
  const labelOf = (list: { value: string; label: string }[], id: string) => list.find((o) => o.value === id)?.label ?? id;
  const subQuestions = questions.flatMap((q) =>
    q.subQuestions.filter((s) => view.subQuestions.includes(s.id)).map((s) => ({ ...s, questionNumber: q.number })),
  );
  const consultationName = consultationTitle(consultation, language);
  const { body: _body, ...shown } = view; // the author's Lexical JSON is for the edit form only
  return {
    title: pageTitle(view.title, t('caseStudies.title'), consultationName),
    slug: consultation.slug,
    consultationTitle: consultationName,
    open: canSubmitCaseStudy(consultation.phase),
    signedIn: !!user,
    moderator,
    caseStudy: shown,
    editable: !!view.mine && EDITABLE.includes(view.status) && canSubmitCaseStudy(consultation.phase),
    groups: Object.fromEntries(vocabulary.groups.map((g) => [g.value, g.label])),
    themes: view.themes.map((id) => ({ id, label: labelOf(vocabulary.themes, id) })),
    sdgTargets: view.sdgTargets.map((id) => ({ id, label: labelOf(vocabulary.sdgTargets, id) })),
    countries: countryNames([...view.implementation, ...view.origin, ...view.destination], language),
    funding: view.funding.map((f) => ({
      source: f.source,
      amount: f.amount === undefined ? null : formatAmount(f.amount, f.currency, language),
      currency: f.currency && f.amount === undefined ? currencyLabel(f.currency, language) : null,
    })),
    subQuestions,
    history,
    backlinks: backlinks[`case_study:${id}`] ?? [],
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export async function action({ params, context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const { services } = context;
  const consultation = await requireConsultation(context, params.slug);
  const id = idOf(params.id);
  const path = `/c/${consultation.slug}/case-studies/${id}`;
  await readCaseStudy(context, id, user.id, consultation.id);
  return handleIntents(
    await request.formData(),
    {
      transition: intentForm(
        transitionSchema,
        async ({ action, note }) => {
          await services.caseStudies.transition(user.id, id, action, note ?? null);
          return redirect(`${path}?done=${action}`);
        },
        { once: true },
      ),
      feature: intentForm(
        featureSchema,
        async ({ subQuestionId, featured }) => {
          await services.caseStudies.feature(user.id, id, subQuestionId, featured);
          return redirect(`${path}?done=${featured ? 'feature' : 'unfeature'}`);
        },
        { once: true },
      ),
    },
    { context, userId: user.id },
  );
}

export default function CaseStudyPage() {
  const data = useLoaderData<typeof loader>();
  // Its forms add no rows (no conform intents): every answer is an ActionData.
  const actionData = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const langOf = useLangOf();
  const location = useLocation();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const cs = data.caseStudy;
  const base = `/c/${data.slug}/case-studies`;
  /** Forms post here, without the page's `?done=` (a refusal must not show an earlier success). */
  const here = `${base}/${cs.id}`;
  const groupLabel = (id: string) => data.groups[id] ?? id;
  const country = (code: string) => data.countries[code] ?? code;
  const done = params.get('done');
  const status =
    params.get('submitted') === '1'
      ? t('caseStudies.page.submittedMessage')
      : params.get('saved') === '1'
        ? t('caseStudies.page.savedMessage')
        : done && (DONE as readonly string[]).includes(done)
          ? t(`caseStudies.done.${done}`)
          : null;
  const refused = actionData && actionData.intent === 'transition' && actionData.values.action === 'submit' ? actionData : null;
  // A refused submission lists what the stored case study lacks, in the form's order, each
  // linking to its field on the edit page (nothing was typed here: the fields are there).
  const lacking = refused
    ? Object.entries<string[]>(refused.errors)
        .filter(([field]) => field !== '')
        .sort(([a], [b]) => formRank(a) - formRank(b))
    : [];
  const editHref = `${base}/${cs.id}/edit`;
  const moderatorActions = cs.actions.filter((a) => TRANSITIONS[a].by === 'moderator');
  const fieldLabel = (field: string) => {
    const base = field.replace(/[[.].*$/, '');
    return i18n.exists(`caseStudies.fields.${base}`) ? t(`caseStudies.fields.${base}`) : field;
  };
  const lang = langOf(cs.language);
  // A draft may have none of these yet: no empty box then.
  const hasFacts =
    cs.partners.length > 0 || cs.implementation.length + cs.origin.length + cs.destination.length > 0 || !!cs.level || !!cs.stage || data.themes.length + data.sdgTargets.length > 0;

  return (
    <div className="page case-study-page">
      <Breadcrumbs
        items={[
          { label: data.consultationTitle, to: `/c/${data.slug}` },
          { label: t('caseStudies.title'), to: base },
          { label: cs.title },
        ]}
      />

      <article id={`case-study-${cs.id}`} className="case-study" aria-labelledby="case-study-title">
        <header className="page-header">
          <p className="eyebrow">{t('caseStudies.page.eyebrow')}</p>
          <h1 id="case-study-title" lang={lang}>
            <UserText>{cs.title}</UserText>
          </h1>
          <p className="cs-badges">
            <CaseStudyStatusBadge status={cs.status} />
            <RestrictedBadge visibility={cs.visibility} />
          </p>
          <p className="card-meta">
            {translateIsolated(t, 'caseStudies.page.by', { author: <AuthorLine author={cs.author} t={t} groupLabel={groupLabel} /> }, ['author'])}
            {cs.mine ? ` (${t('caseStudies.page.you')})` : null}
            {cs.publishedAt ? (
              <>
                {' · '}
                <time dateTime={cs.publishedAt}>{t('caseStudies.page.publishedOn', { date: formatUtc(i18n.language, cs.publishedAt) })}</time>
              </>
            ) : null}
          </p>
          {cs.realAuthor ? (
            <p className="cs-real-author">
              {translateIsolated(
                t,
                'caseStudies.page.realAuthor',
                { name: cs.realAuthor.name, organisation: cs.realAuthor.organisation, group: groupLabel(cs.realAuthor.stakeholderGroup) },
                ['name', 'organisation'],
              )}
            </p>
          ) : null}
          <Backlinks links={data.backlinks} />
        </header>

        {status ? (
          <p className="notice notice-success" role="status">
            {status}
          </p>
        ) : (
          <p role="status" className="visually-hidden" />
        )}
        <FlagNotice />

        {actionData && !refused ? (
          <div className="notice notice-error" role="alert">
            <p>{t(actionData.error)}</p>
          </div>
        ) : null}

        {cs.mine && cs.reviewNote && (cs.status === 'changes_requested' || cs.status === 'rejected') ? (
          <section className="cs-review-note" aria-labelledby="review-note-heading">
            <h2 id="review-note-heading">
              {cs.status === 'rejected' ? t('caseStudies.page.rejectedNote') : t('caseStudies.page.changesRequested')}
            </h2>
            <p className="cs-pre">{cs.reviewNote}</p>
          </section>
        ) : null}

        {cs.mine && (data.editable || cs.actions.includes('submit')) ? (
          <section className="cs-panel" aria-labelledby="author-actions-heading">
            <h2 id="author-actions-heading">{t('caseStudies.page.yourCaseStudy')}</h2>
            <p className="muted">{t(`caseStudies.page.authorHint.${cs.status === 'changes_requested' ? 'changes' : 'draft'}`)}</p>
            {refused ? (
              <div className="error-summary" role="alert">
                <p>{lacking.length > 0 ? t(data.editable ? 'caseStudies.page.lacking' : 'caseStudies.page.lackingLocked') : t(refused.error)}</p>
                {lacking.length > 0 ? (
                  <ul>
                    {lacking.map(([field, keys]) => {
                      const line = `${fieldLabel(field)}: ${t(keys[0]!)}`;
                      return <li key={field}>{data.editable ? <a href={`${editHref}#${field}`}>{line}</a> : line}</li>;
                    })}
                  </ul>
                ) : null}
              </div>
            ) : null}
            <div className="actions">
              {data.editable ? (
                <Link className="button button-secondary" to={editHref}>
                  {t('caseStudies.page.edit')}
                </Link>
              ) : null}
              {cs.actions.includes('submit') && data.open ? (
                <Form method="post" action={here} className="inline-form">
                  <input type="hidden" name="intent" value="transition" />
                  <FormKeyInput />
                  <input type="hidden" name="action" value="submit" />
                  <button type="submit" className="button" disabled={busy}>
                    {t('caseStudies.actions.submit')}
                  </button>
                </Form>
              ) : null}
            </div>
          </section>
        ) : null}

        {cs.summary ? (
          <p className="lead cs-summary" lang={lang}>
            {cs.summary}
          </p>
        ) : null}

        {hasFacts ? (
          <dl className="cs-facts">
            {cs.partners.length > 0 ? (
              <div>
                <dt>{t('caseStudies.fields.partners')}</dt>
                <dd>
                  <ul className="cs-inline-list">
                    {cs.partners.map((p, i) => (
                      <li key={i}>
                        <UserText lang={lang}>{p.name}</UserText> <span className="muted">({groupLabel(p.group)})</span>
                      </li>
                    ))}
                  </ul>
                </dd>
              </div>
            ) : null}
            {(['implementation', 'origin', 'destination'] as const).map((field) =>
              cs[field].length > 0 ? (
                <div key={field}>
                  <dt>{t(`caseStudies.fields.${field}`)}</dt>
                  <dd>{cs[field].map(country).join(', ')}</dd>
                </div>
              ) : null,
            )}
            {cs.level ? (
              <div>
                <dt>{t('caseStudies.fields.level')}</dt>
                <dd>{t(`caseStudies.levels.${cs.level}`)}</dd>
              </div>
            ) : null}
            {cs.stage ? (
              <div>
                <dt>{t('caseStudies.fields.stage')}</dt>
                <dd>{t(`caseStudies.stages.${cs.stage}`)}</dd>
              </div>
            ) : null}
            {data.themes.length > 0 ? (
              <div>
                <dt>{t('caseStudies.fields.themes')}</dt>
                <dd>
                  <ul className="cs-tags">
                    {data.themes.map((th) => (
                      <li key={th.id}>
                        <Link to={`${base}?theme=${encodeURIComponent(th.id)}`}>{th.label}</Link>
                      </li>
                    ))}
                  </ul>
                </dd>
              </div>
            ) : null}
            {data.sdgTargets.length > 0 ? (
              <div>
                <dt>{t('caseStudies.fields.sdgTargets')}</dt>
                <dd>
                  <ul className="cs-plain-list">
                    {data.sdgTargets.map((s) => (
                      <li key={s.id}>{t('caseStudies.sdgLabel', { id: s.id, label: s.label })}</li>
                    ))}
                  </ul>
                </dd>
              </div>
            ) : null}
          </dl>
        ) : null}

        {cs.html ? (
          <section className="section" aria-labelledby="cs-body-heading">
            <h2 id="cs-body-heading">{t('caseStudies.fields.body')}</h2>
            {/* Safe HTML: rendered by the server from its own canonical copy of the document. */}
            <div className="post-body cs-body prose" lang={lang} dangerouslySetInnerHTML={{ __html: cs.html }} />
          </section>
        ) : null}

        {data.funding.length > 0 ? (
          <section className="section" aria-labelledby="cs-funding-heading">
            <h2 id="cs-funding-heading">{t('caseStudies.fields.funding')}</h2>
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('caseStudies.fields.fundingSource')}</th>
                    <th scope="col">{t('caseStudies.fields.fundingAmount')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.funding.map((f, i) => (
                    <tr key={i}>
                      <th scope="row" lang={lang}>
                        <UserText>{f.source}</UserText>
                      </th>
                      <td className="cs-amount">{f.amount ?? f.currency ?? <span className="muted">{t('caseStudies.page.notGiven')}</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ) : null}

        {(['results', 'indicators', 'worked', 'didNotWork'] as const).map((field) =>
          cs[field] ? (
            <section key={field} className="section" aria-labelledby={`cs-${field}-heading`}>
              <h2 id={`cs-${field}-heading`}>{t(`caseStudies.fields.${field}`)}</h2>
              <p className="cs-pre prose" lang={lang}>
                {cs[field]}
              </p>
            </section>
          ) : null,
        )}

        {data.subQuestions.length > 0 ? (
          <section className="section" aria-labelledby="cs-questions-heading">
            <h2 id="cs-questions-heading">{t('caseStudies.fields.subQuestions')}</h2>
            <ul className="cs-plain-list">
              {data.subQuestions.map((s) => (
                <li key={s.id}>
                  <Link to={threadHref(data.slug, s.questionNumber, s.number)} lang={langOf(s.lang)}>
                    {t('caseStudies.subQuestionLabel', { number: s.number, text: s.text })}
                  </Link>
                  {cs.featuredOn.includes(s.id) ? (
                    <>
                      {' '}
                      <span className="badge cs-featured">{t('caseStudies.page.featured')}</span>
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          </section>
        ) : null}

        {cs.contact ? (
          <section className="section" aria-labelledby="cs-contact-heading">
            <h2 id="cs-contact-heading">{t('caseStudies.fields.contact')}</h2>
            <p className="cs-pre">{cs.contact}</p>
            {cs.author.attribution === 'chatham' ? <p className="muted">{t('caseStudies.page.contactModeratorsOnly')}</p> : null}
          </section>
        ) : null}

        {data.moderator && (moderatorActions.length > 0 || cs.status === 'published') ? (
          <section className="cs-panel cs-review-panel" aria-labelledby="review-panel-heading">
            <h2 id="review-panel-heading">{t('caseStudies.page.reviewPanel')}</h2>
            {cs.reviewNote ? (
              <p>
                <strong>{t('caseStudies.page.lastNote')}</strong> <span className="cs-pre">{cs.reviewNote}</span>
              </p>
            ) : null}
            {moderatorActions.length > 0 ? (
              <div className="cs-review-forms">
                {moderatorActions.map((action) => (
                  <TransitionForm
                    key={action}
                    here={here}
                    action={action}
                    busy={busy}
                    error={actionData?.intent === 'transition' && actionData.values.action === action ? actionData.error : undefined}
                    note={actionData?.intent === 'transition' && actionData.values.action === action ? actionData.values.note : undefined}
                  />
                ))}
              </div>
            ) : null}
            {cs.status === 'published' && data.subQuestions.length > 0 ? (
              <div className="cs-feature">
                <h3>{t('caseStudies.page.featureHeading')}</h3>
                <p className="field-hint">{t('caseStudies.page.featureHint')}</p>
                <ul className="cs-plain-list">
                  {data.subQuestions.map((s) => {
                    const featured = cs.featuredOn.includes(s.id);
                    return (
                      <li key={s.id}>
                        <Form method="post" action={here} className="inline-form">
                          <input type="hidden" name="intent" value="feature" />
                          <FormKeyInput />
                          <input type="hidden" name="subQuestionId" value={s.id} />
                          <input type="hidden" name="featured" value={String(!featured)} />
                          <button type="submit" className="button button-small button-secondary" disabled={busy}>
                            {featured
                              ? t('caseStudies.page.unfeature', { number: s.number })
                              : t('caseStudies.page.feature', { number: s.number })}
                          </button>
                        </Form>
                      </li>
                    );
                  })}
                </ul>
              </div>
            ) : null}
          </section>
        ) : null}

        {data.history && data.history.length > 0 ? (
          <section className="section" aria-labelledby="cs-history-heading">
            <h2 id="cs-history-heading">{t('caseStudies.history.title')}</h2>
            <ol className="cs-history">
              {data.history.map((h) => (
                <li key={h.id}>
                  <time dateTime={h.at}>{formatUtc(i18n.language, h.at)}</time>{' '}
                  <strong>{t(`caseStudies.history.${h.action}`, { defaultValue: h.action })}</strong>
                  {' · '}
                  <span className="muted">
                    {h.by === 'author'
                      ? cs.mine
                        ? t('caseStudies.history.byYou')
                        : t('caseStudies.history.byAuthor')
                      : h.actorName
                        ? <UserText>{h.actorName}</UserText>
                        : t('caseStudies.history.byModerator')}
                  </span>
                  {h.note ? <p className="cs-pre cs-history-note">{h.note}</p> : null}
                </li>
              ))}
            </ol>
          </section>
        ) : null}

        {data.signedIn && !cs.mine && cs.status === 'published' ? (
          <details className="cs-report">
            <summary>{t('flags.report')}</summary>
            <ReportForm
              action={`/c/${data.slug}/flag`}
              redirectTo={location.pathname}
              subjectType="case_study"
              subjectId={cs.id}
              title={t('caseStudies.flag.title')}
              idPrefix="cs-report"
            />
          </details>
        ) : null}
      </article>

      <p className="actions cs-back">
        <Link to={base}>{t('caseStudies.backToCatalogue')}</Link>
        {cs.mine ? <Link to={`${base}/mine`}>{t('caseStudies.mine.title')}</Link> : null}
      </p>
    </div>
  );
}

/** One step of the review: a form with its note (required for some steps). */
function TransitionForm({
  here,
  action,
  busy,
  error,
  note,
}: {
  here: string;
  action: TransitionAction;
  busy: boolean;
  error?: string;
  note?: string;
}) {
  const { t } = useTranslation();
  const id = `transition-${action}`;
  const required = TRANSITIONS[action].noteRequired;
  const describedBy = [`${id}-hint`, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <Form method="post" action={here} className={`cs-review-form cs-review-${action}`} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t(`caseStudies.actions.${action}`)}</h3>
      <input type="hidden" name="intent" value="transition" />
      <FormKeyInput />
      <input type="hidden" name="action" value={action} />
      <div className={`field${error ? ' field-invalid' : ''}`}>
        <label htmlFor={`${id}-note`}>
          {t('caseStudies.page.note')} <span className="muted">{required ? t('caseStudies.page.noteRequired') : t('caseStudies.flag.optional')}</span>
        </label>
        <p className="field-hint" id={`${id}-hint`}>
          {t(`caseStudies.actionHints.${action}`)}
        </p>
        <textarea
          id={`${id}-note`}
          name="note"
          rows={3}
          maxLength={2000}
          required={required}
          defaultValue={note}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        />
        {error ? (
          <p className="field-error" id={`${id}-error`}>
            {t(error)}
          </p>
        ) : null}
      </div>
      <button type="submit" className={`button button-small${action === 'reject' || action === 'unpublish' ? ' cs-button-danger' : ''}`} disabled={busy}>
        {t(`caseStudies.actions.${action}`)}
      </button>
    </Form>
  );
}
