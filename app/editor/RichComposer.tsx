/**
 * The Lexical editor behind PostComposer, loaded only once the page has hydrated (it is
 * about 130 KB gzipped: the thread page itself must stay light for slow links).
 *
 * Progressive enhancement: the server and the first client render show a plain
 * `<textarea name="text">` (a post works without JavaScript: the server turns plain text into
 * paragraphs). Once mounted in the browser, it becomes a Lexical editor that posts its content
 * as Lexical JSON in a hidden `body` field ('' when the post is empty).
 *
 * The route that renders it must add `postComposerLinks()` to its `links` (the stylesheet).
 * `initialJson` / `initialText` are read once, when the editor mounts: to load another post,
 * remount it with a React `key`; to empty it after a successful post, bump `resetKey`.
 */
import { LinkNode } from '@lexical/link';
import { ListNode } from '@lexical/list';
import { LexicalComposer, type InitialConfigType } from '@lexical/react/LexicalComposer';
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext';
import { ContentEditable } from '@lexical/react/LexicalContentEditable';
import { LexicalErrorBoundary } from '@lexical/react/LexicalErrorBoundary';
import { HistoryPlugin } from '@lexical/react/LexicalHistoryPlugin';
import { LinkPlugin } from '@lexical/react/LexicalLinkPlugin';
import { ListPlugin } from '@lexical/react/LexicalListPlugin';
import { OnChangePlugin } from '@lexical/react/LexicalOnChangePlugin';
import { RichTextPlugin } from '@lexical/react/LexicalRichTextPlugin';
import { QuoteNode } from '@lexical/rich-text';
import { mergeRegister } from '@lexical/utils';
import {
  $createLineBreakNode,
  $createParagraphNode,
  $createTextNode,
  $getRoot,
  CLEAR_HISTORY_COMMAND,
  COMMAND_PRIORITY_HIGH,
  createEditor,
  FORMAT_TEXT_COMMAND,
  ParagraphNode,
  TabNode,
  TextNode,
  type EditorState,
  type LexicalEditor,
} from 'lexical';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { POST_NODES } from '../posts/nodes';
import { OfficePastePlugin } from './paste';
import { TextCleaningPlugin } from './text-cleaning';
import { editorTheme } from './theme';
import { $keepSafeLink, isAllowedUrl, Toolbar } from './Toolbar';

import type { PostComposerProps } from './PostComposer';

const NAMESPACE = 'palabre-post';

/** Text formats a post may carry (Lexical's IS_BOLD | IS_ITALIC bits). */
const ALLOWED_TEXT_FORMATS = 1 | 2;

export function RichComposer({
  id,
  labelledBy,
  describedBy,
  initialJson,
  initialText,
  resetKey,
  onTextChange,
  onJsonChange,
  disabled = false,
  invalid = false,
  autoFocus = false,
  placeholder: prompt,
}: PostComposerProps & { autoFocus?: boolean }) {
  const { t } = useTranslation();
  const [body, setBody] = useState('');
  // LexicalComposer reads its config once; a state initializer computes it once too.
  const [initialConfig] = useState<InitialConfigType>(() => ({
    namespace: NAMESPACE,
    nodes: POST_NODES,
    theme: editorTheme,
    editable: !disabled,
    onError: (error: Error) => console.error('[palabre] editor error:', error),
    editorState: initialEditorState(initialJson, initialText),
  }));

  // Latest callbacks without re-registering listeners on every render.
  const callbacks = useRef({ onTextChange, onJsonChange });
  callbacks.current = { onTextChange, onJsonChange };

  const publish = (editorState: EditorState) => {
    const { text, json } = serialize(editorState);
    setBody(json);
    callbacks.current.onTextChange?.(text);
    callbacks.current.onJsonChange?.(json);
  };

  const placeholder = prompt ?? t('editor.placeholder');
  return (
    <div className={`ed${invalid ? ' ed-invalid' : ''}${disabled ? ' ed-disabled' : ''}`}>
      <LexicalComposer initialConfig={initialConfig}>
        <Toolbar editorId={id} disabled={disabled} />
        <div className="ed-editor">
          <RichTextPlugin
            contentEditable={
              <ContentEditable
                id={id}
                className="ed-input"
                aria-labelledby={labelledBy}
                aria-describedby={describedBy || undefined}
                aria-multiline={true}
                aria-invalid={invalid || undefined}
                aria-placeholder={placeholder}
                placeholder={<div className="ed-placeholder">{placeholder}</div>}
              />
            }
            ErrorBoundary={LexicalErrorBoundary}
          />
        </div>
        <HistoryPlugin />
        <ListPlugin />
        <LinkPlugin validateUrl={isAllowedUrl} />
        <OnChangePlugin ignoreHistoryMergeTagChange={false} onChange={publish} />
        <PostRulesPlugin />
        <OfficePastePlugin />
        <TextCleaningPlugin />
        <LifecyclePlugin
          id={id}
          resetKey={resetKey}
          disabled={disabled}
          autoFocus={autoFocus}
          onInitial={publish}
        />
      </LexicalComposer>
      <input type="hidden" name="body" value={body} />
    </div>
  );
}

/** The JSON the form posts ('' for an empty post) and the plain text (for the typing indicator). */
function serialize(editorState: EditorState): { text: string; json: string } {
  const text = editorState.read(() => $getRoot().getTextContent());
  const json = text.trim() === '' ? '' : JSON.stringify(editorState.toJSON());
  return { text, json };
}

