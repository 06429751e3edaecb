/**
 * The PDF renderer of an export document (docs/decisions/0017): ExportDocument in, PDF bytes out,
 * through Typst (`@myriaddreamin/typst-ts-node-compiler`, Typst 0.14).
 *
 * The frame is the Typst template beside this module (document.typ); the document reaches it
 * ONLY as data: serialised to JSON and passed as `sys.inputs.document`, decoded by the template
 * with `json(...)` and laid out with Typst functions. No user text is ever spliced into Typst
 * markup, so a contribution holding `#read(...)`, `$x$`, `<label>` or `\` prints as written.
 *
 * Pure: no database, no i18n (every frame word is in the document). Meant to run in a worker
 * thread: each thread keeps one compiler, created on first use and reused (the first render of
 * a thread also loads the fonts, ~0.1 s). After each render the compiler's memoisation cache is
 * evicted down to recent entries; nothing of one document is read by the next (the template is
 * the main file, the data an input replaced on every compile).
 *
 * Memory: even so, the native compiler keeps ~4 MB per distinct 10-page document in the thread
 * (measured over 100 renders; recreating the compiler or evicting everything does not release
 * it), and all of it is freed when the thread ends. A worker pool should therefore retire a
 * worker after `PDF_RENDERS_PER_THREAD` renders (`pdfRendersInThread()` counts them).
 *
 * Output: A4, tagged PDF. It is first exported as PDF/UA-1; when the text holds a character no
 * embedded font can show in a way PDF/UA accepts (an emoji, CJK), it is exported as a plain
 * tagged PDF instead (`renderPdfReport` says which). Fonts: Libertinus Serif, bundled with the
 * compiler, embedded and subset.
 *
 * Errors: a Typst compile error (a bug in the template, never caused by the text) throws an
 * Error carrying Typst's diagnostics.
 */
import { readFileSync } from 'node:fs';
import { NodeCompiler } from '@myriaddreamin/typst-ts-node-compiler';
import { inlineText, type Block, type ExportDocument, type Heading, type Inline } from '../document';

/** The template, read once per thread, relative to this module (works from source under tsx). */
let template: string | undefined;
const templateSource = () => (template ??= readFileSync(new URL('./document.typ', import.meta.url), 'utf8'));

/** This thread's compiler: created on first render, reused by every later one. */
let compiler: NodeCompiler | undefined;

/**
 * Cache entries unused for this many renders are evicted after each render (typst.ts suggests
 * 10 for non-watch tools): the template's and fonts' work stays warm, old documents' go.
 */
const CACHE_MAX_AGE = 10;

/** Renders after which a worker thread should be replaced, to hand its compiler's memory back. */
export const PDF_RENDERS_PER_THREAD = 25;

let renders = 0;
/** How many documents this thread has rendered. */
export const pdfRendersInThread = () => renders;

/** A rendered PDF and its flavour: `ua-1` (PDF/UA-1) or `tagged` (tagged PDF, not PDF/UA). */
export interface RenderedPdf {
  pdf: Uint8Array;
  standard: 'ua-1' | 'tagged';
}

/** Footnote labels the template makes; an anchor of that form would collide with them. */
const RESERVED_ANCHOR = /^palabre-footnote-/;

/**
 * A run of letters with no place to break, longer than any word or hash (a SHA-256 is 64): Typst
 * breaks lines only where Unicode allows (UAX 14), so such a run would pass the page's edge, or
 * the next table column, and what passed would be lost. `/` is a break opportunity already.
 */
const UNBREAKABLE_RUN = /[^\s/]{81,}/gu;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `value` with a zero-width space (a break opportunity, no glyph) between the characters of overlong runs. */
export function breakableText(value: string): string {
  if (value.length <= 80) return value;
  return value.replace(UNBREAKABLE_RUN, (run) => Array.from(graphemes.segment(run), (g) => g.segment).join('\u200b'));
}

/** A footnote reference as the template reads it: `first` on the one that places the note. */
type RenderInline = Inline | { type: 'footnote'; n: number; first: true };

/**
 * The data handed to the template: the document, with the first reference to each footnote
 * marked (it places the note; later ones point at it), each heading's structure `depth` (its
 * level, lowered so that levels never skip one) and `plain` text (its contents entry), and the anchors an internal link may
 * target (those on exactly one heading or paragraph; Typst rejects a link to a missing or
 * doubled label).
 */
