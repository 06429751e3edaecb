/**
 * The rich-text composer for forum posts ("contributions").
 *
 * Progressive enhancement: the server and the first client render show a plain
 * `<textarea name="text">` (a post works without JavaScript: the server turns plain text into
 * paragraphs). The Lexical editor (RichComposer.tsx, ~130 KB gzipped) is loaded only where it
 * is needed: when the textarea is first focused or touched (at once when editing a formatted
 * post; else 1.5 s after hydration, when the page's own code is in), all its modules asked for together (`editorModules`, `<link rel="modulepreload">`), so a
 * slow link pays one round trip, not one per import level. The textarea works meanwhile; the
 * editor then replaces it, carrying over what was typed, and posts its content as Lexical JSON in
 * a hidden `body` field ('' when the post is empty).
 *
 * The route that renders it must add `postComposerLinks()` to its `links` (the stylesheet).
 */
import { useCallback, useEffect, useRef, useState, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import editorStyles from '../styles/editor.css';

export interface PostComposerProps {
  /** id of the editable element (a <label htmlFor> may point at it; also used to derive sub-ids) */
  id: string;
  /** visible label text (rendered by the caller); pass the caller's label element id here */
  labelledBy: string;
  /** ids of hint/error elements */
  describedBy?: string;
  /** Lexical JSON (serialized editor state, as a string) to start from, e.g. when editing or after a refused submit; null/undefined = empty */
  initialJson?: string | null;
  /** plain text for the no-JS textarea when there is no JSON (e.g. after a refused no-JS submit) */
  initialText?: string;
  /** changing this number clears the editor (after a successful post) */
  resetKey?: number;
  /** called (debounced is fine, or on every change) with the editor's plain text, for a typing indicator */
  onTextChange?: (text: string) => void;
  /** called with the serialized Lexical JSON string on every change ('' when the post is empty) */
  onJsonChange?: (json: string) => void;
  disabled?: boolean;
  invalid?: boolean; // sets aria-invalid
  /** the empty editor's prompt, when not a contribution's (`editor.placeholder`) */
  placeholder?: string;
  /** URLs of the editor's modules (app/editor/assets.server.ts), preloaded together on first focus. */
  editorModules?: string[];
}

/** The composer's stylesheet, for the `links` export of the route that renders it. */
export function postComposerLinks() {
  return [{ rel: 'stylesheet', href: editorStyles }];
}

type RichComposerType = ComponentType<PostComposerProps & { autoFocus?: boolean }>;
let loadRich: Promise<RichComposerType> | undefined;
/** Without a focus, the editor is loaded this long after the composer mounted. */
const IDLE_LOAD_MS = 1_500;

export function PostComposer(props: PostComposerProps) {
  const { t } = useTranslation();
  const { id, labelledBy, describedBy, initialJson, initialText, disabled, invalid } = props;
  const [Rich, setRich] = useState<RichComposerType | null>(null);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  // What the user did in the textarea before the editor arrived, carried over to it.
  const [carried, setCarried] = useState<{ text: string | null; focused: boolean }>({ text: null, focused: false });

  const plainText = initialText ?? (initialJson ? plainTextFromJson(initialJson) : '');

  const cancelled = useRef(false);
  useEffect(() => () => void (cancelled.current = true), []);
  const load = useCallback(() => {
    if (!loadRich) {
      for (const href of props.editorModules ?? []) {
        if (document.head.querySelector(`link[rel="modulepreload"][href="${href}"]`)) continue;
        const link = document.createElement('link');
        link.rel = 'modulepreload';
        link.href = href;
        document.head.appendChild(link);
      }
      loadRich = import('./RichComposer').then((m) => m.RichComposer);
    }
    loadRich.then(
      (component) => {
        if (cancelled.current) return;
        const textarea = textareaRef.current;
        if (textarea) {
          setCarried({
            text: textarea.value !== textarea.defaultValue ? textarea.value : null,
            focused: document.activeElement === textarea,
          });
        }
        setRich(() => component);
      },
      () => {
        loadRich = undefined; // keep the textarea; the next focus tries again
      },
    );
  }, [props.editorModules]);

  // Focused before the page hydrated, editing a formatted post, or the editor already here (another
  // composer loaded it): no reason to wait. Otherwise it comes on first focus or touch, or once the
  // page has been idle a while after hydrating (the page's own code and data go first).
  useEffect(() => {
    if (loadRich || initialJson || document.activeElement === textareaRef.current) return load();
    const timer = setTimeout(load, IDLE_LOAD_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (!Rich) {
    const hintId = `${id}-plainhint`;
    return (
      <div className="ed ed-plain">
        <textarea
          ref={textareaRef}
          className="ed-textarea"
          name="text"
          id={id}
          rows={6}
          defaultValue={plainText}
          aria-labelledby={labelledBy}
          aria-describedby={[hintId, describedBy].filter(Boolean).join(' ')}
          aria-invalid={invalid || undefined}
          disabled={disabled}
          onFocus={load}
          onPointerDown={load}
        />
        <p className="ed-plain-hint" id={hintId}>
          {t('editor.plainHint')}
        </p>
      </div>
    );
  }

  return (
    <Rich
      {...props}
      initialJson={carried.text !== null ? null : initialJson}
      initialText={carried.text ?? initialText ?? plainText}
      autoFocus={carried.focused}
    />
  );
}



interface SerializedLike {
  type?: string;
  text?: string;
  listType?: string;
  children?: SerializedLike[];
}

/**
 * The plain text of a serialized post, for the no-JavaScript textarea: paragraphs separated by
 * a blank line, list items on their own line ("- " or "1. "), quotes prefixed with "> ".
 */
export function plainTextFromJson(json: string): string {
  let root: SerializedLike | undefined;
  try {
    root = (JSON.parse(json) as { root?: SerializedLike }).root;
  } catch {
    return '';
  }
  if (!root || !Array.isArray(root.children)) return '';
  const inline = (node: SerializedLike): string => {
    if (node.type === 'linebreak') return '\n';
    if (node.type === 'tab') return '\t';
    if (typeof node.text === 'string') return node.text;
    return (node.children ?? []).map((c) => (c.type === 'list' ? '' : inline(c))).join('');
  };
  const list = (node: SerializedLike, depth: number): string[] => {
    const lines: string[] = [];
    let n = 0;
    for (const item of node.children ?? []) {
      const nested = (item.children ?? []).filter((c) => c.type === 'list');
      const own = inline(item);
      if (own !== '' || nested.length === 0) {
        n += 1;
        const marker = node.listType === 'number' ? `${n}. ` : '- ';
        lines.push('  '.repeat(depth) + marker + own.replace(/\n/g, ' '));
      }
      for (const sub of nested) lines.push(...list(sub, depth + 1));
    }
    return lines;
  };
  const blocks = root.children.map((block) => {
    if (block.type === 'list') return list(block, 0).join('\n');
    const text = inline(block);
    if (block.type === 'quote') return text.split('\n').map((l) => `> ${l}`).join('\n');
    return text;
  });
  return blocks.filter((b) => b.trim() !== '').join('\n\n');
}
