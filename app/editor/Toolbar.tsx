/**
 * Formatting toolbars: the parts every one shares (format state, the common buttons, the frame)
 * and the post composer's toolbar. WAI-ARIA toolbar pattern: one Tab stop, arrow keys,
 * Home and End move between buttons. Buttons never take the focus away from the text on a
 * mouse click (mousedown is prevented), so the selection stays where the user left it; after a
 * button is used from the keyboard, the focus goes back to the text (Shift+Tab returns to the
 * last button used).
 */
import { $isLinkNode, $createLinkNode, TOGGLE_LINK_COMMAND, type LinkNode } from '@lexical/link';
import {
  $isListNode,
  INSERT_ORDERED_LIST_COMMAND,
  INSERT_UNORDERED_LIST_COMMAND,
  ListNode,
  REMOVE_LIST_COMMAND,
} from '@lexical/list';
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext';
import { $createQuoteNode, $isHeadingNode, $isQuoteNode } from '@lexical/rich-text';
import { $setBlocksType } from '@lexical/selection';
import { $findMatchingParent, $getNearestNodeOfType, mergeRegister } from '@lexical/utils';
import {
  $createParagraphNode,
  $createTextNode,
  $getRoot,
  $getSelection,
  $insertNodes,
  $isRangeSelection,
  $isRootOrShadowRoot,
  CAN_REDO_COMMAND,
  CAN_UNDO_COMMAND,
  COMMAND_PRIORITY_LOW,
  FORMAT_TEXT_COMMAND,
  REDO_COMMAND,
  SELECTION_CHANGE_COMMAND,
  UNDO_COMMAND,
  type ElementNode,
  type LexicalEditor,
} from 'lexical';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isSafeUrl } from '../posts/lexical';

/**
 * True for a link the server will accept (isSafeUrl: http, https or mailto) that also names a
 * host or an address (the LinkPlugin's `validateUrl`).
 */
export function isAllowedUrl(url: string): boolean {
  try {
    if (!isSafeUrl(url)) return false;
    const parsed = new URL(url);
    return parsed.protocol === 'mailto:' ? parsed.pathname.length > 0 : parsed.hostname.length > 0;
  } catch {
    return false;
  }
}

/**
 * The link rules every composer applies (as a LinkNode transform): a link the server would not
 * keep (javascript:, data:, relative… as pasted) gives way to its text; a kept one gets the
 * toolbar's attributes, whatever a pasted <a> carried. Returns whether the link is kept.
 */
export function $keepSafeLink(node: LinkNode): boolean {
  if (!isAllowedUrl(node.getURL())) {
    for (const child of node.getChildren()) node.insertBefore(child);
    node.remove();
    return false;
  }
  if (node.getRel() !== 'noreferrer') node.setRel('noreferrer');
  if (node.getTarget() !== null) node.setTarget(null);
  return true;
}

/**
 * What the user typed in the link prompt, as a URL: `example.org/x` becomes
 * `https://example.org/x` and `name@example.org` becomes `mailto:name@example.org`.
 * Returns null when the address is not an allowed one.
 */
export function normalizeUrl(input: string): string | null {
  let url = input.trim();
  if (!url) return null;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    if (/^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/.test(url)) url = `mailto:${url}`;
    else if (/^[^\s/]+\.[^\s/]+/.test(url)) url = `https://${url.replace(/^\/\/+/, '')}`;
    else return null;
  }
  if (!isAllowedUrl(url)) return null;
  const parsed = new URL(url);
  return parsed.protocol === 'mailto:' ? url : parsed.href;
}

export type BlockType = 'paragraph' | 'h2' | 'h3' | 'quote' | 'bullet' | 'number' | 'other';

export interface FormatState {
  bold: boolean;
  italic: boolean;
  underline: boolean;
  block: BlockType;
  link: boolean;
}

export const INITIAL_FORMAT: FormatState = { bold: false, italic: false, underline: false, block: 'paragraph', link: false };

