/**
 * The server's view of a note's Yjs document (docs/decisions/0008): seeding, reading it as
 * Lexical JSON / plain text / safe HTML, restoring a version as a new change, and telling an edit
 * from a repeat (the check of incoming updates is in update-check.server.ts, re-exported here).
 * Pure functions: no database, no sockets.
 *
 * Every conversion goes through headless Lexical bound with @lexical/yjs, exactly as the browser's
 * CollaborationPlugin is, so the server reads and writes the same Yjs shapes the editors do
 * (root `XmlText`, elements as embedded `XmlText`s, text as a `Y.Map` embed plus characters, node
 * types in a `__type` attribute). docs/decisions/0008 lists the traps this avoids.
 *
 * Yjs is imported as ESM only: a CommonJS copy next to @lexical/yjs's would be a second Yjs.
 */
import { createHeadlessEditor } from '@lexical/headless';
import { $createHeadingNode } from '@lexical/rich-text';
import { createYjsBinding, syncLexicalUpdateToYjs, syncYjsChangesToLexical, type Binding, type Provider } from '@lexical/yjs';
import { diffWords } from 'diff';
import {
  $createParagraphNode,
  $createTextNode,
  $getRoot,
  $parseSerializedNode,
  SKIP_COLLAB_TAG,
  type LexicalEditor,
  type LexicalNode,
  type SerializedEditorState,
} from 'lexical';
import * as Y from 'yjs';
import { citationMarker } from '../contributions/refs';
import { lexicalHtml } from '../documents/html';
import { walkLexical, type LexicalVisitor } from '../documents/lexical-walk';
import { NOTE_NODES } from './note-nodes';
import { cleanMultiline, hasControlCharacters } from '../text/policy';
import { ROOT_NAME } from './update-check.server';

/**
 * The Yjs client id of every note's first content. Seeds made twice for the same title are then
 * byte-identical and merge into one heading and one paragraph instead of two (docs/decisions/0008).
 */
export const SEED_CLIENT_ID = 1;

// ---------------------------------------------------------------------------------------------
// Headless binding
// ---------------------------------------------------------------------------------------------

const noop = () => {};

/**
 * The binding and sync functions want a provider; nothing here connects anywhere or has cursors,
 * so every method does nothing (the Lexical collaboration FAQ's "no-op provider").
 */
const NO_PROVIDER = {
  awareness: {
    getLocalState: () => null,
    getStates: () => new Map(),
    setLocalState: noop,
    setLocalStateField: noop,
    on: noop,
    off: noop,
  },
  connect: noop,
  disconnect: noop,
  on: noop,
  off: noop,
} as unknown as Provider;

interface Bound {
  editor: LexicalEditor;
  binding: Binding;
  dispose(): void;
}

/**
 * A headless editor bound to `doc` and wired both ways like the CollaborationPlugin: Yjs changes
 * (from other origins) flow into Lexical, Lexical updates flow into Yjs. The binding must be made
 * while `doc` is still empty: it only reacts to change events, so state applied later is what it
 * sees. `doc` must be a private copy, never the live document: the binding writes onto the shared
 * types (normalisation, an empty root gets a paragraph).
 */
function bind(doc: Y.Doc): Bound {
  const editor = createHeadlessEditor({
    namespace: 'note',
    nodes: [...NOTE_NODES],
    onError: (error) => {
      throw error;
    },
  });
  const id = 'note';
  const binding = createYjsBinding({ editor, id, doc, docMap: new Map([[id, doc]]), rootName: ROOT_NAME });
  const shared = binding.root.getSharedType();
  const fromYjs: Parameters<typeof shared.observeDeep>[0] = (events, transaction) => {
    if (transaction.origin !== binding) syncYjsChangesToLexical(binding, NO_PROVIDER, events as Y.YEvent<Y.Text>[], false, noop);
  };
  shared.observeDeep(fromYjs);
  const stop = editor.registerUpdateListener(({ prevEditorState, editorState, dirtyElements, dirtyLeaves, normalizedNodes, tags }) => {
    if (!tags.has(SKIP_COLLAB_TAG)) {
      syncLexicalUpdateToYjs(binding, NO_PROVIDER, prevEditorState, editorState, dirtyElements, dirtyLeaves, normalizedNodes, tags);
    }
  });
  return {
    editor,
    binding,
    dispose() {
      stop();
      shared.unobserveDeep(fromYjs);
    },
  };
}

