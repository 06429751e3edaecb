/**
 * The DOCX renderer of the export document (app/exports/document.ts), with the `docx` package.
 * `renderDocx(doc)` resolves to the bytes of a .docx file. Pure: no database, no i18n (every
 * frame word comes in the document), so it runs in a worker thread.
 *
 * What Word and LibreOffice see:
 * - Word's built-in styles, so the secretariat's own templates restyle the file: Title (the
 *   cover), Heading 1–3, Quote, Footnote Text, List Paragraph, TOC 1–3, Hyperlink; two small
 *   styles of Palabre's own (Small Text, Notice).
 * - Real footnotes (`footnotes.xml`), one per `ExportDocument.footnotes` entry.
 * - Lists: one numbering instance (`w:num`) per list, so each numbered list restarts at its own
 *   `start`; nested lists are the deeper levels (`w:ilvl`) of their own instance.
 * - Tables with a fixed layout and explicit widths in twips (the relative `widths` scaled to the
 *   text width of an A4 page), header rows repeated on each page.
 * - Bookmarks on headings and anchored paragraphs; internal links and the table of contents
 *   (built here from the headings, not a field Word must update) point at them. Word's bookmark
 *   names are restricted (a letter first, then letters, digits and `_`, 40 characters at most), so
 *   anchors are mapped to names by `bookmarkName`, deterministically.
 * - Page numbers in the footer, the restricted banner in the header of every page, document
 *   properties with no person's name (creator and last modified by: "Palabre"), the document
 *   language on the default run properties (`w:lang`).
 *
 * Units: twips (1/20 pt) for lengths, half-points for font sizes, as OOXML writes them.
 * Text: the `docx` package escapes XML itself; `xmlSafe` also drops the characters XML 1.0 cannot
 * hold at all (C0 controls, U+FFFE/U+FFFF, lone surrogates), so an odd stored character can never
 * produce a file Word refuses to open.
 */
import {
  AlignmentType,
  Bookmark,
  BorderStyle,
  Document,
  ExternalHyperlink,
  Footer,
  FootnoteReferenceRun,
  Header,
  HeadingLevel,
  InternalHyperlink,
  LevelFormat,
  Packer,
  PageBreak,
  PageNumber,
  Paragraph,
  ShadingType,
  Tab,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  WidthType,
  type ILevelsOptions,
  type IRunOptions,
  type ParagraphChild,
} from 'docx';
import type {
  Block,
  Contents,
  ExportDocument,
  ExportLanguage,
  Footnote,
  Heading,
  Inline,
  List,
  Notice,
  Paragraph as ParagraphBlock,
  Quote,
  Table as TableBlock,
  TableCell as TableCellBlock,
  TextRun as TextRunInline,
} from '../document';
import { inlineText } from '../document';

/** The author Word shows: never a person. */
const AUTHOR = 'Palabre';

/** `w:lang` of each frame language (British English: the forum's English is the UN's). */
const WORD_LANGUAGE: Record<ExportLanguage, string> = { fr: 'fr-FR', en: 'en-GB', es: 'es-ES' };

/**
 * The body font. Without one Word and LibreOffice fall back to a Times; Arial is on every Word and
 * has a metric twin in LibreOffice (Liberation Sans), so lines break the same in both.
 */
const BODY_FONT = 'Arial';

/** A4 with 2.5 cm margins, in twips. */
const PAGE = { width: 11906, height: 16838, margin: 1418 };
const TEXT_WIDTH = PAGE.width - 2 * PAGE.margin;

/** Indent of each list level and table-of-contents level, in twips. */
const INDENT_STEP = 360;

/** Word numbers nine list levels (0–8); deeper lists stay at the last. */
const MAX_LIST_LEVEL = 8;

/** Fill colours (hex, no `#`) of the notices: restricted red, unreadable amber, stamp grey. */
const NOTICE_FILL: Record<Notice['kind'], { fill: string; border: string }> = {
  restricted: { fill: 'FBE9E7', border: 'B71C1C' },
  unreadable: { fill: 'FFF8E1', border: 'B26A00' },
  stamp: { fill: 'F2F2F2', border: '595959' },
};

// XML 1.0 allows tab, LF, CR and everything from U+0020 except U+FFFE, U+FFFF and unpaired surrogates.
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `value` without the characters XML 1.0 forbids (a `w:t` holding one makes the file unreadable). */
export function xmlSafe(value: string): string {
  return value.replace(XML_FORBIDDEN, '');
}

