/**
 * The export document (../document.ts) as Markdown: CommonMark, with GitHub's extensions for
 * what CommonMark lacks (pipe tables, `~~strike~~`, `[^n]` footnotes whose definitions close
 * the file). For a website or a repository; the same structure as the DOCX and the PDF.
 *
 * Every text of the model prints literally (`# not a heading`, `*x*`, `<script>` …):
 * - the characters that open inline markup anywhere (emphasis, code, links, HTML, entities, pipes,
 *   tildes) are backslash-escaped, and so is whatever could start a block where a run begins
 *   (`#`, `>`, `-`, `+`, `=`, `1.`), so no text opens a heading, a list, a quote, emphasis, a
 *   link, HTML or an entity; other punctuation stays as written, readable;
 * - a newline inside a text run is a space (the model says where a line breaks: `break`, written
 *   as a backslash hard break), so no text starts a block of its own; leading whitespace of a
 *   block is dropped (four spaces would make a code block);
 * - link addresses are percent-encoded where Markdown would read them (spaces, parentheses,
 *   angle brackets, backslash) and only http, https and mailto ones become links; anchors are
 *   letters, digits and `-` or no link at all.
 * The only HTML written is `<a id="…"></a>`, the bookmarks internal links point at.
 *
 * Formats: bold `**`, italic `*`, strike `~~`; Markdown has no underline (dropped). Emphasis
 * only opens and closes where CommonMark's flanking rules let it (whitespace is moved outside
 * the delimiters); where they would not (`a**(b)**` or two formatted runs touching), the run is
 * written without the format rather than with stray asterisks.
 *
 * Lists: bullets `-`, numbers `n.` from the list's `start`; a list right after another of the
 * same kind uses the other marker (`*`, `n)`), CommonMark's way of starting a new list (and
 * numbering). Tables: GitHub pipe tables, the first row the header (an empty header when it is
 * not one), spans written as empty cells. Page breaks: a thematic break `---`.
 */
import { inlineText, type Block, type ExportDocument, type Footnote, type Heading, type Inline, type List, type Table, type TextRun } from '../document';

/** CommonMark's punctuation for flanking (Unicode P and S). */
const PUNCTUATION = /[\p{P}\p{S}]/u;
const WHITESPACE = /\s/u;
const ANCHOR = /^[A-Za-z0-9-]+$/;

/**
 * The characters that can open or alter Markdown inline anywhere: emphasis, code, links and
 * images, raw HTML and autolinks, entities, tables, strike, escapes. Other punctuation is left as
 * written so the Markdown stays readable as text.
 */
const INLINE_ACTIVE = /[\\`*_[\]<>&|~!]/g;
/** What can start a block at the beginning of a line: headings, quotes, lists, setext underlines, fences. */
const LINE_START = /^(\s*)(#|>|[-+=.)]|\d{1,9}(?=[.)]))/;

/** A text as literal Markdown inline content: active characters escaped, newlines as spaces. */
export function escapeMarkdown(value: string): string {
  return (
    value
      .replace(/\0/g, '\uFFFD')
      .replace(/\s*[\r\n]+\s*/g, ' ')
      .replace(INLINE_ACTIVE, (c) => `\\${c}`)
      // GitHub turns bare addresses into links: "http:" and "www." written as text stay text.
      .replace(/:(?=\/\/)/g, '\\:')
      .replace(/\b(www)\./gi, '$1\\.')
      // A run may begin a line (a block, or after a hard break): nothing there may start a block.
      .replace(LINE_START, (_match, space: string, start: string) => (/^\d/.test(start) ? `${space}${start}\\` : `${space}\\${start}`))
  );
}

/** A link address Markdown reads as written: spaces, parentheses, angle brackets and backslash percent-encoded. */
export function escapeUrl(url: string): string {
  return url.replace(/[\s()<>\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

const safeUrl = (url: string) => /^(https?:\/\/|mailto:)/i.test(url.trim());

/** Inline content rendered piece by piece, so emphasis can check what its delimiters touch. */
interface Piece {
  /** Opening and closing delimiters (empty for plain pieces). */
  open: string;
  close: string;
  /** Escaped content between the delimiters, and whitespace moved outside them. */
  before: string;
  body: string;
  after: string;
}

const isSpace = (c: string | undefined) => c === undefined || WHITESPACE.test(c);
const isPunct = (c: string | undefined) => c !== undefined && PUNCTUATION.test(c);

/** CommonMark's left-flanking rule for an opener between `prev` and `next` (undefined: line edge). */
const canOpen = (prev: string | undefined, next: string | undefined) => !isSpace(next) && (!isPunct(next) || isSpace(prev) || isPunct(prev));
/** Right-flanking for a closer. */
const canClose = (prev: string | undefined, next: string | undefined) => !isSpace(prev) && (!isPunct(prev) || isSpace(next) || isPunct(next));

function runPiece(run: TextRun): Piece {
  const escaped = escapeMarkdown(run.text);
  const delimiters = `${run.strike ? '~~' : ''}${run.bold && run.italic ? '***' : run.bold ? '**' : run.italic ? '*' : ''}`;
  const body = escaped.trim();
  if (!delimiters || body === '') return { open: '', close: '', before: '', body: escaped, after: '' };
  const before = escaped.slice(0, escaped.length - escaped.trimStart().length) ? ' ' : '';
  const after = escaped.slice(escaped.trimEnd().length) ? ' ' : '';
  return { open: delimiters, close: [...delimiters].reverse().join(''), before, body, after };
}

function inlinePieces(children: Inline[], breakText: string): Piece[] {
  const plain = (body: string): Piece => ({ open: '', close: '', before: '', body, after: '' });
  return children.map((child): Piece => {
    switch (child.type) {
      case 'text':
        return runPiece(child);
      case 'break':
        return plain(breakText);
      case 'footnote':
        return plain(Number.isInteger(child.n) && child.n > 0 ? `[^${child.n}]` : '');
      case 'link': {
        const label = renderInline(child.children, ' ');
        return plain(safeUrl(child.url) && label.trim() ? `[${label}](${escapeUrl(child.url.trim())})` : label);
      }
      case 'anchor-link': {
        const label = renderInline(child.children, ' ');
        return plain(ANCHOR.test(child.anchor) && label.trim() ? `[${label}](#${child.anchor})` : label);
      }
    }
  });
}

