/**
 * Undo in a co-edited note takes back only the user's own writing (docs/decisions/0008).
 *
 * The CollaborationPlugin's Yjs UndoManager tracks local changes only, but "undo" means deleting
 * what the user inserted, and Lexical's Yjs shapes put other people's words inside it: a paragraph
 * is an `XmlText` embedded in its parent, a text node a `Y.Map` embed followed by its characters.
 * When A creates a paragraph and B types at its end, B's characters live inside A's paragraph (and
 * after A's text node's embed); undoing A's insertion deletes the paragraph and, with it, B's
 * words on every replica.
 *
 * `keepOthersWords` is a Yjs `deleteFilter` that spares, among what an undo would delete:
 * - a type (paragraph, list, table, text node's map…) holding anything another client wrote;
 * - a text node's embed whose characters include another client's;
 * - the attributes (`__type`, format…) of anything so spared, which must stay readable.
 * The user's own characters are still removed. Yjs deletes children before parents, so by the
 * time a block is judged, the user's own content in it is already gone.
 */
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext';
import { COMMAND_PRIORITY_LOW, UNDO_COMMAND, type LexicalEditor } from 'lexical';
import { useEffect } from 'react';
import * as Y from 'yjs';

/** Where @lexical/react's CollaborationPlugin publishes its UndoManager on the editor. */
const COLLAB_UNDO_MANAGER = Symbol.for('@lexical/yjs/UndoManager');

type Item = Y.Item;

/** A Yjs `deleteFilter` for a document whose local client is `doc.clientID` (read at each call). */
export function keepOthersWords(doc: Y.Doc): (item: Item) => boolean {
  return (item) => !spared(item, doc.clientID);
}

function spared(item: Item, local: number): boolean {
  // An attribute or map entry stays with the node it describes.
  if (item.parentSub !== null) {
    const owner = (item.parent as Y.AbstractType<unknown>)._item;
    return owner !== null && spared(owner, local);
  }
  if (item.content instanceof Y.ContentType) {
    const type = item.content.type;
    if (holdsOthers(type, local)) return true;
    // A text node's embed: its characters follow it in the parent, up to the next embed.
    if (type instanceof Y.Map) return runHoldsOthers(item, local);
  }
  return false;
}

const foreign = (item: Item, local: number) => !item.deleted && item.id.client !== local;

/** Whether anything inside `type` (its sequence, its attributes, at any depth) is another client's and still there. */
function holdsOthers(type: Y.AbstractType<unknown>, local: number): boolean {
  for (let item = type._start; item !== null; item = item.right) {
    if (foreign(item, local)) return true;
    if (!item.deleted && item.content instanceof Y.ContentType && holdsOthers(item.content.type, local)) return true;
  }
  for (const item of type._map.values()) {
    if (foreign(item, local)) return true;
    if (!item.deleted && item.content instanceof Y.ContentType && holdsOthers(item.content.type, local)) return true;
  }
  return false;
}

/** Whether the characters after a text node's embed (until the next embedded type) include another client's. */
function runHoldsOthers(embed: Item, local: number): boolean {
  for (let item = embed.right; item !== null; item = item.right) {
    if (item.content instanceof Y.ContentType || item.content instanceof Y.ContentEmbed) return false;
    if (item.content instanceof Y.ContentString && foreign(item, local)) return true;
  }
  return false;
}

/**
 * Gives the note editor's UndoManager the filter above, before each undo: the CollaborationPlugin
 * makes its manager late (once the binding exists) and anew per binding, so it is looked up at
 * the moment of undoing. Returns false: the plugin's own handler then undoes.
 */
export function registerOwnUndo(editor: LexicalEditor): () => void {
  return editor.registerCommand(
    UNDO_COMMAND,
    () => {
      const manager = (editor as unknown as Record<symbol, Y.UndoManager | undefined>)[COLLAB_UNDO_MANAGER];
      if (manager && !filtered.has(manager)) {
        manager.deleteFilter = keepOthersWords(manager.doc);
        filtered.add(manager);
      }
      return false;
    },
    COMMAND_PRIORITY_LOW,
  );
}
const filtered = new WeakSet<Y.UndoManager>();

export function OwnUndoPlugin(): null {
  const [editor] = useLexicalComposerContext();
  useEffect(() => registerOwnUndo(editor), [editor]);
  return null;
}