/** FNV-1a, 32 bits, as 8 hex digits: a short deterministic tag for names that must be shortened. */
function fnv1a(value: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The Word bookmark name of an anchor: `A` then the anchor with `-` as `_` (anchors are letters,
 * digits and `-`, so this is one-to-one). An anchor outside that alphabet, or too long for Word's
 * 40 characters, keeps a readable prefix and ends with a hash of the whole anchor. Names the
 * renderer makes itself for headings without an anchor start with `T`, so they never meet these.
 */
export function bookmarkName(anchor: string): string {
  const plain = /^[A-Za-z0-9-]*$/.test(anchor);
  const name = `A${anchor.replace(/-/g, '_').replace(/[^A-Za-z0-9_]/g, '')}`;
  if (plain && name.length <= 40) return name;
  return `${name.slice(0, 31)}_${fnv1a(anchor)}`;
}

/** What rendering one document needs to know across blocks. */
interface Context {
  doc: ExportDocument;
  /** Bookmark name of each anchor, first occurrence only (Word's bookmark names are unique). */
  anchors: Map<string, string>;
  /** Bookmark name of each block that carries one, by index in `doc.blocks`. */
  blockBookmarks: Map<number, string>;
  /** Footnote numbers that exist (a reference to any other would break the file). */
  footnotes: Set<number>;
  /** Footnote numbers already referenced in the text (each note is referenced once). */
  referenced: Set<number>;
  /** Numbering references the lists use, with their level definitions. */
  numbering: Map<string, ILevelsOptions[]>;
  /** Numbering instances handed out, one per list. */
  nextListInstance: number;
}

/** Run formatting carried down through inline content. */
interface RunFormat {
  bold?: boolean;
  italics?: boolean;
  underline?: object;
  strike?: boolean;
  color?: string;
  style?: string;
}

// ---------------------------------------------------------------------------------------------
// Inline content
// ---------------------------------------------------------------------------------------------

/**
 * A text run as docx runs: line feeds become line breaks and tabs become tab stops (a raw LF in
 * `w:t` is shown as a space by Word), forbidden characters are dropped.
 */
function textRuns(value: string, format: RunFormat): TextRun[] {
  const lines = xmlSafe(value).split(/\r\n|\r|\n/);
  return lines.map((line, index) => {
    const children: (string | Tab)[] = [];
    line.split('\t').forEach((part, partIndex) => {
      if (partIndex > 0) children.push(new Tab());
      if (part !== '') children.push(part);
    });
    const options: IRunOptions = { ...format, children, ...(index > 0 ? { break: 1 } : {}) };
    return new TextRun(options);
  });
}

function formatOf(run: TextRunInline, outer: RunFormat): RunFormat {
  return {
    ...outer,
    ...(run.bold ? { bold: true } : {}),
    ...(run.italic ? { italics: true } : {}),
    ...(run.underline ? { underline: {} } : {}),
    ...(run.strike ? { strike: true } : {}),
  };
}

/**
 * A footnote reference. Word numbers its notes in the order of their references, which is the
 * order `n` follows; a second reference to the same note (Word has no such thing) and a note
 * inside a note print its number as plain superscript, and a number with no note prints nothing.
 */
function footnoteRef(n: number, ctx: Context, inFootnote: boolean): ParagraphChild[] {
  if (!ctx.footnotes.has(n)) return [];
  if (inFootnote || ctx.referenced.has(n)) return [new TextRun({ text: String(n), superScript: true })];
  ctx.referenced.add(n);
  return [new FootnoteReferenceRun(n)];
}

/**
 * Inline content as paragraph children. Links do not nest in Word: a link inside a link keeps
 * only its text. An internal link to an anchor no block carries keeps only its text as well.
 */
function renderInlines(inlines: Inline[], ctx: Context, format: RunFormat = {}, inLink = false, inFootnote = false): ParagraphChild[] {
  return inlines.flatMap((inline): ParagraphChild[] => {
    switch (inline.type) {
      case 'text':
        return textRuns(inline.text, formatOf(inline, format));
      case 'break':
        return [new TextRun({ break: 1 })];
      case 'footnote':
        return footnoteRef(inline.n, ctx, inFootnote);
      case 'link': {
        if (inLink) return renderInlines(inline.children, ctx, format, true, inFootnote);
        const children = renderInlines(inline.children, ctx, { ...format, style: 'Hyperlink' }, true, inFootnote);
        return [new ExternalHyperlink({ link: xmlSafe(inline.url), children })];
      }
      case 'anchor-link': {
        const name = ctx.anchors.get(inline.anchor);
        if (inLink || !name) return renderInlines(inline.children, ctx, format, inLink, inFootnote);
        const children = renderInlines(inline.children, ctx, { ...format, style: 'Hyperlink' }, true, inFootnote);
        return [new InternalHyperlink({ anchor: name, children })];
      }
      default:
        return [];
    }
  });
}

/** Paragraph children wrapped in the block's bookmark, when it has one. */
function bookmarked(children: ParagraphChild[], name: string | undefined): ParagraphChild[] {
  return name ? [new Bookmark({ id: name, children })] : children;
}

// ---------------------------------------------------------------------------------------------
// Blocks, one function per kind
// ---------------------------------------------------------------------------------------------

const HEADING_LEVEL = { 1: HeadingLevel.HEADING_1, 2: HeadingLevel.HEADING_2, 3: HeadingLevel.HEADING_3 } as const;

function renderHeading(block: Heading, ctx: Context, bookmark: string | undefined): Paragraph[] {
  return [new Paragraph({ heading: HEADING_LEVEL[block.level] ?? HeadingLevel.HEADING_3, children: bookmarked(renderInlines(block.children, ctx), bookmark) })];
}

function renderParagraph(block: ParagraphBlock, ctx: Context, bookmark: string | undefined): Paragraph[] {
  return [new Paragraph({ ...(block.style === 'small' ? { style: 'SmallText' } : {}), children: bookmarked(renderInlines(block.children, ctx), bookmark) })];
}

function renderQuote(block: Quote, ctx: Context): Paragraph[] {
  return [new Paragraph({ style: 'Quote', children: renderInlines(block.children, ctx) })];
}

/** The numbering definition of a list kind: bullets, or numbers from `start` at every level. */
function listLevels(ordered: boolean, start: number): ILevelsOptions[] {
  const bullets = ['•', '◦', '▪'];
  const formats = [LevelFormat.DECIMAL, LevelFormat.LOWER_LETTER, LevelFormat.LOWER_ROMAN];
  return Array.from({ length: MAX_LIST_LEVEL + 1 }, (_, level) => ({
    level,
    format: ordered ? formats[level % 3] : LevelFormat.BULLET,
    text: ordered ? `%${level + 1}.` : bullets[level % 3],
    alignment: AlignmentType.LEFT,
    ...(ordered ? { start } : {}),
    style: { paragraph: { indent: { left: INDENT_STEP * 2 * (level + 1), hanging: INDENT_STEP } } },
  }));
}

/**
 * A list and the lists nested in it. The list gets its own numbering instance, which Word writes
 * as a `w:num` whose `startOverride` is the list's `start`: each list restarts, nested lists too.
 * One numbering reference per kind and start (`ol-3`, `ul`), so the definitions stay few.
 */
function renderList(block: List, ctx: Context, depth = 0): Paragraph[] {
  const start = Number.isInteger(block.start) && block.start >= 0 ? block.start : 1;
  const reference = block.ordered ? `ol-${start}` : 'ul';
  if (!ctx.numbering.has(reference)) ctx.numbering.set(reference, listLevels(block.ordered, start));
  const instance = ctx.nextListInstance++;
  const level = Math.min(depth, MAX_LIST_LEVEL);
  return block.items.flatMap((item) => [
    new Paragraph({ numbering: { reference, level, instance }, children: renderInlines(item.children, ctx) }),
    ...item.lists.flatMap((nested) => renderList(nested, ctx, depth + 1)),
  ]);
}

/**
 * Column widths in twips: the relative `widths` over the text width, or equal shares when they
 * are absent or unusable (too few, zero, negative, not finite).
 */
export function columnWidths(widths: number[] | undefined, columns: number): number[] {
  const usable = Array.from({ length: columns }, (_, i) => {
    const width = widths?.[i];
    return typeof width === 'number' && Number.isFinite(width) && width > 0 ? width : undefined;
  });
  const given = usable.every((width) => width !== undefined) ? (usable as number[]) : usable.map(() => 1);
  const total = given.reduce((sum, width) => sum + width, 0);
  return given.map((width) => Math.floor((width / total) * TEXT_WIDTH));
}

/** The number of grid columns of a table whose cells may span: its widest row, spans counted. */
function columnCount(block: TableBlock): number {
  const occupied: number[] = [];
  let columns = 0;
  block.rows.forEach((row, rowIndex) => {
    let count = occupied[rowIndex] ?? 0;
    for (const cell of row) {
      const span = Math.max(1, cell.colSpan || 1);
      count += span;
      for (let below = 1; below < Math.max(1, cell.rowSpan || 1); below++) occupied[rowIndex + below] = (occupied[rowIndex + below] ?? 0) + span;
    }
    columns = Math.max(columns, count);
  });
  return Math.max(1, columns);
}

function renderTableCell(cell: TableCellBlock, ctx: Context, width: number): TableCell {
  const columnSpan = Math.max(1, cell.colSpan || 1);
  const rowSpan = Math.max(1, cell.rowSpan || 1);
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    ...(columnSpan > 1 ? { columnSpan } : {}),
    ...(rowSpan > 1 ? { rowSpan } : {}),
    ...(cell.header ? { shading: { type: ShadingType.CLEAR, color: 'auto', fill: 'E7E6E6' } } : {}),
    children: [new Paragraph({ children: renderInlines(cell.children, ctx, cell.header ? { bold: true } : {}) })],
  });
}