/**
 * Inline content as Markdown. `breakText` is what a `break` becomes: a backslash hard break and
 * the continuation's indentation in a block, a space where a line cannot break (headings, tables).
 */
export function renderInline(children: Inline[], breakText: string): string {
  const pieces = inlinePieces(children, breakText);
  const full = pieces.map((p) => p.before + p.open + p.body + p.close + p.after);
  let out = '';
  pieces.forEach((piece, i) => {
    if (!piece.open) {
      out += full[i];
      return;
    }
    const prev = (out + piece.before).at(-1);
    const next = (piece.after + full.slice(i + 1).join('')).charAt(0) || undefined;
    const inner = piece.body;
    // The outermost delimiter run (`~~` of `~~**`) sits between `prev` and the next run or the
    // text inside; the innermost between the outer run and the text.
    const outer = /^(.)\1*/.exec(piece.open)![0].length;
    const openNext = piece.open[outer] ?? inner[0];
    const closePrev = piece.close[piece.close.length - outer - 1] ?? inner.at(-1);
    const touching = (prev !== undefined && '*~'.includes(prev)) || (next !== undefined && '*~'.includes(next));
    const ok = !touching && canOpen(prev, openNext) && canOpen(piece.open.at(-1), inner[0]) && canClose(closePrev, next) && canClose(inner.at(-1), piece.close[0]);
    out += ok ? full[i] : piece.before + piece.body + piece.after;
  });
  return out;
}

/**
 * Inline content of a block: no break at its ends (a backslash ending a block is printed), no
 * leading whitespace (four spaces would make a code block).
 */
function blockInline(children: Inline[], breakText: string): string {
  let start = 0;
  let end = children.length;
  while (start < end && children[start]!.type === 'break') start++;
  while (end > start && children[end - 1]!.type === 'break') end--;
  return renderInline(children.slice(start, end), breakText).trimStart();
}

const anchorTag = (anchor: string | undefined) => (anchor && ANCHOR.test(anchor) ? `<a id="${anchor}"></a>` : '');

function renderHeading(block: Heading): string {
  return `${'#'.repeat(block.level)} ${anchorTag(block.anchor)}${blockInline(block.children, ' ').trimEnd()}`;
}

function contentsOf(doc: ExportDocument): string {
  const headings = doc.blocks.filter((b): b is Heading => b.type === 'heading' && (b.toc ?? b.level <= 2));
  if (headings.length === 0) return '';
  const top = Math.min(...headings.map((h) => h.level));
  const lines = headings.map((h) => {
    // The heading's plain text: its footnote references and links stay in the heading.
    const label = escapeMarkdown(inlineText(h.children)).trim();
    const entry = h.anchor && ANCHOR.test(h.anchor) && label ? `[${label}](#${h.anchor})` : label;
    return `${'  '.repeat(h.level - top)}- ${entry}`;
  });
  return `**${escapeMarkdown(doc.labels.contents)}**\n\n${lines.join('\n')}`;
}

/**
 * A list; `alternate` picks the other marker (`*`, `n)`), so that it does not continue a list of
 * the same kind right before it.
 */
