/**
 * What both search dialogs of the note editor share (CiteDialog, KeyPointDialog): a native modal
 * <dialog> opened and closed with `open` (focus kept inside, Escape closes), the caret kept from
 * before it took the focus (to insert there), a labelled search field whose words are sent to
 * `url` (`?q=`) after a short pause, only the latest answer kept, a status line read out to
 * screen readers, and focus given back to the text on close.
 */
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext';
import { $getSelection, type BaseSelection } from 'lexical';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export type DialogSearch<T> = { state: 'idle' | 'loading' } | { state: 'error'; message: string } | { state: 'done'; items: T[] };

/** Milliseconds of quiet typing before a search is sent. */
const PAUSE_MS = 200;

/**
 * `items` takes the route's JSON answer to the list it holds (null if it holds none);
 * `errorKey` is the message (an i18n key) of a failed search whose answer names none (`error`).
 */
export function useSearchDialog<T>(options: { open: boolean; onClose: () => void; url: string; items: (body: Record<string, unknown>) => T[] | null; errorKey: string }) {
  const { open, onClose, url, errorKey } = options;
  const [editor] = useLexicalComposerContext();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const selection = useRef<BaseSelection | null>(null);
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState<DialogSearch<T>>({ state: 'idle' });
  const id = useId();
  const items = useRef(options.items);
  items.current = options.items;

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      // Where to insert: the caret as it was before the dialog took the focus.
      selection.current = editor.getEditorState().read(() => $getSelection()?.clone() ?? null);
      dialog.showModal();
      inputRef.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open, editor]);

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setSearch({ state: 'loading' });
      fetch(`${url}?q=${encodeURIComponent(query)}`, { headers: { accept: 'application/json' }, signal: controller.signal })
        .then(async (response) => {
          const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
          const found = response.ok ? items.current(body) : null;
          if (found) setSearch({ state: 'done', items: found });
          else setSearch({ state: 'error', message: typeof body.error === 'string' ? body.error : errorKey });
        })
        .catch((error: Error) => {
          if (error.name !== 'AbortError') setSearch({ state: 'error', message: errorKey });
        });
    }, PAUSE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [open, query, url, errorKey]);

  const close = () => {
    onClose();
    editor.focus();
  };

  return { editor, id, dialogRef, inputRef, selection, query, setQuery, search, close };
}

type SearchDialogState<T> = ReturnType<typeof useSearchDialog<T>>;

/**
 * The dialog around a search's results: its title, the search field (`label`, `hint`), the status
 * line (`noResults` / `results` are i18n keys, the latter with `count`) and a Close button.
 * `testId` names the dialog and, suffixed, its search field (`<testId>-search`… as the tests use).
 */
export function SearchDialogFrame<T>({
  dialog,
  title,
  label,
  hint,
  noResults,
  results,
  testId,
  searchTestId,
  children,
}: {
  dialog: SearchDialogState<T>;
  title: string;
  label: string;
  hint: string;
  noResults: string;
  results: string;
  testId: string;
  searchTestId: string;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const { id, dialogRef, inputRef, query, setQuery, search, close } = dialog;
  const count = search.state === 'done' ? search.items.length : 0;
  return (
    <dialog
      ref={dialogRef}
      className="cite-dialog"
      aria-labelledby={`${id}-title`}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        close();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <div className="field">
        <label htmlFor={`${id}-q`}>{label}</label>
        <input
          ref={inputRef}
          id={`${id}-q`}
          type="search"
          value={query}
          maxLength={200}
          autoComplete="off"
          aria-describedby={`${id}-hint ${id}-status`}
          onChange={(event) => setQuery(event.target.value)}
          data-testid={searchTestId}
        />
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      </div>
      <p id={`${id}-status`} role="status" className="muted">
        {search.state === 'loading'
          ? t('notes.sources.searching')
          : search.state === 'error'
            ? t(search.message)
            : search.state === 'done'
              ? count === 0
                ? t(noResults)
                : t(results, { count })
              : ''}
      </p>
      {count > 0 ? children : null}
      <p>
        <button type="button" className="button button-secondary" onClick={close}>
          {t('notes.sources.close')}
        </button>
      </p>
    </dialog>
  );
}
