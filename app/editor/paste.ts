/**
 * Pasting from desktop Word and Google Docs into the post and note editors. Lexical imports
 * clipboard HTML element by element, which these two sources defeat:
 *
 * - Word does not write lists as <ul>/<ol>. Each item is a paragraph (`class=MsoListParagraph…`)
 *   whose `mso-list: l0 level2 lfo1` style names its list and level, and whose marker ("·", "o",
 *   "§" in Symbol/Courier/Wingdings fonts, or "1.", "a)") is literal text followed by no-break
 *   spaces, in a `mso-list:Ignore` span between `<![if !supportLists]>` comments. Imported as is,
 *   a bulleted list becomes paragraphs starting with "·" and seven no-break spaces.
 * - Google Docs wraps everything in `<b style="font-weight:normal" id="docs-internal-guid-…">`
 *   and writes a `<br>` between blocks, which Lexical turns into empty paragraphs.
 *
 * `cleanPastedHtml` rewrites such HTML into the plain structure Lexical imports well (real lists,
 * no stray breaks); `registerOfficePaste` makes an editor use it for the clipboard's `text/html`,
 * handing the rest to Lexical's own paste handling. Other HTML is left to Lexical untouched.
 * Shared by the post composer (RichComposer) and the note editor (NoteEditor).
 */
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext';
import { $insertDataTransferForRichText } from '@lexical/clipboard';
import { $getSelection, COMMAND_PRIORITY_LOW, PASTE_COMMAND, PASTE_TAG, type LexicalEditor } from 'lexical';
import { useEffect } from 'react';

const ELEMENT = 1;
const TEXT = 3;
const COMMENT = 8;

/** `mso-list: l0 level2 lfo1` — which Word list, and the item's level in it (from 1). */
const MSO_LIST = /mso-list:\s*(l\d+)\s+level(\d+)/i;
/** A Word list marker as text: a bullet glyph, or a number/letter/roman numeral with "." or ")". */
const MARKER = /^[\s\u00a0]*(?:[·•▪■□◦○●o§\u2013\u2014\-*]|[\u2022\uf0b7\uf0a7\uf0d8]|\(?(?:\d{1,3}|[a-z]|[ivxlcdm]{1,6})[.)])(?:[\s\u00a0]+|$)/i;
const ORDERED_MARKER = /^[\s\u00a0]*\(?(?:\d{1,3}|[a-z]|[ivxlcdm]{1,6})[.)]/i;
const BLOCK = new Set(['P', 'DIV', 'UL', 'OL', 'LI', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'TABLE', 'BLOCKQUOTE', 'PRE', 'HR']);

/** HTML that Word (desktop) or Google Docs put on the clipboard. */
export function isOfficeHtml(html: string): boolean {
  return isWordHtml(html) || isGoogleDocsHtml(html);
}