/**
 * A table: fixed layout, its grid (`w:tblGrid`) in twips. Cells covered by a span are absent from
 * the rows, as in HTML and Lexical; docx writes Word's continuation cells for row spans. The
 * leading rows made only of header cells are Word header rows, repeated on every page.
 */
function renderTable(block: TableBlock, ctx: Context): (Table | Paragraph)[] {
  const rows = block.rows.filter((row) => row.length > 0);
  if (rows.length === 0) return [];
  const grid = columnWidths(block.widths, columnCount({ ...block, rows }));
  const occupied: number[][] = rows.map(() => []);
  let inHeader = true;
  const tableRows = rows.map((row, rowIndex) => {
    inHeader = inHeader && row.every((cell) => cell.header);
    let column = 0;
    const cells = row.map((cell) => {
      while (occupied[rowIndex]?.includes(column)) column++;
      const span = Math.max(1, cell.colSpan || 1);
      const width = grid.slice(column, column + span).reduce((sum, w) => sum + w, 0) || grid[grid.length - 1];
      for (let below = 1; below < Math.max(1, cell.rowSpan || 1) && rowIndex + below < rows.length; below++) {
        for (let c = column; c < column + span; c++) occupied[rowIndex + below].push(c);
      }
      column += span;
      return renderTableCell(cell, ctx, width);
    });
    // A short row is filled with empty cells, so every row reaches the table's right edge.
    const covered = (occupied[rowIndex] ?? []).filter((c) => c >= column).length;
    for (let c = column + covered; c < grid.length; c++) cells.push(renderTableCell({ header: false, colSpan: 1, rowSpan: 1, children: [] }, ctx, grid[c]));
    return new TableRow({ children: cells, ...(inHeader ? { tableHeader: true } : {}) });
  });
  const table = new Table({
    rows: tableRows,
    columnWidths: grid,
    width: { size: grid.reduce((sum, w) => sum + w, 0), type: WidthType.DXA },
    layout: TableLayoutType.FIXED,
  });
  // An empty paragraph after a table keeps two tables in a row apart, as Word does.
  return [table, new Paragraph({})];
}

