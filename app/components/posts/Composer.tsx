import { useNavigate } from '@remix-run/react';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { PostComposer } from '../../editor/PostComposer';
import { getSocket, sendInsteadOfForm } from '../../live/socket.client';
import type { PostView } from '../../posts/post-view';
import { LANGUAGE_NAMES, SUPPORTED_LANGUAGES } from '../../i18n/config';

const newClientId = () =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `c${Date.now()}${Math.random().toString(36).slice(2)}`;

export interface ComposerProps {
  threadId: number;
  /**
   * Server-made id of this composer's next submission, for the no-JS form (a double submit stays
   * one post). Each composer on a page gets its own; after each successful post it takes a new one.
   */
  clientId: string;
  intent: 'create' | 'edit';
  parentId?: number;
  postId?: number;
  defaultAttribution: string;
  initial?: { body?: string | null; text?: string; attribution?: string; language?: string };
  error?: string;
  /** Where to go after success (the page without ?reply / ?edit). */
  doneHref?: string;
  submitLabel: string;
  label: string;
  onPosted?: (post: PostView) => void;
  /** The rich editor's module URLs, preloaded together when the composer is first focused. */
  editorModules?: string[];
}

/** Writing a contribution, a reply or an edit. */
export function Composer(props: ComposerProps) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const id = useId().replace(/:/g, '');
  const [clientId, setClientId] = useState(props.clientId);
  const [error, setError] = useState(props.error);
  const [busy, setBusy] = useState(false);
  const [resetKey, setResetKey] = useState(0);
  const [attribution, setAttribution] = useState(props.initial?.attribution ?? props.defaultAttribution);
  const lastTyping = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout>>();

  useEffect(() => setError(props.error), [props.error]);
  useEffect(() => () => clearTimeout(idle.current), []);

  const typing = (active: boolean) => {
    const socket = getSocket();
    if (socket.connected) socket.emit('thread:typing', { threadId: props.threadId, typing: active, attribution });
  };
  const onTextChange = (text: string) => {
    if (props.intent !== 'create' || !text) return;
    const now = Date.now();
    if (now - lastTyping.current > 3_000) {
      lastTyping.current = now;
      typing(true);
    }
    clearTimeout(idle.current);
    idle.current = setTimeout(() => {
      lastTyping.current = 0;
      typing(false);
    }, 5_000);
  };

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    const data = new FormData(e.currentTarget);
    const content = {
      body: (data.get('body') as string) || undefined,
      text: (data.get('text') as string) || undefined,
      attribution: data.get('attribution') || undefined,
      language: data.get('language') || undefined,
    };
    const event = props.intent === 'create' ? 'post:create' : 'post:edit';
    const payload =
      props.intent === 'create'
        ? { threadId: props.threadId, clientId, parentId: props.parentId, ...content }
        : { postId: props.postId, ...content };
    setBusy(true);
    // Without a socket answer the form posts itself: the page's action, same client id.
    const ack = await sendInsteadOfForm<PostView>(e, event, payload);
    setBusy(false);
    if (!ack) return;
    if (!ack.ok) {
      const messageKey = ack.error?.messageKey ?? 'errors.postInvalid';
      setError(messageKey); // what they wrote stays in the editor
      // The id already named another submission: sending again is a new submission, with a new id.
      if (messageKey === 'errors.clientIdConflict') setClientId(newClientId());
      return;
    }
    setError(undefined);
    clearTimeout(idle.current);
    typing(false);
    if (ack.post) props.onPosted?.(ack.post);
    if (props.intent === 'create') {
      setClientId(newClientId());
      setResetKey((k) => k + 1);
    }
    if (props.doneHref) navigate(props.doneHref, { preventScrollReset: true, replace: true });
  }

  const errorId = `${id}-error`;
  return (
    <form method="post" className="composer" onSubmit={onSubmit} noValidate>
      <input type="hidden" name="intent" value={props.intent} />
      <input type="hidden" name="clientId" value={clientId} />
      {props.parentId ? <input type="hidden" name="parentId" value={props.parentId} /> : null}
      {props.postId ? <input type="hidden" name="postId" value={props.postId} /> : null}
      <p className="composer-label" id={`${id}-label`}>
        <label htmlFor={`${id}-editor`}>{props.label}</label>
      </p>
      <PostComposer
        id={`${id}-editor`}
        labelledBy={`${id}-label`}
        describedBy={error ? errorId : undefined}
        initialJson={props.initial?.body ?? null}
        initialText={props.initial?.text}
        resetKey={resetKey}
        onTextChange={onTextChange}
        invalid={!!error}
        disabled={busy}
        editorModules={props.editorModules}
      />
      {error ? (
        <p className="field-error" id={errorId} role="alert">
          {t(error)}
        </p>
      ) : null}
      <div className="composer-options">
        <div className="field">
          <label htmlFor={`${id}-attribution`}>{t('posts.attribution')}</label>
          <select id={`${id}-attribution`} name="attribution" value={attribution} onChange={(e) => setAttribution(e.target.value)}>
            <option value="named">{t('posts.attributionNamed')}</option>
            <option value="organisation">{t('posts.attributionOrganisation')}</option>
            <option value="chatham">{t('posts.attributionChatham')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-language`}>{t('posts.language')}</label>
          <select id={`${id}-language`} name="language" defaultValue={props.initial?.language ?? ''}>
            <option value="">{t('posts.languageAuto')}</option>
            {SUPPORTED_LANGUAGES.map((l) => (
              <option key={l} value={l} lang={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="composer-actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? t('posts.posting') : props.submitLabel}
        </button>
        {props.doneHref ? (
          <a href={props.doneHref} className="button button-secondary">
            {t('posts.cancel')}
          </a>
        ) : null}
      </p>
    </form>
  );
}
