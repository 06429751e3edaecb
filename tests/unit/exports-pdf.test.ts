/**
 * The PDF renderer (app/exports/render/pdf.ts), read back with poppler: pdftotext for the text
 * (per page for the banner), pdffonts for embedding, pdfinfo for tags, pages and properties.
 * Real Typst, real files; one PDF per fixture, shared by its assertions.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_POPPLER } from '../support/env';
import { text, type ExportDocument, type Inline } from '../../app/exports/document';
import { renderPdf, renderPdfReport } from '../../app/exports/render/pdf';
import { excerptOf } from '../../app/notes/citations.server';

const dir = mkdtempSync(path.join(tmpdir(), 'palabre-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, bytes: Uint8Array) => {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
};
const poppler = (tool: string, ...args: string[]) => execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
/** These tests read PDFs back with poppler-utils: skipped with a message without it (CI has it). */
const describeReadingPdfs = describe.skipIf(!HAS_POPPLER);
const pageText = (file: string, page: number) => poppler('pdftotext', '-layout', '-f', String(page), '-l', String(page), file, '-');
/** pdftotext without layout, blanks folded: long strings wrap, and this reads them back whole. */
const flatText = (file: string) => poppler('pdftotext', file, '-').replace(/\s+/g, ' ');
const info = (file: string) => {
  const fields = new Map<string, string>();
  for (const line of poppler('pdfinfo', file).split('\n')) {
    const match = /^([^:]+):\s*(.*)$/.exec(line);
    if (match) fields.set(match[1], match[2].trim());
  }
  return fields;
};

const fn = (n: number): Inline => ({ type: 'footnote', n });

const ACCENTS = 'Élève, très, à, ça, niño, ¿Qué? ¡Sí! « cœur »';
const CHATHAM = 'A civil-society participant, sub-question 3.2: « Les données ouvertes doivent rester accessibles. »';

const report: ExportDocument = {
  language: 'fr',
  properties: { title: 'Rapport de la consultation', subject: 'Question 3 — note de synthèse', version: 'Version 4, SHA-256 0f3a', keywords: ['Palabre', 'consultation'] },
  cover: { title: 'Rapport de la consultation', subtitle: 'Forum sur la gouvernance de l’Internet', lines: ['Version 4', '30 novembre 2026'] },
  restrictedBanner: 'RESTREINT — modérateurs et rapporteurs',
  labels: { contents: 'Table des matières', page: 'Page', footnotes: 'Notes' },
  blocks: [
    { type: 'contents' },
    { type: 'page-break' },
    { type: 'heading', level: 1, children: [text('Question 3 : données et accès')], anchor: 'q3' },
    { type: 'paragraph', children: [text(ACCENTS), fn(1), text(' Voir aussi '), { type: 'anchor-link', anchor: 'sources', children: [text('les sources')] }, text('.')] },
    { type: 'notice', kind: 'restricted', children: [text('Cette section contient des éléments restreints.')] },
    { type: 'heading', level: 2, children: [text('Points clés'), fn(3)] },
    {
      type: 'list',
      ordered: true,
      start: 4,
      items: [
        { children: [text('Quatrième point, '), text('gras', { bold: true }), text(' et '), text('italique', { italic: true })], lists: [] },
        {
          children: [text('Cinquième point')],
          lists: [{ type: 'list', ordered: false, start: 1, items: [{ children: [text('Sous-point à puce')], lists: [] }] }],
        },
      ],
    },
    { type: 'quote', children: [text('Une citation en bloc, soulignée', { underline: true }), fn(2)] },
    {
      type: 'table',
      widths: [1, 3],
      rows: [
        [
          { header: true, colSpan: 1, rowSpan: 1, children: [text('Groupe')] },
          { header: true, colSpan: 1, rowSpan: 1, children: [text('Contributions')] },
        ],
        [
          { header: false, colSpan: 1, rowSpan: 1, children: [text('Société civile')] },
          { header: false, colSpan: 1, rowSpan: 1, children: [text('42 (español: 7)')] },
        ],
      ],
    },
    { type: 'paragraph', children: [text('Lien : '), { type: 'link', url: 'https://example.org/a?b=1&c=2', children: [text('le site du forum')] }, text(', et de nouveau la note'), fn(1), text('.')] },
    { type: 'page-break' },
    { type: 'heading', level: 1, children: [text('Annexe : sources citées')], anchor: 'sources' },
    { type: 'paragraph', style: 'small', anchor: 'source-1', children: [text('Source 1 — ' + CHATHAM)] },
    { type: 'heading', level: 3, children: [text('Détail hors sommaire')] },
    { type: 'paragraph', children: [text('Fin.')] },
  ],
  footnotes: [
    { n: 1, children: [text(CHATHAM)] },
    { n: 2, children: [text('Un participant du secteur privé, sous-question 3.1 : « ¿Por qué no? »')] },
    { n: 3, children: [text('Une note attachée au titre.')] },
  ],
};

