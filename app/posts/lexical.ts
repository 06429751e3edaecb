/**
 * Server-side handling of Lexical documents sent by clients. A document is never trusted: it is
 * rebuilt node by node into a canonical form that holds only the node types and formats the
 * editor offers (anything else refused), within size limits, with links restricted to http,
 * https and mailto. Plain text and HTML are derived from the canonical form, never taken from
 * the client. Text goes through the text policy (app/text/policy.ts). Pure and isomorphic.
 */
import { lexicalHtml } from '../documents/html';
import { walkLexical, type LexicalVisitor } from '../documents/lexical-walk';
import { cleanMultiline, hasControlCharacters, isVisuallyEmpty, trimBlanks } from '../text/policy';

export const LIMITS = {
  /** The serialized document as received. */
  jsonBytes: 100_000,
  /** Characters of text in a post. */
  textChars: 20_000,
  nodes: 5_000,
  depth: 10,
  urlChars: 2_048,
} as const;

/** Text formats kept: bold, italic, strikethrough, underline (Lexical's bit flags). */
const FORMAT = { bold: 1, italic: 2, strikethrough: 4, underline: 8 } as const;
const FORMAT_MASK = FORMAT.bold | FORMAT.italic | FORMAT.strikethrough | FORMAT.underline;

export type TextNode = { type: 'text'; text: string; format: number; detail: 0; mode: 'normal'; style: ''; version: 1 };
export type LineBreakNode = { type: 'linebreak'; version: 1 };
type ElementBase = { children: InlineOrBlock[]; direction: 'ltr' | 'rtl' | null; format: ''; indent: number; version: 1 };
export type ParagraphNode = ElementBase & { type: 'paragraph'; textFormat: 0; textStyle: '' };
export type QuoteNode = ElementBase & { type: 'quote' };
export type ListNode = ElementBase & { type: 'list'; listType: 'bullet' | 'number'; start: number; tag: 'ul' | 'ol' };
export type ListItemNode = ElementBase & { type: 'listitem'; value: number };
export type LinkNode = ElementBase & { type: 'link'; url: string; rel: null; target: null; title: null };
export type RootNode = ElementBase & { type: 'root' };
type InlineOrBlock = TextNode | LineBreakNode | ParagraphNode | QuoteNode | ListNode | ListItemNode | LinkNode;
export interface LexicalDocument {
  root: RootNode;
}

/** Why a document was refused: an i18n key under errors.* */
export class InvalidDocument extends Error {
  override name = 'InvalidDocument';
  constructor(readonly messageKey: 'errors.postInvalid' | 'errors.postTooLong' | 'errors.postEmpty' | 'errors.linkScheme') {
    super(messageKey);
  }
}

const BLOCKS = new Set(['paragraph', 'quote', 'list']);
const INLINES = new Set(['text', 'linebreak', 'link', 'tab']);

export function isSafeUrl(url: string): boolean {
  if (url.length > LIMITS.urlChars) return false;
  try {
    const parsed = new URL(url);
    return ['http:', 'https:', 'mailto:'].includes(parsed.protocol);
  } catch {
    return false;
  }
}

/**
 * Parses and rebuilds a client document. Throws InvalidDocument with the reason.
 * Accepts the serialized string or an already parsed object (socket payloads).
 */
