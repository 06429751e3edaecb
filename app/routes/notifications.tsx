/**
 * The signed-in user's notices: decisions about their own case studies and posts. Opening
 * the page marks nothing read; a "Mark all as read" form does.
 */
import { redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { caseStudyHref, postHref } from '../contributions/links';
import { formatUtc } from '../components/utc-date';
import { translateIsolated } from '../components/UserText';
import moderationStyles from '../styles/moderation.css';
import { handleIntents, intentForm } from '../utils/forms.server';
import { pageTitle, requireUser } from '../utils/http.server';
import { markReadSchema } from '../validation.server';
import { DECISIONS } from '../audit/actions';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: moderationStyles }];

/** Kinds with a sentence of their own (`notifications.kinds.<kind with _ for .>`). */
const KNOWN_KINDS = DECISIONS;

const SLUG = /^[a-z0-9-]+$/i;
const NUMBER = /^[0-9][0-9.]*$/;

export async function loader({ context, request }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const { services, t } = context;
  const notices = await services.notifications.list(user.id, 100);
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    title: pageTitle(t('notifications.title')),
    notices: notices.map((n) => {
      const slug = str(n.details.slug);
      const question = str(n.details.question);
      const thread = str(n.details.thread);
      let href: string | null = null;
      if (slug && SLUG.test(slug)) {
        if (n.subjectType === 'case_study') href = caseStudyHref(slug, n.subjectId);
        else if (n.subjectType === 'post' && question && thread && NUMBER.test(question) && NUMBER.test(thread))
          href = postHref(slug, question, thread, n.subjectId);
      }
      return {
        id: n.id,
        kind: KNOWN_KINDS.includes(n.kind) ? n.kind : null,
        subjectType: n.subjectType,
        title: str(n.details.title),
        thread,
        note: str(n.details.note),
        href,
        createdAt: n.createdAt,
        read: n.read,
      };
    }),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

/** "Mark all as read" (`read-all`), the page's one form. */
export async function action({ context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  return handleIntents(
    await request.formData(),
    {
      'read-all': intentForm(markReadSchema, async () => {
        await context.services.notifications.markRead(user.id);
        return redirect('/notifications?done=read');
      }),
    },
    { context, userId: user.id },
  );
}

export default function Notifications() {
  const { notices } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const unread = notices.filter((n) => !n.read).length;
  return (
    <div className="page">
      <header className="page-header">
        <h1>{t('notifications.title')}</h1>
        <p className="lead">{t('notifications.intro')}</p>
      </header>
      <div className="status-region" aria-live="polite">
        {refused ? (
          <p className="notice notice-error" role="alert">
            {t(refused.error)}
          </p>
        ) : null}
        {params.get('done') === 'read' ? (
          <p className="notice notice-success" role="status">
            {t('notifications.allRead')}
          </p>
        ) : null}
      </div>
      <div className="notifications-bar">
        <p className="muted">{t('notifications.unreadCount', { count: unread })}</p>
        {unread > 0 ? (
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="read-all" />
            <button type="submit" className="button button-small button-secondary" disabled={navigation.state === 'submitting'}>
              {t('notifications.markAllRead')}
            </button>
          </Form>
        ) : null}
      </div>
      {notices.length === 0 ? (
        <div className="empty-state">
          <p className="empty-title">{t('notifications.empty')}</p>
          <p>{t('notifications.emptyHint')}</p>
        </div>
      ) : (
        <ol className="notice-list">
          {notices.map((n) => {
            const sentence = n.kind
              ? translateIsolated(t, `notifications.kinds.${n.kind.replace('.', '_')}`, { title: n.title ?? '', thread: n.thread ?? '' }, ['title'])
              : t('notifications.kinds.other');
            return (
              <li key={n.id} className={`notice-item${n.read ? '' : ' notice-unread'}`}>
                {n.read ? null : <span className="visually-hidden">{t('notifications.unread')}: </span>}
                {n.read ? null : (
                  <span className="unread-dot" aria-hidden="true">
                    ●
                  </span>
                )}
                <p className="notice-sentence">{n.href ? <Link to={n.href}>{sentence}</Link> : sentence}</p>
                {n.note ? (
                  <figure className="notice-note">
                    <figcaption>{t('notifications.moderatorNote')}</figcaption>
                    <blockquote>{n.note}</blockquote>
                  </figure>
                ) : null}
                <p className="notice-date">
                  <time dateTime={n.createdAt}>{formatUtc(i18n.language, n.createdAt)}</time>
                </p>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