describeReadingPdfs('renderPdf: a report with cover, contents, banner, lists, table and footnotes', () => {
  let file = '';
  let pages = 0;
  let fields = new Map<string, string>();
  let all = '';
  let standard = '';

  beforeAll(() => {
    const rendered = renderPdfReport(report);
    standard = rendered.standard;
    file = write('report.pdf', rendered.pdf);
    fields = info(file);
    pages = Number(fields.get('Pages'));
    all = poppler('pdftotext', '-layout', file, '-');
  });

  it('is a tagged (PDF/UA-1) A4 PDF whose properties name the platform, never a person', () => {
    expect(fields.get('Tagged')).toBe('yes');
    expect(standard).toBe('ua-1');
    expect(fields.get('Page size')).toContain('(A4)');
    expect(fields.get('Title')).toBe('Rapport de la consultation');
    expect(fields.get('Author')).toBe('Palabre');
    expect(fields.get('Keywords')).toBe('Palabre, consultation');
    expect(fields.get('Subject')).toBe('Question 3 — note de synthèse — Version 4, SHA-256 0f3a');
  });

  it('embeds every font it uses', () => {
    const rows = poppler('pdffonts', file).split('\n').slice(2).filter((row) => row.trim() !== '');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/\s+yes\s+yes\s+yes\s+\d+\s+\d+\s*$/);
    expect(rows.join('\n')).toContain('LibertinusSerif');
  });

  it('prints the cover, the contents, the headings and the accents as written', () => {
    expect(pageText(file, 1)).toContain('Forum sur la gouvernance de l’Internet');
    expect(pageText(file, 2)).toContain('Table des matières');
    expect(pageText(file, 2)).toMatch(/Question 3 : données et accès/);
    expect(pageText(file, 2)).toMatch(/Annexe : sources citées/);
    expect(pageText(file, 2)).not.toContain('Détail hors sommaire');
    expect(all).toContain('Points clés');
    expect(all).toContain('Détail hors sommaire');
    expect(flatText(file)).toContain(ACCENTS);
  });

  it('prints each footnote once, at its reference, with the same number for a second reference', () => {
    const flat = flatText(file);
    expect(flat.split(CHATHAM.slice(0, 40)).length - 1).toBe(2); // the footnote and the annex entry
    expect(flat).toContain('« ¿Por qué no? »');
    expect(flat).toMatch(/la note ?1\./);
    // A footnote in a heading is placed once, though the contents repeat the heading.
    expect(flat.split('Une note attachée au titre.').length - 1).toBe(1);
  });

  it('numbers a list from its start, keeps the table and the link', () => {
    expect(all).toMatch(/4\.\s+Quatrième point, gras et italique/);
    expect(all).toMatch(/5\.\s+Cinquième point/);
    expect(all).toContain('Sous-point à puce');
    expect(all).toMatch(/Groupe\s+Contributions/);
    expect(all).toMatch(/Société civile\s+42 \(español: 7\)/);
    expect(all).toContain('le site du forum');
    expect(poppler('strings', file)).toContain('https://example.org/a?b=1&c=2');
  });

  it('carries the restricted banner on every page, and page numbers after the cover', () => {
    expect(pages).toBeGreaterThanOrEqual(4);
    for (let page = 1; page <= pages; page++) expect(pageText(file, page)).toContain('RESTREINT — modérateurs et rapporteurs');
    expect(pageText(file, 1)).not.toMatch(/Page 1\b/);
    expect(pageText(file, 2)).toMatch(/Page 2\b/);
  });
});

/** Every Typst construct a contribution might hold; each must print as written and run nothing. */
const TYPST_CORPUS = [
  '#let x = 1',
  '#sys.exit()',
  '$x^2$',
  '*bold*',
  '_it_',
  '@ref',
  '<label>',
  '[link]',
  'a \\ b',
  '#read("/etc/passwd")',
  '#import "x.typ"',
  '= not a heading',
  '// not a comment',
  '/* not a comment */',
  '`raw`',
  '#include "/etc/hostname"',
  '- not a list',
  '+ not an enum',
];
const XSS_CORPUS = ['<script>alert(1)</script>', '&amp; &lt;b&gt;', '"quoted" \'single\''];

describeReadingPdfs('renderPdf: user text is data, never markup', () => {
  let flat = '';

  beforeAll(() => {
    const lines = [...TYPST_CORPUS, ...XSS_CORPUS];
    const doc: ExportDocument = {
      language: 'en',
      properties: { title: '#read("/etc/passwd") $x$', subject: '*s*', version: '', keywords: ['#k', '<k>'] },
      restrictedBanner: null,
      labels: { contents: 'Contents', page: 'Page', footnotes: 'Notes' },
      blocks: [
        { type: 'heading', level: 1, children: [text('#heading $x$ <h>')] },
        ...lines.map((line, i) => ({ type: 'paragraph' as const, children: [text(`P${i}: ${line}`, { bold: i % 2 === 0 }), fn(i + 1)] })),
        { type: 'quote', children: [text('Q: #set page(paper: "a5")')] },
      ],
      footnotes: lines.map((line, i) => ({ n: i + 1, children: [text(`N${i}: ${line}`)] })),
    };
    const file = write('corpus.pdf', renderPdf(doc));
    flat = flatText(file);
    expect(info(file).get('Title')).toBe('#read("/etc/passwd") $x$');
    expect(info(file).get('Page size')).toContain('(A4)');
  });

  it('prints every Typst construct literally, in paragraphs and in footnotes', () => {
    expect(flat).toContain('#heading $x$ <h>');
    [...TYPST_CORPUS, ...XSS_CORPUS].forEach((line, i) => {
      expect(flat).toContain(`P${i}: ${line}`);
      expect(flat).toContain(`N${i}: ${line}`);
    });
    expect(flat).toContain('Q: #set page(paper: "a5")');
  });

  it('runs nothing: no file is read into the document', () => {
    expect(flat).not.toMatch(/root:.*:0:0:/);
  });
});

