/**
 * "Insert a key point": a modal dialog (native <dialog>, as CiteDialog: focus kept inside, Escape
 * closes) listing the key points of the note's question that the editor may read (the key-points
 * route, `?q=` to narrow them). Choosing a key point inserts at the caret a paragraph: its summary
 * (its heading if it has none) followed by a citation of each of its clips; choosing one clip
 * cites it alone. Both go through the editor, hence through Yjs: co-editors see them live and the
 * server checks them like typing. Focus goes back to the text afterwards.
 */
import { $createParagraphNode, $createTextNode, type LexicalNode } from 'lexical';
import { useTranslation } from 'react-i18next';
import { quotedSourceLabel } from '../../components/notes/sources';
import type { Source } from '../../notes/citations.server';
import type { NoteKeyPoint } from '../../notes/note-key-points.server';
import { $createCitationNode } from '../../notes/citation-node';
import { insertAtCaret } from './CiteDialog';
import { SearchDialogFrame, useSearchDialog } from './SearchDialog';

export interface KeyPointDialogProps {
  open: boolean;
  onClose: () => void;
  /** the note's key-points route */
  keyPointsUrl: string;
  groups: Record<string, string>;
  /** clips were cited (their footnotes are known without asking the server) */
  onCited?: (source: Source) => void;
}

/** The paragraph a key point becomes: its words on one line, then its clips' citations. */
export function $keyPointParagraph(point: { heading: string; summary: string; clips: readonly { id: number }[] }): LexicalNode {
  const words = (point.summary.trim() || point.heading).replace(/\s+/g, ' ').trim();
  const paragraph = $createParagraphNode().append($createTextNode(words));
  for (const clip of point.clips) paragraph.append($createTextNode(' '), $createCitationNode({ kind: 'clip', id: clip.id }));
  return paragraph;
}

export function KeyPointDialog({ open, onClose, keyPointsUrl, groups, onCited }: KeyPointDialogProps) {
  const { t } = useTranslation();
  const dialog = useSearchDialog<NoteKeyPoint>({
    open,
    onClose,
    url: keyPointsUrl,
    items: (body) => (Array.isArray(body.keyPoints) ? (body.keyPoints as NoteKeyPoint[]) : null),
    errorKey: 'notes.keyPoints.loadError',
  });

  const { editor, id, selection, search, close } = dialog;
  const insert = (point: NoteKeyPoint) => {
    insertAtCaret(editor, selection.current, () => [$keyPointParagraph(point)]);
    for (const clip of point.clips) onCited?.(clip);
    close();
  };

  const cite = (clip: Source) => {
    insertAtCaret(editor, selection.current, () => [$createCitationNode({ kind: 'clip', id: clip.id })]);
    onCited?.(clip);
    close();
  };

  const keyPoints = search.state === 'done' ? search.items : [];
  return (
    <SearchDialogFrame
      dialog={dialog}
      title={t('notes.keyPoints.dialogTitle')}
      label={t('notes.keyPoints.search')}
      hint={t('notes.keyPoints.searchHint')}
      noResults="notes.keyPoints.noResults"
      results="notes.keyPoints.results"
      testId="key-point-dialog"
      searchTestId="key-point-search"
    >
      <ul className="cite-results key-point-results" data-testid="key-point-results">
        {keyPoints.map((point) => (
          <li key={point.id} className="key-point-result" data-testid="key-point-result">
            <button
              type="button"
              className="cite-result"
              onClick={() => insert(point)}
              aria-describedby={`${id}-kp-${point.id}`}
              data-testid="key-point-insert"
            >
              <span className="note-source-label">{t('notes.keyPoints.insertOne', { question: point.question, heading: point.heading })}</span>
              <span className="cite-excerpt" id={`${id}-kp-${point.id}`}>
                {point.summary ? `${point.summary} ` : ''}
                {t('notes.keyPoints.clips', { count: point.clips.length })}
              </span>
            </button>
            {point.clips.length > 0 ? (
              <ul className="key-point-clips" aria-label={t('notes.keyPoints.clipsOf', { heading: point.heading })}>
                {point.clips.map((clip) => (
                  <li key={clip.id}>
                    <button type="button" className="cite-result key-point-clip" onClick={() => cite(clip)} data-testid="clip-cite">
                      <span className="note-source-label">{t('notes.keyPoints.citeClip', { marker: clip.marker })}</span>
                      <span className="cite-excerpt">
                        {t('notes.sources.quoted', { text: clip.excerpt })} {quotedSourceLabel(clip, groups)}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
    </SearchDialogFrame>
  );
}
