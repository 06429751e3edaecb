/**
 * The note's text on its page. The server and the first client render show the server's HTML
 * (safe, derived from the Yjs document: the page works without JavaScript and for readers on
 * slow links); once the page has hydrated, the live co-editor (../NoteEditor.tsx, with Lexical
 * and Yjs: a separate chunk) is loaded and takes its place.
 *
 * It also owns what must outlive one editor instance: after a refusal the editor is remounted
 * (new key: fresh doc and provider, resynced from the server), with a message saying why.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import type { Attribution } from '../../contributions/attribution';
import type { NoteStatus } from '../../notes/note-status';
import type { RefusalReason } from '../../notes/protocol';
import type { NoteEditorProps, NoteUser } from '../NoteEditor';

export interface LiveNoteProps {
  noteId: number;
  title: string;
  /** the server's safe HTML of the note */
  html: string;
  user: NoteUser;
  status: NoteStatus;
  canEdit: boolean;
  /** label of the stakeholder group that drafts the note, if it is scoped to one */
  groupLabel: string | null;
  /** the server announced another status or right to edit (the page may reload its data) */
  onAccessChange?: (access: { status: NoteStatus; canEdit: boolean }) => void;
  /** the text changed, live (see NoteEditor) */
  onChanged?: () => void;
  /** citing contributions and following the document's citations (see NoteEditor) */
  citing?: NoteEditorProps['citing'];
}

type EditorType = ComponentType<NoteEditorProps>;
let loadEditor: Promise<EditorType> | undefined;

/** Remounts after refusals in a row wait longer each time (a loop must not hammer the server). */
const REFUSAL_WINDOW_MS = 60_000;

export function LiveNote({ noteId, title, html, user, status, canEdit, groupLabel, onAccessChange, onChanged, citing }: LiveNoteProps) {
  const { t } = useTranslation();
  const [Editor, setEditor] = useState<EditorType | null>(null);
  const [access, setAccess] = useState({ status, canEdit });
  const [generation, setGeneration] = useState(0);
  // How co-editors see this user: kept across remounts; a change remounts the editor (NoteEditor).
  const [presenceAs, setPresenceAs] = useState<Attribution>(user.defaultAttribution);
  const presence = useMemo(() => ({ as: presenceAs, onChange: setPresenceAs }), [presenceAs]);
  const [refusal, setRefusal] = useState<RefusalReason | null>(null);
  const [waiting, setWaiting] = useState(false);
  const refusals = useRef<number[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // The page's data (revalidated after a form post) is the latest word too.
  useEffect(() => setAccess({ status, canEdit }), [status, canEdit]);

  useEffect(() => {
    let cancelled = false;
    loadEditor ??= import('../NoteEditor').then((m) => m.NoteEditor);
    loadEditor.then(
      (component) => {
        if (!cancelled) setEditor(() => component);
      },
      () => {
        loadEditor = undefined; // keep the static view; a later visit may try again
      },
    );
    return () => {
      cancelled = true;
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);

  const remount = useCallback((delay: number) => {
    if (timer.current) clearTimeout(timer.current);
    if (delay === 0) {
      setGeneration((g) => g + 1);
      return;
    }
    setWaiting(true);
    timer.current = setTimeout(() => {
      timer.current = null;
      setWaiting(false);
      setGeneration((g) => g + 1);
    }, delay);
  }, []);

  const onRefused = useCallback(
    (reason: RefusalReason) => {
      const now = Date.now();
      refusals.current = [...refusals.current.filter((at) => now - at < REFUSAL_WINDOW_MS), now];
      const n = refusals.current.length;
      setRefusal(reason);
      remount(n <= 1 ? 0 : Math.min(30_000, 1_000 * 2 ** (n - 1)));
    },
    [remount],
  );

  const onResync = useCallback(() => remount(0), [remount]);

  const onAccess = useCallback(
    (next: { status: NoteStatus; canEdit: boolean }) => {
      setAccess(next);
      onAccessChange?.(next);
    },
    [onAccessChange],
  );

  const readOnlyId = `note-${noteId}-readonly`;
  const readOnly = !access.canEdit ? (
    <p id={readOnlyId} className="notice note-readonly-notice" data-testid="note-readonly">
      <strong>{t('notes.readOnly.title')}</strong> {readOnlyReason(t, access.status, groupLabel)}
    </p>
  ) : null;

  return (
    <div className="note-body">
      {readOnly}
      {refusal ? (
        <div className="notice notice-error note-refusal" role="alert" data-testid="note-refused">
          <p>{t(`notes.refused.${refusal}`)}</p>
          <p>{waiting ? t('notes.refused.waiting') : t('notes.refused.reloaded')}</p>
          <button type="button" className="link-button" onClick={() => setRefusal(null)}>
            {t('notes.refused.dismiss')}
          </button>
        </div>
      ) : null}
      {Editor && !waiting ? (
        <Editor
          key={`${generation}:${presenceAs}`}
          noteId={noteId}
          title={title}
          user={user}
          initialAccess={access}
          describedBy={readOnly ? readOnlyId : undefined}
          onAccess={onAccess}
          onRefused={onRefused}
          onResync={onResync}
          presence={presence}
          onChanged={onChanged}
          citing={citing}
        />
      ) : (
        <div className="ed note-editor note-static-frame" data-testid="note-editor-static">
          <div className="ed-editor note-frame">
            <div
              className="ed-input note-content note-static"
              role="region"
              aria-label={t('notes.editor.label', { title })}
              aria-describedby={readOnly ? readOnlyId : undefined}
              data-testid="note-static"
              // Safe: built by the server from a whitelist (note-document.server.ts renderHtml).
              dangerouslySetInnerHTML={{ __html: html }}
            />
          </div>
          <noscript>
            <p className="note-noscript">{t('notes.editor.noscript')}</p>
          </noscript>
        </div>
      )}
    </div>
  );
}

function readOnlyReason(t: (key: string, options?: Record<string, unknown>) => string, status: NoteStatus, groupLabel: string | null): string {
  if (status === 'final') return t('notes.readOnly.final');
  if (status === 'in_review') return t('notes.readOnly.inReview');
  return groupLabel ? t('notes.readOnly.scope', { group: groupLabel }) : t('notes.readOnly.other');
}