/** Runs `fn` with a headless editor holding a private copy of `doc`'s content. */
function withCopy<T>(doc: Y.Doc, fn: (bound: Bound, copy: Y.Doc) => T): T {
  const copy = new Y.Doc();
  const bound = bind(copy);
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    bound.editor.read(noop); // syncYjsChangesToLexical only queues its update: commit it now
    return fn(bound, copy);
  } finally {
    bound.dispose();
    copy.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding, reading, restoring
// ---------------------------------------------------------------------------------------------

/** The Yjs update holding a new note's first content: an h2 with the title, then an empty paragraph. */
export function initialUpdate(title: string): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = SEED_CLIENT_ID; // before any transaction: every struct of the seed carries it
  const { editor, dispose } = bind(doc);
  try {
    editor.update(
      () => {
        const heading = $createHeadingNode('h2');
        if (title) heading.append($createTextNode(title));
        $getRoot().clear().append(heading, $createParagraphNode());
      },
      { discrete: true }, // commit (and so write to Yjs) before returning
    );
    return Y.encodeStateAsUpdate(doc);
  } finally {
    dispose();
    doc.destroy();
  }
}

export interface NoteDocument {
  /** Lexical's serialized editor state (JSON), as the editors would export it. */
  content: string;
  /** Readable plain text: blocks separated by blank lines, table cells by tabs. */
  text: string;
  /** Safe HTML: escaped text, our node set only, vetted links. */
  html: string;
}

/** The note's content as Lexical JSON, plain text and safe HTML. Does not touch `doc`. */
export function readDocument(doc: Y.Doc): NoteDocument {
  const state = withCopy(doc, ({ editor }) => editor.getEditorState().toJSON());
  canonicalise(state.root);
  return { content: JSON.stringify(state), text: noteText(state), html: lexicalHtml(state.root) };
}

/**
 * What the derived copy keeps of co-editors' text and styles, whatever the document holds (a
 * document from before updates were checked may hold anything): text, and every other string,
 * through the text policy as multi-line text (control characters removed, NFC: PostgreSQL cannot
 * store NUL, and search and export read this copy), and no client style at all, so restoring a
 * version cannot bring one back. In place, on a fresh copy of the editor state.
 */
function canonicalise(root: unknown) {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (typeof value !== 'string') continue;
      // A link whose address holds control characters is no link (renderHtml drops it too).
      record[key] = key === 'url' && hasControlCharacters(value) ? '' : cleanMultiline(value);
    }
    // Only where one is set: Lexical leaves some keys undefined (not in the JSON), and so must this.
    if (record.style) record.style = '';
    if (record.textStyle) record.textStyle = '';
    if (record.backgroundColor) record.backgroundColor = null;
    if (Array.isArray(record.children)) for (const child of record.children) stack.push(child);
  }
}

/**
 * The Yjs update that turns `doc`'s content into `content` (Lexical JSON), or null when it already
 * is that. Made as a new change (so co-editors see it live and history keeps the old content);
 * `doc` itself is not modified: the caller applies, stores and relays the update.
 *
 * Only the top-level blocks that differ are replaced: the blocks the current text and `content`
 * share at the start and at the end are kept as they are, so a co-editor typing in one of them
 * during a restore loses nothing. (A keystroke in flight inside a replaced block lands in a
 * deleted one: the binding diffs children by node key, and parsed nodes have fresh keys.)
 */
export function replaceContent(doc: Y.Doc, content: string): Uint8Array | null {
  // Relative to the original, not to the synced copy: anything the binding wrote while syncing
  // (normalisation) belongs in the update, or what follows could reference structs `doc` lacks.
  const before = Y.encodeStateVector(doc);
  return withCopy(doc, ({ editor }, copy) => {
    const target = editor.parseEditorState(content).toJSON().root.children; // validated by parsing
    canonicalise({ children: target }); // a version saved before styles were refused brings none back
    const current = editor.getEditorState().toJSON().root.children;
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    let head = 0;
    while (head < current.length && head < target.length && same(current[head], target[head])) head++;
    let tail = 0;
    while (tail < current.length - head && tail < target.length - head && same(current.at(-1 - tail), target.at(-1 - tail))) tail++;
    if (head === current.length && head === target.length) return null;
    editor.update(
      () => {
        const children = $getRoot().getChildren();
        for (const node of children.slice(head, children.length - tail)) node.remove();
        const inserted = target.slice(head, target.length - tail).map((json) => $parseSerializedNode(json));
        let anchor: LexicalNode | null = head > 0 ? children[head - 1]! : null;
        for (const node of inserted) {
          if (anchor) anchor.insertAfter(node);
          else {
            const first = $getRoot().getFirstChild();
            if (first) first.insertBefore(node);
            else $getRoot().append(node);
          }
          anchor = node;
        }
      },
      { discrete: true }, // commit now: the update listener writes to `copy`
    );
    const update = Y.encodeStateAsUpdate(copy, before);
    return changesDocument(doc, update) ? update : null;
  });
}

