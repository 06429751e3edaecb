/**
 * The one walk over a serialized Lexical document (docs/decisions/0017). Every rendering of a
 * post, a case study or a synthesis note — plain text, safe HTML, the export document behind
 * Word, PDF and Markdown — is a `LexicalVisitor` of this walk: the walk reads the tree (which
 * came from a client, or from co-editors through Yjs) defensively and once, so that what a node
 * means is decided here and nowhere else:
 * - unknown node types render their children only (`other`), and are counted as `skipped`;
 * - nesting deeper than `MAX_DEPTH` stops (`tooDeep`), so a hostile tree cannot exhaust the stack;
 * - a link's address is given only when it is http, https or mailto without control characters;
 * - a citation's target comes from its properties (`kind`, `targetId`), never from its text, and
 *   a citation with no valid target is skipped;
 * - numbers (list start, spans) are integers clamped to sane ranges.
 *
 * A fold: each visitor method gets its node's facts and its children already rendered, and
 * returns the node's rendering. Pure and isomorphic.
 */
import { parseCitationKey, type NoteCitationRef } from '../contributions/refs';
import { hasControlCharacters } from '../text/policy';

/** Deeper than any real document; stops a hostile nesting from exhausting the stack. */
export const MAX_DEPTH = 48;

/** Lexical's text format bit flags kept by Palabre. */
export const TEXT_FORMAT = { bold: 1, italic: 2, strikethrough: 4, underline: 8 } as const;

export interface TextFormat {
  bold: boolean;
  italic: boolean;
  strikethrough: boolean;
  underline: boolean;
}

export interface ListFacts {
  ordered: boolean;
  /** The number of its first item (numbered lists), 1..1,000,000. */
  start: number;
  /** 1 for a top-level list, 2 for a list nested in one of its items… */
  depth: number;
}

export interface ListItemFacts {
  /** Position among its list's items, from 0. */
  index: number;
  /**
   * Its number in a numbered list, counting as Lexical does: an item that holds only a nested
   * list has no number of its own (the next item takes it).
   */
  number: number;
  /** Its list's `start`. */
  start: number;
  ordered: boolean;
  /** The depth of the list the item is in. */
  depth: number;
  /** Whether it holds anything besides nested lists. */
  hasOwnContent: boolean;
}

export interface TableCellFacts {
  header: boolean;
  colSpan: number;
  rowSpan: number;
}

/** One method per node kind; `R` is what a node renders to (a string, export blocks…). */
export interface LexicalVisitor<R> {
  /** A text node (a tab node is the text "\t"). */
  text(text: string, format: TextFormat): R;
  linebreak(): R;
  citation(ref: NoteCitationRef): R;
  paragraph(children: R[]): R;
  /** Lexical's h1..h6. */
  heading(level: 1 | 2 | 3 | 4 | 5 | 6, children: R[]): R;
  quote(children: R[]): R;
  list(list: ListFacts, items: R[]): R;
  /** `content`: its children but nested lists, rendered; `nested`: its nested lists, rendered. */
  listItem(item: ListItemFacts, content: R[], nested: R[]): R;
  /** `url` is null when the address is not one a reader may follow (the link renders as its text). */
  link(url: string | null, children: R[]): R;
  table(rows: R[]): R;
  tableRow(cells: R[]): R;
  tableCell(cell: TableCellFacts, children: R[]): R;
  /** A node of a type this walk does not know: its children, rendered. */
  other(children: R[]): R;
  /** What stands for a subtree cut at MAX_DEPTH, or for a node that could not be read. */
  nothing(): R;
}

/** What the walk left out: unknown node types, subtrees too deep, citations without a target. */
export interface WalkReport {
  skipped: number;
}

/** A serialized node, read defensively: its properties may come from anyone. */
interface Serialized {
  type?: unknown;
  children?: unknown;
  text?: unknown;
  format?: unknown;
  tag?: unknown;
  listType?: unknown;
  start?: unknown;
  url?: unknown;
  headerState?: unknown;
  colSpan?: unknown;
  rowSpan?: unknown;
  kind?: unknown;
  targetId?: unknown;
}

const childrenOf = (node: Serialized): Serialized[] =>
  Array.isArray(node.children) ? (node.children as unknown[]).filter((c): c is Serialized => typeof c === 'object' && c !== null && !Array.isArray(c)) : [];

export const clampInteger = (value: unknown, min: number, max: number, fallback: number) =>
  Number.isInteger(value) ? Math.min(Math.max(value as number, min), max) : fallback;

