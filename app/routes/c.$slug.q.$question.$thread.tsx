import crypto from 'node:crypto';
import { redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useLoaderData, useActionData, useLocation, useNavigate, useSearchParams } from '@remix-run/react';
import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { can } from '../accounts/roles';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { caseStudyHref } from '../contributions/links';
import { FlagNotice } from '../components/moderation/flag-notice';
import { Composer } from '../components/posts/Composer';
import { LiveBar } from '../components/posts/LiveBar';
import { PostItem, type PostLinkParam } from '../components/posts/PostItem';
import { Original, useLangOf } from '../components/Translated';
import { consultationTitle, groupLabels, localize } from '../consultations/localize';
import type { Language } from '../consultations/content.schema';
import { lazyModuleGraph } from '../editor/assets.server';
import { EditorPreload } from '../editor/EditorPreload';
import { postComposerLinks } from '../editor/PostComposer';
import { mergePost, useThread } from '../live/useThread';
import { composerSchema, editPostSchema, endorseSchema, listQuerySchema, postDecisionSchema, postIdSchema } from '../validation.server';
import { authorLabel, type PostView } from '../posts/post-view';
import moderationStyles from '../styles/moderation.css';
import { handleIntents, intentForm } from '../utils/forms.server';
import { notFound, pageTitle, requireConsultation, requireUser } from '../utils/http.server';
import { canContribute } from '../consultations/phases';
import { PhaseClosedNotice } from '../components/PhaseNotice';

export const links: LinksFunction = () => [...postComposerLinks(), { rel: 'stylesheet', href: moderationStyles }];

/** `/c/:slug/q/2/2.4` is sub-question 2.4's thread; `/c/:slug/q/2/general` question 2's general one. */
async function resolveThread(context: LoaderFunctionArgs['context'], params: LoaderFunctionArgs['params']) {
  const consultation = await requireConsultation(context, params.slug);
  const questionNumber = params.question ?? '';
  const general = params.thread === 'general';
  const threadNumber = general ? questionNumber : (params.thread ?? '');
  const thread = await context.services.consultations.getThread(consultation.id, threadNumber);
  if (!thread || thread.question.number !== questionNumber || (!general && !thread.subQuestion)) notFound();
  return { consultation, thread, general, questionNumber, threadNumber };
}

async function viewerOf(context: LoaderFunctionArgs['context'], consultationId: number) {
  const { user, services } = context;
  if (!user) return { viewer: null, role: null };
  const role = await services.accounts.roleIn(user.id, consultationId);
  return { viewer: { id: user.id, moderator: can(role, 'moderation.act') }, role };
}

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const { language, services, t, user } = context;
  const { consultation, thread, general, questionNumber, threadNumber } = await resolveThread(context, params);
  const url = new URL(request.url);
  const query = listQuerySchema.parse(Object.fromEntries(url.searchParams));
  const { viewer, role } = await viewerOf(context, consultation.id);
  const [list, caseStudies] = await Promise.all([
    services.posts.list(thread.id, viewer, query),
    // Sub-questions only: a question's general thread has no case studies of its own.
    thread.subQuestion ? services.caseStudies.forSubQuestion(consultation.id, thread.subQuestion.id, user?.id ?? null) : null,
  ]);

  const source = consultation.sourceLanguage;
  const heading = general ? t('thread.generalTitle', { number: questionNumber }) : t('thread.subQuestionTitle', { number: threadNumber });
  const all = list.posts.flatMap((p) => [p, ...p.replies]);
  // Where the posts shown went (key points, notes), in one query. Live updates carry none: a
  // post's backlinks appear at the next load of the page.
  const backlinks = await services.compilation.backlinks(
    { consultationId: consultation.id, userId: user?.id ?? null, role },
    all.filter((p) => p.html !== null).map((p) => ({ kind: 'post' as const, id: p.id })),
  );
  const editId = Number(url.searchParams.get('edit'));
  const editing = all.find((p) => p.id === editId && p.mine && p.status === 'visible') ?? null;
  const replyId = Number(url.searchParams.get('reply'));
  return {
    title: pageTitle(heading, consultationTitle(consultation, language)),
    slug: consultation.slug,
    consultationTitle: consultationTitle(consultation, language),
    questionNumber,
    heading,
    text: localize(thread.subQuestion ? thread.subQuestion.text : thread.question.text, language, source)!,
    threadId: thread.id,
    groups: groupLabels(consultation, language),
    user: user ? { name: user.name, defaultAttribution: user.defaultAttribution } : null,
    moderator: !!viewer?.moderator,
    subQuestionId: thread.subQuestion?.id ?? null,
    caseStudies,
    open: canContribute(consultation.phase),
    phase: consultation.phase,
    // One id per composer, never shared: a client id names one submission (posts.server.ts
    // `retried`), so the reply form and the contribution form on one page must not share one.
    clientIds: { post: newClientId(), reply: newClientId() },
    // The rich editor's modules, asked for all at once when a composer is first focused.
    editorModules: user && canContribute(consultation.phase) ? lazyModuleGraph('RichComposer') : [],
    list,
    backlinks,
    sort: query.sort,
    editing: editing ? { id: editing.id, body: editing.body ?? null, attribution: editing.author.attribution, language: editing.language } : null,
    replyTo: all.some((p) => p.id === replyId && p.rootId === null) ? replyId : null,
  };
}

