/**
 * The compilation of a question (issue 12): its sources on one side (one thread at a time,
 * `?sq=2.4` or `?sq=general`, paged), its key points on the other, then the coverage table and
 * the "not yet reflected" list. Moderators, rapporteurs and admins read it; participants once the
 * consultation is in `synthesis` or `final` (app/compilation/access.ts). Moderators and admins
 * write with plain forms (create, edit, move, merge, clip a whole contribution, a clip's stance)
 * and, with JavaScript, clip a selected passage (ClipSelection, the same action's `clip` intent).
 * Every write goes through services.compilation, which tells the live room after commit; open
 * pages then reload their own data (useCompilationRoom), each through this loader's rules.
 */
import crypto from 'node:crypto';
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useFetcher, useLoaderData, useSearchParams } from '@remix-run/react';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ReportDownloads } from '../components/exports/Downloads';
import { can } from '../accounts/roles';
import { mayEditCompilation, mayReadCompilation } from '../compilation/access';
import {
  clipSchema,
  clipWholeSchema,
  editKeyPointSchema,
  HEADING_MAX,
  keyPointSchema,
  mergeSchema,
  moveSchema,
  notYetReflectedSchema,
  setStanceSchema,
  SUMMARY_MAX,
} from '../compilation/compilation.schema';
import { searchedSources, subQuestionCaseStudies, threadNumbersOf, threadPosts, threadsOf, type PageSource } from '../compilation/sources.server';
import { searchAllowed } from '../search/search-limit.server';
import { QUERY_MAX_CHARS } from '../search/search-types';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { caseStudyHref, postOnItsPageHref } from '../contributions/links';
import { LiveBar } from '../components/posts/LiveBar';
import { AuthorLine } from '../components/UserText';
import { FormKeyInput } from '../components/Field';
import { consultationTitle, groupLabels, localize } from '../consultations/localize';
import { useCompilationRoom } from '../live/useCompilationRoom';
import type { PublicAuthor } from '../contributions/attribution';
import compilationStyles from '../styles/compilation.css';
import { isDomainError } from '../utils/errors';
import { handleIntents, intentForm, type IntentReply } from '../utils/forms.server';
import { notFound, pageTitle, requireConsultation, requireUser } from '../utils/http.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: compilationStyles }];

const STANCES = ['supports', 'qualifies', 'disagrees'] as const;

async function resolveQuestion(context: LoaderFunctionArgs['context'], request: Request, params: LoaderFunctionArgs['params']) {
  const user = requireUser(context, request);
  const consultation = await requireConsultation(context, params.slug);
  const question = await context.services.consultations.getQuestion(consultation.id, params.question ?? '');
  if (!question) notFound();
  const role = await context.services.accounts.roleIn(user.id, consultation.id);
  // Signed in but not (yet) a reader: refused as the moderation pages refuse.
  if (!mayReadCompilation(role, consultation.phase)) throw new Response('Forbidden', { status: 403 });
  return { user, consultation, question, role, canEdit: mayEditCompilation(role, consultation.phase) };
}

/** Clips a key point shows when its tools are not open: a question of 1,000 clips stays a light page. */
const CLIPS_SHOWN = 3;

/** Every clip of an opened point; else every clip whose source changed, and fresh ones up to CLIPS_SHOWN, in their order. */
function shownClips<C extends { state: string }>(clips: C[], all: boolean): C[] {
  if (all) return clips;
  let fresh = Math.max(0, CLIPS_SHOWN - clips.filter((c) => c.state !== 'fresh').length);
  return clips.filter((c) => c.state !== 'fresh' || fresh-- > 0);
}

