/**
 * A synthesis note's Lexical document as export blocks (document.ts): the export visitor of the
 * one walk (app/documents/lexical-walk.ts). Citations become what `cite` says (a footnote
 * reference, numbered by the caller in reading order); headings are shifted under the part of
 * the export that holds the note; what the walk could not read is counted, so the export can
 * say that something was left out instead of failing. Pure and isomorphic.
 */
import type { NoteCitationRef } from '../contributions/refs';
import { walkLexical, type LexicalVisitor, type WalkReport } from '../documents/lexical-walk';
import type { Block, Inline, List, ListItem, TableCell } from './document';

type Part =
  | { kind: 'inline'; inlines: Inline[] }
  | { kind: 'block'; blocks: Block[] }
  /** `numbered`: the item holds more than nested lists (Lexical gives it a number). */
  | { kind: 'item'; item: ListItem; numbered: boolean }
  | { kind: 'row'; cells: TableCell[] }
  | { kind: 'cell'; cell: TableCell };

const inline = (...inlines: Inline[]): Part => ({ kind: 'inline', inlines });

/** Inline content of `parts`: blocks found where text was expected read as text on their own lines. */
function inlinesOf(parts: Part[]): Inline[] {
  const out: Inline[] = [];
  const push = (inlines: Inline[]) => {
    if (inlines.length === 0) return;
    if (out.length > 0 && out.at(-1)!.type !== 'break') out.push({ type: 'break' });
    out.push(...inlines);
  };
  for (const part of parts) {
    if (part.kind === 'inline') out.push(...part.inlines);
    else if (part.kind === 'block') for (const block of part.blocks) push(blockInlines(block));
    else if (part.kind === 'item') push(part.item.children);
    else if (part.kind === 'cell') push(part.cell.children);
    else for (const cell of part.cells) push(cell.children);
  }
  return out;
}

function blockInlines(block: Block): Inline[] {
  switch (block.type) {
    case 'heading':
    case 'paragraph':
    case 'quote':
    case 'notice':
      return block.children;
    case 'list':
      return block.items.flatMap((item, i) => [...(i > 0 ? [{ type: 'break' } as const] : []), ...item.children]);
    case 'table':
      return block.rows.flatMap((row) => row.flatMap((cell) => cell.children));
    default:
      return [];
  }
}

/** Blocks of `parts`: inline runs at block level become paragraphs. */
function blocksOf(parts: Part[]): Block[] {
  const out: Block[] = [];
  let pending: Inline[] = [];
  const flush = () => {
    if (pending.length > 0) out.push({ type: 'paragraph', children: pending });
    pending = [];
  };
  for (const part of parts) {
    if (part.kind === 'block') {
      flush();
      out.push(...part.blocks);
    } else pending.push(...inlinesOf([part]));
  }
  flush();
  return out;
}

export interface NoteBlocksOptions {
  /** What a citation prints (usually `[{ type: 'footnote', n }]`), called in reading order. */
  cite(ref: NoteCitationRef): Inline[];
  /** The export heading level for a Lexical h1..h6 of the note. */
  headingLevel(level: 1 | 2 | 3 | 4 | 5 | 6): 1 | 2 | 3;
}

export interface NoteBlocks {
  blocks: Block[];
  /** Nodes left out because they could not be read (unknown types, nesting too deep, citations without a target). */
  skipped: number;
}

/** The export blocks of a note's serialized Lexical root (`{ children: [...] }`). */
export function noteBlocks(root: unknown, options: NoteBlocksOptions): NoteBlocks {
  const visitor: LexicalVisitor<Part> = {
    text: (text, format) =>
      inline({
        type: 'text',
        text,
        ...(format.bold ? { bold: true } : {}),
        ...(format.italic ? { italic: true } : {}),
        ...(format.underline ? { underline: true } : {}),
        ...(format.strikethrough ? { strike: true } : {}),
      }),
    linebreak: () => inline({ type: 'break' }),
    citation: (ref) => inline(...options.cite(ref)),
    paragraph: (children) => ({ kind: 'block', blocks: [{ type: 'paragraph', children: inlinesOf(children) }] }),
    heading: (level, children) => ({ kind: 'block', blocks: [{ type: 'heading', level: options.headingLevel(level), children: inlinesOf(children), toc: false }] }),
    quote: (children) => ({ kind: 'block', blocks: [{ type: 'quote', children: inlinesOf(children) }] }),
    list: (list, items) => {
      const out: ListItem[] = [];
      for (const part of items) {
        // Lexical indents a sub-list in an item that holds only it: that item has no number (the
        // next one takes it) and shows under the item before it, so that is where it goes.
        if (part.kind === 'item' && !part.numbered && out.length > 0) out.at(-1)!.lists.push(...part.item.lists);
        else out.push(part.kind === 'item' ? part.item : { children: inlinesOf([part]), lists: [] });
      }
      const block: List = { type: 'list', ordered: list.ordered, start: list.start, items: out };
      return { kind: 'block', blocks: [block] };
    },
    listItem: (item, content, nested) => ({
      kind: 'item',
      numbered: item.hasOwnContent || nested.length === 0,
      item: { children: inlinesOf(content), lists: nested.flatMap((part) => (part.kind === 'block' ? part.blocks.filter((b): b is List => b.type === 'list') : [])) },
    }),
    link: (url, children) => (url ? inline({ type: 'link', url, children: inlinesOf(children) }) : inline(...inlinesOf(children))),
    table: (rows) => ({ kind: 'block', blocks: [{ type: 'table', rows: rows.map((row) => (row.kind === 'row' ? row.cells : [])).filter((cells) => cells.length > 0) }] }),
    tableRow: (cells) => ({ kind: 'row', cells: cells.flatMap((cell) => (cell.kind === 'cell' ? [cell.cell] : [])) }),
    tableCell: (cell, children) => ({ kind: 'cell', cell: { header: cell.header, colSpan: cell.colSpan, rowSpan: cell.rowSpan, children: inlinesOf(children) } }),
    other: (children) => (children.every((c) => c.kind === 'inline') ? inline(...inlinesOf(children)) : { kind: 'block', blocks: blocksOf(children) }),
    nothing: () => inline(),
  };
  const report: WalkReport = { skipped: 0 };
  // Empty paragraphs are an editor's spacing (a new note ends with one): a printed page has its own.
  const blocks = blocksOf(walkLexical(root, visitor, report)).filter((block) => !(block.type === 'paragraph' && block.children.length === 0));
  return { blocks, skipped: report.skipped };
}