/** Reads the toolbar state from the current selection (inside a read or update). */
export function $readFormat(): FormatState | null {
  const selection = $getSelection();
  if (!$isRangeSelection(selection)) return null;
  const anchor = selection.anchor.getNode();
  const top =
    anchor.getKey() === 'root'
      ? null
      : $findMatchingParent(anchor, (node) => {
          const parent = node.getParent();
          return parent !== null && $isRootOrShadowRoot(parent);
        });
  let block: BlockType = 'other';
  if (top === null) block = 'paragraph';
  else if ($isListNode(top)) {
    const list = $getNearestNodeOfType(anchor, ListNode) ?? top;
    const type = list.getListType();
    block = type === 'number' ? 'number' : type === 'bullet' ? 'bullet' : 'other';
  } else if ($isQuoteNode(top)) block = 'quote';
  else if ($isHeadingNode(top)) block = top.getTag() === 'h2' ? 'h2' : top.getTag() === 'h3' ? 'h3' : 'other';
  else if (top.getType() === 'paragraph') block = 'paragraph';
  const focus = selection.focus.getNode();
  const link = $findMatchingParent(anchor, $isLinkNode) !== null || $findMatchingParent(focus, $isLinkNode) !== null;
  return { bold: selection.hasFormat('bold'), italic: selection.hasFormat('italic'), underline: selection.hasFormat('underline'), block, link };
}

/** Gives the editor a selection (the end of the text) when it has none, so a button always acts. */
export function $ensureSelection() {
  const selection = $getSelection();
  if (selection !== null) return selection;
  $getRoot().selectEnd();
  return $getSelection();
}

const shallowEqual = <S extends object>(a: S, b: S) => (Object.keys(a) as (keyof S)[]).every((key) => a[key] === b[key]);

/**
 * What a toolbar shows: the selection's format (`$read`, re-read after every update and
 * selection change) and whether undo and redo are possible.
 */
export function useToolbarState<S extends object>(editor: LexicalEditor, $read: () => S | null, initial: S) {
  const [format, setFormat] = useState<S>(initial);
  const [canUndo, setCanUndo] = useState(false);
  const [canRedo, setCanRedo] = useState(false);
  useEffect(() => {
    const refresh = () => {
      const next = $read();
      if (next) setFormat((prev) => (shallowEqual(prev, next) ? prev : next));
    };
    return mergeRegister(
      editor.registerUpdateListener(({ editorState }) => editorState.read(refresh, { editor })),
      editor.registerCommand(SELECTION_CHANGE_COMMAND, () => (refresh(), false), COMMAND_PRIORITY_LOW),
      editor.registerCommand(CAN_UNDO_COMMAND, (payload) => (setCanUndo(payload), false), COMMAND_PRIORITY_LOW),
      editor.registerCommand(CAN_REDO_COMMAND, (payload) => (setCanRedo(payload), false), COMMAND_PRIORITY_LOW),
    );
  }, [editor, $read]);
  return { format, canUndo, canRedo };
}

/** Paragraph, quote or heading for the selected blocks; the current one given again goes back to a paragraph. */
export function setBlock<B extends string>(editor: LexicalEditor, target: B | 'paragraph', current: BlockType, create: (block: B) => ElementNode) {
  editor.update(() => {
    const selection = $ensureSelection();
    const next = target === current && target !== 'paragraph' ? 'paragraph' : target;
    $setBlocksType(selection, () => (next === 'paragraph' ? $createParagraphNode() : create(next as B)));
  });
}

/**
 * The buttons every toolbar has (bold, italic, lists, quote, link, undo, redo), for the
 * current format. Each toolbar lists them in its own order, with its own buttons between.
 */
