/**
 * One named version of a note, read-only: its text (server HTML), the word diff between it and
 * the current text (<ins>/<del>, with a text legend and hidden markers for screen readers), and,
 * for moderators, rapporteurs and admins while the note is editable, "Restore this version"
 * (applied to the live document as a new change: co-editors see it at once, nothing is lost).
 */
import { redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { formatUtc } from '../components/utc-date';
import { can } from '../accounts/roles';
import { NoteSources } from '../components/notes/sources';
import { citationsIn } from '../notes/citation-node';
import { consultationLabels, loadNote } from '../components/notes/note-pages.server';
import { NoteStatusBadge } from '../components/notes/note-ui';
import { translateIsolated, UserText } from '../components/UserText';
import editorStyles from '../styles/editor.css';
import notesStyles from '../styles/notes.css';
import { isDomainError } from '../utils/errors';
import { handleIntents, intentForm, refusedIntent } from '../utils/forms.server';
import { idOf, notFound, pageTitle, requireUser } from '../utils/http.server';
import { noteRestoreSchema } from '../validation.server';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: editorStyles },
  { rel: 'stylesheet', href: notesStyles },
];

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const { t, services } = context;
  const { consultation, note } = await loadNote(context, params, user.id);
  const versionId = idOf(params.versionId);
  const [version, role] = await Promise.all([
    services.notes.version(note.id, versionId, user.id).catch((error: unknown) => {
      if (isDomainError(error) && error.code === 'not_found') notFound();
      throw error;
    }),
    services.accounts.roleIn(user.id, consultation.id),
  ]);
  const { consultationTitle, groups } = consultationLabels(context, consultation);
  const sources = await services.citations.resolve(user.id, consultation.id, citationsIn(version.content));
  const changed = version.diff.some((part) => part.type !== 'same');
  return {
    title: pageTitle(version.name, t('notes.versions.title'), note.title, consultationTitle),
    slug: consultation.slug,
    consultationTitle,
    note: { id: note.id, title: note.title, status: note.status },
    canRestore: can(role, 'content.review') && note.canEdit,
    changed,
    groups,
    sources,
    version: {
      id: version.id,
      name: version.name,
      createdAt: version.createdAt,
      createdByName: version.createdByName ?? null,
      html: version.html,
      diff: version.diff,
    },
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export async function action({ params, context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const versionId = idOf(params.versionId);
  const formData = await request.formData();
  let loaded: Awaited<ReturnType<typeof loadNote>>;
  try {
    loaded = await loadNote(context, params, user.id);
  } catch (error) {
    return refusedIntent(error);
  }
  const { consultation, note } = loaded;
  // The version is the page's own (its URL), not a form field.
  formData.set('versionId', String(versionId));
  return handleIntents(
    formData,
    {
      restore: intentForm(noteRestoreSchema, async ({ versionId }) => {
        const changed = await context.services.notes.restore(user.id, note.id, versionId);
        return redirect(`/c/${consultation.slug}/notes/${note.id}?done=${changed ? 'restored' : 'unchanged'}`);
      }),
    },
    { context, userId: user.id },
  );
}

export default function NoteVersionPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const base = `/c/${data.slug}/notes`;
  const notePath = `${base}/${data.note.id}`;
  const v = data.version;

  return (
    <div className="page note-version-page">
      <Breadcrumbs
        items={[
          { label: data.consultationTitle, to: `/c/${data.slug}` },
          { label: t('notes.list.title'), to: base },
          { label: data.note.title, to: notePath },
          { label: t('notes.versions.title'), to: `${notePath}/versions` },
          { label: v.name },
        ]}
      />
      <header className="page-header">
        <p className="eyebrow">{translateIsolated(t, 'notes.versions.eyebrow', { title: data.note.title }, ['title'])}</p>
        <h1>
          <UserText>{v.name}</UserText>
        </h1>
        <p className="note-card-meta">
          <NoteStatusBadge status={data.note.status} />
          <span className="muted">
            {v.createdByName ? translateIsolated(t, 'notes.versions.by', { name: v.createdByName }, ['name']) : t('notes.versions.byUnknown')}
            {' · '}
            <time dateTime={v.createdAt}>{formatUtc(i18n.language, v.createdAt)}</time>
          </span>
        </p>
      </header>

      {actionData ? (
        <p className="notice notice-error" role="alert" data-testid="note-restore-error">
          {t(actionData.error)}
        </p>
      ) : null}

      {data.canRestore ? (
        <Form method="post" className="note-restore-form" data-testid="note-restore-form">
          <input type="hidden" name="intent" value="restore" />
          <p className="muted" id="restore-hint">
            {t('notes.versions.restoreHint')}
          </p>
          <button type="submit" className="button" disabled={busy} aria-describedby="restore-hint">
            {t('notes.versions.restore')}
          </button>
        </Form>
      ) : null}

      <section className="section" aria-labelledby="version-text-heading">
        <h2 id="version-text-heading">{t('notes.versions.text')}</h2>
        <div className="ed note-editor">
          <div
            className="ed-input note-content note-static"
            data-testid="note-version-html"
            // Safe: built by the server from a whitelist (note-document.server.ts renderHtml).
            dangerouslySetInnerHTML={{ __html: v.html }}
          />
        </div>
        <NoteSources sources={data.sources} groups={data.groups} />
      </section>

      <section className="section" aria-labelledby="version-diff-heading">
        <h2 id="version-diff-heading">{t('notes.diff.title')}</h2>
        {data.changed ? (
          <>
            <p className="note-diff-legend" id="diff-legend">
              {t('notes.diff.legendIntro')} <ins className="note-ins">{t('notes.diff.legendAdded')}</ins>
              {' · '}
              <del className="note-del">{t('notes.diff.legendRemoved')}</del>
            </p>
            <div className="note-diff" data-testid="note-diff" aria-describedby="diff-legend">
              {v.diff.map((part, i) =>
                part.type === 'added' ? (
                  <ins key={i} className="note-ins">
                    <span className="visually-hidden">{t('notes.diff.addedStart')}</span>
                    {part.text}
                    <span className="visually-hidden">{t('notes.diff.addedEnd')}</span>
                  </ins>
                ) : part.type === 'removed' ? (
                  <del key={i} className="note-del">
                    <span className="visually-hidden">{t('notes.diff.removedStart')}</span>
                    {part.text}
                    <span className="visually-hidden">{t('notes.diff.removedEnd')}</span>
                  </del>
                ) : (
                  <span key={i}>{part.text}</span>
                ),
              )}
            </div>
          </>
        ) : (
          <p className="muted" data-testid="note-diff-same">
            {t('notes.diff.same')}
          </p>
        )}
      </section>

      <p>
        <Link to={`${notePath}/versions`}>{t('notes.versions.backToList')}</Link>
        {' · '}
        <Link to={notePath}>{t('notes.versions.backToNote')}</Link>
      </p>
    </div>
  );
}