/** A server-made client id, for a composer's no-JavaScript form (a double submit stays one post). */
const newClientId = () => crypto.randomBytes(12).toString('base64url');

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

/** The no-JavaScript path for every write: each form declared once by its shared schema. */
export async function action({ params, context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const { services, language } = context;
  const { thread } = await resolveThread(context, params);
  const url = new URL(request.url);
  for (const name of [...POST_LINK_PARAMS, 'flagged', 'flagError']) url.searchParams.delete(name);
  /** Back to the page the form was on, at the post written. */
  const done = (post: PostView) => {
    if (post.threadId !== thread.id) notFound();
    return redirect(`${url.pathname}${url.search}#post-${post.id}`);
  };
  /** A new contribution: to the page that holds it (the last one when oldest first), at it. */
  const created = (post: PostView) => {
    if (post.threadId !== thread.id) notFound();
    if (post.parentId !== null) return done(post);
    return redirect(`${url.pathname}?${atPost(listQuerySchema.parse(Object.fromEntries(url.searchParams)).sort, post.id)}`);
  };
  return handleIntents(
    await request.formData(),
    {
      create: intentForm(composerSchema, async (input) =>
        created(await services.posts.create(user.id, { ...input, threadId: thread.id }, (user.locale ?? language) as Language)),
      ),
      edit: intentForm(editPostSchema, async (input) => done(await services.posts.edit(user.id, input))),
      delete: intentForm(postIdSchema, async ({ postId }) => done(await services.posts.remove(user.id, postId))),
      endorse: intentForm(endorseSchema, async ({ postId, endorse }) => done(await services.posts.endorse(user.id, postId, endorse))),
      hide: intentForm(postDecisionSchema, async ({ postId, reason }) => done(await services.posts.moderate(user.id, postId, true, reason ?? null)), { once: true }),
      restore: intentForm(postDecisionSchema, async ({ postId, reason }) => done(await services.posts.moderate(user.id, postId, false, reason ?? null)), {
        once: true,
      }),
    },
    { context, userId: user.id },
  );
}

/** The address (query and fragment) of the thread page that holds post `id`, in `sort` order. */
function atPost(sort: string, id: number): string {
  return `${new URLSearchParams({ sort, at: String(id) })}#post-${id}`;
}

/** The query parameters that open one post's form (the links of PostItem). */
const POST_LINK_PARAMS: PostLinkParam[] = ['reply', 'edit', 'report', 'hide'];

/**
 * One live state per thread: moving to another thread (same route, other params) mounts a fresh
 * page, so no cursor, live post or typing indicator of the previous thread carries over.
 */
export default function ThreadRoute() {
  const data = useLoaderData<typeof loader>();
  return <ThreadPage key={data.threadId} />;
}

function ThreadPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigate = useNavigate();
  const { t } = useTranslation();
  const langOf = useLangOf();
  const location = useLocation();
  const [params] = useSearchParams();
  const { connection, problem, behind, readers, typing, live, apply, contributions } = useThread(data.threadId, data.list.seq, {
    count: data.list.contributions,
    seq: data.list.seq,
  });
  const groupLabel = useCallback((id: string) => data.groups[id] ?? id, [data.groups]);
  const onChange = useCallback((post: PostView) => apply([post]), [apply]);
  // One's own new contribution, when this page is not where new ones appear (an earlier page
  // oldest first, a later one newest first, or by endorsements): open the page that holds it.
  const showsNew = (data.sort === 'oldest' && data.list.next === null) || (data.sort === 'newest' && data.list.previous === null);
  const onCreated = useCallback(
    (post: PostView) => {
      apply([post]);
      if (post.parentId === null && !showsNew) navigate(`?${atPost(data.sort, post.id)}`);
    },
    [apply, showsNew, data.sort, navigate],
  );
  const followLink = useNavigateOnClick();

  // One form open at a time: opening one closes any other the URL asked for.
  const linkFor = (param: PostLinkParam, id: number) => {
    const next = new URLSearchParams(params);
    for (const name of POST_LINK_PARAMS) next.delete(name);
    next.set(param, String(id));
    return `?${next}#${param === 'reply' ? `reply-${id}` : `post-${id}`}`;
  };
  const doneHref = useMemo(() => {
    const next = new URLSearchParams(params);
    for (const name of POST_LINK_PARAMS) next.delete(name);
    const search = next.toString();
    return `${location.pathname}${search ? `?${search}` : ''}`;
  }, [params, location.pathname]);

  // What the page holds, with live changes laid over it; new top-level posts join the page
  // the reader would find them on (the last page when oldest first, the first when newest).
  const { roots, unseen, firstUnseen } = useMemo(() => {
    const view = (p: PostView) => {
      const patch = live.get(p.id);
      return patch ? mergePost(p, patch) : p;
    };
    const known = new Set(data.list.posts.flatMap((p) => [p.id, ...p.replies.map((r) => r.id)]));
    const fresh = [...live.values()].filter((p) => !known.has(p.id)).sort((a, b) => a.id - b.id);
    const freshRoots = fresh.filter((p) => p.rootId === null);
    const lastPage = data.list.next === null;
    const firstPage = data.list.previous === null;
    const showFresh = (data.sort === 'oldest' && lastPage) || (data.sort === 'newest' && firstPage);
    const rootsList = data.list.posts.map((p) => ({
      ...view(p),
      replies: [...p.replies.map(view), ...fresh.filter((r) => r.rootId === p.id)],
    }));
    const extra = showFresh ? freshRoots.map((p) => ({ ...p, replies: fresh.filter((r) => r.rootId === p.id) })) : [];
    return {
      roots: data.sort === 'newest' ? [...extra.reverse(), ...rootsList] : [...rootsList, ...extra],
      unseen: showFresh ? 0 : freshRoots.length,
      firstUnseen: showFresh ? null : (freshRoots[0]?.id ?? null),
    };
  }, [data.list, data.sort, live]);

  const failed = actionData && actionData.intent === 'create' ? actionData : null;
  const signedIn = !!data.user;
  // The one post whose report or hide form the URL asks for (the others render none).
  const reportId = params.get('report');
  const hideId = params.get('hide');
  const flag = useMemo(() => ({ action: `/c/${data.slug}/flag`, redirectTo: doneHref }), [data.slug, doneHref]);
  const moderated = actionData && (actionData.intent === 'hide' || actionData.intent === 'restore') ? actionData : null;
  // A refused delete, endorsement or edit (without JavaScript: with it, the socket's answer is shown
  // by the form itself), said on the post it was about.
  const refused =
    actionData && (actionData.intent === 'delete' || actionData.intent === 'endorse' || (actionData.intent === 'edit' && !data.editing)) ? actionData : null;
  /** What every post of the page shares, and its own refused moderation or action if any. */
  const itemProps = (post: PostView) => ({
    actionError: refused && Number(refused.values.postId) === post.id ? refused.error : undefined,
    groupLabel,
    signedIn,
    canWrite: data.open,
    linkFor,
    pageHref: doneHref,
    requested: reportId === String(post.id) ? ('report' as const) : hideId === String(post.id) ? ('hide' as const) : undefined,
    onChange,
    moderator: data.moderator,
    backlinks: data.backlinks[`post:${post.id}`],
    flag,
    moderationError:
      moderated && Number(moderated.values.postId) === post.id
        ? { intent: moderated.intent, error: moderated.error, reason: moderated.values.reason }
        : undefined,
  });
  // A refusal with no form of the page to show it (an intent it does not have, a post not on this
  // page, a reply form no longer open): said at the top, so that no refusal goes unsaid.
  const onPage = (postId: string | undefined) =>
    data.list.posts.some((p) => String(p.id) === postId || p.replies.some((r) => String(r.id) === postId));
  const composerShown = (parentId: string | undefined) => signedIn && data.open && (!parentId || String(data.replyTo) === parentId);
  const strayRefusal =
    actionData &&
    !(failed && composerShown(failed.values.parentId)) &&
    !(moderated && data.moderator && onPage(moderated.values.postId)) &&
    !(refused && onPage(refused.values.postId)) &&
    !(actionData.intent === 'edit' && data.editing)
      ? actionData
      : null;
  /** The refused submission of this composer (reply to `parentId`, or a new contribution), if any. */
  const failedHere = (parentId?: number) => (failed && String(parentId ?? '') === (failed.values.parentId ?? '') ? failed : null);
  const composer = (parentId?: number) =>
    data.user && data.open ? (
      <Composer
        key={parentId ? `reply-${parentId}` : 'new'}
        threadId={data.threadId}
        // A refused submission is sent again under its own id (still one submission), unless the
        // id itself was refused: then this composer starts a new submission.
        clientId={
          failedHere(parentId) && failed!.error !== 'errors.clientIdConflict' && failed!.values.clientId
            ? failed!.values.clientId
            : parentId
              ? data.clientIds.reply
              : data.clientIds.post
        }
        intent="create"
        parentId={parentId}
        defaultAttribution={failedHere(parentId)?.values.attribution ?? data.user.defaultAttribution}
        initial={failedHere(parentId) ? { body: failed!.values.body || null, text: failed!.values.text, language: failed!.values.language } : undefined}
        error={failedHere(parentId)?.error}
        label={parentId ? t('posts.reply') : t('editor.label')}
        submitLabel={parentId ? t('posts.reply') : t('posts.submit')}
        doneHref={parentId ? doneHref : undefined}
        onPosted={onCreated}
        editorModules={data.editorModules}
      />
    ) : null;

  return (
    <div className="page">
      <Breadcrumbs
        items={[
          { label: data.consultationTitle, to: `/c/${data.slug}` },
          { label: t('question.title', { number: data.questionNumber }), to: `/c/${data.slug}/q/${data.questionNumber}` },
          { label: data.heading },
        ]}
      />
      <header className="page-header">
        <p className="eyebrow">{data.heading}</p>
        <h1 lang={langOf(data.text.lang)}>{data.text.text}</h1>
        <Original shown={data.text} />
        {/* Straight to the composer (or the sign-in prompt), however many posts come before it. */}
        <p>
          <a href="#write-heading">{t('thread.contribute')}</a>
        </p>
        <EditorPreload modules={data.editorModules} />
      </header>

      <FlagNotice />
      {strayRefusal ? (
        <p className="notice notice-error" role="alert" data-testid="thread-refusal">
          {t(strayRefusal.error)}
        </p>
      ) : null}

      <LiveBar connection={connection} problem={problem} readers={readers} typing={[...typing.values()]} groupLabel={groupLabel} />
      {behind ? (
        <p className="notice notice-error" role="status">
          {t('live.tooFarBehind')} <a href={`${location.pathname}${location.search}`}>{t('live.reload')}</a>
        </p>
      ) : null}

      {/* The posts' reply and edit links are followed here (see useNavigateOnClick). */}
      <section aria-labelledby="contributions-heading" className="section" onClick={followLink}>
        <div className="thread-heading">
          <h2 id="contributions-heading">
            {t('thread.contributions')} <span className="muted" data-testid="thread-count">({t('posts.count', { count: contributions })})</span>
          </h2>
          <form method="get" className="sort-form">
            <label htmlFor="sort">{t('posts.sort')}</label>
            <select id="sort" name="sort" defaultValue={data.sort}>
              <option value="oldest">{t('posts.sortOldest')}</option>
              <option value="newest">{t('posts.sortNewest')}</option>
              <option value="endorsed">{t('posts.sortEndorsed')}</option>
            </select>
            <button type="submit" className="button button-small button-secondary">
              {t('posts.apply')}
            </button>
          </form>
        </div>

        {unseen > 0 ? (
          <p className="notice" role="status">
            {firstUnseen !== null ? <Link to={`?${atPost(data.sort, firstUnseen)}`}>{t('live.newPosts')}</Link> : t('live.newPosts')} ({unseen})
          </p>
        ) : null}

        {roots.length === 0 ? (
          <div className="empty-state">
            <p className="empty-title">{t('thread.empty')}</p>
            <p>{t('thread.emptyInvite')}</p>
          </div>
        ) : (
          <ol className="post-list">
            {roots.map((post) => (
              <li key={post.id}>
                {data.editing?.id === post.id ? (
                  <EditForm data={data} failed={actionData?.intent === 'edit' ? actionData.error : undefined} doneHref={doneHref} onPosted={onChange} />
                ) : (
                  <PostItem post={post} {...itemProps(post)}>
                    {post.replies.length > 0 || data.replyTo === post.id ? (
                      <div className="replies">
                        {post.replies.length > 0 ? (
                          <ol className="post-list" aria-label={t('posts.repliesLabel')}>
                            {post.replies.map((reply) => (
                              <li key={reply.id}>
                                {data.editing?.id === reply.id ? (
                                  <EditForm data={data} failed={actionData?.intent === 'edit' ? actionData.error : undefined} doneHref={doneHref} onPosted={onChange} />
                                ) : (
                                  <PostItem post={reply} {...itemProps(reply)} />
                                )}
                              </li>
                            ))}
                          </ol>
                        ) : null}
                        {data.replyTo === post.id ? <div id={`reply-${post.id}`}>{composer(post.id)}</div> : null}
                      </div>
                    ) : null}
                  </PostItem>
                )}
              </li>
            ))}
          </ol>
        )}

        {data.list.previous || data.list.next ? (
          // Keyset pages: each link carries the cursor of this page's first or last post, so
          // contributions arriving meanwhile neither repeat on the next page nor fall between two.
          <nav aria-label={t('posts.pages')} className="pagination">
            {data.list.previous ? (
              <Link to={`?${new URLSearchParams({ sort: data.sort, before: data.list.previous })}`} rel="prev">
                {t('posts.previous')}
              </Link>
            ) : (
              <span />
            )}
            <span>{t('posts.range', { from: data.list.from, to: data.list.to, total: data.list.total })}</span>
            {data.list.next ? (
              <Link to={`?${new URLSearchParams({ sort: data.sort, after: data.list.next })}`} rel="next">
                {t('posts.next')}
              </Link>
            ) : (
              <span />
            )}
          </nav>
        ) : null}
      </section>

      {data.caseStudies && data.subQuestionId !== null ? (
        <CaseStudiesSection slug={data.slug} subQuestionId={data.subQuestionId} items={data.caseStudies} groupLabel={groupLabel} />
      ) : null}

      <section aria-labelledby="write-heading" className="section">
        <h2 id="write-heading" tabIndex={-1}>
          {t('posts.write')}
        </h2>
        {!data.open ? (
          <PhaseClosedNotice phase={data.phase} what="threads" />
        ) : data.user ? (
          composer()
        ) : (
          <p className="actions">
            <Link className="button" to={`/sign-in?redirectTo=${encodeURIComponent(location.pathname)}`}>
              {t('thread.signInToContribute')}
            </Link>
            <Link className="button button-secondary" to="/register">
              {t('thread.registerToContribute')}
            </Link>
          </p>
        )}
      </section>

      <p>
        <Link to={`/c/${data.slug}/q/${data.questionNumber}`}>{t('thread.backToQuestion', { number: data.questionNumber })}</Link>
      </p>
    </div>
  );
}