export function useCommonButtons(editor: LexicalEditor, { format, canUndo, canRedo }: { format: FormatState; canUndo: boolean; canRedo: boolean }) {
  const { t } = useTranslation();

  const toggleList = useCallback(
    (type: 'bullet' | 'number') => {
      editor.update(() => {
        $ensureSelection();
      });
      if (format.block === type) editor.dispatchCommand(REMOVE_LIST_COMMAND, undefined);
      else editor.dispatchCommand(type === 'bullet' ? INSERT_UNORDERED_LIST_COMMAND : INSERT_ORDERED_LIST_COMMAND, undefined);
    },
    [editor, format.block],
  );

  const toggleLink = useCallback(() => {
    if (format.link) {
      editor.dispatchCommand(TOGGLE_LINK_COMMAND, null);
      return;
    }
    const answer = window.prompt(t('editor.linkPrompt'), '');
    if (answer === null || answer.trim() === '') return;
    const url = normalizeUrl(answer);
    if (url === null) {
      window.alert(t('editor.linkInvalid'));
      return;
    }
    const collapsed = editor.read(() => {
      const selection = $getSelection();
      return !$isRangeSelection(selection) || selection.isCollapsed();
    });
    if (collapsed) {
      // Nothing selected: insert the address itself as the link's text.
      editor.update(() => {
        $ensureSelection();
        const link = $createLinkNode(url, { rel: 'noreferrer' });
        link.append($createTextNode(url.startsWith('mailto:') ? url.slice('mailto:'.length) : url));
        $insertNodes([link]);
      });
    } else {
      editor.dispatchCommand(TOGGLE_LINK_COMMAND, url);
    }
  }, [editor, format.link, t]);

  return {
    bold: {
      key: 'bold',
      label: t('editor.bold'),
      pressed: format.bold,
      shortcut: 'Control+B Meta+B',
      icon: <b className="ed-glyph-bold">B</b>,
      run: () => editor.dispatchCommand(FORMAT_TEXT_COMMAND, 'bold'),
    },
    italic: {
      key: 'italic',
      label: t('editor.italic'),
      pressed: format.italic,
      shortcut: 'Control+I Meta+I',
      icon: <i className="ed-glyph-italic">I</i>,
      run: () => editor.dispatchCommand(FORMAT_TEXT_COMMAND, 'italic'),
    },
    bullet: {
      key: 'bullet',
      label: t('editor.bulletList'),
      pressed: format.block === 'bullet',
      icon: <BulletIcon />,
      run: () => toggleList('bullet'),
    },
    number: {
      key: 'number',
      label: t('editor.numberedList'),
      pressed: format.block === 'number',
      icon: <NumberIcon />,
      run: () => toggleList('number'),
    },
    quote: {
      key: 'quote',
      label: t('editor.quote'),
      pressed: format.block === 'quote',
      icon: <QuoteIcon />,
      run: () => setBlock(editor, 'quote', format.block, () => $createQuoteNode()),
    },
    link: {
      key: 'link',
      label: format.link ? t('editor.unlink') : t('editor.link'),
      icon: format.link ? <UnlinkIcon /> : <LinkIcon />,
      run: toggleLink,
    },
    undo: {
      key: 'undo',
      label: t('editor.undo'),
      unavailable: !canUndo,
      shortcut: 'Control+Z Meta+Z',
      icon: <UndoIcon />,
      run: () => editor.dispatchCommand(UNDO_COMMAND, undefined),
    },
    redo: {
      key: 'redo',
      label: t('editor.redo'),
      unavailable: !canRedo,
      shortcut: 'Control+Y Meta+Shift+Z',
      icon: <RedoIcon />,
      run: () => editor.dispatchCommand(REDO_COMMAND, undefined),
    },
  } satisfies Record<string, ToolbarButtonSpec>;
}

/** Ends a group of buttons with a separator. */
export const endsGroup = (spec: ToolbarButtonSpec): ToolbarButtonSpec => ({ ...spec, groupEnd: true });

/**
 * A WAI-ARIA toolbar of `buttons` for the editor `editorId`: one Tab stop, arrow keys, Home and
 * End; every button is disabled while the editor is not editable (or `disabled`).
 */
