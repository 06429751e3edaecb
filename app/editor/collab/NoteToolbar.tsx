/**
 * The note editor's toolbar: the post toolbar's pattern and buttons (app/editor/Toolbar.tsx: one
 * Tab stop, arrow keys, Home/End, focus kept in the text) plus underline, headings, paragraph
 * and tables, citing a contribution and inserting a key point of the compilation. Also registers Ctrl+Alt+2 / 3 (headings) and Ctrl+Alt+0 (paragraph).
 */
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext';
import { $createHeadingNode } from '@lexical/rich-text';
import { $isTableNode, INSERT_TABLE_COMMAND } from '@lexical/table';
import { $findMatchingParent } from '@lexical/utils';
import { $getSelection, $isRangeSelection, COMMAND_PRIORITY_LOW, FORMAT_TEXT_COMMAND, KEY_DOWN_COMMAND } from 'lexical';
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  $ensureSelection,
  $readFormat,
  endsGroup,
  INITIAL_FORMAT,
  setBlock,
  Svg,
  ToolbarFrame,
  useCommonButtons,
  useToolbarState,
  type FormatState,
  type ToolbarButtonSpec,
} from '../Toolbar';

type NoteFormat = FormatState & { inTable: boolean };

const INITIAL: NoteFormat = { ...INITIAL_FORMAT, inTable: false };

function $readNoteFormat(): NoteFormat | null {
  const format = $readFormat();
  const selection = $getSelection();
  if (!format || !$isRangeSelection(selection)) return null;
  return { ...format, inTable: $findMatchingParent(selection.anchor.getNode(), $isTableNode) !== null };
}

const heading = (tag: 'h2' | 'h3') => $createHeadingNode(tag);

export function NoteToolbar({
  editorId,
  onCite,
  onInsertKeyPoint,
}: {
  editorId: string;
  /** opens the citation dialog */
  onCite?: () => void;
  /** opens the "Insert a key point" dialog */
  onInsertKeyPoint?: () => void;
}) {
  const { t } = useTranslation();
  const [editor] = useLexicalComposerContext();
  const state = useToolbarState(editor, $readNoteFormat, INITIAL);
  const { format } = state;
  const common = useCommonButtons(editor, state);
  const blockRef = useRef(format.block);
  blockRef.current = format.block;

  // Ctrl+Alt+2 / 3: headings, Ctrl+Alt+0: paragraph (not AltGr, which types characters).
  useEffect(
    () =>
      editor.registerCommand(
        KEY_DOWN_COMMAND,
        (event) => {
          if (!(event.ctrlKey || event.metaKey) || !event.altKey || event.shiftKey || event.getModifierState?.('AltGraph')) return false;
          const target = ({ Digit0: 'paragraph', Digit2: 'h2', Digit3: 'h3' } as const)[event.code as 'Digit0' | 'Digit2' | 'Digit3'];
          if (!target || !editor.isEditable()) return false;
          event.preventDefault();
          setBlock(editor, target, blockRef.current, heading);
          return true;
        },
        COMMAND_PRIORITY_LOW,
      ),
    [editor],
  );

  const insertTable = () => {
    editor.update(() => {
      $ensureSelection();
    });
    editor.dispatchCommand(INSERT_TABLE_COMMAND, { rows: '3', columns: '3', includeHeaders: { rows: true, columns: false } });
  };

  const buttons: ToolbarButtonSpec[] = [
    common.bold,
    common.italic,
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
      run: () => setBlock(editor, 'paragraph', format.block, heading),
    },
    {
      key: 'h2',
      label: t('notes.editor.heading2'),
      pressed: format.block === 'h2',
      shortcut: 'Control+Alt+2',
      icon: <span className="ed-glyph-heading">H2</span>,
      run: () => setBlock(editor, 'h2', format.block, heading),
    },
    {
      key: 'h3',
      label: t('notes.editor.heading3'),
      pressed: format.block === 'h3',
      shortcut: 'Control+Alt+3',
      icon: <span className="ed-glyph-heading">H3</span>,
      run: () => setBlock(editor, 'h3', format.block, heading),
      groupEnd: true,
    },
    common.bullet,
    common.number,
    endsGroup(common.quote),
    common.link,
    ...(onCite ? [{ key: 'cite', label: t('notes.sources.cite'), icon: <CiteIcon />, run: onCite }] : []),
    ...(onInsertKeyPoint ? [{ key: 'key-point', label: t('notes.keyPoints.insert'), icon: <KeyPointIcon />, run: onInsertKeyPoint }] : []),
    {
      key: 'table',
      label: t('notes.editor.insertTable'),
      unavailable: format.inTable,
      icon: <TableIcon />,
      run: insertTable,
      groupEnd: true,
    },
    common.undo,
    common.redo,
  ];

  return <ToolbarFrame editor={editor} editorId={editorId} buttons={buttons} className="ed-toolbar note-toolbar" testId="note-toolbar" />;
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

function KeyPointIcon(): ReactNode {
  return (
    <Svg>
      <path d="M4 5h12M4 9h8M4 13h6" />
      <path d="M14 12h4v4h-2c0 1-.5 2-1.5 2.5" />
    </Svg>
  );
}
