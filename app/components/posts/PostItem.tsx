import { Form } from '@remix-run/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Ack } from '../../live/socket.client';
import type { Backlink } from '../../compilation/backlinks.server';
import type { PostView } from '../../posts/post-view';
import { Backlinks } from '../Backlinks';
import { ReportForm } from '../moderation/report-form';
import { AuthorLine, translateIsolated, UserText } from '../UserText';
import { LiveForm } from './LiveForm';
import { OnDemandForm } from './OnDemandForm';
import { FormKeyInput } from '../Field';

export interface PostItemProps {
  post: PostView;
  groupLabel: (id: string) => string;
  signedIn: boolean;
  canWrite: boolean;
  /**
   * The current page's search, kept on the links that open a reply, an edit, a report or a hide
   * form. Reply and edit are plain links marked `data-navigate`: the page follows them in the app
   * (useNavigateOnClick), one handler for all of them instead of a router Link per post.
   */
  linkFor: (param: PostLinkParam, id: number) => string;
  /** This page without any of them (path and search): where a form opened on demand closes to. */
  pageHref: string;
  /** The form this post shows open, asked for by the page's URL (`?report=<id>`, `?hide=<id>`). */
  requested?: 'report' | 'hide';
  onChange: (post: PostView) => void;
  /** The reader may hide and restore posts (the server checks again). */
  moderator?: boolean;
  /** Where reports go (`/c/:slug/flag`) and where they come back to (path and search). */
  flag?: { action: string; redirectTo: string };
  /** A refused hide/restore of this post, as an i18n key. */
  moderationError?: { intent: string; error: string; reason?: string };
  /** A refused delete, endorsement or edit of this post (the no-JavaScript forms), as an i18n key. */
  actionError?: string;
  /** Where it went (key points, notes), as the reader may follow; from the page's loader only. */
  backlinks?: Backlink[];
  children?: React.ReactNode;
}

/** The query parameters that open one post's form (the page renders it for that post alone). */
export type PostLinkParam = 'reply' | 'edit' | 'report' | 'hide';

const formats = new Map<string, Intl.DateTimeFormat>();
/** One formatter per language (a page renders up to a few hundred dates). UTC, so that the
 * server's and the browser's renderings agree whatever the reader's time zone. */
function dateFormat(language: string) {
  let format = formats.get(language);
  if (!format) {
    format = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    formats.set(language, format);
  }
  return format;
}

