/**
 * One synthesis note. Without JavaScript (and until the editor has loaded) the note's text is
 * the server's HTML; then the live co-editor takes its place (app/editor/collab/LiveNote.tsx).
 * Moderators lock it for review and reopen it, rapporteurs sign it off (the forms offer only
 * what `note.actions` allows); moderators, rapporteurs and admins name versions until it is
 * signed off. "Last changed" is the time of the last change to the text; the live editor moves
 * it as changes arrive.
 */
import { redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator, useSearchParams } from '@remix-run/react';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { FormKeyInput } from '../components/Field';
import { formatUtc } from '../components/utc-date';
import { notesWritable } from '../consultations/phases';
import { canNameVersion } from '../notes/access';
import { mayReadCompilation } from '../compilation/access';
import { opensWithTitle } from '../notes/note-title';
import { consultationLabels, loadNote } from '../components/notes/note-pages.server';
import { NoteStatusBadge, scopeLabel } from '../components/notes/note-ui';
import { NoteSources, useLiveSources } from '../components/notes/sources';
import { NoteDownloads } from '../components/exports/Downloads';
import { UserText } from '../components/UserText';
import { citationsIn } from '../notes/citation-node';
import { LiveNote } from '../editor/collab/LiveNote';
import editorStyles from '../styles/editor.css';
import notesStyles from '../styles/notes.css';
import { handleIntents, intentForm, refusedIntent } from '../utils/forms.server';
import { pageTitle, requireUser } from '../utils/http.server';
import { noteStatusSchema, noteVersionSchema } from '../validation.server';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: editorStyles },
  { rel: 'stylesheet', href: notesStyles },
];