/** An address a reader may follow: http, https or mailto, no control characters, at most 2,048 characters. */
export function followableUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const url = value.trim();
  if (url.length === 0 || url.length > 2_048 || hasControlCharacters(url)) return null;
  try {
    return ['http:', 'https:', 'mailto:'].includes(new URL(url).protocol) ? url : null;
  } catch {
    return null;
  }
}

const formatOf = (value: unknown): TextFormat => {
  const bits = typeof value === 'number' && Number.isInteger(value) ? value : 0;
  return {
    bold: (bits & TEXT_FORMAT.bold) !== 0,
    italic: (bits & TEXT_FORMAT.italic) !== 0,
    strikethrough: (bits & TEXT_FORMAT.strikethrough) !== 0,
    underline: (bits & TEXT_FORMAT.underline) !== 0,
  };
};

/**
 * Renders the top-level blocks of `root` (a serialized root node: `{ children: [...] }`, or
 * anything else, which renders to nothing) with `visitor`. `report.skipped` counts what was left out.
 */
export function walkLexical<R>(root: unknown, visitor: LexicalVisitor<R>, report: WalkReport = { skipped: 0 }): R[] {
  const skip = () => {
    report.skipped++;
    return visitor.nothing();
  };

  const list = (node: Serialized, depth: number, listDepth: number): R => {
    const facts: ListFacts = { ordered: node.listType === 'number', start: clampInteger(node.start, 1, 1_000_000, 1), depth: listDepth };
    let number = facts.start;
    const items = childrenOf(node).map((item, index) => {
      if (depth + 1 > MAX_DEPTH) return skip();
      const children = childrenOf(item);
      const nestedNodes = children.filter((c) => c.type === 'list');
      const ownNodes = children.filter((c) => c.type !== 'list');
      const hasOwnContent = ownNodes.length > 0;
      const facts_: ListItemFacts = { index, number, start: facts.start, ordered: facts.ordered, depth: listDepth, hasOwnContent };
      if (nestedNodes.length === 0 || hasOwnContent) number++;
      const content = ownNodes.map((c) => visit(c, depth + 2, listDepth));
      const nested = nestedNodes.map((c) => (depth + 2 > MAX_DEPTH ? skip() : list(c, depth + 2, listDepth + 1)));
      return visitor.listItem(facts_, content, nested);
    });
    return visitor.list(facts, items);
  };

  const visit = (node: Serialized, depth: number, listDepth: number): R => {
    if (depth > MAX_DEPTH) return skip();
    const inner = () => childrenOf(node).map((child) => visit(child, depth + 1, listDepth));
    switch (node.type) {
      case 'text':
        return visitor.text(typeof node.text === 'string' ? node.text : '', formatOf(node.format));
      case 'tab':
        return visitor.text('\t', formatOf(node.format));
      case 'linebreak':
        return visitor.linebreak();
      case 'citation': {
        const ref = parseCitationKey(`${String(node.kind)}:${String(node.targetId)}`);
        return ref ? visitor.citation(ref) : skip();
      }
      case 'paragraph':
        return visitor.paragraph(inner());
      case 'heading': {
        const level = typeof node.tag === 'string' && /^h[1-6]$/.test(node.tag) ? (Number(node.tag[1]) as 1 | 2 | 3 | 4 | 5 | 6) : 3;
        return visitor.heading(level, inner());
      }
      case 'quote':
        return visitor.quote(inner());
      case 'list':
        return list(node, depth, listDepth + 1);
      case 'listitem':
        // A list item outside a list: its content, as a paragraph would hold it.
        return visitor.other(inner());
      case 'link':
      case 'autolink':
        return visitor.link(followableUrl(node.url), inner());
      case 'table':
        return visitor.table(inner());
      case 'tablerow':
        return visitor.tableRow(inner());
      case 'tablecell':
        return visitor.tableCell(
          {
            header: typeof node.headerState === 'number' && node.headerState !== 0,
            colSpan: clampInteger(node.colSpan, 1, 100, 1),
            rowSpan: clampInteger(node.rowSpan, 1, 1_000, 1),
          },
          inner(),
        );
      default:
        report.skipped++;
        return visitor.other(inner());
    }
  };

  const top = typeof root === 'object' && root !== null ? (root as Serialized) : {};
  return childrenOf(top).map((node) => visit(node, 1, 0));
}