/** LexicalComposer's `editorState`: the given JSON if Lexical can read it, else paragraphs from the text. */
function initialEditorState(json: string | null | undefined, text: string | undefined): InitialConfigType['editorState'] {
  if (json && canParse(json)) return json;
  if (text && text.trim() !== '') return () => $appendParagraphs(text);
  return undefined;
}

/** True if `json` is an editor state made only of the post's node types. */
function canParse(json: string): boolean {
  try {
    const probe = createEditor({ namespace: NAMESPACE, nodes: POST_NODES, onError: () => {} });
    const state = probe.parseEditorState(json);
    return !state.isEmpty();
  } catch (error) {
    console.warn('[palabre] editor: ignoring unreadable initial JSON', error);
    return false;
  }
}

/** Plain text to paragraphs: a blank line separates paragraphs, a single newline is a line break. */
function $appendParagraphs(text: string) {
  const root = $getRoot();
  const blocks = text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n+/);
  for (const block of blocks) {
    const trimmed = block.replace(/^\n+|\n+$/g, '');
    if (trimmed === '') continue;
    const paragraph = $createParagraphNode();
    trimmed.split('\n').forEach((line, i) => {
      if (i > 0) paragraph.append($createLineBreakNode());
      if (line !== '') paragraph.append($createTextNode(line.replace(/\t/g, ' ')));
    });
    root.append(paragraph);
  }
  if (root.isEmpty()) root.append($createParagraphNode());
}

/**
 * Keeps the content within what a post may hold, whatever the user pastes or types: text is
 * only bold and/or italic (no underline, code, inline style), no alignment, no tabs, no
 * checklists, and links only to http:, https: or mailto: addresses (rel "noreferrer", no target
 * or title).
 */
function PostRulesPlugin() {
  const [editor] = useLexicalComposerContext();
  useEffect(
    () =>
      mergeRegister(
        // Ctrl+U and other format shortcuts: only bold and italic are allowed.
        editor.registerCommand(
          FORMAT_TEXT_COMMAND,
          (format) => format !== 'bold' && format !== 'italic',
          COMMAND_PRIORITY_HIGH,
        ),
        editor.registerNodeTransform(TextNode, (node) => {
          const format = node.getFormat();
          if ((format & ~ALLOWED_TEXT_FORMATS) !== 0) node.setFormat(format & ALLOWED_TEXT_FORMATS);
          if (node.getStyle() !== '') node.setStyle('');
        }),
        editor.registerNodeTransform(TabNode, (node) => {
          node.replace($createTextNode(' ').setFormat(node.getFormat() & ALLOWED_TEXT_FORMATS));
        }),
        editor.registerNodeTransform(ParagraphNode, (node) => {
          if (node.getFormatType() !== '') node.setFormat('');
          if (node.getIndent() !== 0) node.setIndent(0);
        }),
        editor.registerNodeTransform(QuoteNode, (node) => {
          if (node.getFormatType() !== '') node.setFormat('');
          if (node.getIndent() !== 0) node.setIndent(0);
        }),
        editor.registerNodeTransform(ListNode, (node) => {
          if (node.getListType() === 'check') node.setListType('bullet');
        }),
        editor.registerNodeTransform(LinkNode, (node) => {
          if ($keepSafeLink(node) && node.getTitle() !== null) node.setTitle(null);
        }),
      ),
    [editor],
  );
  return null;
}

/** Initial publication, reset, editable state, focus carried over from the textarea, label clicks. */
function LifecyclePlugin({
  id,
  resetKey,
  disabled,
  autoFocus,
  onInitial,
}: {
  id: string;
  resetKey: number | undefined;
  disabled: boolean;
  autoFocus: boolean;
  onInitial: (state: EditorState) => void;
}) {
  const [editor] = useLexicalComposerContext();
  const lastResetKey = useRef(resetKey);
  const onInitialRef = useRef(onInitial);
  onInitialRef.current = onInitial;

  // OnChangePlugin skips the initial state: publish it once, so the hidden field is filled at once.
  useEffect(() => {
    editor.read(() => undefined); // flushes the initial update
    onInitialRef.current(editor.getEditorState());
    if (autoFocus) editor.focus();
  }, [editor]);

  useEffect(() => {
    editor.setEditable(!disabled);
  }, [editor, disabled]);

  useEffect(() => {
    if (lastResetKey.current === resetKey) return;
    lastResetKey.current = resetKey;
    clearEditor(editor);
  }, [editor, resetKey]);

  // A <label for={id}> does not focus a contenteditable by itself.
  useEffect(() => {
    const labels = Array.from(document.querySelectorAll<HTMLLabelElement>('label')).filter((l) => l.htmlFor === id);
    const onClick = () => editor.focus();
    labels.forEach((l) => l.addEventListener('click', onClick));
    return () => labels.forEach((l) => l.removeEventListener('click', onClick));
  }, [editor, id]);

  return null;
}

function clearEditor(editor: LexicalEditor) {
  const root = editor.getRootElement();
  const hadFocus = root !== null && root.ownerDocument.activeElement === root;
  editor.update(
    () => {
      const rootNode = $getRoot();
      rootNode.clear();
      const paragraph = $createParagraphNode();
      rootNode.append(paragraph);
      if (hadFocus) paragraph.select();
    },
    { discrete: true },
  );
  editor.dispatchCommand(CLEAR_HISTORY_COMMAND, undefined);
}