/** What `?done=` may announce. */
const DONE = ['opened', 'lock', 'reopen', 'finalise', 'version', 'restored', 'unchanged'] as const;

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const { t, services } = context;
  const { consultation, note } = await loadNote(context, params, user.id);
  const role = await services.accounts.roleIn(user.id, consultation.id);
  const { consultationTitle, groups } = consultationLabels(context, consultation);
  const sources = await services.citations.resolve(user.id, consultation.id, citationsIn(note.content), note.id);
  return {
    title: pageTitle(note.title, t('notes.list.title'), consultationTitle),
    slug: consultation.slug,
    consultationTitle,
    // Only the user's own record, to show them to co-editors as they choose (NoteEditor).
    user: { id: user.id, name: user.name, organisation: user.organisation, stakeholderGroup: user.stakeholderGroup, defaultAttribution: user.defaultAttribution },
    canNameVersion: canNameVersion(note.status, role, consultation.phase),
    // The consultation is final: every note is read-only, whatever its status says (phases.ts).
    notesClosed: !notesWritable(consultation.phase),
    // "Insert a key point" only while the compilation is open to them (the key-points route checks it again).
    canInsertKeyPoints: note.canEdit && mayReadCompilation(role, consultation.phase),
    // The note's text shows the title already: the page's h1 stays, out of sight (note-title.ts).
    titleInText: opensWithTitle(note.content, note.title),
    // The server's clock when the page was made: live "last changed" times are read against it.
    serverNow: new Date().toISOString(),
    // The language its exports are framed in by default (the reader's).
    language: context.language,
    groupLabel: note.stakeholderGroup ? (groups[note.stakeholderGroup] ?? note.stakeholderGroup) : null,
    groups,
    sources,
    note: {
      id: note.id,
      title: note.title,
      status: note.status,
      questionNumber: note.questionNumber,
      updatedAt: note.updatedAt,
      statusChangedAt: note.statusChangedAt,
      canEdit: note.canEdit,
      actions: note.actions,
      html: note.html,
    },
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

/** Lock, reopen or sign off (`status`), or name a version (`version`: sent twice, its key names one). */
export async function action({ params, context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const { services } = context;
  const formData = await request.formData();
  let loaded: Awaited<ReturnType<typeof loadNote>>;
  try {
    loaded = await loadNote(context, params, user.id);
  } catch (error) {
    return refusedIntent(error);
  }
  const { consultation, note } = loaded;
  const path = `/c/${consultation.slug}/notes/${note.id}`;
  return handleIntents(
    formData,
    {
      status: intentForm(
        noteStatusSchema,
        async ({ action }) => {
          await services.notes.setStatus(user.id, note.id, action);
          return redirect(`${path}?done=${action}`);
        },
        { once: true },
      ),
      version: intentForm(
        noteVersionSchema,
        async ({ name }) => {
          // The version's id in the address: the page shows an empty form for the next one.
          const versionId = await services.notes.saveVersion(user.id, note.id, name);
          return redirect(`${path}?done=version&version=${versionId}`);
        },
        { once: true },
      ),
    },
    { context, userId: user.id },
  );
}

/** The status forms' labels. */
const ACTION_LABELS = { lock: 'notes.actions.lock', reopen: 'notes.actions.reopen', finalise: 'notes.actions.finalise' } as const;

export default function NotePage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const busy = navigation.state === 'submitting';
  const note = data.note;
  const base = `/c/${data.slug}/notes`;
  const here = `${base}/${note.id}`;
  const done = params.get('done');
  const doneMessage = done && (DONE as readonly string[]).includes(done) ? t(`notes.done.${done}`) : null;
  const versionError = actionData?.intent === 'version' ? actionData.error : null;
  // A version refused while the page no longer offers the form (the consultation became final): said at the top.
  const statusError = actionData && (actionData.intent !== 'version' || !data.canNameVersion) ? actionData.error : null;

  const live = useLiveSources(data.sources, `${here}/sources`);
  const changedAt = useChangedAt(note.updatedAt, data.serverNow);
  const citing = useMemo(
    () => ({
      sourcesUrl: `${here}/sources`,
      keyPointsUrl: data.canInsertKeyPoints ? `${here}/key-points` : undefined,
      groups: data.groups,
      onCitations: live.setRefs,
      onCited: live.learn,
    }),
    [here, data.canInsertKeyPoints, data.groups, live.setRefs, live.learn],
  );

  // Someone locked, reopened or signed off the note: reload the page's data (badge, forms).
  const onAccessChange = useCallback(
    (next: { status: string }) => {
      if (next.status !== note.status && revalidator.state === 'idle') revalidator.revalidate();
    },
    [note.status, revalidator],
  );

  return (
    <div className="page note-page">
      <Breadcrumbs
        items={[
          { label: data.consultationTitle, to: `/c/${data.slug}` },
          { label: t('notes.list.title'), to: base },
          { label: note.title },
        ]}
      />
      <header className="page-header note-header">
        <p className="eyebrow">{scopeLabel(t, note.questionNumber, data.groupLabel)}</p>
        <h1 id="note-title" className={data.titleInText ? 'visually-hidden' : undefined}>
          <UserText>{note.title}</UserText>
        </h1>
        <p className="note-card-meta">
          <NoteStatusBadge status={note.status} />
          <time dateTime={changedAt.value} className="muted" data-testid="note-changed">
            {t('notes.list.updated', { date: formatUtc(i18n.language, changedAt.value) })}
          </time>
        </p>
      </header>

      {doneMessage ? (
        <p className="notice notice-success" role="status" data-testid="note-done">
          {doneMessage}
        </p>
      ) : (
        <p role="status" className="visually-hidden" />
      )}
      {statusError ? (
        <p className="notice notice-error" role="alert" data-testid="note-action-error">
          {t(statusError)}
        </p>
      ) : null}

      <div className="note-layout">
        <section className="note-main" aria-labelledby="note-title">
          <LiveNote
            noteId={note.id}
            title={note.title}
            html={note.html}
            user={data.user}
            status={note.status}
            canEdit={note.canEdit}
            groupLabel={data.groupLabel}
            onAccessChange={onAccessChange}
            onChanged={changedAt.onChanged}
            citing={citing}
          />
          <NoteSources sources={live.sources} groups={data.groups} />
        </section>

        <aside className="note-side" aria-labelledby="note-manage-heading">
          <h2 id="note-manage-heading" className="note-side-title">
            {t('notes.page.manage')}
          </h2>
          {data.notesClosed ? (
            <p className="notice notice-phase" data-testid="phase-closed">
              {t('phases.readOnly.notes')}
            </p>
          ) : (
            <p className="muted note-status-help">{t(`notes.statusHelp.${note.status}`)}</p>
          )}
          {note.actions.length > 0 ? (
            <div className="note-actions" data-testid="note-status-actions">
              {note.actions.map((a) => (
                <Form key={a} method="post" action={here} className="inline-form">
                  <input type="hidden" name="intent" value="status" />
                  <FormKeyInput />
                  <input type="hidden" name="action" value={a} />
                  <button type="submit" className={`button${a === 'reopen' ? ' button-secondary' : ''}`} disabled={busy} data-testid={`note-action-${a}`}>
                    {t(ACTION_LABELS[a])}
                  </button>
                </Form>
              ))}
            </div>
          ) : null}

          {data.canNameVersion ? (
            <Form key={params.get('version')} method="post" action={here} className="form note-version-form" data-testid="note-version-form" noValidate>
              <input type="hidden" name="intent" value="version" />
              <FormKeyInput />
              <div className={`field${versionError ? ' field-invalid' : ''}`}>
                <label htmlFor="version-name">{t('notes.versions.nameLabel')}</label>
                <input
                  id="version-name"
                  name="name"
                  type="text"
                  required
                  maxLength={200}
                  defaultValue={versionError ? actionData?.values.name : ''}
                  aria-invalid={versionError ? true : undefined}
                  aria-describedby={['version-name-hint', versionError ? 'version-name-error' : ''].filter(Boolean).join(' ')}
                />
                <p className="field-hint" id="version-name-hint">
                  {t('notes.versions.nameHint')}
                </p>
                {versionError ? (
                  <p className="field-error" id="version-name-error" role="alert">
                    {t(versionError)}
                  </p>
                ) : null}
              </div>
              <button type="submit" className="button button-secondary" disabled={busy}>
                {t('notes.versions.save')}
              </button>
            </Form>
          ) : null}

          <p>
            <Link to={`${here}/versions`} data-testid="note-versions-link">
              {t('notes.versions.link')}
            </Link>
          </p>

          <NoteDownloads href={here} language={data.language} />
        </aside>
      </div>
    </div>
  );
}

/**
 * The note's "last changed" time: the loader's, moved to now (on the server's clock, as far as the
 * page can tell) whenever the live editor sees the text change. A reload shows the stored time.
 */
function useChangedAt(stored: string, serverNow: string) {
  const [offset] = useState(() => (typeof window === 'undefined' ? 0 : Date.parse(serverNow) - Date.now()));
  const [changed, setChanged] = useState<string | null>(null);
  const onChanged = useCallback(() => setChanged(new Date(Date.now() + offset).toISOString()), [offset]);
  // Whichever is later: a revalidation may bring a newer stored time (ISO times in UTC compare as text).
  const value = changed && changed > stored ? changed : stored;
  return { value, onChanged };
}
