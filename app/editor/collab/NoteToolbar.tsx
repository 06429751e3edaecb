/**
 * The note editor's toolbar: the post toolbar's pattern and buttons (app/editor/Toolbar.tsx: one
 * Tab stop, arrow keys, Home/End, focus kept in the text) plus underline, headings, paragraph
 * and tables. Also registers Ctrl+Alt+2 / 3 (headings) and Ctrl+Alt+0 (paragraph).
 */
import { $isLinkNode, $createLinkNode, TOGGLE_LINK_COMMAND } from '@lexical/link';
import { $isListNode, INSERT_ORDERED_LIST_COMMAND, INSERT_UNORDERED_LIST_COMMAND, ListNode, REMOVE_LIST_COMMAND } from '@lexical/list';
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext';
import { $createHeadingNode, $createQuoteNode, $isHeadingNode, $isQuoteNode } from '@lexical/rich-text';
import { $setBlocksType } from '@lexical/selection';
import { $isTableNode, INSERT_TABLE_COMMAND } from '@lexical/table';
import { $findMatchingParent, $getNearestNodeOfType, mergeRegister } from '@lexical/utils';
import {
  $createParagraphNode,
  $createTextNode,
  $getSelection,
  $insertNodes,
  $isRangeSelection,
  $isRootOrShadowRoot,
  CAN_REDO_COMMAND,
  CAN_UNDO_COMMAND,
  COMMAND_PRIORITY_LOW,
  FORMAT_TEXT_COMMAND,
  KEY_DOWN_COMMAND,
  REDO_COMMAND,
  SELECTION_CHANGE_COMMAND,
  UNDO_COMMAND,
  type LexicalEditor,
} from 'lexical';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  $ensureSelection,
  BulletIcon,
  LinkIcon,
  normalizeUrl,
  NumberIcon,
  QuoteIcon,
  RedoIcon,
  Svg,
  ToolbarButton,
  UndoIcon,
  UnlinkIcon,
  type ToolbarButtonSpec,
} from '../Toolbar';

type BlockType = 'paragraph' | 'h2' | 'h3' | 'quote' | 'bullet' | 'number' | 'other';

interface FormatState {
  bold: boolean;
  italic: boolean;
  underline: boolean;
  block: BlockType;
  link: boolean;
  inTable: boolean;
}

const INITIAL: FormatState = { bold: false, italic: false, underline: false, block: 'paragraph', link: false, inTable: false };

function $readFormat(): FormatState | null {
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
    block = list.getListType() === 'number' ? 'number' : list.getListType() === 'bullet' ? 'bullet' : 'other';
  } else if ($isQuoteNode(top)) block = 'quote';
  else if ($isHeadingNode(top)) block = top.getTag() === 'h2' ? 'h2' : top.getTag() === 'h3' ? 'h3' : 'other';
  else if (top.getType() === 'paragraph') block = 'paragraph';
  const focus = selection.focus.getNode();
  return {
    bold: selection.hasFormat('bold'),
    italic: selection.hasFormat('italic'),
    underline: selection.hasFormat('underline'),
    block,
    link: $findMatchingParent(anchor, $isLinkNode) !== null || $findMatchingParent(focus, $isLinkNode) !== null,
    inTable: $findMatchingParent(anchor, $isTableNode) !== null,
  };
}

const same = (a: FormatState, b: FormatState) =>
  a.bold === b.bold && a.italic === b.italic && a.underline === b.underline && a.block === b.block && a.link === b.link && a.inTable === b.inTable;

/** Paragraph, h2 or h3 for the selected blocks (a heading given again goes back to a paragraph). */
function setBlock(editor: LexicalEditor, target: 'paragraph' | 'h2' | 'h3' | 'quote', current: BlockType) {
  editor.update(() => {
    const selection = $ensureSelection();
    const next = target === current && target !== 'paragraph' ? 'paragraph' : target;
    $setBlocksType(selection, () => (next === 'paragraph' ? $createParagraphNode() : next === 'quote' ? $createQuoteNode() : $createHeadingNode(next)));
  });
}