export function isWordHtml(html: string): boolean {
  return /urn:schemas-microsoft-com:office:word|<meta[^>]+(?:ProgId|Generator)[^>]+Word|class=["']?Mso/i.test(html);
}

export function isGoogleDocsHtml(html: string): boolean {
  return /id=["']?docs-internal-guid/i.test(html);
}

/**
 * `html` from the clipboard, rewritten so that Lexical's import gives what the author saw: Word's
 * list paragraphs as nested <ul>/<ol> items, without their typed markers, and Google Docs' content
 * without its wrapper or the `<br>`s between blocks. `parser` is the window's DOMParser (happy-dom
 * on the server).
 */
export function cleanPastedHtml(html: string, parser: DOMParser = new DOMParser()): string {
  const dom = parser.parseFromString(html, 'text/html');
  const body = dom.body;
  if (isWordHtml(html)) cleanWord(dom, body);
  if (isGoogleDocsHtml(html)) cleanGoogleDocs(body);
  return body.innerHTML;
}

// ---------------------------------------------------------------------------------------------
// Word

interface WordItem {
  paragraph: Element;
  list: string;
  level: number;
  ordered: boolean;
}

function cleanWord(dom: Document, body: HTMLElement) {
  // Word's conditional comments (`<![if !supportLists]>`) and the StartFragment markers.
  removeAll(body, (node) => node.nodeType === COMMENT);
  for (const el of Array.from(body.getElementsByTagName('*'))) {
    // <o:p> is Word's paragraph mark: empty, or a no-break space in an empty paragraph.
    if (el.tagName.toLowerCase() === 'o:p') unwrap(el);
  }
  // An empty Word paragraph (<o:p>&nbsp;</o:p>) is spacing, as Docs' <br>s: no empty paragraphs.
  for (const p of Array.from(body.querySelectorAll('p'))) {
    if ((p.textContent ?? '').replace(/[\s\u00a0]/g, '') === '' && !p.querySelector('img')) p.remove();
  }
  const items = Array.from(body.querySelectorAll('p, h1, h2, h3, h4, h5, h6'))
    .map((paragraph) => wordItem(paragraph))
    .filter((item): item is WordItem => item !== null);
  for (const run of runsOf(items)) buildLists(dom, run);
}

/** A list paragraph, its marker taken out; null for an ordinary paragraph. */
function wordItem(paragraph: Element): WordItem | null {
  const match = MSO_LIST.exec(paragraph.getAttribute('style') ?? '');
  if (!match) return null;
  let marker = '';
  const ignored = Array.from(paragraph.querySelectorAll('[style]')).filter((el) => /mso-list:\s*Ignore/i.test(el.getAttribute('style') ?? ''));
  if (ignored.length > 0) {
    for (const el of ignored) {
      marker += el.textContent ?? '';
      removeEmptyAncestors(el, paragraph);
    }
  } else {
    // "Filtered" HTML has no Ignore span: the marker is the paragraph's first text.
    marker = stripLeadingMarker(paragraph);
  }
  return { paragraph, list: match[1]!.toLowerCase(), level: Math.min(Number(match[2]), 9), ordered: ORDERED_MARKER.test(marker) };
}

/** Removes a marker at the start of `paragraph`'s text, returning it. */
function stripLeadingMarker(paragraph: Element): string {
  const first = firstText(paragraph);
  if (!first) return '';
  const text = first.data;
  const match = MARKER.exec(text);
  if (!match) return '';
  first.data = text.slice(match[0].length);
  return match[0];
}

function firstText(node: Node): Text | null {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === TEXT && (child as Text).data.trim() !== '') return child as Text;
    if (child.nodeType === ELEMENT) {
      const found = firstText(child);
      if (found) return found;
    }
  }
  return null;
}

/** Consecutive list paragraphs (siblings with only blank text between them) form one run. */
function runsOf(items: WordItem[]): WordItem[][] {
  const runs: WordItem[][] = [];
  let run: WordItem[] = [];
  for (const item of items) {
    const last = run[run.length - 1];
    if (last && !adjacent(last.paragraph, item.paragraph)) {
      runs.push(run);
      run = [];
    }
    run.push(item);
  }
  if (run.length) runs.push(run);
  return runs;
}

function adjacent(a: Element, b: Element): boolean {
  for (let node = a.nextSibling; node; node = node.nextSibling) {
    if (node === b) return true;
    if (node.nodeType === TEXT && (node as Text).data.trim() === '') continue;
    return false;
  }
  return false;
}

/**
 * Replaces a run of list paragraphs by nested lists: a deeper level opens a list inside the
 * previous item, a shallower one closes back to its level, and a change of kind (bullets and
 * numbers) or of Word list at the same level starts a new list.
 */
function buildLists(dom: Document, run: WordItem[]) {
  const first = run[0]!.paragraph;
  const holder = dom.createElement('div');
  /** The open lists, outermost first, with the Word list each came from. */
  const stack: { list: HTMLElement; source: string }[] = [];
  const base = Math.min(...run.map((item) => item.level));
  for (const item of run) {
    const depth = item.level - base + 1;
    while (stack.length > depth) stack.pop();
    const top = stack[stack.length - 1];
    const tag = item.ordered ? 'OL' : 'UL';
    if (top && stack.length === depth && (top.list.tagName !== tag || top.source !== item.list)) stack.pop();
    while (stack.length < depth) {
      const list = dom.createElement(tag.toLowerCase());
      const parent = stack[stack.length - 1]?.list;
      if (parent) {
        let host = parent.lastElementChild;
        if (!host) parent.appendChild((host = dom.createElement('li')));
        host.appendChild(list);
      } else {
        holder.appendChild(list);
      }
      stack.push({ list, source: item.list });
    }
    const li = dom.createElement('li');
    while (item.paragraph.firstChild) li.appendChild(item.paragraph.firstChild);
    trimStart(li);
    stack[stack.length - 1]!.list.appendChild(li);
  }
  first.parentNode!.insertBefore(holder, first);
  for (const item of run) item.paragraph.remove();
  unwrap(holder);
}