/** A heading listed in the table of contents: level 1 and 2 unless `toc: false`, level 3 with `toc: true`. */
function listedInContents(block: Block): block is Heading {
  return block.type === 'heading' && (block.toc === true || (block.toc !== false && block.level <= 2));
}

/**
 * The table of contents Palabre builds: the `contents` label as a heading, then one paragraph per
 * listed heading in Word's TOC 1–3 styles (indented by level), each a link to its heading's
 * bookmark. No page numbers: LibreOffice lays PAGEREF fields out right, but Word shows them only
 * once its fields are updated (written dirty it asks on opening, clean they are blank), and
 * docx's page estimator (`docx/layout`) takes some 20 s on a 50-page note.
 */
function renderContents(_block: Contents, ctx: Context): Paragraph[] {
  const entries = ctx.doc.blocks.flatMap((block, index) => {
    if (!listedInContents(block)) return [];
    const name = ctx.blockBookmarks.get(index);
    const children = renderInlines([{ type: 'text', text: inlineText(block.children) }], ctx);
    return [new Paragraph({ style: `TOC${block.level}`, children: name ? [new InternalHyperlink({ anchor: name, children })] : children })];
  });
  return [new Paragraph({ heading: HeadingLevel.HEADING_1, children: textRuns(ctx.doc.labels.contents, {}) }), ...entries];
}

