/**
 * The audit log of a consultation, for moderators and administrators: every moderation
 * decision and role change, with who, what, when and why, in people's words (names, titles,
 * thread and sub-question numbers, statuses in the reader's language). Read-only; GET filters
 * by kind of action, kind of subject and a name or title.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { can } from '../accounts/roles';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { SelectField } from '../components/Field';
import { caseStudyHref, postHrefFromThread } from '../contributions/links';
import { formatUtc } from '../components/utc-date';
import { translateIsolated, UserText } from '../components/UserText';
import { consultationTitle } from '../consultations/localize';
import moderationStyles from '../styles/moderation.css';
import { pageTitle, requireConsultation, requireUser } from '../utils/http.server';
import { AUDIT_SEARCH_MAX, auditFilterSchema, auditSearchSchema } from '../validation.server';
import { DECISIONS } from '../audit/actions';
import { compilationHref, keyPointHref } from '../compilation/links';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: moderationStyles }];

/** The action families offered in the filter (an action ending with a dot is a family). */
const FAMILIES = [
  { value: '', key: 'audit.families.all' },
  { value: 'case_study.', key: 'audit.families.caseStudies' },
  { value: 'post.', key: 'audit.families.posts' },
  { value: 'flags.', key: 'audit.families.flags' },
  { value: 'user.', key: 'audit.families.roles' },
  { value: 'note.', key: 'audit.families.notes' },
  { value: 'consultation.', key: 'phases.audit.family' },
  { value: 'key_point.', key: 'compilation.audit.family' },
  { value: 'export.', key: 'exports.audit.family' },
] as const;
const SUBJECT_TYPES = ['post', 'case_study', 'user', 'note'] as const;
/** The most entries one page shows. */
const LIMIT = 200;
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
  'consultation.phase',
  'key_point.create',
  'key_point.edit',
  'key_point.reorder',
  'key_point.clip',
  'key_point.stance',
  'key_point.merge',
  'export.note',
  'export.report',
  'export.contributions',
  'export.case_studies',
] as readonly string[];

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const { services, language, t } = context;
  const user = requireUser(context, request);
  const consultation = await requireConsultation(context, params.slug);
  const role = await services.accounts.roleIn(user.id, consultation.id);
  if (!can(role, 'audit.read')) throw new Response('Forbidden', { status: 403 });

  const url = new URL(request.url);
  const filters = auditFilterSchema.parse(Object.fromEntries(url.searchParams));
  // A family from the list, or one action (e.g. from a link): anything else is no filter.
  const action = filters.action && (FAMILIES.some((f) => f.value === filters.action) || KNOWN_ACTIONS.includes(filters.action)) ? filters.action : undefined;
  const subjectType = SUBJECT_TYPES.find((s) => s === filters.subjectType);
  // A search that cannot be run is said, with no rows: never the whole log as if it matched.
  const typed = url.searchParams.get('q') ?? '';
  const query = auditSearchSchema.safeParse(typed);
  const searchError = query.success ? null : (query.error.issues[0]?.message ?? 'errors.tooLong');
  const search = query.success ? query.data || undefined : undefined;
  const entries = searchError ? [] : await services.audit.list({ consultationId: consultation.id, action, subjectType, search, limit: LIMIT });
  const slug = consultation.slug;
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);

  return {
    title: pageTitle(t('audit.title'), consultationTitle(consultation, language)),
    slug,
    consultationTitle: consultationTitle(consultation, language),
    filters: { action: action ?? '', subjectType: subjectType ?? '', q: searchError ? typed.slice(0, AUDIT_SEARCH_MAX * 2) : (search ?? '') },
    searchError,
    entries: entries.map((e) => {
      // The subject as it is named now, else as the entry recorded it (a title), else by its kind.
      const name = e.subject.name ?? str(e.details.title);
      let href: string | null = null;
      let label: string;
      if (e.subjectType === 'post') {
        const thread = e.subject.thread ?? str(e.details.thread);
        href = thread ? postHrefFromThread(slug, thread, e.subjectId) : null;
        label = thread ? t('audit.postInThread', { id: e.subjectId, thread }) : t('audit.post', { id: e.subjectId });
      } else if (e.subjectType === 'case_study') {
        href = caseStudyHref(slug, e.subjectId);
        label = name ?? t('audit.caseStudy', { id: e.subjectId });
      } else if (e.subjectType === 'note') {
        href = `/c/${slug}/notes/${e.subjectId}`;
        label = name ?? t('audit.note', { id: e.subjectId });
      } else if (e.subjectType === 'user') {
        label = name ?? t('audit.unknownUser');
      } else if (e.subjectType === 'key_point' || (e.subjectType === 'question' && e.action.startsWith('key_point.'))) {
        // A compilation entry: the key point by its heading now (else as created), in its question.
        const question = e.subject.question;
        href = question ? (e.subjectType === 'key_point' ? keyPointHref(slug, question, Number(e.subjectId)) : compilationHref(slug, question)) : null;
        label =
          e.subjectType === 'key_point'
            ? (name ?? t('compilation.audit.keyPoint', { id: e.subjectId }))
            : question
              ? t('compilation.audit.question', { number: question })
              : t('audit.otherSubject');
      } else if (e.subjectType === 'question' && e.action.startsWith('export.')) {
        href = `/c/${slug}/q/${encodeURIComponent(e.subjectId)}`;
        label = t('exports.audit.question', { number: e.subjectId });
      } else if (e.subjectType === 'consultation') {
        href = `/c/${slug}`;
        label = t('phases.audit.subject');
      } else {
        label = t('audit.otherSubject');
      }
      return {
        id: e.id,
        at: e.at,
        actor: e.actor?.name ?? null,
        action: e.action,
        known: KNOWN_ACTIONS.includes(e.action),
        subjectType: e.subjectType,
        subject: { href, label, named: name !== null },
        reason: e.reason,
        from: str(e.details.from),
        to: str(e.details.to),
        flags: typeof e.details.flags === 'number' ? e.details.flags : null,
        subQuestion: e.subject.subQuestion,
        version: e.action === 'note.version' || e.action === 'note.restore' ? str(e.details.name) : null,
        // A note locked by the move to the `final` phase, not by a moderator's decision.
        byPhase: e.action === 'note.lock' ? str(e.details.phase) : null,
        lockedNotes: e.action === 'consultation.phase' && typeof e.details.lockedNotes === 'number' ? e.details.lockedNotes : null,
        // An export: its format and frame language, whether it held restricted items, a final note's version.
        exported: e.action.startsWith('export.')
          ? { format: str(e.details.format), language: str(e.details.language), restricted: e.details.restricted === true, version: typeof e.details.version === 'number' ? e.details.version : null }
          : null,
      };
    }),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

type Entry = ReturnType<typeof useLoaderData<typeof loader>>['entries'][number];

export default function AuditLog() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();

  /** A role (users) or a status (case studies, notes), in the reader's language. */
  const valueLabel = (e: Entry, value: string) => {
    const key =
      e.subjectType === 'user'
        ? `roles.${value}`
        : e.subjectType === 'note'
          ? `notes.status.${value}`
          : e.subjectType === 'consultation'
            ? `phase.${value}`
            : e.subjectType === 'key_point'
              ? `compilation.stances.${value}`
              : `caseStudies.statuses.${value}`;
    return i18n.exists(key) ? t(key) : value;
  };
  const detailsOf = (e: Entry): ReactNode => {
    if (e.subjectType === 'consultation' && e.from && e.to) {
      const change = t('phases.audit.change', { from: valueLabel(e, e.from), to: valueLabel(e, e.to) });
      return e.lockedNotes ? `${change} ${t('phases.audit.lockedNotes', { count: e.lockedNotes })}` : change;
    }
    if (e.byPhase && e.from && e.to) return `${t('audit.change', { from: valueLabel(e, e.from), to: valueLabel(e, e.to) })} ${t('phases.audit.byFinal')}`;
    if (e.from && e.to) return t('audit.change', { from: valueLabel(e, e.from), to: valueLabel(e, e.to) });
    if (e.flags !== null) return t('audit.flagsClosed', { count: e.flags });
    if (e.subQuestion) return t('audit.onSubQuestion', { number: e.subQuestion });
    if (e.version) return translateIsolated(t, 'audit.version', { name: e.version }, ['name']);
    if (e.exported) {
      const { format, language, restricted, version } = e.exported;
      return [format?.toUpperCase(), language, restricted ? t('exports.audit.restricted') : null, version ? t('exports.audit.version', { version }) : null].filter(Boolean).join(' · ');
    }
    return '';
  };
  const actionLabel = (action: string) =>
    action === 'consultation.phase'
      ? t('phases.audit.action')
      : action.startsWith('key_point.')
        ? t(`compilation.actions.${action.replace('.', '_')}`)
        : action.startsWith('export.')
          ? t(`exports.audit.actions.${action.slice('export.'.length)}`)
        : t(`audit.actions.${action.replace('.', '_')}`);

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
                // One action asked for in the address (not a family) stays selected, in words.
                ...(FAMILIES.some((f) => f.value === data.filters.action) ? [] : [{ value: data.filters.action, label: actionLabel(data.filters.action) }]),
              ]}
            />
            <SelectField
              name="subjectType"
              label={t('audit.subjectType')}
              defaultValue={data.filters.subjectType}
              placeholder={t('audit.anySubject')}
              options={SUBJECT_TYPES.map((s) => ({ value: s, label: t(`audit.subjectTypes.${s}`) }))}
            />
            <div className={`field${data.searchError ? ' field-invalid' : ''}`}>
              <label htmlFor="audit-q">{t('audit.search')}</label>
              <p className="field-hint" id="audit-q-hint">
                {t('audit.searchHint')}
              </p>
              <input
                id="audit-q"
                name="q"
                type="search"
                defaultValue={data.filters.q}
                maxLength={100}
                aria-invalid={data.searchError ? true : undefined}
                aria-describedby={data.searchError ? 'audit-q-hint audit-q-error' : 'audit-q-hint'}
              />
              {data.searchError ? (
                <p className="field-error" id="audit-q-error" role="alert">
                  {t(data.searchError)}
                </p>
              ) : null}
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
                  <td>{e.known ? actionLabel(e.action) : <code>{e.action}</code>}</td>
                  <td>
                    {/* A case study's or a note's title, or a user's name: isolated. */}
                    {e.subject.href ? (
                      <Link to={e.subject.href}>{e.subject.named ? <UserText>{e.subject.label}</UserText> : e.subject.label}</Link>
                    ) : e.subject.named ? (
                      <UserText>{e.subject.label}</UserText>
                    ) : (
                      e.subject.label
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
      {data.entries.length >= LIMIT ? <p className="muted">{t('audit.limit', { count: LIMIT })}</p> : null}
    </div>
  );
}