export function ToolbarFrame({
  editor,
  editorId,
  buttons,
  disabled = false,
  className = 'ed-toolbar',
  testId,
}: {
  editor: LexicalEditor;
  editorId: string;
  buttons: ToolbarButtonSpec[];
  disabled?: boolean;
  className?: string;
  testId?: string;
}) {
  const { t } = useTranslation();
  const [editable, setEditable] = useState(() => editor.isEditable());
  const [focusIndex, setFocusIndex] = useState(0);
  const toolbarRef = useRef<HTMLDivElement>(null);
  useEffect(() => editor.registerEditableListener(setEditable), [editor]);

  const focusButton = (index: number) => {
    const all = toolbarRef.current?.querySelectorAll<HTMLButtonElement>('button');
    if (!all || all.length === 0) return;
    const i = (index + all.length) % all.length;
    setFocusIndex(i);
    all[i].focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, number | undefined> = { ArrowRight: focusIndex + 1, ArrowLeft: focusIndex - 1, Home: 0, End: buttons.length - 1 };
    const target = moves[event.key];
    if (target === undefined || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    focusButton(target);
  };

  return (
    <div
      ref={toolbarRef}
      className={className}
      role="toolbar"
      id={`${editorId}-toolbar`}
      aria-label={t('editor.toolbar')}
      aria-controls={editorId}
      data-testid={testId}
      onKeyDown={onKeyDown}
    >
      {buttons.map((b, index) => (
        <ToolbarButton
          key={b.key}
          spec={b}
          disabled={disabled || !editable}
          tabIndex={index === focusIndex ? 0 : -1}
          onFocus={() => setFocusIndex(index)}
          editor={editor}
        />
      ))}
    </div>
  );
}

/** The post composer's toolbar. */
export function Toolbar({ editorId, disabled = false }: { editorId: string; disabled?: boolean }) {
  const [editor] = useLexicalComposerContext();
  const state = useToolbarState(editor, $readFormat, INITIAL_FORMAT);
  const common = useCommonButtons(editor, state);
  const buttons = [common.bold, endsGroup(common.italic), common.bullet, common.number, common.quote, endsGroup(common.link), common.undo, common.redo];
  return <ToolbarFrame editor={editor} editorId={editorId} buttons={buttons} disabled={disabled} />;
}

export interface ToolbarButtonSpec {
  key: string;
  label: string;
  icon: ReactNode;
  run: () => void;
  /** a toggle button's state (aria-pressed); undefined for plain buttons */
  pressed?: boolean;
  /** the action cannot be done now (nothing to undo): aria-disabled, so it stays focusable */
  unavailable?: boolean;
  shortcut?: string;
  /** draws a separator after this button */
  groupEnd?: boolean;
}

export function ToolbarButton({
  spec,
  disabled,
  tabIndex,
  onFocus,
  editor,
}: {
  spec: ToolbarButtonSpec;
  disabled: boolean;
  tabIndex: number;
  onFocus: () => void;
  editor: LexicalEditor;
}) {
  const inactive = disabled || spec.unavailable === true;
  return (
    <button
      type="button"
      className={`ed-button${spec.groupEnd ? ' ed-group-end' : ''}`}
      aria-label={spec.label}
      title={spec.label}
      aria-pressed={spec.pressed}
      aria-disabled={inactive || undefined}
      aria-keyshortcuts={spec.shortcut}
      tabIndex={tabIndex}
      onFocus={onFocus}
      // Keep the focus (and the text selection) in the editor on a mouse click.
      onMouseDown={(event) => event.preventDefault()}
      onClick={() => {
        if (inactive || !editor.isEditable()) return;
        spec.run();
        // Back to the text (as after a mouse click), so a keyboard user goes on typing.
        editor.focus();
      }}
    >
      <span className="ed-icon" aria-hidden="true">
        {spec.icon}
      </span>
    </button>
  );
}

/* Icons: 20×20, drawn with currentColor so they follow the button's text colour. */
export function Svg({ children }: { children: ReactNode }) {
  return (
    <svg
      width="20"
      height="20"
      viewBox="0 0 20 20"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      focusable="false"
      aria-hidden="true"
    >
      {children}
    </svg>
  );
}

export function BulletIcon() {
  return (
    <Svg>
      <circle cx="4" cy="5" r="1.3" fill="currentColor" stroke="none" />
      <circle cx="4" cy="10" r="1.3" fill="currentColor" stroke="none" />
      <circle cx="4" cy="15" r="1.3" fill="currentColor" stroke="none" />
      <path d="M8 5h9M8 10h9M8 15h9" />
    </Svg>
  );
}

export function NumberIcon() {
  return (
    <Svg>
      <path d="M3 3.5l1.5-1v5M2.8 7.5h3.4" strokeWidth="1.4" />
      <path d="M2.8 12.3c.3-.9 2.9-1 2.9.5 0 1.2-2.9 2-2.9 3.7h3" strokeWidth="1.4" />
      <path d="M9 5h8M9 10h8M9 15h8" />
    </Svg>
  );
}

export function QuoteIcon() {
  return (
    <Svg>
      <path d="M3 4v12" strokeWidth="2.4" />
      <path d="M8 6h9M8 10h9M8 14h6" />
    </Svg>
  );
}

export function LinkIcon() {
  return (
    <Svg>
      <path d="M8.5 11.5a3.5 3.5 0 0 0 5 0l2.5-2.5a3.5 3.5 0 0 0-5-5l-1 1" />
      <path d="M11.5 8.5a3.5 3.5 0 0 0-5 0L4 11a3.5 3.5 0 0 0 5 5l1-1" />
    </Svg>
  );
}

export function UnlinkIcon() {
  return (
    <Svg>
      <path d="M12 5l1-1a3.5 3.5 0 0 1 5 5l-1.5 1.5" />
      <path d="M8 15l-1 1a3.5 3.5 0 0 1-5-5l1.5-1.5" />
      <path d="M3 3l14 14" />
    </Svg>
  );
}

export function UndoIcon() {
  return (
    <Svg>
      <path d="M7 4L3 8l4 4" />
      <path d="M3 8h9a5 5 0 0 1 0 10H9" />
    </Svg>
  );
}

export function RedoIcon() {
  return (
    <Svg>
      <path d="M13 4l4 4-4 4" />
      <path d="M17 8H8a5 5 0 0 0 0 10h3" />
    </Svg>
  );
}