function renderPageBreak(): Paragraph[] {
  return [new Paragraph({ children: [new PageBreak()] })];
}

/** A notice: a boxed, shaded paragraph coloured by kind. */
function renderNotice(block: Notice, ctx: Context): Paragraph[] {
  const colours = NOTICE_FILL[block.kind] ?? NOTICE_FILL.stamp;
  const side = { style: BorderStyle.SINGLE, size: 8, space: 4, color: colours.border };
  return [
    new Paragraph({
      style: 'Notice',
      shading: { type: ShadingType.CLEAR, color: 'auto', fill: colours.fill },
      border: { top: side, bottom: side, left: side, right: side },
      children: renderInlines(block.children, ctx, block.kind === 'restricted' ? { bold: true } : {}),
    }),
  ];
}

function renderBlock(block: Block, index: number, ctx: Context): (Paragraph | Table)[] {
  const bookmark = ctx.blockBookmarks.get(index);
  switch (block.type) {
    case 'heading':
      return renderHeading(block, ctx, bookmark);
    case 'paragraph':
      return renderParagraph(block, ctx, bookmark);
    case 'quote':
      return renderQuote(block, ctx);
    case 'list':
      return renderList(block, ctx);
    case 'table':
      return renderTable(block, ctx);
    case 'contents':
      return renderContents(block, ctx);
    case 'page-break':
      return renderPageBreak();
    case 'notice':
      return renderNotice(block, ctx);
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Frame: cover, footnotes, header and footer, styles
// ---------------------------------------------------------------------------------------------

/** The cover page: title (Title style), subtitle, lines, then a page break. */
function renderCover(cover: NonNullable<ExportDocument['cover']>): Paragraph[] {
  return [
    new Paragraph({ heading: HeadingLevel.TITLE, spacing: { before: 3600 }, children: textRuns(cover.title, {}) }),
    new Paragraph({ style: 'Subtitle', children: textRuns(cover.subtitle, {}) }),
    ...cover.lines.map((line) => new Paragraph({ children: textRuns(line, {}) })),
    new Paragraph({ children: [new PageBreak()] }),
  ];
}

/**
 * The footnotes part: each note's content, with its formatting and links, in Footnote Text, after
 * the note's number (which docx writes) and a space, as Word writes its own notes.
 */
function renderFootnotes(footnotes: Footnote[], ctx: Context): Record<string, { children: Paragraph[] }> {
  const notes: Record<string, { children: Paragraph[] }> = {};
  for (const note of footnotes) {
    const children = [new TextRun(' '), ...renderInlines(note.children, ctx, {}, false, true)];
    notes[String(note.n)] = { children: [new Paragraph({ style: 'FootnoteText', children })] };
  }
  return notes;
}

function bannerHeader(banner: string): Header {
  return new Header({
    children: [new Paragraph({ alignment: AlignmentType.CENTER, children: textRuns(banner, { bold: true, color: NOTICE_FILL.restricted.border }) })],
  });
}

function pageFooter(label: string): Footer {
  return new Footer({
    children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: [`${xmlSafe(label)} `, PageNumber.CURRENT] })] })],
  });
}