function renderList(list: List, indent: string, alternate: boolean): string {
  const lines: string[] = [];
  list.items.forEach((item, i) => {
    // CommonMark reads at most nine digits.
    const marker = list.ordered ? `${Math.min(Math.max(0, Math.trunc(list.start) || 0), 999_999_999 - list.items.length) + i}${alternate ? ')' : '.'} ` : alternate ? '* ' : '- ';
    const inner = indent + ' '.repeat(marker.length);
    lines.push(`${indent}${marker}${blockInline(item.children, `\\\n${inner}`)}`.trimEnd());
    let before: { ordered: boolean; alternate: boolean } | null = null;
    for (const nested of item.lists) {
      const nestedAlternate: boolean = before !== null && before.ordered === nested.ordered ? !before.alternate : false;
      lines.push(renderList(nested, inner, nestedAlternate));
      before = { ordered: nested.ordered, alternate: nestedAlternate };
    }
  });
  return lines.join('\n');
}

function renderTable(table: Table): string {
  if (table.rows.every((row) => row.length === 0)) return '';
  // Lay the cells on a grid: a span leaves empty cells where it reaches.
  const grid: string[][] = [];
  const header: boolean[] = [];
  table.rows.forEach((row, r) => {
    grid[r] ??= [];
    let c = 0;
    for (const cell of row) {
      while (grid[r]![c] !== undefined) c++;
      const rowSpan = Math.max(1, Math.trunc(cell.rowSpan) || 1);
      const colSpan = Math.max(1, Math.trunc(cell.colSpan) || 1);
      for (let dr = 0; dr < rowSpan; dr++) {
        grid[r + dr] ??= [];
        for (let dc = 0; dc < colSpan; dc++) grid[r + dr]![c + dc] = dr === 0 && dc === 0 ? blockInline(cell.children, ' ').trim() : '';
      }
      c += colSpan;
    }
    header[r] = row.length > 0 && row.every((cell) => cell.header);
  });
  const width = Math.max(1, ...grid.map((row) => row.length));
  const line = (row: string[]) => `| ${Array.from({ length: width }, (_, i) => row[i] ?? '').join(' | ')} |`;
  const rows = grid.map((row) => Array.from({ length: width }, (_, i) => row[i] ?? ''));
  const head = header[0] ? rows.shift()! : Array.from({ length: width }, () => '');
  return [line(head), `|${' --- |'.repeat(width)}`, ...rows.map(line)].join('\n');
}

function renderBlocks(doc: ExportDocument): string[] {
  const out: string[] = [];
  let lastList: { ordered: boolean; alternate: boolean } | null = null;
  for (const block of doc.blocks as Block[]) {
    if (block.type !== 'list') lastList = null;
    switch (block.type) {
      case 'heading':
        out.push(renderHeading(block));
        break;
      case 'paragraph':
        out.push(`${anchorTag(block.anchor)}${blockInline(block.children, '\\\n')}`);
        break;
      case 'quote':
      case 'notice':
        out.push(`> ${blockInline(block.children, '\\\n> ')}`);
        break;
      case 'list': {
        const alternate: boolean = lastList !== null && lastList.ordered === block.ordered ? !lastList.alternate : false;
        out.push(renderList(block, '', alternate));
        lastList = { ordered: block.ordered, alternate };
        break;
      }
      case 'table':
        out.push(renderTable(block));
        break;
      case 'contents': {
        const contents = contentsOf(doc);
        if (contents) out.push(contents);
        break;
      }
      case 'page-break':
        out.push('---');
        break;
    }
  }
  return out;
}

function renderFootnote(note: Footnote): string {
  return `[^${note.n}]: ${blockInline(note.children, '\\\n    ')}`;
}

/** The whole document as Markdown, ending with one newline. */
export function renderMarkdown(doc: ExportDocument): string {
  const parts: string[] = [];
  if (doc.restrictedBanner !== null) parts.push(`> **${escapeMarkdown(doc.restrictedBanner.trim())}**`);
  if (doc.cover) {
    parts.push(`# ${escapeMarkdown(doc.cover.title).trim()}`);
    if (doc.cover.subtitle.trim()) parts.push(`**${escapeMarkdown(doc.cover.subtitle.trim())}**`);
    const lines = doc.cover.lines.map((l) => escapeMarkdown(l).trim()).filter(Boolean);
    if (lines.length) parts.push(lines.join('\\\n'));
  }
  parts.push(...renderBlocks(doc).filter((p) => p.trim() !== ''));
  const footnotes = doc.footnotes.filter((f) => Number.isInteger(f.n) && f.n > 0).map(renderFootnote);
  if (footnotes.length) parts.push(footnotes.join('\n'));
  return `${parts.join('\n\n')}\n`;
}

