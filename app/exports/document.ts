/**
 * The export document: what every export format renders (docs/decisions/0017). A synthesis
 * note, or the whole consultation report, is assembled once into this neutral, plain-data form
 * on the server (attribution and visibility already applied through app/contributions/), then
 * handed to a renderer per format (DOCX, PDF through Typst, Markdown) in a worker thread. Plain
 * data only: it crosses to the worker by structured clone, and no renderer ever sees a database.
 *
 * Every string here is text, never markup: each renderer escapes or passes it as data.
 * Isomorphic, no imports.
 */

/** The languages an export's frame (headings, labels, dates) is written in. */
export type ExportLanguage = 'fr' | 'en' | 'es';

/** Formatted text. Lexical's four formats; nothing else of a co-editor's style reaches an export. */
export interface TextRun {
  type: 'text';
  text: string;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
  strike?: boolean;
}

/** A line break inside a block. */
export interface LineBreak {
  type: 'break';
}

/** A hyperlink to an http, https or mailto address (vetted before it gets here). */
export interface Hyperlink {
  type: 'link';
  url: string;
  children: Inline[];
}

/**
 * A reference to footnote `n` (1-based, `ExportDocument.footnotes[n - 1]`). Renderers print the
 * number as a real footnote reference (DOCX footnote, Typst `footnote`, Markdown `[^n]`).
 */
export interface FootnoteRef {
  type: 'footnote';
  n: number;
}

/** A link to a place in the same document (a heading's or an annex entry's `anchor`). */
export interface InternalLink {
  type: 'anchor-link';
  anchor: string;
  children: Inline[];
}

export type Inline = TextRun | LineBreak | Hyperlink | FootnoteRef | InternalLink;

export interface Heading {
  type: 'heading';
  /** 1: a part of the document (a question); 2: a section; 3: a subsection. */
  level: 1 | 2 | 3;
  children: Inline[];
  /** A bookmark: internal links and the table of contents point at it. Letters, digits and `-` only. */
  anchor?: string;
  /** Listed in the table of contents (default: levels 1 and 2). */
  toc?: boolean;
}

export interface Paragraph {
  type: 'paragraph';
  children: Inline[];
  /** `small`: secondary text (dates, counts, a source's attribution line). */
  style?: 'normal' | 'small';
  /** A bookmark on this paragraph (a sources-annex entry). */
  anchor?: string;
}

export interface Quote {
  type: 'quote';
  children: Inline[];
}

export interface ListItem {
  children: Inline[];
  /** Lists nested under this item. */
  lists: List[];
}

/** A bulleted or numbered list; each numbered list restarts at its own `start`. */
export interface List {
  type: 'list';
  ordered: boolean;
  start: number;
  items: ListItem[];
}

export interface TableCell {
  header: boolean;
  colSpan: number;
  rowSpan: number;
  children: Inline[];
}

export interface Table {
  type: 'table';
  rows: TableCell[][];
  /**
   * Relative column widths (any positive numbers; renderers scale them to the text width).
   * Absent: equal columns.
   */
  widths?: number[];
}

/** Where a renderer puts the table of contents it builds from the headings that have `toc`. */
export interface Contents {
  type: 'contents';
}

/** Starts a new page (paged formats); a rule in Markdown. */
export interface PageBreak {
  type: 'page-break';
}

/**
 * A boxed notice: `restricted` (this export holds items only moderators and rapporteurs may
 * read), `unreadable` (part of a stored document could not be read and is left out), `stamp`
 * (a final note's version and content hash).
 */
export interface Notice {
  type: 'notice';
  kind: 'restricted' | 'unreadable' | 'stamp';
  children: Inline[];
}

export type Block = Heading | Paragraph | Quote | List | Table | Contents | PageBreak | Notice;

export interface Footnote {
  /** 1-based; equals its position in `footnotes` plus one. */
  n: number;
  children: Inline[];
}

export interface ExportDocument {
  /** The language of the frame (labels, headings Palabre writes); contributions keep their own. */
  language: ExportLanguage;
  /** Document properties: no person's name anywhere in them. */
  properties: {
    title: string;
    /** e.g. "Question 3 — synthesis note". */
    subject: string;
    /** e.g. "Version 4, SHA-256 …" for a final note; empty otherwise. */
    version: string;
    keywords: string[];
  };
  /** Present for a report: a page of its own before everything else. */
  cover?: { title: string; subtitle: string; lines: string[] };
  /**
   * Set when the document holds restricted items: every page then carries this text in its
   * header (and Markdown starts with it). Null when the document is shareable.
   */
  restrictedBanner: string | null;
  /** Frame words the renderers need, in `language`. */
  labels: { contents: string; page: string; footnotes: string };
  blocks: Block[];
  footnotes: Footnote[];
}

/** The formats a document renders to. */
export const DOCUMENT_FORMATS = ['docx', 'pdf', 'md'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** The formats tabular data (contributions, case studies) renders to. */
export const DATA_FORMATS = ['csv', 'json'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

export const MEDIA_TYPES: Record<DocumentFormat | DataFormat, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** Plain text of inline content (headings in a table of contents, properties). */
export function inlineText(children: Inline[]): string {
  return children
    .map((child) => {
      switch (child.type) {
        case 'text':
          return child.text;
        case 'break':
          return ' ';
        case 'footnote':
          return '';
        default:
          return inlineText(child.children);
      }
    })
    .join('');
}

/** A run of plain text. */
export const text = (value: string, format: Omit<TextRun, 'type' | 'text'> = {}): TextRun => ({ type: 'text', text: value, ...format });
