/**
 * A note's named versions, newest first: name, who saved it, when; each opens its read-only
 * view with the word diff against the current text.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { formatUtc } from '../components/utc-date';
import { canNameVersion } from '../notes/access';
import { consultationLabels, loadNote } from '../components/notes/note-pages.server';
import { NoteStatusBadge } from '../components/notes/note-ui';
import { translateIsolated, UserText } from '../components/UserText';
import notesStyles from '../styles/notes.css';
import { pageTitle, requireUser } from '../utils/http.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: notesStyles }];

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const { t, services } = context;
  const { consultation, note } = await loadNote(context, params, user.id);
  const [versions, role] = await Promise.all([services.notes.versions(note.id, user.id), services.accounts.roleIn(user.id, consultation.id)]);
  const { consultationTitle } = consultationLabels(context, consultation);
  return {
    title: pageTitle(t('notes.versions.title'), note.title, consultationTitle),
    slug: consultation.slug,
    consultationTitle,
    // Only those who may still name one are told how (nobody, once the note is signed off).
    canNameVersion: canNameVersion(note.status, role, consultation.phase),
    note: { id: note.id, title: note.title, status: note.status },
    versions: versions.map((v) => ({ id: v.id, name: v.name, createdAt: v.createdAt, createdByName: v.createdByName ?? null })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export default function NoteVersionsPage() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const base = `/c/${data.slug}/notes`;
  const notePath = `${base}/${data.note.id}`;
  return (
    <div className="page note-versions-page">
      <Breadcrumbs
        items={[
          { label: data.consultationTitle, to: `/c/${data.slug}` },
          { label: t('notes.list.title'), to: base },
          { label: data.note.title, to: notePath },
          { label: t('notes.versions.title') },
        ]}
      />
      <header className="page-header">
        <p className="eyebrow">
          <UserText>{data.note.title}</UserText>
        </p>
        <h1>{t('notes.versions.title')}</h1>
        <p className="note-card-meta">
          <NoteStatusBadge status={data.note.status} />
        </p>
      </header>
      {data.versions.length === 0 ? (
        <div className="empty-state" data-testid="note-versions-empty">
          <p className="empty-title">{t('notes.versions.empty')}</p>
          <p className="muted">{data.canNameVersion ? t('notes.versions.emptyStaff') : t('notes.versions.emptyReader')}</p>
        </div>
      ) : (
        <ol className="note-version-list" data-testid="note-version-list" reversed>
          {data.versions.map((v) => (
            <li key={v.id} className="card note-version" data-testid="note-version">
              <h2 className="card-title">
                <Link to={`${notePath}/versions/${v.id}`}>
                  <UserText>{v.name}</UserText>
                </Link>
              </h2>
              <p className="card-meta">
                {v.createdByName ? translateIsolated(t, 'notes.versions.by', { name: v.createdByName }, ['name']) : t('notes.versions.byUnknown')}
                {' · '}
                <time dateTime={v.createdAt}>{formatUtc(i18n.language, v.createdAt)}</time>
              </p>
            </li>
          ))}
        </ol>
      )}
      <p>
        <Link to={notePath}>{t('notes.versions.backToNote')}</Link>
      </p>
    </div>
  );
}