/** Word's built-in styles, shaped for a report, and Palabre's two own ones. */
function styles(language: string) {
  const heading = (size: number, extra: object = {}) => ({
    run: { size, bold: true, color: '1F3864', ...extra },
    paragraph: { spacing: { before: 360, after: 120 }, keepNext: true, keepLines: true },
  });
  return {
    default: {
      document: { run: { language: { value: language }, size: 22, font: BODY_FONT }, paragraph: { spacing: { after: 120, line: 276 } } },
      title: { run: { size: 56, color: '1F3864' }, paragraph: { spacing: { after: 240 } } },
      heading1: heading(32),
      heading2: heading(26),
      heading3: heading(24, { italics: true }),
      footnoteText: { run: { size: 18 }, paragraph: { spacing: { after: 60, line: 240 } } },
    },
    paragraphStyles: [
      { id: 'Subtitle', name: 'Subtitle', basedOn: 'Normal', next: 'Normal', quickFormat: true, run: { size: 32, color: '595959' }, paragraph: { spacing: { after: 480 } } },
      { id: 'Quote', name: 'Quote', basedOn: 'Normal', next: 'Normal', quickFormat: true, run: { italics: true, color: '404040' }, paragraph: { indent: { left: 720, right: 720 }, spacing: { before: 120, after: 120 } } },
      { id: 'SmallText', name: 'Small Text', basedOn: 'Normal', next: 'Normal', run: { size: 18, color: '595959' } },
      { id: 'Notice', name: 'Notice', basedOn: 'Normal', next: 'Normal', paragraph: { spacing: { before: 120, after: 240 } } },
      ...[1, 2, 3].map((level) => ({ id: `TOC${level}`, name: `toc ${level}`, basedOn: 'Normal', next: 'Normal', paragraph: { indent: { left: INDENT_STEP * (level - 1) * 2 }, spacing: { after: 60 } } })),
    ],
  };
}

/**
 * Before rendering: the bookmark of every anchored or contents-listed block, so links and the
 * table of contents (which may come first) know where they point.
 */
function planBookmarks(blocks: Block[]): Pick<Context, 'anchors' | 'blockBookmarks'> {
  const anchors = new Map<string, string>();
  const blockBookmarks = new Map<number, string>();
  const used = new Set<string>();
  blocks.forEach((block, index) => {
    if (block.type !== 'heading' && block.type !== 'paragraph') return;
    const anchor = block.anchor;
    if (anchor && !anchors.has(anchor)) {
      let name = bookmarkName(anchor);
      // Two anchors differing only outside Word's alphabet could share a hash-free name.
      if (used.has(name)) name = `${name.slice(0, 31)}_${fnv1a(`${anchor}#${index}`)}`;
      anchors.set(anchor, name);
      blockBookmarks.set(index, name);
      used.add(name);
    } else if (listedInContents(block)) {
      const name = `T${index}`;
      blockBookmarks.set(index, name);
      used.add(name);
    }
  });
  return { anchors, blockBookmarks };
}

/** The document as Word objects (`docx`'s model), before packing. Split out to time the two steps. */
export function buildDocx(doc: ExportDocument): Document {
  const language = WORD_LANGUAGE[doc.language] ?? WORD_LANGUAGE.en;
  const ctx: Context = {
    doc,
    ...planBookmarks(doc.blocks),
    footnotes: new Set(doc.footnotes.map((note) => note.n)),
    referenced: new Set(),
    numbering: new Map(),
    nextListInstance: 0,
  };
  const body = [...(doc.cover ? renderCover(doc.cover) : []), ...doc.blocks.flatMap((block, index) => renderBlock(block, index, ctx))];
  const footnotes = renderFootnotes(doc.footnotes, ctx);
  const banner = doc.restrictedBanner === null ? null : bannerHeader(doc.restrictedBanner);
  const footer = pageFooter(doc.labels.page);
  const titlePage = Boolean(doc.cover);
  const { title, subject, keywords, version } = doc.properties;
  return new Document({
    title: xmlSafe(title),
    subject: xmlSafe(subject),
    keywords: xmlSafe(keywords.join(', ')),
    ...(version.trim() !== '' ? { description: xmlSafe(version) } : {}),
    creator: AUTHOR,
    lastModifiedBy: AUTHOR,
    styles: styles(language),
    numbering: { config: [...ctx.numbering].map(([reference, levels]) => ({ reference, levels })) },
    footnotes,
    sections: [
      {
        properties: {
          titlePage,
          page: { size: { width: PAGE.width, height: PAGE.height }, margin: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin } },
        },
        // The cover (a title page) has no page number, but the banner is on it too.
        headers: banner ? { default: banner, ...(titlePage ? { first: bannerHeader(doc.restrictedBanner ?? '') } : {}) } : undefined,
        footers: { default: footer, ...(titlePage ? { first: new Footer({ children: [new Paragraph({})] }) } : {}) },
        children: body,
      },
    ],
  });
}

/** Packs a built document into the bytes of a .docx file. */
export async function packDocx(document: Document): Promise<Uint8Array> {
  return Packer.pack(document, 'uint8array');
}

/** The export document as a .docx file. */
export async function renderDocx(doc: ExportDocument): Promise<Uint8Array> {
  return packDocx(buildDocx(doc));
}
