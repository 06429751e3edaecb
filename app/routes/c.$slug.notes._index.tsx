/**
 * The consultation's synthesis notes (signed-in readers): status, scope, last change. Moderators
 * also get a form to open a note for the whole consultation or one question, optionally drafted
 * by one stakeholder group (notes.open seeds it on the server, then the page goes to it).
 */
import { redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useForm } from '@conform-to/react';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { can } from '../accounts/roles';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { ErrorSummary, Field, FormKeyInput, SelectField } from '../components/Field';
import { formatUtc } from '../components/utc-date';
import { consultationLabels } from '../components/notes/note-pages.server';
import { NoteStatusBadge, scopeLabel } from '../components/notes/note-ui';
import { UserText } from '../components/UserText';
import { localize } from '../consultations/localize';
import notesStyles from '../styles/notes.css';
import { handleForm } from '../utils/forms.server';
import { pageTitle, requireConsultation, requireUser } from '../utils/http.server';
import { openNoteSchema } from '../validation.server';
import { notesWritable } from '../consultations/phases';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: notesStyles }];

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const { services, t, language } = context;
  const consultation = await requireConsultation(context, params.slug);
  const [notes, role, questions] = await Promise.all([
    services.notes.list(consultation.id, user.id),
    services.accounts.roleIn(user.id, consultation.id),
    services.consultations.listQuestions(consultation.id),
  ]);
  const { consultationTitle, groups } = consultationLabels(context, consultation);
  // `?question=2` (from a question's page) shows that question's notes only.
  const wanted = new URL(request.url).searchParams.get('question');
  const filtered = wanted ? (questions.find((q) => q.number === wanted) ?? null) : null;
  const question = filtered?.number ?? null;
  return {
    question,
    questionId: filtered?.id ?? null,
    title: pageTitle(t('notes.list.title'), consultationTitle),
    slug: consultation.slug,
    consultationTitle,
    groups,
    // No new note once the consultation is final (phases.ts).
    canOpen: can(role, 'moderation.act') && notesWritable(consultation.phase),
    questions: questions.map((q) => {
      const text = localize(q.text, language, consultation.sourceLanguage);
      return { id: q.id, number: q.number, text: text?.text ?? '', lang: text?.lang ?? consultation.sourceLanguage };
    }),
    notes: notes.filter((n) => question === null || n.questionNumber === question).map((n) => ({
      id: n.id,
      title: n.title,
      status: n.status,
      questionNumber: n.questionNumber,
      stakeholderGroup: n.stakeholderGroup,
      updatedAt: n.updatedAt,
      canEdit: n.canEdit,
    })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

/** A moderator opens a note; sent twice (its key), the form opens it once and goes to it both times. */
export async function action({ params, context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const consultation = await requireConsultation(context, params.slug);
  return handleForm(await request.formData(), {
    schema: openNoteSchema,
    once: { context, userId: user.id },
    run: async (input) => {
      const id = await context.services.notes.open(user.id, consultation.id, input);
      return redirect(`/c/${consultation.slug}/notes/${id}?done=opened`);
    },
  });
}

export default function NotesPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const base = `/c/${data.slug}/notes`;
  const lastResult = actionData?.result;
  const [form, fields] = useForm<{ questionId: string; stakeholderGroup: string; title: string }>({
    id: 'open-note',
    lastResult,
    defaultValue: { questionId: data.questionId ? String(data.questionId) : '' },
  });
  const labels = { questionId: t('notes.open.question'), stakeholderGroup: t('notes.open.group'), title: t('notes.open.titleLabel') };

  return (
    <div className="page notes-page">
      <Breadcrumbs items={[{ label: data.consultationTitle, to: `/c/${data.slug}` }, { label: t('notes.list.title') }]} />
      <header className="page-header">
        <p className="eyebrow">{data.consultationTitle}</p>
        <h1>{t('notes.list.title')}</h1>
        <p className="lead">{t('notes.list.intro')}</p>
        {data.question ? (
          <p className="note-filter" data-testid="notes-filter">
            {t('notes.list.filtered', { number: data.question })} <Link to={base}>{t('notes.list.showAll')}</Link>
          </p>
        ) : null}
      </header>

      {data.notes.length === 0 ? (
        <div className="empty-state" data-testid="notes-empty">
          <p className="empty-title">{t('notes.list.empty')}</p>
          <p className="muted">{data.canOpen ? t('notes.list.emptyModerator') : t('notes.list.emptyReader')}</p>
        </div>
      ) : (
        <ul className="note-list" data-testid="note-list">
          {data.notes.map((note) => (
            <li key={note.id} className="card note-card" data-testid="note-card">
              <h2 className="card-title">
                <Link to={`${base}/${note.id}`}>
                  <UserText>{note.title}</UserText>
                </Link>
              </h2>
              <p className="note-card-meta">
                <NoteStatusBadge status={note.status} />
                <span className="note-scope">{scopeLabel(t, note.questionNumber, note.stakeholderGroup ? (data.groups[note.stakeholderGroup] ?? note.stakeholderGroup) : null)}</span>
              </p>
              <p className="card-meta">
                <time dateTime={note.updatedAt}>{t('notes.list.updated', { date: formatUtc(i18n.language, note.updatedAt) })}</time>
                {' · '}
                {note.canEdit ? t('notes.list.youCanEdit') : t('notes.list.youCanRead')}
              </p>
            </li>
          ))}
        </ul>
      )}

      {/* A form sent from a page loaded before the consultation became final: no form to show the refusal in. */}
      {!data.canOpen ? <ErrorSummary errors={lastResult?.error} labels={labels} /> : null}
      {data.canOpen ? (
        <section className="section note-open" aria-labelledby="open-note-heading">
          <h2 id="open-note-heading">{t('notes.open.title')}</h2>
          <p className="muted">{t('notes.open.hint')}</p>
          <Form method="post" className="form note-open-form" data-testid="note-open-form" noValidate id={form.id} onSubmit={form.onSubmit}>
            <ErrorSummary errors={lastResult?.error} labels={labels} />
            <input type="hidden" name="intent" value="open" />
            <FormKeyInput />
            <SelectField
              field={fields.questionId}
              label={labels.questionId}
              placeholder={t('notes.open.wholeConsultation')}
              options={data.questions.map((q) => ({ value: String(q.id), label: t('notes.open.questionOption', { number: q.number, text: truncate(q.text, 90) }) }))}
            />
            <SelectField
              field={fields.stakeholderGroup}
              label={labels.stakeholderGroup}
              hint={t('notes.open.groupHint')}
              placeholder={t('notes.open.allGroups')}
              options={Object.entries(data.groups).map(([id, label]) => ({ value: id, label }))}
            />
            <Field field={fields.title} label={labels.title} type="text" required maxLength={200} />
            <p className="actions">
              <button type="submit" className="button" disabled={busy}>
                {t('notes.open.submit')}
              </button>
            </p>
          </Form>
        </section>
      ) : null}
    </div>
  );
}

function truncate(text: string, max: number) {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}
