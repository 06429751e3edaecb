/**
 * "Cite a contribution": a modal dialog (native <dialog>: focus kept inside, Escape closes) that
 * searches what the note may cite (the sources route's `?q=`) and inserts the chosen one as a
 * citation at the caret. Focus goes back to the text afterwards. Also follows the citations of
 * the live document for the footnotes under it (`onCitations`).
 */
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext';
import { mergeRegister } from '@lexical/utils';
import { $getRoot, $getSelection, $insertNodes, $isRangeSelection, $setSelection, type BaseSelection, type LexicalEditor, type LexicalNode } from 'lexical';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { sourceLabel } from '../../components/notes/sources';
import type { Source } from '../../notes/citations.server';
import { $createCitationNode, $isCitationNode, CitationNode, registerCitationRules } from '../../notes/citation-node';
import { citationKey, type NoteCitationRef } from '../../contributions/refs';
import { $ensureSelection } from '../Toolbar';
import { SearchDialogFrame, useSearchDialog } from './SearchDialog';

export interface CiteDialogProps {
  open: boolean;
  onClose: () => void;
  sourcesUrl: string;
  groups: Record<string, string>;
  /** a contribution was cited (its footnote is known without asking the server) */
  onCited?: (source: Source) => void;
}


/**
 * Inserts `nodes()` at the caret as it was when a dialog took the focus (`saved`), or at the end
 * of the note if a co-editor removed the text it was in. Through the editor, hence through Yjs:
 * co-editors see it live and the server checks it like typing.
 */
export function insertAtCaret(editor: LexicalEditor, saved: BaseSelection | null, nodes: () => LexicalNode[]) {
  editor.update(() => {
    if (!$isRangeSelection($getSelection()) && saved) {
      try {
        const restored = saved.clone();
        restored.getNodes(); // throws if a co-editor removed the text the caret was in
        $setSelection(restored);
      } catch {
        $getRoot().selectEnd();
      }
    }
    $ensureSelection();
    $insertNodes(nodes());
  });
}

export function CiteDialog({ open, onClose, sourcesUrl, groups, onCited }: CiteDialogProps) {
  const { t } = useTranslation();
  const dialog = useSearchDialog<Source>({
    open,
    onClose,
    url: sourcesUrl,
    items: (body) => (Array.isArray(body.sources) ? (body.sources as Source[]) : null),
    errorKey: 'notes.sources.searchError',
  });

  const { editor, selection, search, close } = dialog;
  const cite = (source: Source) => {
    insertAtCaret(editor, selection.current, () => [$createCitationNode({ kind: source.kind, id: source.id })]);
    onCited?.(source);
    close();
  };

  const sources = search.state === 'done' ? search.items : [];
  return (
    <SearchDialogFrame
      dialog={dialog}
      title={t('notes.sources.dialogTitle')}
      label={t('notes.sources.search')}
      hint={t('notes.sources.searchHint')}
      noResults="notes.sources.noResults"
      results="notes.sources.results"
      testId="cite-dialog"
      searchTestId="cite-search"
    >
      <ul className="cite-results" data-testid="cite-results">
        {sources.map((source) => (
          <li key={citationKey(source)}>
            <button type="button" className="cite-result" onClick={() => cite(source)} data-testid="cite-result">
              <span className="note-source-label">{sourceLabel(source, t, groups)}</span>
              {source.excerpt ? <span className="cite-excerpt">{source.excerpt}</span> : null}
            </button>
          </li>
        ))}
      </ul>
    </SearchDialogFrame>
  );
}

/**
 * Tells the page which contributions the live document cites, in reading order, on every change;
 * keeps altered citations honest (registerCitationRules).
 */
export function CitationsPlugin({ onCitations }: { onCitations: (refs: NoteCitationRef[]) => void }) {
  const [editor] = useLexicalComposerContext();
  const latest = useRef(onCitations);
  latest.current = onCitations;
  useEffect(() => registerCitationRules(editor), [editor]);
  useEffect(() => {
    let previous: string | null = null;
    const report = () => {
      const refs = editor.getEditorState().read(() => {
        const seen = new Map<string, NoteCitationRef>();
        for (const node of $getRoot().getAllTextNodes()) {
          if ($isCitationNode(node)) {
            const ref = node.getRef();
            if (!seen.has(citationKey(ref))) seen.set(citationKey(ref), ref);
          }
        }
        return [...seen.values()];
      });
      const key = refs.map(citationKey).join();
      if (key === previous) return;
      previous = key;
      latest.current(refs);
    };
    return mergeRegister(
      // Walking the document only when a citation comes or goes, not on every keystroke;
      // and once at the first update, for a document that has none.
      editor.registerMutationListener(CitationNode, report, { skipInitialization: true }),
      editor.registerUpdateListener(() => {
        if (previous === null) report();
      }),
    );
  }, [editor]);
  return null;
}
