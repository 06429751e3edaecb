/**
 * The audit log of a consultation, for moderators and administrators: every moderation
 * decision and role change, with who, what, when and why. Read-only; GET filters.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { can } from '../accounts/roles';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { SelectField } from '../components/Field';
import { caseStudyHref, formatUtc, postHrefFromThread } from '../components/moderation/links';
import { UserText } from '../components/UserText';
import { consultationTitle } from '../consultations/localize';
import moderationStyles from '../styles/moderation.css';
import { pageTitle, requireConsultation, requireUser } from '../utils/http.server';
import { auditFilterSchema } from '../validation.server';
import { DECISIONS } from '../audit/actions';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: moderationStyles }];

/** The action families offered in the filter (an action ending with a dot is a family). */
const FAMILIES = [
  { value: '', key: 'audit.families.all' },
  { value: 'case_study.', key: 'audit.families.caseStudies' },
  { value: 'post.', key: 'audit.families.posts' },
  { value: 'flags.', key: 'audit.families.flags' },
  { value: 'user.', key: 'audit.families.roles' },
  { value: 'note.', key: 'audit.families.notes' },
] as const;
const SUBJECT_TYPES = ['post', 'case_study', 'user', 'note'] as const;
/** Actions with a label of their own; anything else shows its code. */
const KNOWN_ACTIONS = [
  ...DECISIONS,
  'flags.dismiss',
  'user.role_changed',
  'note.open',
  'note.lock',
  'note.reopen',
  'note.finalise',
  'note.version',
  'note.restore',
] as const;

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const { services, language, t } = context;
  const user = requireUser(context, request);
  const consultation = await requireConsultation(context, params.slug);
  const role = await services.accounts.roleIn(user.id, consultation.id);
  if (!can(role, 'audit.read')) throw new Response('Forbidden', { status: 403 });

  const url = new URL(request.url);
  const filters = auditFilterSchema.parse(Object.fromEntries(url.searchParams));
  const family = FAMILIES.find((f) => f.value === filters.action) ? filters.action : filters.action?.includes('.') ? filters.action : undefined;
  const subjectId = filters.subjectId?.trim() || undefined;
  const entries = await services.audit.list({
    consultationId: consultation.id,
    action: family || undefined,
    subjectType: filters.subjectType || undefined,
    subjectId,
    limit: 200,
  });
  // Role changes name their subject by user id: show the name instead.
  const userIds = new Set(entries.filter((e) => e.subjectType === 'user').map((e) => e.subjectId));
  const names = userIds.size ? new Map((await services.accounts.listUsers(consultation.id)).filter((u) => userIds.has(u.id)).map((u) => [u.id, u.name])) : new Map<string, string>();
  const slug = consultation.slug;
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);

  return {
    title: pageTitle(t('audit.title'), consultationTitle(consultation, language)),
    slug,
    consultationTitle: consultationTitle(consultation, language),
    filters: { action: family ?? '', subjectType: filters.subjectType ?? '', subjectId: subjectId ?? '' },
    entries: entries.map((e) => {
      const thread = str(e.details.thread);
      const title = str(e.details.title);
      let href: string | null = null;
      let label = `${e.subjectType} ${e.subjectId}`;
      if (e.subjectType === 'post') {
        href = thread ? postHrefFromThread(slug, thread, e.subjectId) : null;
        label = thread ? t('audit.postInThread', { id: e.subjectId, thread }) : t('audit.post', { id: e.subjectId });
      } else if (e.subjectType === 'case_study') {
        href = caseStudyHref(slug, e.subjectId);
        label = title ?? t('audit.caseStudy', { id: e.subjectId });
      } else if (e.subjectType === 'note') {
        href = `/c/${slug}/notes/${e.subjectId}`;
        label = title ?? `${t('audit.subjectTypes.note')} #${e.subjectId}`;
      } else if (e.subjectType === 'user') {
        label = names.get(e.subjectId) ?? e.subjectId;
      }
      return {
        id: e.id,
        at: e.at,
        actor: e.actor?.name ?? null,
        action: e.action,
        known: KNOWN_ACTIONS.includes(e.action),
        subjectType: e.subjectType,
        subject: { href, label },
        reason: e.reason,
        from: str(e.details.from),
        to: str(e.details.to),
        flags: typeof e.details.flags === 'number' ? e.details.flags : null,
        subQuestionId: str(e.details.subQuestionId),
      };
    }),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

type Entry = ReturnType<typeof useLoaderData<typeof loader>>['entries'][number];

export default function AuditLog() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();

  /** A status (case studies), a role (users) or a code, in words. */
  const valueLabel = (e: Entry, value: string) =>
    e.subjectType === 'user' ? t(`roles.${value}`, { defaultValue: value }) : t(`moderation.caseStatuses.${value}`, { defaultValue: value });
  const detailsOf = (e: Entry) => {
    if (e.from && e.to) return t('audit.change', { from: valueLabel(e, e.from), to: valueLabel(e, e.to) });
    if (e.flags !== null) return t('audit.flagsClosed', { count: e.flags });
    if (e.subQuestionId) return t('audit.onSubQuestion', { id: e.subQuestionId });
    return '';
  };

  return (
    <div className="page page-wide moderation-page">
      <Breadcrumbs
        items={[
          { label: data.consultationTitle, to: `/c/${data.slug}` },
          { label: t('moderation.title'), to: `/c/${data.slug}/moderation` },
          { label: t('audit.title') },
        ]}
      />
      <header className="page-header">
        <h1>{t('audit.title')}</h1>
        <p className="lead">{t('audit.intro')}</p>
      </header>

      <form method="get" className="filter-form">
        <fieldset>
          <legend>{t('audit.filter')}</legend>
          <div className="filter-fields">
            <SelectField
              name="action"
              label={t('audit.action')}
              defaultValue={data.filters.action}
              options={[
                ...FAMILIES.map((f) => ({ value: f.value, label: t(f.key) })),
                // An action typed in the URL that is not a family stays selected, as typed.
                ...(FAMILIES.some((f) => f.value === data.filters.action) ? [] : [{ value: data.filters.action, label: data.filters.action }]),
              ]}
            />
            <SelectField
              name="subjectType"
              label={t('audit.subjectType')}
              defaultValue={data.filters.subjectType}
              placeholder={t('audit.anySubject')}
              options={SUBJECT_TYPES.map((s) => ({ value: s, label: t(`audit.subjectTypes.${s}`) }))}
            />
            <div className="field">
              <label htmlFor="audit-subject-id">{t('audit.subjectId')}</label>
              <input id="audit-subject-id" name="subjectId" defaultValue={data.filters.subjectId} maxLength={50} inputMode="text" />
            </div>
            <button type="submit" className="button button-secondary">
              {t('audit.apply')}
            </button>
          </div>
        </fieldset>
      </form>

      {data.entries.length === 0 ? (
        <div className="empty-state">
          <p className="empty-title">{t('audit.empty')}</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table audit-table">
            <caption>{t('audit.caption', { count: data.entries.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.when')}</th>
                <th scope="col">{t('audit.who')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.subject')}</th>
                <th scope="col">{t('audit.reason')}</th>
                <th scope="col">{t('audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((e) => (
                <tr key={e.id}>
                  <th scope="row">
                    <time dateTime={e.at}>{formatUtc(i18n.language, e.at)}</time>
                  </th>
                  <td>{e.actor ? <UserText>{e.actor}</UserText> : t('audit.system')}</td>
                  <td>{e.known ? t(`audit.actions.${e.action.replace('.', '_')}`) : <code>{e.action}</code>}</td>
                  <td>
                    {/* A case study's or a note's title, or a user's name, as often as not: isolated. */}
                    {e.subject.href ? (
                      <Link to={e.subject.href}>
                        <UserText>{e.subject.label}</UserText>
                      </Link>
                    ) : (
                      <UserText>{e.subject.label}</UserText>
                    )}
                  </td>
                  <td className="audit-reason">{e.reason ?? <span className="muted">—</span>}</td>
                  <td>{detailsOf(e) || <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data.entries.length >= 200 ? <p className="muted">{t('audit.limit', { count: 200 })}</p> : null}
    </div>
  );
}