/**
 * One click handler for the posts' `a[data-navigate]` links (reply, edit): followed as a router
 * Link with `preventScrollReset` would be, without a page load, while the page renders plain
 * anchors (a router Link per post was about 5 % of a signed-in page's server time). Clicks the
 * browser should handle (new tab, modifier keys) and those already handled are left alone.
 */
function useNavigateOnClick() {
  const navigate = useNavigate();
  return useCallback(
    (e: React.MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const link = (e.target as Element).closest?.('a[data-navigate]');
      const href = link?.getAttribute('href');
      if (!href) return;
      e.preventDefault();
      navigate(href, { preventScrollReset: true });
    },
    [navigate],
  );
}

function EditForm({
  data,
  failed,
  doneHref,
  onPosted,
}: {
  data: ReturnType<typeof useLoaderData<typeof loader>>;
  failed?: string;
  doneHref: string;
  onPosted: (post: PostView) => void;
}) {
  const { t } = useTranslation();
  const editing = data.editing!;
  return (
    <div id={`post-${editing.id}`} className="post post-editing">
      <Composer
        threadId={data.threadId}
        clientId={data.clientIds.post} // unused by an edit, which names its post
        intent="edit"
        postId={editing.id}
        defaultAttribution={editing.attribution}
        initial={{ body: editing.body, attribution: editing.attribution, language: editing.language }}
        error={failed}
        label={t('posts.edit')}
        submitLabel={t('posts.save')}
        doneHref={doneHref}
        onPosted={onPosted}
        editorModules={data.editorModules}
      />
    </div>
  );
}

