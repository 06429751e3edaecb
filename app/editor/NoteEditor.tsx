/**
 * The live, co-edited note (docs/decisions/0008): Lexical 0.52's CollaborationPlugin over our
 * Socket.io provider (collab/socket-provider.client.ts). Loaded only after hydration by
 * collab/LiveNote.tsx, which shows the server's HTML until then (the page works without JS).
 *
 * Avoids the traps listed in docs/decisions/0008: <LexicalCollaboration> around the composer, `editorState: null`,
 * no HistoryPlugin (the CollaborationPlugin has its own undo; OwnUndoPlugin keeps it from deleting
 * co-editors' words, see own-undo.ts), one provider factory per mount
 * that registers its doc in `yjsDocMap`, `shouldBootstrap={false}` (the server seeds notes).
 * To switch documents or resync after a refusal, the parent remounts this with a new `key`.
 */
import { LinkNode } from '@lexical/link';
import { ListNode } from '@lexical/list';
import { LexicalCollaboration } from '@lexical/react/LexicalCollaborationContext';
import { CollaborationPlugin } from '@lexical/react/LexicalCollaborationPlugin';
import { LexicalComposer, type InitialConfigType } from '@lexical/react/LexicalComposer';
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext';
import { ContentEditable } from '@lexical/react/LexicalContentEditable';
import { LexicalErrorBoundary } from '@lexical/react/LexicalErrorBoundary';
import { LinkPlugin } from '@lexical/react/LexicalLinkPlugin';
import { ListPlugin } from '@lexical/react/LexicalListPlugin';
import { RichTextPlugin } from '@lexical/react/LexicalRichTextPlugin';
import { TablePlugin } from '@lexical/react/LexicalTablePlugin';
import type { Provider } from '@lexical/yjs';
import { mergeRegister } from '@lexical/utils';
import type { EditorThemeClasses } from 'lexical';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import * as Y from 'yjs';
import { ATTRIBUTIONS, type Attribution } from '../contributions/attribution';
import type { NoteStatus } from '../notes/note-status';
import { authorAs, type PublicAuthor } from '../contributions/attribution';
import { authorLabel } from '../posts/post-view';
import type { RefusalReason } from '../notes/protocol';
import { getSocket } from '../live/socket.client';
import { SocketProvider, type ConnectionState, type NoteAccess } from './collab/socket-provider.client';
import { CitationsPlugin, CiteDialog } from './collab/CiteDialog';
import { KeyPointDialog } from './collab/KeyPointDialog';
import { NoteToolbar } from './collab/NoteToolbar';
import type { NoteCitationRef } from '../contributions/refs';
import type { Source } from '../notes/citations.server';
import { cursorColorFor } from '../notes/awareness';
import { presentFrom, type Present } from './collab/presence';
import { NOTE_NODES } from '../notes/note-nodes';
import { OwnUndoPlugin } from './own-undo';
import { OfficePastePlugin } from './paste';
import { TextCleaningPlugin } from './text-cleaning';
import { editorTheme } from './theme';
import { $keepSafeLink, isAllowedUrl } from './Toolbar';

/** The signed-in user, as needed to show them to co-editors the way they choose. */
export interface NoteUser {
  id: string;
  name: string;
  organisation: string;
  stakeholderGroup: string;
  defaultAttribution: Attribution;
}

export interface NoteEditorProps {
  noteId: number;
  /** the note's title, for the editable area's accessible name */
  title: string;
  user: NoteUser;
  /** what the page's loader knew; the server's join answer and status events take over */
  initialAccess: NoteAccess;
  /** ids of the notices that describe the editor (read-only reason) */
  describedBy?: string;
  /** the server changed the note's status or the user's right to edit */
  onAccess?: (access: NoteAccess) => void;
  /** the server dropped a change: the parent remounts the editor (fresh doc, resync) */
  onRefused?: (reason: RefusalReason) => void;
  /** the local doc holds changes the server never got (a reader became an editor): remount */
  onResync?: () => void;
  /**
   * The text changed now: a co-editor's change arrived, or this user typed. Not called for what
   * the joins bring (changes made before, at times this page cannot know).
   */
  onChanged?: () => void;
  /** how co-editors see this user, and how to change it (the parent remounts the editor) */
  presence?: { as: Attribution; onChange: (next: Attribution) => void };
  /** citations: where to search what may be cited (contributions, key points), the groups' labels, and the page's footnotes */
  citing?: {
    sourcesUrl: string;
    /** the note's key-points route ("Insert a key point") */
    keyPointsUrl?: string;
    groups: Record<string, string>;
    onCitations: (refs: NoteCitationRef[]) => void;
    onCited: (source: Source) => void;
  };
}