export function PostItem(props: PostItemProps) {
  const { post, groupLabel, signedIn, canWrite, linkFor, pageHref, requested, onChange, moderator, flag, moderationError, actionError, backlinks, children } = props;
  const { t, i18n } = useTranslation();
  const date = dateFormat(i18n.language);
  // A socket's refusal (with JavaScript) is said here as the form's does without.
  const [liveError, setLiveError] = useState<string | undefined>();
  const error = liveError ?? actionError;
  const onAck = (ack: Ack<PostView>) => {
    if (ack.ok && ack.post) onChange(ack.post);
    setLiveError(ack.ok ? undefined : (ack.error?.messageKey ?? 'errors.postInvalid'));
  };
  return (
    <article className={`post post-${post.status}`} id={`post-${post.id}`} aria-labelledby={`post-${post.id}-author`}>
      <header className="post-meta">
        <span className="post-author" id={`post-${post.id}-author`}>
          <AuthorLine author={post.author} t={t} groupLabel={groupLabel} />
          {post.mine ? <span className="post-you"> ({t('posts.you')})</span> : null}
        </span>{' '}
        <time dateTime={post.createdAt}>{`${date.format(new Date(post.createdAt))} UTC`}</time>
        {post.editedAt ? <span className="post-edited"> · {t('posts.edited')}</span> : null}
        {post.realAuthor && post.author.attribution !== 'named' ? (
          <span className="post-real-author">
            {' · '}
            <UserText>{post.realAuthor.name}</UserText>
          </span>
        ) : null}
      </header>
      {post.status === 'deleted' ? (
        <p className="post-placeholder">{t('posts.deleted')}</p>
      ) : post.html === null ? (
        <p className="post-placeholder">{t('posts.hidden')}</p>
      ) : (
        <>
          {post.status === 'hidden' ? (
            <p className="post-hidden-note">
              {post.hiddenReason ? translateIsolated(t, 'posts.hiddenFor', { reason: post.hiddenReason }, ['reason']) : t('posts.hidden')}
            </p>
          ) : null}
          {/* Safe HTML: rendered by the server from its own canonical copy of the document. */}
          <div className="post-body" lang={post.language} dangerouslySetInnerHTML={{ __html: post.html }} />
          <Backlinks links={backlinks} />
        </>
      )}
      {error ? (
        <p className="field-error" role="alert">
          {t(error)}
        </p>
      ) : null}
      <footer className="post-actions">
        <span className="post-endorsements">{t('posts.endorsements', { count: post.endorsements })}</span>
        {signedIn && canWrite && post.status === 'visible' && !post.mine ? (
          <LiveForm
            event="post:endorse"
            hidden={{ intent: 'endorse', postId: post.id, endorse: String(!post.endorsedByMe) }}
            payload={() => ({ postId: post.id, endorse: !post.endorsedByMe })}
            onAck={onAck}
            className="inline-form"
          >
            <button type="submit" className="button button-small button-secondary" aria-pressed={!!post.endorsedByMe}>
              {post.endorsedByMe ? t('posts.withdrawEndorsement') : t('posts.endorse')}
            </button>
          </LiveForm>
        ) : null}
        {signedIn && canWrite && post.status === 'visible' ? (
          <a href={linkFor('reply', post.rootId ?? post.id)} className="post-action" data-navigate="">
            {t('posts.reply')}
          </a>
        ) : null}
        {post.mine && canWrite && post.status === 'visible' ? (
          <>
            <a href={linkFor('edit', post.id)} className="post-action" data-navigate="">
              {t('posts.edit')}
            </a>
            <LiveForm
              event="post:delete"
              hidden={{ intent: 'delete', postId: post.id }}
              payload={() => ({ postId: post.id })}
              onAck={onAck}
              confirm={t('posts.deleteConfirm')}
              className="inline-form"
            >
              <button type="submit" className="link-button">
                {t('posts.delete')}
              </button>
            </LiveForm>
          </>
        ) : null}
        {signedIn && flag && !post.mine && post.status === 'visible' ? (
          <OnDemandForm
            label={t('flags.report')}
            cancelLabel={t('posts.cancel')}
            openHref={linkFor('report', post.id)}
            closeHref={`${pageHref}#post-${post.id}`}
            requested={requested === 'report'}
            className="post-report"
          >
            {(cancel) => (
              <ReportForm
                action={flag.action}
                redirectTo={flag.redirectTo}
                subjectType="post"
                subjectId={post.id}
                title={t('flags.reportPost')}
                idPrefix={`report-${post.id}`}
                cancel={cancel}
              />
            )}
          </OnDemandForm>
        ) : null}
        {moderator && (post.status === 'visible' || post.status === 'hidden') ? (
          <ModerateForm
            post={post}
            error={moderationError}
            openHref={linkFor('hide', post.id)}
            closeHref={`${pageHref}#post-${post.id}`}
            requested={requested === 'hide' || !!moderationError}
          />
        ) : null}
      </footer>
      {children}
    </article>
  );
}

/** Moderators: hide a visible post (a reason is required, and its author is told) or restore a hidden one. */
function ModerateForm({
  post,
  error,
  openHref,
  closeHref,
  requested,
}: {
  post: PostView;
  error?: PostItemProps['moderationError'];
  openHref: string;
  closeHref: string;
  requested: boolean;
}) {
  const { t } = useTranslation();
  const id = `moderate-${post.id}`;
  const errorId = `${id}-error`;
  if (post.status === 'hidden') {
    return (
      <Form method="post" preventScrollReset className="inline-form">
        <input type="hidden" name="intent" value="restore" />
        <FormKeyInput />
        <input type="hidden" name="postId" value={post.id} />
        <button type="submit" className="button button-small button-secondary" aria-describedby={error ? errorId : undefined}>
          {t('posts.restore')}
        </button>
        {error ? (
          <span className="field-error" id={errorId} role="alert">
            {' '}
            {t(error.error)}
          </span>
        ) : null}
      </Form>
    );
  }
  return (
    // On demand like the report form: a moderator's page would otherwise carry a hide form per post.
    <OnDemandForm label={t('posts.hide')} cancelLabel={t('posts.cancel')} openHref={openHref} closeHref={closeHref} requested={requested} className="post-moderate">
      {(cancel) => (
        <Form method="post" preventScrollReset className="moderation-form">
            <input type="hidden" name="intent" value="hide" />
            <FormKeyInput />
            <input type="hidden" name="postId" value={post.id} />
            <div className={`field${error ? ' field-invalid' : ''}`}>
              <label htmlFor={`${id}-reason`}>{t('posts.hideReason')}</label>
              <p className="field-hint" id={`${id}-hint`}>
                {t('posts.hideHint')}
              </p>
              <textarea
                id={`${id}-reason`}
                name="reason"
                rows={3}
                required
                maxLength={2000}
                defaultValue={error?.reason}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${id}-hint ${errorId}` : `${id}-hint`}
              />
              {error ? (
                <p className="field-error" id={errorId} role="alert">
                  {t(error.error)}
                </p>
              ) : null}
            </div>
            <button type="submit" className="button button-small button-danger">
              {t('posts.hideSubmit')}
            </button>{' '}
            {cancel}
        </Form>
      )}
    </OnDemandForm>
  );
}
