/**
 * Undo in a co-edited note takes back only the user's own writing (app/editor/own-undo.ts):
 * two headless Lexical editors bound to two Yjs documents exactly as the CollaborationPlugin binds
 * them, with the Yjs UndoManager it makes (`createUndoManager`) and the undo command wired as it
 * wires it; updates exchanged both ways as the server relays them.
 */
import { createUndoManager } from '@lexical/yjs';
import { $createParagraphNode, $createTextNode, $getRoot, $isTextNode, COMMAND_PRIORITY_EDITOR, UNDO_COMMAND, type ElementNode } from 'lexical';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { registerOwnUndo } from '../../app/editor/own-undo';
import { initialUpdate } from '../../app/notes/note-document.server';
import { bindHeadlessNoteEditor } from '../support/lexical-collab';

const noop = () => {};

/** One person's editor: a headless Lexical editor on its own Y.Doc, with the collaboration undo. */
function replica(seed: Uint8Array, options: { ownUndo: boolean }) {
  const doc = new Y.Doc();
  const { editor, binding, shared } = bindHeadlessNoteEditor(doc, { namespace: 'note' });
  // As @lexical/react's CollaborationPlugin: its UndoManager, published on the editor, and its
  // UNDO_COMMAND handler; then the note editor's OwnUndoPlugin in front of it.
  const undoManager = createUndoManager(binding, shared);
  (editor as unknown as Record<symbol, unknown>)[Symbol.for('@lexical/yjs/UndoManager')] = undoManager;
  editor.registerCommand(UNDO_COMMAND, () => (undoManager.undo(), true), COMMAND_PRIORITY_EDITOR);
  if (options.ownUndo) registerOwnUndo(editor);
  Y.applyUpdate(doc, seed, 'remote'); // from the server, as the provider applies it: not this user's to undo
  editor.read(noop);
  const text = () => editor.getEditorState().read(() => $getRoot().getChildren().map((c) => c.getTextContent()));
  return { doc, editor, undoManager, text };
}

type Replica = ReturnType<typeof replica>;

/** Exchanges what each replica misses, as the server's relay would. */
function sync(...replicas: Replica[]) {
  for (const from of replicas) {
    for (const to of replicas) {
      if (from !== to) Y.applyUpdate(to.doc, Y.encodeStateAsUpdate(from.doc, Y.encodeStateVector(to.doc)), 'remote');
    }
  }
  for (const r of replicas) r.editor.read(noop); // commit the queued Lexical updates
}

const update = (r: Replica, fn: () => void) => {
  r.editor.update(fn, { discrete: true });
  r.undoManager.stopCapturing(); // each step its own undo entry, as after a pause in typing
};
/** The last paragraph's last text node gets `text` at its end, as typing there would. */
const typeAtEnd = (r: Replica, text: string) =>
  update(r, () => {
    const last = ($getRoot().getLastChild() as ElementNode).getLastDescendant();
    if (!$isTextNode(last)) throw new Error('no text to type after');
    last.setTextContent(last.getTextContent() + text);
  });
const newParagraph = (r: Replica, text: string) => update(r, () => $getRoot().append($createParagraphNode().append(...(text ? [$createTextNode(text)] : []))));
const undo = (r: Replica) => r.editor.dispatchCommand(UNDO_COMMAND, undefined);

describe('undo in a co-edited note', () => {
  const seed = initialUpdate('Question 2: synthesis');

  it('A creates a paragraph and types; B types at its end; A’s undo keeps B’s words on every replica', () => {
    const a = replica(seed, { ownUndo: true });
    const b = replica(seed, { ownUndo: true });
    newParagraph(a, 'Cities lead.');
    sync(a, b);
    typeAtEnd(b, ' Regions too.');
    sync(a, b);
    expect(a.text()).toEqual(['Question 2: synthesis', '', 'Cities lead. Regions too.']);

    undo(a);
    sync(a, b);
    for (const r of [a, b]) expect(r.text()).toEqual(['Question 2: synthesis', '', ' Regions too.']);
    expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc)); // both have every change
  });

  it('keeps them when the paragraph was made first and the text typed after (two undos)', () => {
    const a = replica(seed, { ownUndo: true });
    const b = replica(seed, { ownUndo: true });
    newParagraph(a, ''); // Enter…
    update(a, () => ($getRoot().getLastChild() as ElementNode).append($createTextNode('Funding'))); // …then typing,
    typeAtEnd(a, ' matters.'); // in two bursts
    expect(a.undoManager.undoStack).toHaveLength(3);
    sync(a, b);
    typeAtEnd(b, ' Multi-year funding.');
    sync(a, b);
    for (let i = 0; i < 3; i++) undo(a);
    sync(a, b);
    for (const r of [a, b]) expect(r.text()).toEqual(['Question 2: synthesis', '', ' Multi-year funding.']);
  });

  it('still undoes the user’s own paragraph whole when nobody else wrote in it', () => {
    const a = replica(seed, { ownUndo: true });
    const b = replica(seed, { ownUndo: true });
    newParagraph(a, 'Only mine.');
    newParagraph(b, 'Only B’s.');
    sync(a, b);
    undo(a);
    sync(a, b);
    for (const r of [a, b]) expect(r.text()).toEqual(['Question 2: synthesis', '', 'Only B’s.']);
  });

  it('(without it, A’s undo deletes B’s words: what the filter prevents)', () => {
    const a = replica(seed, { ownUndo: false });
    const b = replica(seed, { ownUndo: false });
    newParagraph(a, 'Cities lead.');
    sync(a, b);
    typeAtEnd(b, ' Regions too.');
    sync(a, b);
    undo(a);
    sync(a, b);
    expect(b.text().join('\n')).not.toContain('Regions too.');
  });
});