export function sanitizeDocument(input: unknown): LexicalDocument {
  let value = input;
  if (typeof value === 'string') {
    if (value.length > LIMITS.jsonBytes || new TextEncoder().encode(value).length > LIMITS.jsonBytes) throw new InvalidDocument('errors.postTooLong');
    try {
      value = JSON.parse(value);
    } catch {
      throw new InvalidDocument('errors.postInvalid');
    }
  }
  const state = { nodes: 0, chars: 0 };
  const root = (value as { root?: unknown } | null)?.root;
  if (!isRecord(root) || root.type !== 'root' || !Array.isArray(root.children)) throw new InvalidDocument('errors.postInvalid');

  const element = (node: Record<string, unknown>, depth: number, allowed: Set<string>) => {
    if (depth > LIMITS.depth) throw new InvalidDocument('errors.postInvalid');
    if (!Array.isArray(node.children)) throw new InvalidDocument('errors.postInvalid');
    const direction: ElementBase['direction'] = node.direction === 'rtl' ? 'rtl' : node.direction === 'ltr' ? 'ltr' : null;
    const indent = Number.isInteger(node.indent) ? Math.min(Math.max(node.indent as number, 0), 6) : 0;
    return {
      children: node.children.map((child) => build(child, depth + 1, allowed)),
      direction,
      format: '' as const,
      indent,
      version: 1 as const,
    };
  };

  const build = (node: unknown, depth: number, allowed: Set<string>): InlineOrBlock => {
    if (++state.nodes > LIMITS.nodes) throw new InvalidDocument('errors.postTooLong');
    if (!isRecord(node) || typeof node.type !== 'string' || !allowed.has(node.type)) {
      throw new InvalidDocument('errors.postInvalid');
    }
    switch (node.type) {
      case 'text':
      case 'tab': {
        const raw = node.type === 'tab' ? '\t' : node.text;
        if (typeof raw !== 'string') throw new InvalidDocument('errors.postInvalid');
        if (raw.length > LIMITS.textChars) throw new InvalidDocument('errors.postTooLong');
        // The text policy: control characters removed, NFC (see app/text/policy.ts).
        const text = cleanMultiline(raw);
        state.chars += text.length;
        if (state.chars > LIMITS.textChars) throw new InvalidDocument('errors.postTooLong');
        const format = Number.isInteger(node.format) ? (node.format as number) & FORMAT_MASK : 0;
        return { type: 'text', text, format, detail: 0, mode: 'normal', style: '', version: 1 };
      }
      case 'linebreak':
        return { type: 'linebreak', version: 1 };
      case 'link': {
        if (typeof node.url !== 'string') throw new InvalidDocument('errors.linkScheme');
        if (hasControlCharacters(node.url)) throw new InvalidDocument('errors.postInvalid');
        if (!isSafeUrl(node.url.trim())) throw new InvalidDocument('errors.linkScheme');
        const el = element(node, depth, new Set(['text', 'linebreak', 'tab']));
        return { ...el, type: 'link', url: node.url.trim(), rel: null, target: null, title: null };
      }
      case 'paragraph':
        return { ...element(node, depth, INLINES), type: 'paragraph', textFormat: 0, textStyle: '' };
      case 'quote':
        return { ...element(node, depth, INLINES), type: 'quote' };
      case 'list': {
        const listType = node.listType === 'number' ? 'number' : node.listType === 'bullet' ? 'bullet' : null;
        if (!listType) throw new InvalidDocument('errors.postInvalid');
        const start = Number.isInteger(node.start) && (node.start as number) > 0 ? Math.min(node.start as number, 1_000_000) : 1;
        return { ...element(node, depth, new Set(['listitem'])), type: 'list', listType, start, tag: listType === 'number' ? 'ol' : 'ul' };
      }
      case 'listitem': {
        // A list item holds inline content, or a nested list (Lexical's indented items).
        const value = Number.isInteger(node.value) ? (node.value as number) : 1;
        return { ...element(node, depth, new Set([...INLINES, 'list'])), type: 'listitem', value };
      }
      default:
        throw new InvalidDocument('errors.postInvalid');
    }
  };

  const children = root.children.map((child) => build(child, 1, BLOCKS));
  const doc: LexicalDocument = {
    root: { type: 'root', children, direction: root.direction === 'rtl' ? 'rtl' : 'ltr', format: '', indent: 0, version: 1 },
  };
  // Only spaces, zero-width or format characters, fillers or lone accents: nothing to read.
  if (isVisuallyEmpty(plainText(doc))) throw new InvalidDocument('errors.postEmpty');
  return doc;
}

/** A document from plain text (the no-JavaScript form): blank lines separate paragraphs. */
export function documentFromText(text: string): LexicalDocument {
  if (text.length > LIMITS.textChars) throw new InvalidDocument('errors.postTooLong');
  const paragraphs = cleanMultiline(text)
    .split(/\n\s*\n/)
    .map(trimBlanks)
    .filter((p) => !isVisuallyEmpty(p));
  if (paragraphs.length === 0) throw new InvalidDocument('errors.postEmpty');
  const inline = (p: string): InlineOrBlock[] =>
    p.split('\n').flatMap((line, i) => [
      ...(i > 0 ? [{ type: 'linebreak', version: 1 } as LineBreakNode] : []),
      ...(line ? [{ type: 'text', text: line, format: 0, detail: 0, mode: 'normal', style: '', version: 1 } as TextNode] : []),
    ]);
  return sanitizeDocument({
    root: {
      type: 'root',
      children: paragraphs.map((p) => ({ type: 'paragraph', children: inline(p), direction: 'ltr', format: '', indent: 0, version: 1 })),
    },
  });
}

/**
 * The plain text of a canonical document: blocks separated by a blank line, list items as
 * "1. " / "- " lines (nested lists indented by two spaces), a quote's first line after "> ".
 * Stored as the post's `bodyText`, whose character ranges clips point into: this output must
 * never change for a stored document (tests/unit/lexical-walk.test.ts keeps the earlier
 * renderer as its oracle).
 */
export function plainText(doc: LexicalDocument): string {
  return walkLexical(doc.root, postTextVisitor).join('\n\n');
}

const join = (parts: string[]) => parts.join('');

/** Plain text, as a visitor of the one walk (app/documents/lexical-walk.ts). */
const postTextVisitor: LexicalVisitor<string> = {
  text: (text) => text,
  linebreak: () => '\n',
  citation: () => '', // posts hold no citations
  paragraph: join,
  heading: (_level, children) => join(children),
  quote: (children) => `> ${join(children)}`,
  list: (_list, items) => items.join('\n'),
  listItem(item, content, nested) {
    // A post's list numbers its items by position, and indents every nested level by two spaces.
    const marker = item.ordered ? `${item.start + item.index}. ` : '- ';
    const own = join(content);
    return [own ? `${item.depth > 1 ? '  ' : ''}${marker}${own}` : '', ...nested].filter(Boolean).join('\n');
  },
  link: (_url, children) => join(children),
  table: (rows) => rows.join('\n'),
  tableRow: (cells) => cells.join('\t'),
  tableCell: (_cell, children) => join(children),
  other: join,
  nothing: () => '',
};

/** Safe HTML from a canonical document: only known elements, escaped text, vetted links. */
export function renderHtml(doc: LexicalDocument): string {
  return lexicalHtml(doc.root);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
