/**
 * Control characters never reach an editor's text: a paste (a PDF's form feeds, a terminal's
 * escapes, a NUL) or a script's insertion is cleaned by a text-node transform before the update
 * is committed, so before the collaboration binding sends it. The text policy removes the same
 * characters from stored posts (app/text/policy.ts), and the server refuses a note update that
 * still carries one (app/notes/update-check.server.ts): PostgreSQL cannot store a NUL, and a
 * co-editor's replica would otherwise hold what the note's saved copies do not.
 * Shared by the post composer (RichComposer) and the note editor (NoteEditor).
 */
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext';
import { $getSelection, $isRangeSelection, TextNode, type LexicalEditor } from 'lexical';
import { useEffect } from 'react';
import { hasControlCharacters, removeControlCharacters } from '../text/policy';

/** Makes `editor` drop control characters from every text node as it changes. Returns the unregister function. */
export function registerTextCleaning(editor: LexicalEditor): () => void {
  return editor.registerNodeTransform(TextNode, (node) => {
    const text = node.getTextContent();
    if (!hasControlCharacters(text)) return;
    const cleaned = removeControlCharacters(text);
    const key = node.getKey();
    // A caret in the node keeps its place among the characters that stay.
    const selection = $getSelection();
    const points = $isRangeSelection(selection) ? [selection.anchor, selection.focus].filter((point) => point.key === key && point.type === 'text') : [];
    const offsets = points.map((point) => removeControlCharacters(text.slice(0, point.offset)).length);
    node.setTextContent(cleaned);
    points.forEach((point, i) => point.set(key, offsets[i]!, 'text'));
  });
}

/** The plugin form, for a LexicalComposer's children. */
export function TextCleaningPlugin(): null {
  const [editor] = useLexicalComposerContext();
  useEffect(() => registerTextCleaning(editor), [editor]);
  return null;
}
