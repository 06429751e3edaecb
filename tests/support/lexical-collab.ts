/**
 * A headless Lexical editor bound to a Y.Doc exactly as the browser's CollaborationPlugin binds
 * one (binding made on the empty doc, Yjs → Lexical from the deep observer, Lexical → Yjs from the
 * update listener, Yjs undo manager), with the note's node set: the updates it produces are the
 * ones real note editors send. Used by the unit tests of the note document and by socket tests
 * that drive a real editing session through the server.
 */
import { createHeadlessEditor } from '@lexical/headless';
import { createUndoManager, createYjsBinding, syncLexicalUpdateToYjs, syncYjsChangesToLexical, type Provider } from '@lexical/yjs';
import { $getRoot, SKIP_COLLAB_TAG } from 'lexical';
import * as Y from 'yjs';
import { NOTE_NODES } from '../../app/notes/note-nodes';

const noop = () => {};
const provider = {
  awareness: { getLocalState: () => null, getStates: () => new Map(), setLocalState: noop, setLocalStateField: noop, on: noop, off: noop },
  connect: noop,
  disconnect: noop,
  on: noop,
  off: noop,
} as unknown as Provider;

export type LexicalCoEditor = ReturnType<typeof bindLexicalEditor>;

/**
 * A headless note editor bound to `doc` as the CollaborationPlugin binds one: Yjs → Lexical from
 * the deep observer, Lexical → Yjs from the update listener, no undo manager yet. Bind it while
 * `doc` is still empty (the binding only reacts to changes).
 */
export function bindHeadlessNoteEditor(doc: Y.Doc, options: { namespace?: string } = {}) {
  const editor = createHeadlessEditor({
    namespace: options.namespace,
    nodes: [...NOTE_NODES],
    onError: (error) => {
      throw error;
    },
  });
  const binding = createYjsBinding({ editor, id: 'note', doc, docMap: new Map([['note', doc]]) });
  const shared = binding.root.getSharedType();
  shared.observeDeep((events, transaction) => {
    if (transaction.origin !== binding) syncYjsChangesToLexical(binding, provider, events as Y.YEvent<Y.Text>[], transaction.origin instanceof Y.UndoManager, noop);
  });
  editor.registerUpdateListener(({ prevEditorState, editorState, dirtyElements, dirtyLeaves, normalizedNodes, tags }) => {
    if (!tags.has(SKIP_COLLAB_TAG)) syncLexicalUpdateToYjs(binding, provider, prevEditorState, editorState, dirtyElements, dirtyLeaves, normalizedNodes, tags);
  });
  return { editor, binding, shared };
}

/**
 * A headless co-editor on `doc`. `edit` runs a discrete update and returns the Yjs updates it
 * produced. Bind it while `doc` is still empty (the binding only reacts to changes).
 */
export function bindLexicalEditor(doc: Y.Doc) {
  const { editor, binding, shared } = bindHeadlessNoteEditor(doc);
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const undo = createUndoManager(binding, shared);
  const since = (from: number) => updates.slice(from);
  return {
    editor,
    undo,
    since,
    edit(fn: () => void): Uint8Array[] {
      const from = updates.length;
      editor.update(fn, { discrete: true });
      undo.stopCapturing(); // one undo step per edit
      return since(from);
    },
    /** Commits what the binding queued from Yjs (syncYjsChangesToLexical only schedules it). */
    flush: () => editor.read(noop),
    text: () => editor.read(() => $getRoot().getTextContent()),
  };
}