/** The post editor's theme plus headings, underline, tables and co-editors' carets. */
export const noteTheme: EditorThemeClasses = {
  ...editorTheme,
  root: 'ed-root note-root',
  heading: { h1: 'ed-h2', h2: 'ed-h2', h3: 'ed-h3', h4: 'ed-h3', h5: 'ed-h3', h6: 'ed-h3' },
  text: { ...editorTheme.text, underline: 'ed-underline', strikethrough: 'ed-strike' },
  table: 'ed-table',
  tableRow: 'ed-tr',
  tableCell: 'ed-td',
  tableCellHeader: 'ed-th',
  tableSelection: 'ed-table-selection',
  tableCellSelected: 'ed-td-selected',
  tableScrollableWrapper: 'ed-table-wrap',
  collaboration: {
    cursor: 'note-cursor',
    cursorName: 'note-cursor-name',
    selection: 'note-selection',
    selectionBg: 'note-selection-bg',
  },
};

const NAMESPACE = 'palabre-note';

export function NoteEditor({ noteId, title, user, initialAccess, describedBy, onAccess, onRefused, onResync, onChanged, presence, citing }: NoteEditorProps) {
  const { t } = useTranslation();
  const [provider, setProvider] = useState<SocketProvider | null>(null);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  /** false while the server fails to store this note's edits (it keeps retrying) */
  const [saved, setSaved] = useState(true);
  const [access, setAccess] = useState<NoteAccess>(initialAccess);
  const [people, setPeople] = useState<Present[]>([]);
  const [joinError, setJoinError] = useState<string | null>(null);
  const [citeOpen, setCiteOpen] = useState(false);
  const [keyPointsOpen, setKeyPointsOpen] = useState(false);
  const cursorsRef = useRef<HTMLDivElement>(null);
  const accessRef = useRef(initialAccess);
  // How co-editors see this user (docs/decisions/0010): their default attribution, changeable here.
  // A change remounts this editor (LiveNote) with a fresh document, whose new Yjs client id links
  // nothing typed or shown before to the new presence.
  const presenceAs = presence?.as ?? user.defaultAttribution;
  const groups = citing?.groups;
  const label = useCallback((author: PublicAuthor) => authorLabel(author, t, (id) => groups?.[id] ?? id), [t, groups]);
  const labelRef = useRef(label);
  labelRef.current = label;

  // Latest callbacks, without re-subscribing.
  const callbacks = useRef({ onAccess, onRefused, onResync, onChanged });
  callbacks.current = { onAccess, onRefused, onResync, onChanged };

  const [initialConfig] = useState<InitialConfigType>(() => ({
    namespace: NAMESPACE,
    nodes: [...NOTE_NODES],
    theme: noteTheme,
    editable: initialAccess.canEdit,
    // Collaboration: the content comes from Yjs only (a local initial state would never reach it).
    editorState: null,
    onError: (error: Error) => console.error('[palabre] note editor error:', error),
  }));

  // Defined once per mount: a new factory would open a new provider (docs/decisions/0008).
  const providerFactory = useCallback(
    (id: string, yjsDocMap: Map<string, Y.Doc>): Provider => {
      const doc = new Y.Doc();
      yjsDocMap.set(id, doc);
      const created = new SocketProvider(getSocket(), Number(id), doc, accessRef.current, (author) => labelRef.current(author));
      setProvider(created);
      return created as unknown as Provider; // y-protocols' Awareness is typed loosely
    },
    [],
  );

  // Stable for the editor's life. The server sets the name, colour and key the others see from `presenceAs`.
  const awarenessData = useMemo(() => ({ presenceAs }), [presenceAs]);
  const username = label(authorAs(presenceAs, user));
  const cursorColor = useMemo(() => cursorColorFor(user.id), [user.id]);

  useEffect(() => {
    if (!provider) return;
    const { awareness } = provider;
    const refreshPeople = () => setPeople(presentFrom(awareness.getStates() as Map<number, Record<string, unknown>>, provider.doc.clientID));
    const onConnection = (state: ConnectionState) => setConnection(state);
    const onNoteStatus = (next: NoteAccess) => {
      const before = accessRef.current;
      accessRef.current = next;
      setAccess(next);
      if (next.status !== before.status || next.canEdit !== before.canEdit) callbacks.current.onAccess?.(next);
      if (next.canEdit && !before.canEdit && provider.hasUnsentChanges) callbacks.current.onResync?.();
    };
    const onRefusedEvent = (reason: RefusalReason) => callbacks.current.onRefused?.(reason);
    const onError = (messageKey: string) => setJoinError(messageKey);
    setConnection(provider.connectionState);
    refreshPeople();
    awareness.on('change', refreshPeople);
    provider.on('connection', onConnection);
    provider.on('note-status', onNoteStatus);
    provider.on('refused', onRefusedEvent);
    provider.on('error', onError);
    return () => {
      awareness.off('change', refreshPeople);
      provider.off('connection', onConnection);
      provider.off('note-status', onNoteStatus);
      provider.off('refused', onRefusedEvent);
      provider.off('error', onError);
      // After the plugin's own cleanup (it disconnects): leave, stop the awareness timer.
      setTimeout(() => provider.destroy(), 0);
    };
  }, [provider]);

  // "Last changed": Yjs fires 'update' only for what changes the document. Once synced, what comes
  // from the server is a co-editor's change as it is made; a local change counts only from an
  // editor (a reader's editor may normalise what it receives, which changes nothing for others).
  useEffect(() => {
    if (!provider) return;
    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      if (!provider.isSynced) return;
      if (origin === provider || accessRef.current.canEdit) callbacks.current.onChanged?.();
    };
    provider.doc.on('update', onUpdate);
    return () => provider.doc.off('update', onUpdate);
  }, [provider]);

  // The server's saves failing or working again (`note:saving`). After a reconnection nobody knows
  // yet: assume saved, the server repeats "not saved" at each failed retry.
  useEffect(() => {
    if (!provider) return;
    const onSaving = (next: boolean) => setSaved(next);
    provider.on('saving', onSaving);
    return () => provider.off('saving', onSaving);
  }, [provider]);
  useEffect(() => {
    if (connection !== 'connected') setSaved(true);
  }, [connection]);
  // Connected but nothing stored is as serious for the writer as offline: shown (and styled) so.
  const notSaved = connection === 'connected' && !saved;

  const editorId = `note-${noteId}-editor`;
  const placeholder = t('notes.editor.placeholder');
  const ids = [describedBy, `${editorId}-connection`].filter(Boolean).join(' ');

  return (
    <div className="note-live" data-testid="note-live" data-connection={connection} data-can-edit={String(access.canEdit)}>
      <div className="note-livebar">
        <p
          id={`${editorId}-connection`}
          className={`note-connection note-connection-${notSaved ? 'offline' : connection}`}
          role="status"
          data-testid="note-connection"
          data-state={connection}
          data-saved={String(!notSaved)}
        >
          <span className="note-connection-dot" aria-hidden="true" />
          {connectionLine(t, access, connection, notSaved)}
        </p>
        <PresenceList people={people} />
        {access.status === 'final' ? null : (
          <div className="note-presence-as">
            <label htmlFor={`${editorId}-presence-as`}>{t('notes.presence.showAs')}</label>
            <select id={`${editorId}-presence-as`} value={presenceAs} onChange={(e) => presence?.onChange(e.target.value as Attribution)} data-testid="note-presence-as">
              {ATTRIBUTIONS.map((a) => (
                <option key={a} value={a}>
                  {label(authorAs(a, user))}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {joinError ? (
        <p className="notice notice-error" role="alert" data-testid="note-join-error">
          {t(joinError)}
        </p>
      ) : null}
      <LexicalCollaboration>
        <LexicalComposer initialConfig={initialConfig}>
          <div className={`ed note-editor${access.canEdit ? '' : ' note-readonly'}`} data-testid="note-editor">
            {access.canEdit ? (
              <NoteToolbar
                editorId={editorId}
                onCite={citing ? () => setCiteOpen(true) : undefined}
                onInsertKeyPoint={citing?.keyPointsUrl ? () => setKeyPointsOpen(true) : undefined}
              />
            ) : null}
            <div className="ed-editor note-frame">
              <RichTextPlugin
                contentEditable={
                  <ContentEditable
                    id={editorId}
                    className="ed-input note-content"
                    aria-label={t('notes.editor.label', { title })}
                    aria-describedby={ids || undefined}
                    aria-multiline={true}
                    aria-placeholder={placeholder}
                    placeholder={(editable) => (editable ? <div className="ed-placeholder">{placeholder}</div> : null)}
                    data-testid="note-content"
                  />
                }
                ErrorBoundary={LexicalErrorBoundary}
              />
              {/* Co-editors' carets are drawn in here, positioned against it. */}
              <div ref={cursorsRef} className="note-cursors" aria-hidden="true" />
            </div>
          </div>
          <ListPlugin />
          <LinkPlugin validateUrl={isAllowedUrl} />
          <TablePlugin hasCellMerge={false} hasCellBackgroundColor={false} hasHorizontalScroll={true} />
          <NoteRulesPlugin />
          <OfficePastePlugin />
          <TextCleaningPlugin />
          <OwnUndoPlugin />
          <EditablePlugin canEdit={access.canEdit} />
          {citing ? (
            <>
              <CitationsPlugin onCitations={citing.onCitations} />
              {access.canEdit ? (
                <CiteDialog open={citeOpen} onClose={() => setCiteOpen(false)} sourcesUrl={citing.sourcesUrl} groups={citing.groups} onCited={citing.onCited} />
              ) : null}
              {access.canEdit && citing.keyPointsUrl ? (
                <KeyPointDialog
                  open={keyPointsOpen}
                  onClose={() => setKeyPointsOpen(false)}
                  keyPointsUrl={citing.keyPointsUrl}
                  groups={citing.groups}
                  onCited={citing.onCited}
                />
              ) : null}
            </>
          ) : null}
          <CollaborationPlugin
            id={String(noteId)}
            providerFactory={providerFactory}
            shouldBootstrap={false}
            username={username}
            cursorColor={cursorColor}
            cursorsContainerRef={cursorsRef}
            awarenessData={awarenessData}
          />
        </LexicalComposer>
      </LexicalCollaboration>
    </div>
  );
}

/**
 * The note's status line, true to what this reader can do: a signed-off note says so whatever
 * the connection (nothing will change); a locked one says it is locked; a reader is not told
 * that "changes are shared" or "kept", since they make none.
 */
function connectionLine(t: (key: string) => string, access: NoteAccess, connection: ConnectionState, notSaved: boolean): string {
  if (access.status === 'final') return t('notes.connection.final');
  const live = notSaved ? t('notes.connection.notSaved') : t(access.canEdit ? `notes.connection.${connection}` : `notes.connection.readOnly.${connection}`);
  return access.status === 'in_review' ? `${t('notes.connection.locked')} ${live}` : live;
}

/** Who is in the note: names (the colour only repeats what the text says). */
function PresenceList({ people }: { people: Present[] }) {
  const { t } = useTranslation();
  if (people.length === 0) return null;
  return (
    <div className="note-presence" data-testid="note-presence">
      <span id="note-presence-label" className="note-presence-label">
        {t('notes.presence.label')}
      </span>
      <ul className="note-presence-list" aria-labelledby="note-presence-label">
        {people.map((p) => (
          <li key={p.key} className="note-person" data-testid="note-person" data-self={p.self ? 'true' : undefined}>
            <span className="note-swatch" style={{ backgroundColor: p.color }} aria-hidden="true" />
            {p.self ? t('notes.presence.you', { name: p.name }) : p.name}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Editable only while the server says so (join answer, `note:status`). */
function EditablePlugin({ canEdit }: { canEdit: boolean }) {
  const [editor] = useLexicalComposerContext();
  useEffect(() => {
    editor.setEditable(canEdit);
  }, [editor, canEdit]);
  return null;
}

/** Pasted links must be http, https or mailto (the server's HTML drops others anyway); no checklists. */
function NoteRulesPlugin() {
  const [editor] = useLexicalComposerContext();
  useEffect(
    () =>
      mergeRegister(
        editor.registerNodeTransform(LinkNode, (node) => {
          if (editor.isEditable()) $keepSafeLink(node);
        }),
        editor.registerNodeTransform(ListNode, (node) => {
          if (editor.isEditable() && node.getListType() === 'check') node.setListType('bullet');
        }),
      ),
    [editor],
  );
  return null;
}

export type { NoteAccess, NoteStatus };