/** Published case studies that inform this sub-question, the ones moderators feature first. */
function CaseStudiesSection({
  slug,
  subQuestionId,
  items,
  groupLabel,
}: {
  slug: string;
  subQuestionId: number;
  items: NonNullable<ReturnType<typeof useLoaderData<typeof loader>>['caseStudies']>;
  groupLabel: (id: string) => string;
}) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="case-studies-heading" className="section thread-case-studies">
      <h2 id="case-studies-heading">{t('moderation.threadCaseStudies.title')}</h2>
      {items.length === 0 ? (
        <p className="muted">{t('moderation.threadCaseStudies.empty')}</p>
      ) : (
        <ul className="case-study-cards">
          {items.map((cs) => {
            const featured = cs.featuredOn.includes(subQuestionId);
            return (
              <li key={cs.id} className={`card case-study-card${featured ? ' case-study-featured' : ''}`}>
                <h3 className="card-title">
                  <Link to={caseStudyHref(slug, cs.id)}>{cs.title}</Link>
                  {featured ? (
                    <>
                      {' '}
                      <span className="badge badge-featured">{t('moderation.threadCaseStudies.featured')}</span>
                    </>
                  ) : null}
                </h3>
                <p className="card-meta">{authorLabel(cs.author, t, groupLabel)}</p>
                {cs.summary ? <p className="case-study-summary">{cs.summary}</p> : null}
              </li>
            );
          })}
        </ul>
      )}
      <p className="actions">
        <Link to={`/c/${slug}/case-studies?subQuestion=${subQuestionId}`}>
          {t('moderation.threadCaseStudies.catalogue')}
        </Link>
        <Link to={`/c/${slug}/case-studies/new`}>{t('moderation.threadCaseStudies.submit')}</Link>
      </p>
    </section>
  );
}