/** Drops the blank text (no-break spaces, Word's line wraps) left where the marker was. */
function trimStart(el: Element) {
  const first = firstText(el);
  // Every text before the first visible one, in document order, is such blank text.
  const blank = (node: Node): boolean => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child === first) return true;
      if (child.nodeType === TEXT) (child as Text).data = '';
      else if (child.nodeType === ELEMENT && blank(child)) return true;
    }
    return false;
  };
  blank(el);
  if (first) first.data = first.data.replace(/^[\s\u00a0]+/, '');
}

// ---------------------------------------------------------------------------------------------
// Google Docs

function cleanGoogleDocs(body: HTMLElement) {
  for (const wrapper of Array.from(body.querySelectorAll('b[id^="docs-internal-guid"]'))) unwrap(wrapper);
  // A <br> standing between blocks (or before or after them) is Docs' paragraph spacing, not a line.
  for (const br of Array.from(body.querySelectorAll('br'))) {
    const parent = br.parentElement;
    if (!parent || (parent !== body && !BLOCK_CONTAINERS.has(parent.tagName))) continue;
    if (br.classList.contains('Apple-interchange-newline') || (isBlockOrEdge(br, 'previous') && isBlockOrEdge(br, 'next'))) br.remove();
  }
}

const BLOCK_CONTAINERS = new Set(['BODY', 'DIV', 'LI', 'TD', 'TH', 'BLOCKQUOTE']);

function isBlockOrEdge(node: Node, side: 'previous' | 'next'): boolean {
  for (let sibling = side === 'previous' ? node.previousSibling : node.nextSibling; sibling; sibling = side === 'previous' ? sibling.previousSibling : sibling.nextSibling) {
    if (sibling.nodeType === TEXT && (sibling as Text).data.trim() === '') continue;
    if (sibling.nodeType === COMMENT) continue;
    return sibling.nodeType === ELEMENT && (BLOCK.has((sibling as Element).tagName) || (sibling as Element).tagName === 'BR');
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// DOM helpers

function unwrap(el: Element) {
  const parent = el.parentNode;
  if (!parent) return;
  while (el.firstChild) parent.insertBefore(el.firstChild, el);
  el.remove();
}

/** Removes `el` and then each ancestor (below `stop`) left with nothing but blank text. */
function removeEmptyAncestors(el: Element, stop: Element) {
  let parent = el.parentElement;
  el.remove();
  while (parent && parent !== stop && (parent.textContent ?? '').replace(/[\s\u00a0]/g, '') === '' && !parent.querySelector('img, br')) {
    const next = parent.parentElement;
    parent.remove();
    parent = next;
  }
}

function removeAll(root: Node, test: (node: Node) => boolean) {
  for (let child = root.firstChild; child; ) {
    const next = child.nextSibling;
    if (test(child)) child.parentNode!.removeChild(child);
    else removeAll(child, test);
    child = next;
  }
}

// ---------------------------------------------------------------------------------------------
// Lexical

/**
 * Lets `editor` paste Word and Google Docs HTML cleaned (above). Runs before the rich-text
 * plugin's own PASTE_COMMAND handler and answers only for such HTML; everything else (plain text,
 * Lexical's own clipboard, files, other HTML) goes on to Lexical unchanged.
 */
export function registerOfficePaste(editor: LexicalEditor): () => void {
  return editor.registerCommand(
    PASTE_COMMAND,
    (event) => {
      const data = 'clipboardData' in event ? event.clipboardData : null;
      if (!data || !editor.isEditable()) return false;
      const html = data.getData('text/html');
      if (!html || data.getData('application/x-lexical-editor') || !isOfficeHtml(html)) return false;
      const cleaned = cleanPastedHtml(html);
      event.preventDefault();
      editor.update(
        () => {
          const selection = $getSelection();
          if (selection === null) return;
          // Lexical's own insertion, reading the cleaned HTML in place of the clipboard's.
          const transfer = { getData: (type: string) => (type === 'text/html' ? cleaned : data.getData(type)) } as DataTransfer;
          $insertDataTransferForRichText(transfer, selection, editor);
        },
        { tag: PASTE_TAG },
      );
      return true;
    },
    COMMAND_PRIORITY_LOW,
  );
}

/** The plugin form, for a LexicalComposer's children. */
export function OfficePastePlugin(): null {
  const [editor] = useLexicalComposerContext();
  useEffect(() => registerOfficePaste(editor), [editor]);
  return null;
}