/** A positive integer from the query string, or `fallback`. */
const positive = (value: string | null, fallback = 0) => (value && /^\d{1,10}$/.test(value) ? Number(value) : fallback);

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const { services, language, t } = context;
  const { user, consultation, question, role, canEdit } = await resolveQuestion(context, request, params);
  const db = services.db;
  const viewer = { consultationId: consultation.id, userId: user.id, role };
  const url = new URL(request.url);
  const source = consultation.sourceLanguage;

  // The sources side: one thread at a time (the first sub-question's unless asked).
  const threads = await threadsOf(db, question.id);
  const subNumber = (id: number | null) => (id === null ? null : (question.subQuestions.find((s) => s.id === id)?.number ?? null));
  const choices = [
    ...question.subQuestions.flatMap((s) => {
      const thread = threads.find((th) => th.subQuestionId === s.id);
      return thread ? [{ key: s.number, threadId: thread.id, subQuestionId: s.id as number | null, label: t('question.subQuestionLabel', { number: s.number }) }] : [];
    }),
    ...threads.filter((th) => th.subQuestionId === null).map((th) => ({ key: 'general', threadId: th.id, subQuestionId: null as number | null, label: t('question.general') })),
  ];
  const chosen = choices.find((c) => c.key === url.searchParams.get('sq')) ?? choices[0] ?? null;

  const parsedFilters = notYetReflectedSchema.safeParse({
    subQuestionId: url.searchParams.get('subQuestion') ?? undefined,
    group: url.searchParams.get('group') ?? undefined,
    language: url.searchParams.get('language') ?? undefined,
    cursor: url.searchParams.get('cursor') ?? undefined,
  });
  const filters = parsedFilters.success ? parsedFilters.data : { limit: 25 };
  // A search of the question's sources (`?q=`) takes the place of the thread's list.
  const q = url.searchParams.get('q');
  const searchPage = positive(url.searchParams.get('qpage'), 1) || 1;
  const busy = q !== null && q.trim() !== '' && !(await searchAllowed(context, 'page')).ok;

  const [compilation, coverage, unreflected, posts, caseStudies, searched] = await Promise.all([
    services.compilation.list(user.id, question.id),
    services.compilation.coverage(user.id, consultation.id, question.id),
    services.compilation.notYetReflected(user.id, consultation.id, question.id, filters).catch((error: unknown) => {
      // A cursor that no longer exists: said on the list, which starts again.
      if (isDomainError(error)) return { items: [], next: null, error: error.messageKey };
      throw error;
    }),
    chosen ? threadPosts(db, viewer, chosen.threadId, positive(url.searchParams.get('after'))) : null,
    chosen?.subQuestionId ? subQuestionCaseStudies(db, viewer, chosen.subQuestionId, positive(url.searchParams.get('csAfter'))) : null,
    q === null ? null : busy ? { items: [], total: 0, page: 1, pages: 1, problem: 'busy' as const } : searchedSources(db, services.search, viewer, question.id, q, searchPage),
  ]);
  const postIds = [
    ...(searched?.items.filter((i) => i.kind === 'post').map((i) => i.id) ?? []),
    ...compilation.keyPoints.flatMap((p) => p.clips.filter((c) => c.source.kind === 'post').map((c) => c.source.id)),
    ...unreflected.items.filter((i) => i.kind === 'post').map((i) => i.id),
  ];
  const threadOfPost = await threadNumbersOf(db, postIds);
  const languageNames = new Intl.DisplayNames([language], { type: 'language', fallback: 'code' });
  const languages = Object.fromEntries((consultation.languages as string[]).concat(coverage.flatMap((r) => (r.language ? [r.language] : []))).map((l) => [l, languageNames.of(l) ?? l]));

  return {
    title: pageTitle(t('compilation.page.title', { number: question.number }), consultationTitle(consultation, language)),
    slug: consultation.slug,
    // Moderators, rapporteurs and admins download this question's report and its contributions.
    reports: can(role, 'exports.report'),
    language,
    consultationTitle: consultationTitle(consultation, language),
    questionId: question.id,
    number: question.number,
    text: localize(question.text, language, source)!,
    phase: consultation.phase,
    canEdit: canEdit && compilation.canEdit,
    groups: groupLabels(consultation, language),
    languages,
    subQuestions: question.subQuestions.map((s) => ({ id: s.id, number: s.number })),
    choices: choices.map(({ key, label }) => ({ key, label })),
    chosen: chosen ? { key: chosen.key, label: chosen.label, subQuestionNumber: subNumber(chosen.subQuestionId) } : null,
    posts,
    caseStudies,
    search: searched && q !== null ? { q: q.trim().slice(0, QUERY_MAX_CHARS * 2), ...searched } : null,
    // What the page shows of each clip (no fingerprint, offsets or timestamps: a smaller page);
    // all of an opened point's clips, else the stale ones and the first fresh ones (CLIPS_SHOWN).
    keyPoints: compilation.keyPoints.map(({ clips, createdAt: _c, updatedAt: _u, language: _l, ...point }) => ({
      ...point,
      clipCount: clips.length,
      clips: shownClips(clips, point.id === positive(url.searchParams.get('tools'))).map((c) => ({ id: c.id, source: c.source, field: c.field, quote: c.quote, stance: c.stance, state: c.state, currentWords: c.currentWords, foundAt: c.foundAt, author: c.author, language: c.language })),
    })),
    threadOfPost,
    coverage,
    unreflected,
    filters: {
      subQuestion: url.searchParams.get('subQuestion') ?? '',
      group: url.searchParams.get('group') ?? '',
      language: url.searchParams.get('language') ?? '',
      invalid: !parsedFilters.success,
    },
    // The no-JavaScript "new key point" form's retry key on the service side (a double submit stores once).
    clientId: crypto.randomBytes(12).toString('base64url'),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

/** Every write, without JavaScript and with it (the passage clip's fetcher): one code path, the service's. */
export async function action({ params, context, request }: ActionFunctionArgs) {
  const { user, question } = await resolveQuestion(context, request, params);
  const { compilation } = context.services;
  const url = new URL(request.url);
  url.searchParams.delete('index');
  const back = (keyPointId?: number) => redirect(`${url.pathname}${url.search}${keyPointId ? `#key-point-${keyPointId}` : '#key-points-heading'}`);
  const questionId = question.id;
  const form = await request.formData();
  // "Into an existing key point" chosen: the new point's heading field (left as it was) does not count.
  if (form.get('keyPointId')) for (const name of [...form.keys()]) if (name.startsWith('newKeyPoint.')) form.delete(name);
  return handleIntents(
    form,
    {
      create: intentForm(keyPointSchema, async (input) => back(await compilation.createKeyPoint(user.id, questionId, input)), { once: true }),
      edit: intentForm(editKeyPointSchema, async ({ keyPointId, ...input }) => {
        await compilation.editKeyPoint(user.id, keyPointId, input);
        return back(keyPointId);
      }),
      move: intentForm(moveSchema, async (input) => {
        await compilation.move(user.id, input);
        return back(input.keyPointId);
      }),
      merge: intentForm(mergeSchema, async (input) => {
        await compilation.merge(user.id, input);
        return back(input.survivorId);
      }),
      clipWhole: intentForm(clipWholeSchema, async (input) => back((await compilation.clipWhole(user.id, { ...input, questionId })).keyPointId), { once: true }),
      // The passage clip is sent by a fetcher: answered with what was stored, the page reloads its data.
      clip: intentForm(clipSchema, async (input) => json({ ok: true as const, ...(await compilation.clip(user.id, { ...input, questionId })) })),
      stance: intentForm(setStanceSchema, async (input) => {
        await compilation.setStance(user.id, input);
        return back();
      }),
    },
    { context, userId: user.id },
  );
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type PointView = Data['keyPoints'][number];
type ClipShown = PointView['clips'][number];

/**
 * The forms opened on demand (one key point's tools: edit, merge, stances; one source's "clip
 * whole" form), by the URL (`?tools=12`, `?clip=post-34`) or by a refusal to show again: a page of
 * 100 key points and 1,000 clips would otherwise carry 1,000 stance forms and 10,000 options.
 */
interface Opened {
  point: number | null;
  source: string | null;
  /** The page's address with one on-demand form opened (or none), the others closed. */
  href: (open: { tools?: number; clip?: string }, hash: string) => string;
}
type Refusal = IntentReply | undefined;

/** The refusal of the form `intent` (about `key`=`value` when given), if that is what came back. */
const refusalOf = (reply: Refusal, intent: string, key?: string, value?: number | string) =>
  reply && reply.intent === intent && (key === undefined || reply.values[key] === String(value)) ? reply : undefined;

/** Whether the form a refusal came from is on the page, to show it there (else it is said at the top). */
function shownByItsForm(data: Data, reply: IntentReply): boolean {
  const point = (id: string | undefined) => data.keyPoints.some((p) => String(p.id) === id);
  const v = reply.values;
  switch (reply.intent) {
    case 'create':
      return true;
    case 'edit':
    case 'move':
      return point(v.keyPointId);
    case 'merge':
      return point(v.mergedId);
    case 'stance':
      return data.keyPoints.some((p) => p.clips.some((c) => String(c.id) === v.clipId));
    case 'clipWhole':
      return [...(data.posts?.items ?? []), ...(data.caseStudies?.items ?? [])].some((s) => s.kind === v.sourceKind && String(s.id) === v.sourceId);
    default:
      return false;
  }
}

export default function CompilationPage() {
  const data = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>() as Refusal;
  const { t } = useTranslation();
  const { connection, problem } = useCompilationRoom(data.questionId);
  const groupLabel = (id: string) => data.groups[id] ?? id;
  const base = `/c/${data.slug}/q/${data.number}/compilation`;
  // Which key points already quote each source, for the sources side.
  const clippedInto = useMemo(() => {
    const map = new Map<string, number[]>();
    for (const p of data.keyPoints) for (const c of p.clips) {
      const key = `${c.source.kind}:${c.source.id}`;
      const list = map.get(key) ?? [];
      if (!list.includes(p.position)) list.push(p.position);
      map.set(key, list);
    }
    return map;
  }, [data.keyPoints]);
  // A refusal with no form of the page to show it (a reader's form sent anyway, an unknown intent): said at the top.
  const stray = reply && !(data.canEdit && shownByItsForm(data, reply)) ? reply : undefined;
  const [params] = useSearchParams();
  const opened: Opened = useMemo(() => {
    const v = reply?.values ?? {};
    const replyPoint =
      reply?.intent === 'edit' || reply?.intent === 'move' ? Number(v.keyPointId) : reply?.intent === 'merge' ? Number(v.mergedId) : reply?.intent === 'stance' ? (data.keyPoints.find((p) => p.clips.some((c) => String(c.id) === v.clipId))?.id ?? null) : null;
    return {
      point: replyPoint ?? (positive(params.get('tools')) || null),
      source: reply?.intent === 'clipWhole' ? `${v.sourceKind}-${v.sourceId}` : params.get('clip'),
      href: (open, hash) => {
        const next = new URLSearchParams(params);
        next.delete('tools');
        next.delete('clip');
        if (open.tools) next.set('tools', String(open.tools));
        if (open.clip) next.set('clip', open.clip);
        const search = next.toString();
        return `${base}${search ? `?${search}` : ''}#${hash}`;
      },
    };
  }, [reply, params, data.keyPoints, base]);

  return (
    <div className="page compilation-page">
      <Breadcrumbs
        items={[
          { label: data.consultationTitle, to: `/c/${data.slug}` },
          { label: t('question.title', { number: data.number }), to: `/c/${data.slug}/q/${data.number}` },
          { label: t('compilation.page.crumb') },
        ]}
      />
      <header className="page-header">
        <p className="eyebrow">{t('compilation.page.title', { number: data.number })}</p>
        <h1>{data.text.text}</h1>
        <nav aria-label={t('compilation.page.sections')}>
          <ul className="compilation-sections">
            <li><a href="#sources-heading">{t('compilation.page.sources')}</a></li>
            <li><a href="#key-points-heading">{t('compilation.page.keyPoints')}</a></li>
            <li><a href="#coverage-heading">{t('compilation.coverage.title')}</a></li>
            <li><a href="#unreflected-heading">{t('compilation.unreflected.title')}</a></li>
          </ul>
        </nav>
      </header>

      <LiveBar connection={connection} problem={problem} readers={null} typing={[]} groupLabel={groupLabel} />
      {stray ? (
        <p className="notice notice-error" role="alert">
          {t(stray.error)}
        </p>
      ) : null}

      <div className="compilation-columns">
        <SourcesSide data={data} base={base} clippedInto={clippedInto} groupLabel={groupLabel} reply={reply} opened={opened} />
        <KeyPointsSide data={data} reply={reply} groupLabel={groupLabel} opened={opened} />
      </div>

      <CoverageSection data={data} groupLabel={groupLabel} />
      <UnreflectedSection data={data} base={base} groupLabel={groupLabel} />

      {data.reports ? (
        <ReportDownloads
          slug={data.slug}
          question={data.number}
          language={data.language}
          heading={t('exports.ui.questionHeading', { number: data.number })}
          data={[{ label: t('exports.ui.contributions'), href: `/c/${data.slug}/q/${data.number}/contributions` }]}
        />
      ) : null}
    </div>
  );
}

/* ----------------------------------------------------------------------------------------- */

function SourcesSide({ data, base, clippedInto, groupLabel, reply, opened }: { data: Data; base: string; clippedInto: Map<string, number[]>; groupLabel: (id: string) => string; reply: Refusal; opened: Opened }) {
  const { t } = useTranslation();
  const sq = data.chosen?.key ?? '';
  const page = (name: 'after' | 'csAfter', value: number) => `${base}?${new URLSearchParams({ sq, [name]: String(value) })}#sources-heading`;
  return (
    <section aria-labelledby="sources-heading" className="compilation-sources">
      <h2 id="sources-heading">{t('compilation.page.sources')}</h2>
      <SourcesSearchForm data={data} base={base} />
      {data.search ? (
        <SearchedSourcesList data={data} base={base} clippedInto={clippedInto} groupLabel={groupLabel} reply={reply} opened={opened} />
      ) : (
        <>
          <form method="get" action={base} className="compilation-thread-form">
            <label htmlFor="sq">{t('compilation.page.thread')}</label>
            <select id="sq" name="sq" defaultValue={sq}>
              {data.choices.map((c) => (
                <option key={c.key} value={c.key}>
                  {c.label}
                </option>
              ))}
            </select>
            <button type="submit" className="button button-small button-secondary">
              {t('compilation.page.show')}
            </button>
          </form>
          {data.chosen && data.posts ? (
            <>
              <h3>{t('compilation.page.posts', { thread: data.chosen.label, count: data.posts.total })}</h3>
              {data.posts.items.length === 0 ? <p className="muted">{t('compilation.page.noPosts')}</p> : null}
              <SourceList sources={data.posts.items} data={data} clippedInto={clippedInto} groupLabel={groupLabel} reply={reply} opened={opened} />
              {data.posts.next ? (
                <p>
                  <Link to={page('after', data.posts.next)}>{t('compilation.page.morePosts')}</Link>
                </p>
              ) : null}
              {data.caseStudies ? (
                <>
                  <h3>{t('compilation.page.caseStudies', { count: data.caseStudies.total })}</h3>
                  {data.caseStudies.items.length === 0 ? <p className="muted">{t('compilation.page.noCaseStudies')}</p> : null}
                  <SourceList sources={data.caseStudies.items} data={data} clippedInto={clippedInto} groupLabel={groupLabel} reply={reply} opened={opened} />
                  {data.caseStudies.next ? (
                    <p>
                      <Link to={page('csAfter', data.caseStudies.next)}>{t('compilation.page.moreCaseStudies')}</Link>
                    </p>
                  ) : null}
                </>
              ) : null}
            </>
          ) : null}
        </>
      )}
      {data.canEdit ? <ClipSelection data={data} /> : null}
    </section>
  );
}

/**
 * The search of the question's sources (app/search): words with or without accents, singular or
 * plural, "phrases", -exclusions, prefix*. A plain GET form: its results replace the thread's list.
 */
function SourcesSearchForm({ data, base }: { data: Data; base: string }) {
  const { t } = useTranslation();
  return (
    <form method="get" action={`${base}#sources-heading`} className="compilation-search-form" role="search">
      <label htmlFor="sources-q">{t('compilation.page.searchLabel')}</label>
      <div className="compilation-search-row">
        {data.chosen ? <input type="hidden" name="sq" value={data.chosen.key} /> : null}
        <input id="sources-q" name="q" type="search" defaultValue={data.search?.q ?? ''} maxLength={QUERY_MAX_CHARS * 4} aria-describedby={data.search?.problem ? 'sources-search-problem' : undefined} />
        <button type="submit" className="button button-small button-secondary">
          {t('compilation.page.searchButton')}
        </button>
      </div>
    </form>
  );
}

/** The sources the search found, a page at a time, each with the same tools as in its thread. */
function SearchedSourcesList({ data, base, clippedInto, groupLabel, reply, opened }: { data: Data; base: string; clippedInto: Map<string, number[]>; groupLabel: (id: string) => string; reply: Refusal; opened: Opened }) {
  const { t } = useTranslation();
  const search = data.search!;
  // The thread chosen before searching stays chosen, for "back" and from page to page.
  const sq: Record<string, string> = data.chosen ? { sq: data.chosen.key } : {};
  const pageHref = (n: number) => `${base}?${new URLSearchParams({ ...sq, q: search.q, qpage: String(n) })}#sources-heading`;
  return (
    <>
      <p>
        <Link to={`${base}?${new URLSearchParams(sq)}#sources-heading`}>{t('compilation.page.searchBack')}</Link>
      </p>
      {search.problem ? (
        <p className="notice notice-error" id="sources-search-problem" role="status">
          {t(`search.problem.${search.problem}`, { max: QUERY_MAX_CHARS })}
        </p>
      ) : (
        <>
          <h3 role="status">{t('compilation.page.searchResults', { count: search.total, query: search.q })}</h3>
          {search.items.length === 0 && search.total > 0 ? (
            <p>
              <Link to={pageHref(1)}>{t('search.firstPage')}</Link>
            </p>
          ) : null}
          <SourceList sources={search.items} data={data} clippedInto={clippedInto} groupLabel={groupLabel} reply={reply} opened={opened} />
          {search.pages > 1 ? (
            <nav aria-label={t('search.pagination')} className="compilation-search-pages">
              {search.page > 1 ? <Link to={pageHref(search.page - 1)}>{t('search.previous')}</Link> : null}{' '}
              <span>{t('search.pageOf', { page: search.page, pages: search.pages })}</span>{' '}
              {search.page < search.pages ? <Link to={pageHref(search.page + 1)}>{t('search.next')}</Link> : null}
            </nav>
          ) : null}
        </>
      )}
    </>
  );
}

const sourceLabel = (t: (k: string, o?: Record<string, unknown>) => string, kind: string, id: number) =>
  kind === 'post' ? t('compilation.page.postLabel', { id }) : t('compilation.page.caseStudyLabel', { id });

/** Sources (a thread's posts, a sub-question's case studies, what the search found), each a card with its clip tools. */
function SourceList({ sources, data, clippedInto, groupLabel, reply, opened }: { sources: PageSource[]; data: Data; clippedInto: Map<string, number[]>; groupLabel: (id: string) => string; reply: Refusal; opened: Opened }) {
  return (
    <ol className="compilation-source-list">
      {sources.map((s) => (
        <li key={`${s.kind}:${s.id}`}>
          <SourceCard source={s} data={data} clippedInto={clippedInto.get(`${s.kind}:${s.id}`) ?? []} groupLabel={groupLabel} reply={reply} opened={opened} />
        </li>
      ))}
    </ol>
  );
}

/** One contribution: its author as its attribution allows, its plain text per field (what clips count in), and the whole-clip form. */
function SourceCard({ source, data, clippedInto, groupLabel, reply, opened }: { source: PageSource; data: Data; clippedInto: number[]; groupLabel: (id: string) => string; reply: Refusal; opened: Opened }) {
  const { t } = useTranslation();
  const key = `${source.kind}-${source.id}`;
  return (
    <article className="card compilation-source" id={`source-${key}`} aria-labelledby={`source-${key}-label`}>
      <p className="card-meta" id={`source-${key}-label`}>
        {source.kind === 'case_study' ? <Link to={caseStudyHref(data.slug, source.id)}>{sourceLabel(t, source.kind, source.id)}</Link> : sourceLabel(t, source.kind, source.id)}
        {' · '}
        <AuthorLine author={source.author as PublicAuthor} t={t} groupLabel={groupLabel} />
        {' · '}
        <span>{data.languages[source.language] ?? source.language}</span>
        {source.parentId ? <> · {t('compilation.page.replyTo', { id: source.parentId })}</> : null}
      </p>
      {clippedInto.length > 0 ? <p className="compilation-reflected">{t('compilation.page.reflectedIn', { points: clippedInto.join(', ') })}</p> : null}
      {source.fields.map((f) => (
        <div key={f.field} className="compilation-field">
          {source.kind === 'case_study' ? <p className="compilation-field-name">{t(`compilation.fields.${f.field}`)}</p> : null}
          <div className="clip-text" lang={source.language} data-source-kind={source.kind} data-source-id={source.id} data-field={f.field}>
            {f.text}
          </div>
        </div>
      ))}
      {data.canEdit ? (
        opened.source === key ? (
          <ClipWholeForm source={source} data={data} reply={refusalOf(reply, 'clipWhole', 'sourceId', source.id)} closeHref={opened.href({}, `source-${key}`)} />
        ) : (
          <p className="compilation-open">
            <Link to={opened.href({ clip: key }, `source-${key}`)} preventScrollReset>
              {t('compilation.page.clipWhole')}
            </Link>
          </p>
        )
      ) : null}
    </article>
  );
}

function KeyPointChoice({ data, id, name, defaultValue, label, onChange }: { data: Data; id: string; name: string; defaultValue?: string; label: string; onChange?: (value: string) => void }) {
  const { t } = useTranslation();
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={defaultValue ?? ''} onChange={onChange ? (e) => onChange(e.target.value) : undefined}>
        <option value="">{t('compilation.page.newKeyPoint')}</option>
        {data.keyPoints.map((p) => (
          <option key={p.id} value={p.id}>
            {p.position}. {p.heading}
          </option>
        ))}
      </select>
    </>
  );
}

function StanceSelect({ id, defaultValue }: { id: string; defaultValue?: string }) {
  const { t } = useTranslation();
  return (
    <>
      <label htmlFor={id}>{t('compilation.page.stance')}</label>
      <select id={id} name="stance" defaultValue={defaultValue ?? 'supports'}>
        {STANCES.map((s) => (
          <option key={s} value={s}>
            {t(`compilation.stances.${s}`)}
          </option>
        ))}
      </select>
    </>
  );
}

/** A field's error, tied to its input by id. */
function FieldError({ id, error }: { id: string; error?: string }) {
  const { t } = useTranslation();
  return error ? (
    <p className="field-error" id={id}>
      {t(error)}
    </p>
  ) : null;
}

const firstError = (reply: Refusal, ...names: string[]) => {
  if (!reply) return undefined;
  for (const name of names) if (reply.errors[name]?.length) return reply.errors[name]![0];
  return undefined;
};

function ClipWholeForm({ source, data, reply, closeHref }: { source: PageSource; data: Data; reply: Refusal; closeHref: string }) {
  const { t } = useTranslation();
  const p = `clip-${source.kind}-${source.id}`;
  const targetError = firstError(reply, 'keyPointId', 'newKeyPoint.heading');
  const otherError = reply && !targetError ? reply.error : undefined;
  return (
    <div className="compilation-clip-whole">
      <Form method="post" className="compilation-form" aria-label={t('compilation.page.clipWhole')}>
        <input type="hidden" name="intent" value="clipWhole" />
        <FormKeyInput />
        <input type="hidden" name="sourceKind" value={source.kind} />
        <input type="hidden" name="sourceId" value={source.id} />
        {source.fields.length > 1 ? (
          <>
            <label htmlFor={`${p}-field`}>{t('compilation.page.field')}</label>
            <select id={`${p}-field`} name="field" defaultValue={reply?.values.field ?? source.fields[0]!.field}>
              {source.fields.map((f) => (
                <option key={f.field} value={f.field}>
                  {t(`compilation.fields.${f.field}`)}
                </option>
              ))}
            </select>
          </>
        ) : (
          <input type="hidden" name="field" value={source.fields[0]?.field ?? 'body'} />
        )}
        <KeyPointChoice data={data} id={`${p}-target`} name="keyPointId" defaultValue={reply?.values.keyPointId} label={t('compilation.page.clipInto')} />
        <label htmlFor={`${p}-heading`}>{t('compilation.page.newHeading')}</label>
        <input
          id={`${p}-heading`}
          name="newKeyPoint.heading"
          maxLength={HEADING_MAX}
          defaultValue={reply?.values['newKeyPoint.heading'] ?? ''}
          aria-invalid={targetError ? true : undefined}
          aria-describedby={targetError ? `${p}-error` : undefined}
        />
        <FieldError id={`${p}-error`} error={targetError} />
        <StanceSelect id={`${p}-stance`} defaultValue={reply?.values.stance} />
        {otherError ? (
          <p className="field-error" role="alert">
            {t(otherError)}
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" className="button button-small">
            {t('compilation.page.clip')}
          </button>
          <Link to={closeHref} preventScrollReset>
            {t('compilation.page.close')}
          </Link>
        </div>
      </Form>
    </div>
  );
}

/** The passage a moderator selected in a source's plain text: offsets in UTF-16 units of that text. */
interface Selected {
  sourceKind: string;
  sourceId: string;
  field: string;
  start: number;
  end: number;
  quote: string;
}

/**
 * Where a DOM selection lies in a `.clip-text` element's text, as offsets into it. The element
 * holds the field's plain text as its one text node (rendered `white-space: pre-wrap`), so the
 * length of the text before a boundary is that boundary's offset in the stored plain text.
 */
export function selectedPassage(selection: Selection | null): Selected | null {
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const holder = (node: Node) => (node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement)?.closest<HTMLElement>('.clip-text');
  const container = holder(range.startContainer);
  if (!container || container !== holder(range.endContainer)) return null;
  const before = document.createRange();
  before.selectNodeContents(container);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  const quote = range.toString();
  if (quote.length === 0) return null;
  const { sourceKind, sourceId, field } = container.dataset;
  if (!sourceKind || !sourceId || !field) return null;
  return { sourceKind, sourceId, field, start, end: start + quote.length, quote };
}

/** With JavaScript: clip the passage selected in a source, into a key point (new or existing). */
function ClipSelection({ data }: { data: Data }) {
  const { t } = useTranslation();
  const fetcher = useFetcher<typeof action>();
  const [selected, setSelected] = useState<Selected | null>(null);
  const [target, setTarget] = useState('');
  const [clientId, setClientId] = useState(() => data.clientId);
  useEffect(() => {
    const onChange = () => {
      const passage = selectedPassage(document.getSelection());
      if (passage) setSelected(passage);
    };
    document.addEventListener('selectionchange', onChange);
    return () => document.removeEventListener('selectionchange', onChange);
  }, []);
  const answer = fetcher.data as ({ ok: true; keyPointId: number } | IntentReply | undefined);
  const done = answer && 'ok' in answer;
  useEffect(() => {
    if (fetcher.state === 'idle' && answer && 'ok' in answer) {
      setSelected(null);
      setClientId(Math.random().toString(36).slice(2) + Date.now().toString(36));
      document.getSelection()?.removeAllRanges();
    }
  }, [fetcher.state, answer]);
  const refused = answer && !('ok' in answer) ? answer : undefined;
  if (!selected) {
    return (
      <p className="compilation-hint muted" role="status">
        {done ? t('compilation.page.clipped') : t('compilation.page.selectHint')}
      </p>
    );
  }
  return (
    <fetcher.Form method="post" className="compilation-selection" aria-labelledby="selection-heading">
      <h3 id="selection-heading">{t('compilation.page.selection')}</h3>
      <blockquote className="compilation-quote" data-testid="selection-quote">
        {selected.quote}
      </blockquote>
      <input type="hidden" name="intent" value="clip" />
      <input type="hidden" name="clientId" value={clientId} />
      {(['sourceKind', 'sourceId', 'field', 'start', 'end', 'quote'] as const).map((name) => (
        <input key={name} type="hidden" name={name} value={String(selected[name])} />
      ))}
      <KeyPointChoice data={data} id="selection-target" name="keyPointId" label={t('compilation.page.clipInto')} defaultValue={target} onChange={setTarget} />
      {target === '' ? (
        <>
          <label htmlFor="selection-heading-input">{t('compilation.page.newHeading')}</label>
          <input id="selection-heading-input" name="newKeyPoint.heading" maxLength={HEADING_MAX} aria-describedby={refused ? 'selection-error' : undefined} />
        </>
      ) : null}
      <StanceSelect id="selection-stance" />
      {refused ? (
        <p className="field-error" id="selection-error" role="alert">
          {t(refused.error)}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button button-small" disabled={fetcher.state !== 'idle'}>
          {t('compilation.page.clip')}
        </button>
        <button type="button" className="button button-small button-secondary" onClick={() => setSelected(null)}>
          {t('compilation.page.cancel')}
        </button>
      </div>
    </fetcher.Form>
  );
}

/* ----------------------------------------------------------------------------------------- */

function KeyPointsSide({ data, reply, groupLabel, opened }: { data: Data; reply: Refusal; groupLabel: (id: string) => string; opened: Opened }) {
  const { t } = useTranslation();
  const created = refusalOf(reply, 'create');
  const headingError = firstError(created, 'heading');
  const summaryError = firstError(created, 'summary');
  return (
    <section aria-labelledby="key-points-heading" className="compilation-key-points">
      <h2 id="key-points-heading" tabIndex={-1}>
        {t('compilation.page.keyPoints')} <span className="muted">({data.keyPoints.length})</span>
      </h2>
      {data.keyPoints.length === 0 ? <p className="muted">{t('compilation.page.noKeyPoints')}</p> : null}
      <ol className="key-point-list" data-testid="key-points">
        {data.keyPoints.map((point) => (
          <li key={point.id}>
            <KeyPointCard point={point} data={data} reply={reply} groupLabel={groupLabel} opened={opened} />
          </li>
        ))}
      </ol>
      {data.canEdit ? (
        <Form method="post" className="compilation-form card" aria-labelledby="new-key-point-heading">
          <h3 id="new-key-point-heading">{t('compilation.page.createTitle')}</h3>
          <input type="hidden" name="intent" value="create" />
          <input type="hidden" name="clientId" value={created?.values.clientId ?? data.clientId} />
          <FormKeyInput />
          <label htmlFor="create-heading">{t('compilation.page.heading')}</label>
          <input
            id="create-heading"
            name="heading"
            maxLength={HEADING_MAX}
            required
            defaultValue={created?.values.heading ?? ''}
            aria-invalid={headingError ? true : undefined}
            aria-describedby={headingError ? 'create-heading-error' : undefined}
          />
          <FieldError id="create-heading-error" error={headingError} />
          <label htmlFor="create-summary">{t('compilation.page.summary')}</label>
          <textarea
            id="create-summary"
            name="summary"
            rows={3}
            maxLength={SUMMARY_MAX}
            defaultValue={created?.values.summary ?? ''}
            aria-invalid={summaryError ? true : undefined}
            aria-describedby={summaryError ? 'create-summary-error' : undefined}
          />
          <FieldError id="create-summary-error" error={summaryError} />
          {created && !headingError && !summaryError ? (
            <p className="field-error" role="alert">
              {t(created.error)}
            </p>
          ) : null}
          <button type="submit" className="button">
            {t('compilation.page.create')}
          </button>
        </Form>
      ) : null}
    </section>
  );
}

function KeyPointCard({ point, data, reply, groupLabel, opened }: { point: PointView; data: Data; reply: Refusal; groupLabel: (id: string) => string; opened: Opened }) {
  const { t } = useTranslation();
  const edited = refusalOf(reply, 'edit', 'keyPointId', point.id);
  const moved = refusalOf(reply, 'move', 'keyPointId', point.id);
  const merged = refusalOf(reply, 'merge', 'mergedId', point.id);
  const p = `key-point-${point.id}`;
  const last = data.keyPoints.length;
  return (
    <article className="card key-point" id={p} aria-labelledby={`${p}-heading`}>
      <h3 id={`${p}-heading`} className="key-point-heading">
        <span className="key-point-number">{point.position}.</span> {point.heading}
      </h3>
      {point.summary ? <p className="key-point-summary">{point.summary}</p> : null}
      <dl className="key-point-groups">
        {STANCES.map((s) => (
          <div key={s}>
            <dt>{t(`compilation.page.groups.${s}`)}</dt>
            <dd>{point.groups[s].length ? point.groups[s].map(groupLabel).join(', ') : t('compilation.page.none')}</dd>
          </div>
        ))}
      </dl>
      {point.mergedFrom.length ? <p className="muted">{t('compilation.page.mergedFrom', { count: point.mergedFrom.length })}</p> : null}
      {point.clips.length ? (
        <ol className="clip-list" aria-label={t('compilation.page.clips')}>
          {point.clips.map((clip) => (
            <li key={clip.id}>
              <ClipItem clip={clip} data={data} editing={data.canEdit && opened.point === point.id} reply={refusalOf(reply, 'stance', 'clipId', clip.id)} groupLabel={groupLabel} />
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">{t('compilation.page.noClips')}</p>
      )}
      {point.clipCount > point.clips.length ? (
        <p className="compilation-open">
          <Link to={opened.href({ tools: point.id }, p)} preventScrollReset aria-label={t('compilation.page.allClipsOf', { count: point.clipCount, heading: point.heading })}>
            {t('compilation.page.allClips', { count: point.clipCount })}
          </Link>
        </p>
      ) : null}
      {data.canEdit ? (
        <div className="key-point-tools">
          {moved ? (
            <p className="field-error" role="alert">
              {t(moved.error)}
            </p>
          ) : null}
          {opened.point !== point.id ? (
            <p className="compilation-open">
              <Link to={opened.href({ tools: point.id }, p)} preventScrollReset aria-label={t('compilation.page.toolsOf', { heading: point.heading })}>
                {t('compilation.page.tools')}
              </Link>
            </p>
          ) : (
            <>
              <div className="actions">
                {point.position > 1 ? <MoveButton point={point} to={point.position - 1} label={t('compilation.page.moveUp', { heading: point.heading })} text={t('compilation.page.up')} /> : null}
                {point.position < last ? <MoveButton point={point} to={point.position + 1} label={t('compilation.page.moveDown', { heading: point.heading })} text={t('compilation.page.down')} /> : null}
              </div>
              <h4 className="compilation-tools-heading">{t('compilation.page.edit')}</h4>
              <EditForm point={point} reply={edited} />
              {last > 1 ? (
                <>
                  <h4 className="compilation-tools-heading">{t('compilation.page.merge')}</h4>
                  <MergeForm point={point} data={data} merged={merged} />
                </>
              ) : null}
              <p>
                <Link to={opened.href({}, p)} preventScrollReset>
                  {t('compilation.page.close')}
                </Link>
              </p>
            </>
          )}
        </div>
      ) : null}
    </article>
  );
}

function MergeForm({ point, data, merged }: { point: PointView; data: Data; merged: Refusal }) {
  const { t } = useTranslation();
  const p = `key-point-${point.id}`;
  return (
              <Form method="post" className="compilation-form">
                <input type="hidden" name="intent" value="merge" />
                <input type="hidden" name="mergedId" value={point.id} />
                <label htmlFor={`${p}-survivor`}>{t('compilation.page.mergeInto')}</label>
                <select id={`${p}-survivor`} name="survivorId" defaultValue={merged?.values.survivorId} aria-describedby={merged ? `${p}-merge-error` : undefined}>
                  {data.keyPoints
                    .filter((o) => o.id !== point.id)
                    .map((o) => (
                      <option key={o.id} value={o.id}>
                        {o.position}. {o.heading}
                      </option>
                    ))}
                </select>
                <FieldError id={`${p}-merge-error`} error={merged?.error} />
                <button type="submit" className="button button-small">
                  {t('compilation.page.mergeSubmit')}
                </button>
              </Form>
  );
}

function MoveButton({ point, to, label, text }: { point: PointView; to: number; label: string; text: string }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="move" />
      <input type="hidden" name="keyPointId" value={point.id} />
      <input type="hidden" name="position" value={to} />
      <button type="submit" className="button button-small button-secondary" aria-label={label}>
        {text}
      </button>
    </Form>
  );
}

function EditForm({ point, reply }: { point: PointView; reply: Refusal }) {
  const { t } = useTranslation();
  const p = `key-point-${point.id}-edit`;
  const headingError = firstError(reply, 'heading');
  const summaryError = firstError(reply, 'summary');
  return (
    <Form method="post" className="compilation-form">
      <input type="hidden" name="intent" value="edit" />
      <input type="hidden" name="keyPointId" value={point.id} />
      <label htmlFor={`${p}-heading`}>{t('compilation.page.heading')}</label>
      <input
        id={`${p}-heading`}
        name="heading"
        maxLength={HEADING_MAX}
        defaultValue={reply?.values.heading ?? point.heading}
        aria-invalid={headingError ? true : undefined}
        aria-describedby={headingError ? `${p}-heading-error` : undefined}
      />
      <FieldError id={`${p}-heading-error`} error={headingError} />
      <label htmlFor={`${p}-summary`}>{t('compilation.page.summary')}</label>
      <textarea id={`${p}-summary`} name="summary" rows={3} maxLength={SUMMARY_MAX} defaultValue={reply?.values.summary ?? point.summary} aria-describedby={summaryError ? `${p}-summary-error` : undefined} />
      <FieldError id={`${p}-summary-error`} error={summaryError} />
      {reply && !headingError && !summaryError ? (
        <p className="field-error" role="alert">
          {t(reply.error)}
        </p>
      ) : null}
      <button type="submit" className="button button-small">
        {t('compilation.page.save')}
      </button>
    </Form>
  );
}

function ClipItem({ clip, data, editing, reply, groupLabel }: { clip: ClipShown; data: Data; editing: boolean; reply: Refusal; groupLabel: (id: string) => string }) {
  const { t } = useTranslation();
  const kind = clip.source.kind;
  const id = clip.source.id;
  const thread = kind === 'post' ? data.threadOfPost[id] : undefined;
  const href = kind === 'post' ? (thread ? postOnItsPageHref(data.slug, data.number, thread, id) : null) : caseStudyHref(data.slug, id);
  const stale = clip.state !== 'fresh';
  const p = `clip-${clip.id}`;
  return (
    <div className={`clip clip-${clip.stance}${stale ? ' clip-stale' : ''}`} id={p}>
      <p className="clip-meta">
        <span className={`badge stance-badge stance-${clip.stance}`}>{t(`compilation.stances.${clip.stance}`)}</span>{' '}
        {href && clip.author ? <Link to={href}>{sourceLabel(t, kind, id)}</Link> : <span>{sourceLabel(t, kind, id)}</span>}
        {clip.author ? (
          <>
            {' · '}
            <AuthorLine author={clip.author as PublicAuthor} t={t} groupLabel={groupLabel} />
          </>
        ) : null}
        {kind === 'case_study' ? <> · {t(`compilation.fields.${clip.field}`)}</> : null}
      </p>
      {clip.quote !== null ? (
        <blockquote className="compilation-quote" lang={clip.language ?? undefined}>
          {clip.quote}
        </blockquote>
      ) : null}
      {stale ? (
        <div className="clip-state" role="note">
          <p>
            <strong>{t('compilation.page.stale')}</strong> {t(`compilation.states.${clip.state}`)}
          </p>
          {clip.state === 'changed' && clip.currentWords !== null ? (
            <p>
              {t('compilation.page.nowReads')} <q>{clip.currentWords}</q>
              {clip.foundAt !== null ? <> {t('compilation.page.movedTo', { at: clip.foundAt })}</> : null}
            </p>
          ) : null}
        </div>
      ) : null}
      {editing ? (
        <Form method="post" className="clip-stance-form">
          <input type="hidden" name="intent" value="stance" />
          <input type="hidden" name="clipId" value={clip.id} />
          <StanceSelect id={`${p}-stance`} defaultValue={reply?.values.stance ?? clip.stance} />
          <button type="submit" className="button button-small button-secondary">
            {t('compilation.page.setStance')}
          </button>
          <FieldError id={`${p}-error`} error={reply?.error} />
        </Form>
      ) : null}
    </div>
  );
}

/* ----------------------------------------------------------------------------------------- */

function CoverageSection({ data, groupLabel }: { data: Data; groupLabel: (id: string) => string }) {
  const { t } = useTranslation();
  const label = (n: string, id: number | null) => (id === null ? t('question.general') : t('question.subQuestionLabel', { number: n }));
  return (
    <section aria-labelledby="coverage-heading" className="section">
      <h2 id="coverage-heading">{t('compilation.coverage.title')}</h2>
      <p className="muted">{t('compilation.coverage.intro')}</p>
      <div className="table-wrap" role="region" aria-labelledby="coverage-caption" tabIndex={0}>
        <table className="coverage-table">
          <caption id="coverage-caption">{t('compilation.coverage.caption', { number: data.number })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('compilation.coverage.thread')}</th>
              <th scope="col">{t('compilation.coverage.group')}</th>
              <th scope="col">{t('compilation.coverage.language')}</th>
              <th scope="col">{t('compilation.coverage.received')}</th>
              <th scope="col">{t('compilation.coverage.reflected')}</th>
              <th scope="col">{t('compilation.coverage.status')}</th>
            </tr>
          </thead>
          <tbody>
            {data.coverage.map((row) => {
              const status = row.received === 0 ? 'silent' : row.reflected === 0 ? 'unreflected' : row.reflected < row.received ? 'partial' : 'covered';
              return (
                <tr key={`${row.subQuestionId}-${row.group}-${row.language}`} className={`coverage-${status}`}>
                  <th scope="row">{label(row.number, row.subQuestionId)}</th>
                  <td>{groupLabel(row.group)}</td>
                  <td>{row.language ? (data.languages[row.language] ?? row.language) : '—'}</td>
                  <td>{row.received}</td>
                  <td>{row.reflected}</td>
                  <td>
                    {status === 'silent' || status === 'unreflected' ? <span aria-hidden="true">⚠ </span> : null}
                    {status === 'silent' || status === 'unreflected' ? <strong>{t(`compilation.coverage.${status}`)}</strong> : t(`compilation.coverage.${status}`)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function UnreflectedSection({ data, base, groupLabel }: { data: Data; base: string; groupLabel: (id: string) => string }) {
  const { t } = useTranslation();
  const list = data.unreflected as typeof data.unreflected & { error?: string };
  const more = list.next
    ? `${base}?${new URLSearchParams({ ...(data.chosen ? { sq: data.chosen.key } : {}), ...(data.filters.subQuestion ? { subQuestion: data.filters.subQuestion } : {}), ...(data.filters.group ? { group: data.filters.group } : {}), ...(data.filters.language ? { language: data.filters.language } : {}), cursor: list.next })}#unreflected-heading`
    : null;
  const groups = Object.keys(data.groups);
  const href = (item: (typeof list.items)[number]) => {
    if (item.kind === 'case_study') return caseStudyHref(data.slug, item.id);
    const thread = data.threadOfPost[item.id];
    return thread ? postOnItsPageHref(data.slug, data.number, thread, item.id) : null;
  };
  return (
    <section aria-labelledby="unreflected-heading" className="section">
      <h2 id="unreflected-heading">{t('compilation.unreflected.title')}</h2>
      <form method="get" action={`${base}#unreflected-heading`} className="compilation-filters">
        {data.chosen ? <input type="hidden" name="sq" value={data.chosen.key} /> : null}
        <div>
          <label htmlFor="filter-sub">{t('compilation.unreflected.subQuestion')}</label>
          <select id="filter-sub" name="subQuestion" defaultValue={data.filters.subQuestion}>
            <option value="">{t('compilation.unreflected.all')}</option>
            <option value="general">{t('question.general')}</option>
            {data.subQuestions.map((s) => (
              <option key={s.id} value={s.id}>
                {t('question.subQuestionLabel', { number: s.number })}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="filter-group">{t('compilation.unreflected.group')}</label>
          <select id="filter-group" name="group" defaultValue={data.filters.group}>
            <option value="">{t('compilation.unreflected.all')}</option>
            {groups.map((g) => (
              <option key={g} value={g}>
                {groupLabel(g)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="filter-language">{t('compilation.unreflected.language')}</label>
          <select id="filter-language" name="language" defaultValue={data.filters.language}>
            <option value="">{t('compilation.unreflected.all')}</option>
            {Object.entries(data.languages).map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button-small button-secondary">
          {t('compilation.unreflected.filter')}
        </button>
      </form>
      {data.filters.invalid || list.error ? (
        <p className="notice notice-error" role="alert">
          {t(list.error ?? 'compilation.invalid')}
        </p>
      ) : null}
      {list.items.length === 0 ? (
        <p className="muted">{t('compilation.unreflected.empty')}</p>
      ) : (
        <ol className="unreflected-list">
          {list.items.map((item) => {
            const to = href(item);
            const name: ReactNode = sourceLabel(t, item.kind, item.id);
            return (
              <li key={`${item.kind}-${item.id}`} className="card">
                <p className="card-meta">
                  {to ? <Link to={to}>{name}</Link> : name}
                  {item.author ? (
                    <>
                      {' · '}
                      <AuthorLine author={item.author as PublicAuthor} t={t} groupLabel={groupLabel} />
                    </>
                  ) : (
                    <> · {groupLabel(item.group)}</>
                  )}
                  {' · '}
                  {data.languages[item.language] ?? item.language}
                  {' · '}
                  <time dateTime={item.at}>{item.at.slice(0, 10)}</time>
                </p>
                <p lang={item.language}>{item.excerpt}</p>
              </li>
            );
          })}
        </ol>
      )}
      {more ? (
        <p>
          <Link to={more}>{t('compilation.unreflected.more')}</Link>
        </p>
      ) : null}
    </section>
  );
}