export function NoteToolbar({ editorId, onCite }: { editorId: string; /** opens the citation dialog */ onCite?: () => void }) {
  const { t } = useTranslation();
  const [editor] = useLexicalComposerContext();
  const [format, setFormat] = useState<FormatState>(INITIAL);
  const [canUndo, setCanUndo] = useState(false);
  const [canRedo, setCanRedo] = useState(false);
  const [editable, setEditable] = useState(() => editor.isEditable());
  const [focusIndex, setFocusIndex] = useState(0);
  const toolbarRef = useRef<HTMLDivElement>(null);
  const formatRef = useRef(format);
  formatRef.current = format;

  useEffect(() => {
    const refresh = () => {
      const next = $readFormat();
      if (next) setFormat((prev) => (same(prev, next) ? prev : next));
    };
    return mergeRegister(
      editor.registerUpdateListener(({ editorState }) => editorState.read(refresh, { editor })),
      editor.registerCommand(SELECTION_CHANGE_COMMAND, () => (refresh(), false), COMMAND_PRIORITY_LOW),
      editor.registerCommand(CAN_UNDO_COMMAND, (payload) => (setCanUndo(payload), false), COMMAND_PRIORITY_LOW),
      editor.registerCommand(CAN_REDO_COMMAND, (payload) => (setCanRedo(payload), false), COMMAND_PRIORITY_LOW),
      editor.registerEditableListener(setEditable),
      // Ctrl+Alt+2 / 3: headings, Ctrl+Alt+0: paragraph (not AltGr, which types characters).
      editor.registerCommand(
        KEY_DOWN_COMMAND,
        (event) => {
          if (!(event.ctrlKey || event.metaKey) || !event.altKey || event.shiftKey || event.getModifierState?.('AltGraph')) return false;
          const target = ({ Digit0: 'paragraph', Digit2: 'h2', Digit3: 'h3' } as const)[event.code as 'Digit0' | 'Digit2' | 'Digit3'];
          if (!target || !editor.isEditable()) return false;
          event.preventDefault();
          setBlock(editor, target, formatRef.current.block);
          return true;
        },
        COMMAND_PRIORITY_LOW,
      ),
    );
  }, [editor]);

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

  const insertTable = useCallback(() => {
    editor.update(() => {
      $ensureSelection();
    });
    editor.dispatchCommand(INSERT_TABLE_COMMAND, { rows: '3', columns: '3', includeHeaders: { rows: true, columns: false } });
  }, [editor]);

  const buttons: ToolbarButtonSpec[] = [
    {
      key: 'bold',
      label: t('editor.bold'),
      pressed: format.bold,
      shortcut: 'Control+B Meta+B',
      icon: <b className="ed-glyph-bold">B</b>,
      run: () => editor.dispatchCommand(FORMAT_TEXT_COMMAND, 'bold'),
    },
    {
      key: 'italic',
      label: t('editor.italic'),
      pressed: format.italic,
      shortcut: 'Control+I Meta+I',
      icon: <i className="ed-glyph-italic">I</i>,
      run: () => editor.dispatchCommand(FORMAT_TEXT_COMMAND, 'italic'),
    },
    {
      key: 'underline',
      label: t('notes.editor.underline'),
      pressed: format.underline,
      shortcut: 'Control+U Meta+U',
      icon: <span className="ed-glyph-underline">U</span>,
      run: () => editor.dispatchCommand(FORMAT_TEXT_COMMAND, 'underline'),
      groupEnd: true,
    },
    {
      key: 'paragraph',
      label: t('notes.editor.paragraph'),
      pressed: format.block === 'paragraph',
      shortcut: 'Control+Alt+0',
      icon: <ParagraphIcon />,
      run: () => setBlock(editor, 'paragraph', format.block),
    },
    {
      key: 'h2',
      label: t('notes.editor.heading2'),
      pressed: format.block === 'h2',
      shortcut: 'Control+Alt+2',
      icon: <span className="ed-glyph-heading">H2</span>,
      run: () => setBlock(editor, 'h2', format.block),
    },
    {
      key: 'h3',
      label: t('notes.editor.heading3'),
      pressed: format.block === 'h3',
      shortcut: 'Control+Alt+3',
      icon: <span className="ed-glyph-heading">H3</span>,
      run: () => setBlock(editor, 'h3', format.block),
      groupEnd: true,
    },
    {
      key: 'bullet',
      label: t('editor.bulletList'),
      pressed: format.block === 'bullet',
      icon: <BulletIcon />,
      run: () => toggleList('bullet'),
    },
    {
      key: 'number',
      label: t('editor.numberedList'),
      pressed: format.block === 'number',
      icon: <NumberIcon />,
      run: () => toggleList('number'),
    },
    {
      key: 'quote',
      label: t('editor.quote'),
      pressed: format.block === 'quote',
      icon: <QuoteIcon />,
      run: () => setBlock(editor, 'quote', format.block),
      groupEnd: true,
    },
    {
      key: 'link',
      label: format.link ? t('editor.unlink') : t('editor.link'),
      icon: format.link ? <UnlinkIcon /> : <LinkIcon />,
      run: toggleLink,
    },
    ...(onCite
      ? [
          {
            key: 'cite',
            label: t('notes.sources.cite'),
            icon: <CiteIcon />,
            run: onCite,
          } satisfies ToolbarButtonSpec,
        ]
      : []),
    {
      key: 'table',
      label: t('notes.editor.insertTable'),
      unavailable: format.inTable,
      icon: <TableIcon />,
      run: insertTable,
      groupEnd: true,
    },
    {
      key: 'undo',
      label: t('editor.undo'),
      unavailable: !canUndo,
      shortcut: 'Control+Z Meta+Z',
      icon: <UndoIcon />,
      run: () => editor.dispatchCommand(UNDO_COMMAND, undefined),
    },
    {
      key: 'redo',
      label: t('editor.redo'),
      unavailable: !canRedo,
      shortcut: 'Control+Y Meta+Shift+Z',
      icon: <RedoIcon />,
      run: () => editor.dispatchCommand(REDO_COMMAND, undefined),
    },
  ];

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
      className="ed-toolbar note-toolbar"
      role="toolbar"
      id={`${editorId}-toolbar`}
      aria-label={t('editor.toolbar')}
      aria-controls={editorId}
      data-testid="note-toolbar"
      onKeyDown={onKeyDown}
    >
      {buttons.map((b, index) => (
        <ToolbarButton
          key={b.key}
          spec={b}
          disabled={!editable}
          tabIndex={index === focusIndex ? 0 : -1}
          onFocus={() => setFocusIndex(index)}
          editor={editor}
        />
      ))}
    </div>
  );
}

function ParagraphIcon(): ReactNode {
  return (
    <Svg>
      <path d="M9 16V4h6M13 4v12" />
      <path d="M9 4a3.5 3.5 0 0 0 0 7" />
    </Svg>
  );
}

function TableIcon(): ReactNode {
  return (
    <Svg>
      <rect x="3" y="4" width="14" height="12" rx="1" />
      <path d="M3 8h14M3 12h14M8 4v12M12.5 4v12" />
    </Svg>
  );
}

function CiteIcon(): ReactNode {
  return (
    <Svg>
      <path d="M5 6h4v4H7c0 2-1 3-2 4M13 6h4v4h-2c0 2-1 3-2 4" />
    </Svg>
  );
}
