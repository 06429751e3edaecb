/**
 * The moderators' queue: flagged posts and case studies (grouped by what was flagged, with the
 * flags and the decisions at hand), and the case studies waiting for review. Every decision is
 * a POST to this route (intents `hide`, `restore`, `dismiss`) that redirects back with `?done=`.
 */
import { redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { CaseStudyStatus } from '../contributions/statuses';
import { FLAG_REASONS, FLAG_STATUSES, FLAG_SUBJECTS } from '../moderation/flags';
import { can } from '../accounts/roles';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { FormKeyInput, SelectField } from '../components/Field';
import { caseStudyHref, postHref } from '../contributions/links';
import { formatUtc } from '../components/utc-date';
import { AuthorLine, translateIsolated, UserText } from '../components/UserText';
import { consultationTitle, groupLabels } from '../consultations/localize';
import moderationStyles from '../styles/moderation.css';
import { handleIntents, intentForm, type IntentReply } from '../utils/forms.server';
import { pageTitle, requireConsultation, requireUser } from '../utils/http.server';
import { dismissSchema, queueFilterSchema, queuePostSchema } from '../validation.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: moderationStyles }];

const DONE = { hide: 'moderation.done.hidden', restore: 'moderation.done.restored', dismiss: 'moderation.done.dismissed' } as const;
/** The case-study statuses a moderator can list; `awaiting` is the queue proper. */
const CASE_FILTERS = ['awaiting', 'submitted', 'in_review', 'verified', 'changes_requested', 'rejected', 'published'] as const;
type CaseFilter = (typeof CASE_FILTERS)[number];
const AWAITING: CaseStudyStatus[] = ['submitted', 'in_review', 'verified'];

async function requireModerator(context: LoaderFunctionArgs['context'], request: Request, slug: string | undefined) {
  const user = requireUser(context, request);
  const consultation = await requireConsultation(context, slug);
  const role = await context.services.accounts.roleIn(user.id, consultation.id);
  if (!can(role, 'moderation.act')) throw new Response('Forbidden', { status: 403 });
  return { user, consultation, role };
}

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const { services, language, t } = context;
  const { user, consultation, role } = await requireModerator(context, request, params.slug);
  const url = new URL(request.url);
  const tab = url.searchParams.get('tab') === 'case-studies' ? 'case-studies' : 'flags';
  const filters = queueFilterSchema.parse(Object.fromEntries(url.searchParams));
  const rawCase = url.searchParams.get('caseStatus');
  const caseStatus: CaseFilter = (CASE_FILTERS as readonly string[]).includes(rawCase ?? '') ? (rawCase as CaseFilter) : 'awaiting';
  const slug = consultation.slug;

  const [counts, flagged, studies] = await Promise.all([
    services.moderation.counts(user.id, consultation.id),
    tab === 'flags' ? services.moderation.flagged(user.id, consultation.id, filters) : null,
    tab === 'case-studies'
      ? services.caseStudies.queue(user.id, consultation.id, caseStatus === 'awaiting' ? AWAITING : [caseStatus as CaseStudyStatus])
      : null,
  ]);
  const rawDone = url.searchParams.get('done');
  const done = rawDone && rawDone in DONE ? DONE[rawDone as keyof typeof DONE] : null;

  return {
    title: pageTitle(t('moderation.title'), consultationTitle(consultation, language)),
    slug,
    consultationTitle: consultationTitle(consultation, language),
    canReadAudit: can(role, 'audit.read'),
    groups: groupLabels(consultation, language),
    tab,
    counts,
    filters: { status: filters.status, subjectType: filters.subjectType ?? '', reason: filters.reason ?? '' },
    caseStatus,
    done,
    flagged:
      flagged?.map((item) => ({
        ...item,
        href:
          item.subjectType === 'post' && item.subject.thread
            ? postHref(slug, item.subject.thread.question, item.subject.thread.number, item.subjectId)
            : caseStudyHref(slug, item.subjectId),
      })) ?? null,
    studies:
      studies?.map((s) => ({
        id: s.id,
        title: s.title,
        status: s.status,
        realAuthor: s.realAuthor?.name ?? null,
        author: s.author,
        submittedAt: s.submittedAt,
        href: caseStudyHref(slug, s.id),
      })) ?? null,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export async function action({ params, context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  await requireConsultation(context, params.slug);
  const { services } = context;
  const url = new URL(request.url);
  url.searchParams.delete('index');
  const done = (intent: keyof typeof DONE) => {
    url.searchParams.set('done', intent);
    return redirect(`${url.pathname}${url.search}`);
  };
  const moderate = (hide: boolean) =>
    intentForm(
      queuePostSchema,
      async ({ subjectId, reason }) => {
        await services.posts.moderate(user.id, subjectId, hide, reason ?? null);
        return done(hide ? 'hide' : 'restore');
      },
      { once: true },
    );
  return handleIntents(
    await request.formData(),
    {
      hide: moderate(true),
      restore: moderate(false),
      dismiss: intentForm(
        dismissSchema,
        async ({ subjectType, subjectId, note }) => {
          await services.moderation.dismiss(user.id, subjectType, subjectId, note ?? null);
          return done('dismiss');
        },
        { once: true },
      ),
    },
    { context, userId: user.id },
  );
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

export default function ModerationQueue() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const tabHref = (tab: 'flags' | 'case-studies') => `?tab=${tab}`;
  return (
    <div className="page page-wide moderation-page">
      <Breadcrumbs items={[{ label: data.consultationTitle, to: `/c/${data.slug}` }, { label: t('moderation.title') }]} />
      <header className="page-header">
        <h1>{t('moderation.title')}</h1>
        <p className="lead">{t('moderation.intro')}</p>
        {data.canReadAudit ? (
          <p>
            <Link to={`/c/${data.slug}/moderation/audit`}>{t('moderation.auditLink')}</Link>
          </p>
        ) : null}
      </header>

      <div className="status-region" aria-live="polite">
        {data.done && !actionData && params.get('done') ? (
          <p className="notice notice-success" role="status">
            {t(data.done)}
          </p>
        ) : null}
      </div>
      {actionData ? (
        <p className="notice notice-error" role="alert">
          {t('moderation.refused', { message: t(actionData.error) })}
        </p>
      ) : null}

      <nav aria-label={t('moderation.sections')} className="moderation-tabs">
        <ul>
          <li>
            <Link to={tabHref('flags')} aria-current={data.tab === 'flags' ? 'page' : undefined}>
              {t('moderation.tabs.flags')} <span className="count-pill">{t('moderation.openCount', { count: data.counts.flags })}</span>
            </Link>
          </li>
          <li>
            <Link to={tabHref('case-studies')} aria-current={data.tab === 'case-studies' ? 'page' : undefined}>
              {t('moderation.tabs.caseStudies')}{' '}
              <span className="count-pill">{t('moderation.awaitingCount', { count: data.counts.caseStudies })}</span>
            </Link>
          </li>
        </ul>
      </nav>

      {data.tab === 'flags' ? <FlagsSection data={data} failed={actionData ?? undefined} /> : <CaseStudiesSection data={data} />}
    </div>
  );
}

function FlagsSection({ data, failed }: { data: LoaderData; failed?: IntentReply }) {
  const { t, i18n } = useTranslation();
  const items = data.flagged ?? [];
  const groupLabel = (id: string) => data.groups[id] ?? id;
  return (
    <section aria-labelledby="flags-heading" className="section">
      <h2 id="flags-heading">{t('moderation.flagsHeading')}</h2>
      <form method="get" className="filter-form">
        <input type="hidden" name="tab" value="flags" />
        <fieldset>
          <legend>{t('moderation.filter')}</legend>
          <div className="filter-fields">
            <SelectField
              name="status"
              label={t('moderation.flagStatus')}
              defaultValue={data.filters.status}
              options={FLAG_STATUSES.map((s) => ({ value: s, label: t(`moderation.flagStatuses.${s}`) }))}
            />
            <SelectField
              name="subjectType"
              label={t('moderation.subjectType')}
              defaultValue={data.filters.subjectType}
              placeholder={t('moderation.all')}
              options={FLAG_SUBJECTS.map((s) => ({ value: s, label: t(`moderation.subjectTypes.${s}`) }))}
            />
            <SelectField
              name="reason"
              label={t('flags.reason')}
              defaultValue={data.filters.reason}
              placeholder={t('moderation.all')}
              options={FLAG_REASONS.map((r) => ({ value: r, label: t(`flags.reasons.${r}`) }))}
            />
            <button type="submit" className="button button-secondary">
              {t('moderation.apply')}
            </button>
          </div>
        </fieldset>
      </form>

      <p className="muted" role="status">
        {t('moderation.itemCount', { count: items.length })}
      </p>
      {items.length === 0 ? (
        <div className="empty-state">
          <p className="empty-title">{t('moderation.noFlags')}</p>
        </div>
      ) : (
        <ol className="flag-list">
          {items.map((item) => {
            const key = `${item.subjectType}-${item.subjectId}`;
            const mine = failed && failed.values.subjectId === String(item.subjectId) && failed.values.subjectType === item.subjectType ? failed : undefined;
            const title =
              item.subjectType === 'post'
                ? t('moderation.postIn', { thread: item.subject.thread?.number ?? '' })
                : <UserText>{item.subject.title}</UserText>;
            return (
              <li key={key}>
                <article className="flag-item" id={`item-${key}`} aria-labelledby={`item-${key}-title`}>
                  <header className="flag-item-header">
                    <p className="eyebrow">{t(`moderation.subjectTypes.${item.subjectType}`)}</p>
                    <h3 id={`item-${key}-title`}>
                      <Link to={item.href}>{title}</Link>
                    </h3>
                    <dl className="flag-facts">
                      <div>
                        <dt>{t('moderation.status')}</dt>
                        <dd>
                          <span className={`status-tag status-${item.subject.status}`}>
                            {item.subjectType === 'post'
                              ? t(`moderation.postStatuses.${item.subject.status}`)
                              : t(`moderation.caseStatuses.${item.subject.status}`)}
                          </span>
                        </dd>
                      </div>
                      <div>
                        <dt>{t('moderation.shownAs')}</dt>
                        <dd>
                          <AuthorLine author={item.subject.author} t={t} groupLabel={groupLabel} />
                        </dd>
                      </div>
                      <div>
                        <dt>{t('moderation.realAuthor')}</dt>
                        <dd>
                          <UserText>{item.subject.realAuthor}</UserText>
                        </dd>
                      </div>
                      <div>
                        <dt>{t('moderation.lastFlag')}</dt>
                        <dd>
                          <time dateTime={item.lastAt}>{formatUtc(i18n.language, item.lastAt)}</time>
                        </dd>
                      </div>
                    </dl>
                  </header>
                  {item.subject.excerpt ? <blockquote className="flag-excerpt">{item.subject.excerpt}</blockquote> : null}

                  <h4 className="flag-subheading">{t('moderation.flagsCount', { count: item.flags.length })}</h4>
                  <ul className="flag-reports">
                    {item.flags.map((f) => (
                      <li key={f.id}>
                        <strong>{t(`flags.reasons.${f.reason}`)}</strong>
                        {' · '}
                        {translateIsolated(t, 'moderation.reportedBy', { name: f.reporter }, ['name'])}
                        {' · '}
                        <time dateTime={f.createdAt}>{formatUtc(i18n.language, f.createdAt)}</time>
                        {f.status !== 'open' ? <> · {t(`moderation.flagStatuses.${f.status}`)}</> : null}
                        {f.note ? <blockquote className="flag-note">{f.note}</blockquote> : null}
                      </li>
                    ))}
                  </ul>

                  <FlagActions item={item} slugHref={item.href} open={data.filters.status === 'open'} failed={mine} />
                </article>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

function FlagActions({
  item,
  slugHref,
  open,
  failed,
}: {
  item: NonNullable<LoaderData['flagged']>[number];
  slugHref: string;
  open: boolean;
  failed?: IntentReply;
}) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  const key = `${item.subjectType}-${item.subjectId}`;
  const busy = navigation.state === 'submitting' && navigation.formData?.get('subjectId') === String(item.subjectId);
  const hidden = (intent: string) => (
    <>
      <input type="hidden" name="intent" value={intent} />
      <FormKeyInput />
      <input type="hidden" name="subjectType" value={item.subjectType} />
      <input type="hidden" name="subjectId" value={item.subjectId} />
    </>
  );
  const errorOf = (intent: string) =>
    failed?.intent === intent ? (
      <p className="field-error" id={`${key}-${intent}-error`} role="alert">
        {t(failed.error)}
      </p>
    ) : null;
  return (
    <div className="flag-actions">
      {item.subjectType === 'post' && item.subject.status === 'visible' ? (
        <details className="post-disclosure" open={failed?.intent === 'hide' ? true : undefined}>
          <summary>{t('posts.hide')}</summary>
          <Form method="post" className="moderation-form" preventScrollReset>
            {hidden('hide')}
            <div className={`field${failed?.intent === 'hide' ? ' field-invalid' : ''}`}>
              <label htmlFor={`${key}-reason`}>{t('posts.hideReason')}</label>
              <p className="field-hint" id={`${key}-reason-hint`}>
                {t('posts.hideHint')}
              </p>
              <textarea
                id={`${key}-reason`}
                name="reason"
                rows={3}
                required
                maxLength={2000}
                defaultValue={failed?.intent === 'hide' ? failed.values.reason : undefined}
                aria-invalid={failed?.intent === 'hide' ? true : undefined}
                aria-describedby={`${key}-reason-hint${failed?.intent === 'hide' ? ` ${key}-hide-error` : ''}`}
              />
              {errorOf('hide')}
            </div>
            <button type="submit" className="button button-small button-danger" disabled={busy}>
              {t('posts.hideSubmit')}
            </button>
          </Form>
        </details>
      ) : null}
      {item.subjectType === 'post' && item.subject.status === 'hidden' ? (
        <Form method="post" className="inline-form" preventScrollReset>
          {hidden('restore')}
          <button type="submit" className="button button-small button-secondary" disabled={busy}>
            {t('posts.restore')}
          </button>
          {errorOf('restore')}
        </Form>
      ) : null}
      {item.subjectType === 'case_study' ? (
        <p className="flag-case-link">
          <Link to={slugHref}>{translateIsolated(t, 'moderation.openCaseStudy', { title: item.subject.title }, ['title'])}</Link>
          <span className="muted"> {t('moderation.caseStudyHint')}</span>
        </p>
      ) : null}
      {open ? (
        <details className="post-disclosure" open={failed?.intent === 'dismiss' ? true : undefined}>
          <summary>{t('moderation.dismiss')}</summary>
          <Form method="post" className="moderation-form" preventScrollReset>
            {hidden('dismiss')}
            <div className="field">
              <label htmlFor={`${key}-note`}>
                {t('moderation.dismissNote')} <span className="muted">({t('flags.optional')})</span>
              </label>
              <textarea
                id={`${key}-note`}
                name="note"
                rows={2}
                maxLength={2000}
                defaultValue={failed?.intent === 'dismiss' ? failed.values.note : undefined}
                aria-invalid={failed?.intent === 'dismiss' ? true : undefined}
                aria-describedby={failed?.intent === 'dismiss' ? `${key}-dismiss-error` : undefined}
              />
              {errorOf('dismiss')}
            </div>
            <button type="submit" className="button button-small button-secondary" disabled={busy}>
              {t('moderation.dismissSubmit', { count: item.flags.length })}
            </button>
          </Form>
        </details>
      ) : null}
    </div>
  );
}

function CaseStudiesSection({ data }: { data: LoaderData }) {
  const { t, i18n } = useTranslation();
  const studies = data.studies ?? [];
  return (
    <section aria-labelledby="cs-heading" className="section">
      <h2 id="cs-heading">{t('moderation.caseStudiesHeading')}</h2>
      <form method="get" className="filter-form">
        <input type="hidden" name="tab" value="case-studies" />
        <fieldset>
          <legend>{t('moderation.filter')}</legend>
          <div className="filter-fields">
            <SelectField
              name="caseStatus"
              label={t('moderation.status')}
              defaultValue={data.caseStatus}
              options={CASE_FILTERS.map((s) => ({ value: s, label: s === 'awaiting' ? t('moderation.awaiting') : t(`moderation.caseStatuses.${s}`) }))}
            />
            <button type="submit" className="button button-secondary">
              {t('moderation.apply')}
            </button>
          </div>
        </fieldset>
      </form>
      {studies.length === 0 ? (
        <div className="empty-state">
          <p className="empty-title">{t('moderation.noCaseStudies')}</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption>
              {t('moderation.caseStudiesCaption', {
                count: studies.length,
                status: data.caseStatus === 'awaiting' ? t('moderation.awaiting') : t(`moderation.caseStatuses.${data.caseStatus}`),
              })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('moderation.caseTitle')}</th>
                <th scope="col">{t('moderation.status')}</th>
                <th scope="col">{t('moderation.realAuthor')}</th>
                <th scope="col">{t('moderation.submittedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {studies.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    <Link to={s.href}>{s.title ? <UserText>{s.title}</UserText> : t('moderation.untitled')}</Link>
                  </th>
                  <td>
                    <span className={`status-tag status-${s.status}`}>{t(`moderation.caseStatuses.${s.status}`)}</span>
                  </td>
                  <td>{s.realAuthor ? <UserText>{s.realAuthor}</UserText> : '—'}</td>
                  <td>{s.submittedAt ? <time dateTime={s.submittedAt}>{formatUtc(i18n.language, s.submittedAt)}</time> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