// ---------------------------------------------------------------------------------------------
// Checks on incoming updates
// ---------------------------------------------------------------------------------------------

// The strict check of what co-editors send lives in its own module; re-exported for the callers.
export { checkUpdate, MAX_CONTENT_CHARS, validateUpdate, type UpdateCheck } from './update-check.server';

/**
 * Whether applying `update` would change `doc`: it holds structs `doc` lacks, or deletes something
 * `doc` has not deleted (or does not have). A reader's sync step 2 that only repeats what the server
 * already has is harmless; anything else is an edit. Does not modify `doc`.
 */
export function changesDocument(doc: Y.Doc, update: Uint8Array): boolean {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(Y.diffUpdate(update, Y.encodeStateVector(doc)));
  } catch {
    return true; // undecodable: certainly not a harmless repeat
  }
  if (decoded.structs.some((struct) => !(struct instanceof Y.Skip))) return true;
  if (decoded.ds.clients.size === 0) return false;
  const known = Y.createDeleteSetFromStructStore(doc.store); // sorted, adjacent ranges merged
  for (const [client, ranges] of decoded.ds.clients) {
    const deleted = known.clients.get(client) ?? [];
    for (const range of ranges) {
      if (range.len > 0 && !covered(deleted, range.clock, range.len)) return true;
    }
  }
  return false;
}

/** Whether [clock, clock + len) lies within one of `ranges` (sorted by clock, merged). */
function covered(ranges: { clock: number; len: number }[], clock: number, len: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const range = ranges[mid];
    if (range.clock > clock) high = mid - 1;
    else if (range.clock + range.len <= clock) low = mid + 1;
    else return clock + len <= range.clock + range.len;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Text and HTML: visitors of the one walk (app/documents/lexical-walk.ts)
// ---------------------------------------------------------------------------------------------

const join = (parts: string[]) => parts.join('');

/**
 * A note's plain text: blocks separated by blank lines (empty ones left out), list items as
 * "1. " / "- " lines indented two spaces per level, every line of a quote after "> ", table rows
 * as lines of tab-separated cells, a citation as its marker ("[C-17]").
 */
const noteTextVisitor: LexicalVisitor<string> = {
  text: (text) => text,
  linebreak: () => '\n',
  citation: (ref) => `[${citationMarker(ref.kind, ref.id)}]`,
  paragraph: join,
  heading: (_level, children) => join(children),
  quote: (children) => join(children).replace(/^/gm, '> '),
  list: (_list, items) => items.filter(Boolean).join('\n'),
  listItem(item, content, nested) {
    const own = join(content);
    const marker = item.ordered ? `${item.number}. ` : '- ';
    return [own ? '  '.repeat(item.depth - 1) + marker + own : '', ...nested].filter(Boolean).join('\n');
  },
  link: (_url, children) => join(children),
  table: (rows) => rows.join('\n'),
  tableRow: (cells) => cells.join('\t'),
  tableCell: (_cell, blocks) => blocks.map((block) => block.replace(/\s*\n\s*/g, ' ')).filter(Boolean).join(' '),
  other: join,
  nothing: () => '',
};

/** A note's plain text (its derived `text`). */
export function noteText(state: SerializedEditorState): string {
  return walkLexical(state.root, noteTextVisitor)
    .filter((text) => text.trim() !== '')
    .join('\n\n');
}

// ---------------------------------------------------------------------------------------------
// Version comparison
// ---------------------------------------------------------------------------------------------

export interface DiffPart {
  type: 'same' | 'added' | 'removed';
  text: string;
}

/** A word-level diff of two plain texts (a version against the current note). */
export function diffText(before: string, after: string): DiffPart[] {
  return diffWords(before, after).map((change) => ({
    type: change.added ? 'added' : change.removed ? 'removed' : 'same',
    text: change.value,
  }));
}