function templateData(doc: ExportDocument): ExportDocument & { anchors: string[] } {
  const placed = new Set<number>();
  let previousDepth = 0;
  const anchorCounts = new Map<string, number>();
  const countAnchor = (anchor: string | undefined) => {
    if (anchor && !RESERVED_ANCHOR.test(anchor)) anchorCounts.set(anchor, (anchorCounts.get(anchor) ?? 0) + 1);
  };

  const inlines = (children: Inline[]): RenderInline[] =>
    children.map((child): RenderInline => {
      switch (child.type) {
        case 'footnote':
          if (placed.has(child.n)) return child;
          placed.add(child.n);
          return { ...child, first: true };
        case 'link':
        case 'anchor-link':
          return { ...child, children: inlines(child.children) as Inline[] };
        case 'text':
          return { ...child, text: breakableText(child.text) };
        default:
          return child;
      }
    });

  const blocks = doc.blocks.map(function block(b: Block): Block {
    switch (b.type) {
      case 'heading': {
        const plain = inlineText(b.children).trim();
        // PDF/UA rejects an empty heading: one without text is a paragraph.
        if (plain === '') return block({ type: 'paragraph', children: b.children, anchor: b.anchor });
        countAnchor(b.anchor);
        // The structure level never skips one (PDF/UA: "heading levels must be consecutive").
        const depth = Math.min(b.level, previousDepth + 1);
        previousDepth = depth;
        return { ...b, depth, plain, children: inlines(b.children) as Inline[] } as Heading;
      }
      case 'paragraph':
        countAnchor(b.anchor);
        return { ...b, children: inlines(b.children) as Inline[] };
      case 'quote':
      case 'notice':
        return { ...b, children: inlines(b.children) as Inline[] };
      case 'list':
        return {
          ...b,
          items: b.items.map((item) => ({ children: inlines(item.children) as Inline[], lists: item.lists.map((l) => block(l) as typeof l) })),
        };
      case 'table':
        return { ...b, rows: b.rows.map((row) => row.map((cell) => ({ ...cell, children: inlines(cell.children) as Inline[] }))) };
      default:
        return b;
    }
  });

  const anchors = [...anchorCounts].filter(([, count]) => count === 1).map(([anchor]) => anchor);
  // Footnotes: their long runs broken too (their references are placed from the text).
  const breakable = (children: Inline[]): Inline[] =>
    children.map((child) =>
      child.type === 'text' ? { ...child, text: breakableText(child.text) } : child.type === 'link' || child.type === 'anchor-link' ? { ...child, children: breakable(child.children) } : child,
    );
  const footnotes = doc.footnotes.map((note) => ({ ...note, children: breakable(note.children) }));
  return { ...doc, blocks, footnotes, anchors };
}

/** Half of a surrogate pair, alone: not text, and not something Typst's JSON reader accepts. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The template's input as JSON. JSON.stringify writes a lone surrogate as `\ud83d`, which Typst's
 * JSON reader refuses (the whole document would fail): each becomes U+FFFD, as a UTF-8 encoder
 * would make it.
 */
const templateJson = (data: unknown) => JSON.stringify(data, (_key, value: unknown) => (typeof value === 'string' ? value.replace(LONE_SURROGATE, '\uFFFD') : value));

/** Typst's diagnostics as one readable message. */
function diagnostics(error: unknown): string {
  if (error && typeof error === 'object' && 'shortDiagnostics' in error) {
    const list = (error as { shortDiagnostics: Array<{ message?: string }> }).shortDiagnostics;
    return list.map((d) => d.message ?? JSON.stringify(d)).join('; ');
  }
  return String(error);
}

/** Renders `doc` as a PDF (A4, tagged, fonts embedded), saying which standard it meets. Synchronous. */
export function renderPdfReport(doc: ExportDocument): RenderedPdf {
  compiler ??= NodeCompiler.create();
  const typst = compiler;
  renders += 1;
  try {
    const result = typst.compile({ mainFileContent: templateSource(), inputs: { document: templateJson(templateData(doc)) } });
    const compiled = result.result;
    if (result.hasError() || !compiled) {
      throw new Error(`The PDF template did not compile: ${diagnostics(result.takeError() ?? result.takeDiagnostics())}`);
    }
    const bytes = (pdf: Buffer) => new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    try {
      return { pdf: bytes(typst.pdf(compiled, { pdfStandard: 'ua-1' })), standard: 'ua-1' };
    } catch {
      // PDF/UA-1 refuses text no embedded font covers (an emoji, CJK): the same document as a
      // tagged PDF still carries its structure, with fallback glyphs.
      return { pdf: bytes(typst.pdf(compiled)), standard: 'tagged' };
    }
  } finally {
    typst.evictCache(CACHE_MAX_AGE);
  }
}

/** Renders `doc` as a PDF (A4, tagged, fonts embedded). Synchronous: Typst compiles on this thread. */
export function renderPdf(doc: ExportDocument): Uint8Array {
  return renderPdfReport(doc).pdf;
}