describeReadingPdfs('renderPdf: text no font covers', () => {
  it('falls back (a tagged PDF) rather than failing', () => {
    const doc: ExportDocument = {
      language: 'es',
      properties: { title: 'Emoji', subject: '', version: '', keywords: [] },
      restrictedBanner: null,
      labels: { contents: 'Índice', page: 'Página', footnotes: 'Notas' },
      blocks: [{ type: 'paragraph', children: [text('Hola 😀 世界 ¿qué tal?')] }],
      footnotes: [],
    };
    const { pdf, standard } = renderPdfReport(doc);
    const file = write('emoji.pdf', pdf);
    expect(standard).toBe('tagged');
    expect(info(file).get('Tagged')).toBe('yes');
    expect(flatText(file)).toContain('¿qué tal?');
  });
});

describeReadingPdfs('renderPdf: text that is not well-formed UTF-16', () => {
  // A post of emoji with no space, cited in a note: its 160-character excerpt used to end in half
  // an emoji, a lone surrogate that JSON carries as `\ud83d` and Typst's JSON reader refuses, so
  // the note's PDF and the whole report's PDF failed (a 500) for everyone.
  it('prints lone surrogates as U+FFFD instead of failing', () => {
    const doc: ExportDocument = {
      language: 'en',
      properties: { title: 'Half \ud83d emoji', subject: '', version: '', keywords: ['\udc00'] },
      restrictedBanner: null,
      labels: { contents: 'Contents', page: 'Page', footnotes: 'Notes' },
      blocks: [{ type: 'paragraph', children: [text('Before \ud800 after'), fn(1)] }],
      footnotes: [{ n: 1, children: [text(`C-18 « a${'😀'.repeat(3)}\ud83d… »`)] }],
    };
    const file = write('surrogates.pdf', renderPdf(doc));
    const flat = flatText(file);
    expect(flat).toContain('Before');
    expect(flat).toContain('after');
    expect(flat).toContain('C-18');
  });
});

describe('excerptOf', () => {
  it('never cuts an emoji in half', () => {
    const excerpt = excerptOf(`a${'😀'.repeat(200)}`);
    expect(excerpt).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(excerpt.endsWith('…')).toBe(true);
  });
});

describeReadingPdfs('renderPdf: a word longer than a line', () => {
  // A contribution of 320 letters with no space ran off the page (and over the next table
  // column): Typst breaks lines only where Unicode allows, and what passed the edge was lost.
  it('is broken to fit its column and the page, and stays PDF/UA', () => {
    const word = 'W'.repeat(320);
    const cell = (value: string, header = false) => ({ header, colSpan: 1, rowSpan: 1, children: [text(value)] });
    const doc: ExportDocument = {
      language: 'en',
      properties: { title: 'Long', subject: '', version: '', keywords: [] },
      restrictedBanner: null,
      labels: { contents: 'Contents', page: 'Page', footnotes: 'Notes' },
      blocks: [
        { type: 'paragraph', children: [text(`Start ${word}`)] },
        { type: 'table', rows: [[cell('Left', true), cell('Right', true)], [cell(word), cell('RightCell')]] },
        { type: 'paragraph', children: [text('Noted'), fn(1)] },
      ],
      footnotes: [{ n: 1, children: [text(`C-9 « ${'Z'.repeat(159)}… »`)] }],
    };
    const { pdf, standard } = renderPdfReport(doc);
    expect(standard).toBe('ua-1');
    const file = write('long-word.pdf', pdf);
    const words = [...poppler('pdftotext', '-bbox', file, '-').matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)].map((m) => ({ xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), text: m[4]! }));
    const right = words.find((w) => w.text === 'RightCell')!;
    const pieces = words.filter((w) => /^[WZ\u200b…]+$/.test(w.text));
    expect(pieces.length).toBeGreaterThan(4);
    for (const piece of pieces) expect(piece.xMax).toBeLessThanOrEqual(595);
    // The cell's pieces (its row starts level with the next cell's text) stay left of the next column.
    const cellPieces = pieces.filter((p) => p.text.includes('W') && p.yMin >= right.yMin - 1);
    expect(cellPieces.length).toBeGreaterThan(2);
    for (const piece of cellPieces) expect(piece.xMax).toBeLessThan(right.xMin);
    expect(flatText(file).replace(/[\u200b\s]/g, '')).toContain(`Start${word}`);
  });
});
