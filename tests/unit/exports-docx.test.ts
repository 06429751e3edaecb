/**
 * The DOCX renderer (app/exports/render/docx.ts): a real export document rendered to a real
 * .docx, unzipped with JSZip and read part by part (document, footnotes, styles, numbering,
 * headers, properties), then converted by LibreOffice as a second reader of the file.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_LIBREOFFICE, HAS_POPPLER } from '../support/env';
import { text, type Block, type ExportDocument, type Inline } from '../../app/exports/document';
import { bookmarkName, columnWidths, renderDocx, xmlSafe } from '../../app/exports/render/docx';

const CANARY = 'Wanjiru Kamau-Okonkwo';
const CHATHAM = 'A civil-society participant, sub-question 3.2: « Les données ñ ü ç doivent être protégées »';
const ODD = '<script>alert("x")</script> & ]]> "quoted" a\u200Db שלום עולם 🌍🏳️‍🌈 #$*_@<[\\';

function fixture(): ExportDocument {
  const blocks: Block[] = [
    { type: 'notice', kind: 'restricted', children: [text('Contient des éléments restreints')] },
    { type: 'contents' },
    { type: 'heading', level: 1, anchor: 'q3', children: [text('Question 3 : données et vie privée')] },
    {
      type: 'paragraph',
      children: [
        text('Les participants (Niñez, Müller, façon) ont souligné '),
        text('la protection', { bold: true }),
        text(' et '),
        text('la portabilité', { italic: true, underline: true }),
        { type: 'footnote', n: 1 },
        text(', voir '),
        { type: 'link', url: 'https://example.org/rapport?a=1&b=2', children: [text('le rapport')] },
        text(' et '),
        { type: 'anchor-link', anchor: 'source-12', children: [text('la source')] },
        { type: 'break' },
        text('supprimé', { strike: true }),
        { type: 'footnote', n: 2 },
      ],
    },
    { type: 'heading', level: 2, anchor: 'q3-key-points', children: [text('Points clés')] },
    {
      type: 'list',
      ordered: true,
      start: 1,
      items: [
        { children: [text('Premier point')], lists: [{ type: 'list', ordered: false, start: 1, items: [{ children: [text('Sous-point imbriqué')], lists: [] }] }] },
        { children: [text('Deuxième point')], lists: [] },
      ],
    },
    { type: 'paragraph', children: [text('Entre deux listes.')] },
    { type: 'list', ordered: true, start: 1, items: [{ children: [text('Recommence à un')], lists: [] }] },
    { type: 'list', ordered: true, start: 4, items: [{ children: [text('Commence à quatre')], lists: [] }] },
    { type: 'heading', level: 3, children: [text('Sous-section niveau trois')] },
    { type: 'heading', level: 3, toc: true, children: [text('Niveau trois listé')] },
    { type: 'heading', level: 2, toc: false, children: [text('Hors sommaire')] },
    { type: 'quote', children: [text('« Une citation », dit-on.')] },
    {
      type: 'table',
      widths: [1, 3],
      rows: [
        [
          { header: true, colSpan: 1, rowSpan: 1, children: [text('Groupe')] },
          { header: true, colSpan: 1, rowSpan: 1, children: [text('Contributions')] },
        ],
        [
          { header: false, colSpan: 1, rowSpan: 2, children: [text('Société civile')] },
          { header: false, colSpan: 1, rowSpan: 1, children: [text('12')] },
        ],
        [{ header: false, colSpan: 1, rowSpan: 1, children: [text('7')] }],
        [{ header: false, colSpan: 2, rowSpan: 1, children: [text('Total : 19')] }],
      ],
    },
    { type: 'paragraph', children: [text(ODD)] },
    { type: 'page-break' },
    { type: 'heading', level: 1, children: [text('Annexe : sources')] },
    { type: 'paragraph', anchor: 'source-12', style: 'small', children: [text('Source 12 : étude de cas, España')] },
    { type: 'notice', kind: 'stamp', children: [text('Version 4, SHA-256 abc123')] },
  ];
  const footnote = (n: number, children: Inline[]) => ({ n, children });
  return {
    language: 'fr',
    properties: { title: 'Rapport de la consultation — données', subject: 'Question 3 — note de synthèse', version: 'Version 4, SHA-256 abc123', keywords: ['migration', 'données'] },
    cover: { title: 'Rapport de la consultation', subtitle: 'Forum mondial', lines: ['Novembre 2026', 'Genève'] },
    restrictedBanner: 'RESTREINT — ne pas diffuser',
    labels: { contents: 'Sommaire', page: 'Page', footnotes: 'Notes' },
    blocks,
    footnotes: [
      footnote(1, [text(CHATHAM)]),
      footnote(2, [
        text(`Contribution de ${CANARY}, `, { italic: true }),
        { type: 'link', url: 'https://example.org/c/7', children: [text('lien')] },
        text(' et '),
        { type: 'anchor-link', anchor: 'source-12', children: [text('source 12')] },
      ]),
    ],
  };
}

/** The text content of a part: every `w:t`, entities decoded. */
function texts(xml: string): string {
  return [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((match) => decode(match[1])).join('');
}

function decode(value: string): string {
  return value.replace(/&(lt|gt|quot|apos|amp|#x[0-9a-fA-F]+|#\d+);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[entity] as string;
  });
}

let bytes: Uint8Array;
let zip: JSZip;
const part = async (name: string) => {
  const file = zip.file(name);
  if (!file) throw new Error(`${name} is not in the file`);
  return file.async('string');
};

beforeAll(async () => {
  bytes = await renderDocx(fixture());
  zip = await JSZip.loadAsync(bytes);
});

describe('renderDocx', () => {
  it('writes headings in Heading 1–3, the cover in Title, the contents linked to bookmarks', async () => {
    const xml = await part('word/document.xml');
    for (const style of ['Title', 'Heading1', 'Heading2', 'Heading3', 'Quote', 'TOC1', 'TOC2', 'TOC3', 'SmallText', 'Notice'])
      expect(xml).toContain(`<w:pStyle w:val="${style}"/>`);
    const body = texts(xml);
    expect(body).toContain('Question 3 : données et vie privée');
    expect(body).toContain('Rapport de la consultation');
    expect(body).toContain('Sommaire');
    // Bookmarks: anchors mapped to Word names, headings without an anchor given one for the contents.
    expect(xml).toContain('w:name="Aq3"');
    expect(xml).toContain('w:name="Aq3_key_points"');
    expect(xml).toContain('w:name="Asource_12"');
    for (const name of xml.matchAll(/<w:bookmarkStart [^>]*w:name="([^"]+)"/g)) expect(name[1]).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,39}$/);
    // The contents: level 1–2 headings and the level 3 with toc: true, not the others.
    const toc = [...xml.matchAll(/<w:p>(?:(?!<\/w:p>).)*?<w:pStyle w:val="TOC(\d)"\/>(?:(?!<\/w:p>).)*<\/w:p>/g)].map((match) => [match[1], texts(match[0]), match[0]]);
    expect(toc.map(([level, title]) => `${level} ${title}`)).toEqual(['1 Question 3 : données et vie privée', '2 Points clés', '3 Niveau trois listé', '1 Annexe : sources']);
    expect(toc[0][2]).toContain('w:anchor="Aq3"');
    expect(toc[2][2]).toMatch(/w:anchor="T\d+"/);
    expect(xml).toMatch(new RegExp(`w:name="${/w:anchor="(T\d+)"/.exec(toc[2][2])![1]}"`));
  });

  it('writes runs with their formats, line breaks, links and footnote references', async () => {
    const xml = await part('word/document.xml');
    expect(xml).toMatch(/<w:b\/>(?:(?!<\/w:r>).)*la protection/);
    expect(xml).toMatch(/<w:i\/>(?:(?!<\/w:r>).)*<w:u w:val="single"\/>(?:(?!<\/w:r>).)*la portabilité/);
    expect(xml).toMatch(/<w:strike\/>(?:(?!<\/w:r>).)*supprimé/);
    expect(xml).toContain('<w:br/>');
    expect([...xml.matchAll(/<w:footnoteReference w:id="(\d+)"\/>/g)].map((match) => match[1])).toEqual(['1', '2']);
    expect(xml).toMatch(/<w:hyperlink [^>]*w:anchor="Asource_12"[^>]*>(?:(?!<\/w:hyperlink>).)*la source/);
    const rid = /<w:hyperlink [^>]*r:id="([^"]+)"[^>]*>(?:(?!<\/w:hyperlink>).)*le rapport/.exec(xml)?.[1];
    expect(rid).toBeDefined();
    const rels = await part('word/_rels/document.xml.rels');
    expect(decode(new RegExp(`Id="${rid}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ?? '')).toBe('https://example.org/rapport?a=1&b=2');
  });

  it('keeps accents and an odd, hostile corpus literally', async () => {
    const body = texts(await part('word/document.xml'));
    for (const word of ['é', 'ñ', 'ü', 'ç', 'España', '« Une citation », dit-on.']) expect(body).toContain(word);
    expect(body).toContain(ODD);
    expect(await part('word/document.xml')).not.toContain('<script>');
  });

  it('writes a table grid in twips from the relative widths, a header row and spans', async () => {
    const xml = await part('word/document.xml');
    const grid = [...(/<w:tblGrid>(.*?)<\/w:tblGrid>/.exec(xml)?.[1] ?? '').matchAll(/w:w="(\d+)"/g)].map((match) => Number(match[1]));
    expect(grid).toEqual(columnWidths([1, 3], 2));
    expect(Math.abs(grid[1] - grid[0] * 3)).toBeLessThanOrEqual(3);
    expect(grid[0] + grid[1]).toBeGreaterThan(9000);
    expect(xml).toContain('<w:tblHeader/>');
    expect(xml).toContain('<w:gridSpan w:val="2"/>');
    expect(xml).toContain('<w:vMerge w:val="restart"/>');
    expect(xml).toMatch(/<w:vMerge\/>|<w:vMerge w:val="continue"\/>/);
    expect(columnWidths(undefined, 4)).toEqual([2267, 2267, 2267, 2267]);
    expect(columnWidths([2, 0, 1], 3)).toEqual(columnWidths(undefined, 3));
  });

  it('fills a short row and ignores widths that do not fit the columns', async () => {
    const cell = (value: string) => ({ header: false, colSpan: 1, rowSpan: 1, children: [text(value)] });
    const table: Block = { type: 'table', widths: [1], rows: [[cell('a'), cell('b'), cell('c')], [cell('d')]] };
    const file = await JSZip.loadAsync(await renderDocx({ ...fixture(), blocks: [table], footnotes: [] }));
    const xml = await file.file('word/document.xml')!.async('string');
    expect([...xml.matchAll(/<w:gridCol w:w="(\d+)"\/>/g)].map((match) => Number(match[1]))).toEqual(columnWidths(undefined, 3));
    for (const row of xml.matchAll(/<w:tr>(.*?)<\/w:tr>/g)) expect(row[1].match(/<w:tc>/g)).toHaveLength(3);
  });

  it('writes the footnotes with their formatting and links', async () => {
    const xml = await part('word/footnotes.xml');
    const body = texts(xml);
    expect(body).toContain(CHATHAM);
    expect(body).toContain('lien');
    expect(xml).toMatch(/<w:footnote w:id="1">(?:(?!<\/w:footnote>).)*<w:pStyle w:val="FootnoteText"\/>/);
    expect(xml).toMatch(/<w:i\/>(?:(?!<\/w:r>).)*Contribution de/);
    expect(xml).toContain('w:anchor="Asource_12"');
    const rid = /<w:hyperlink [^>]*r:id="([^"]+)"/.exec(xml)?.[1];
    const rels = await part('word/_rels/footnotes.xml.rels');
    expect(decode(new RegExp(`Id="${rid}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ?? '')).toBe('https://example.org/c/7');
  });

  it('defines Word’s built-in styles and the document language', async () => {
    const xml = await part('word/styles.xml');
    for (const id of ['Title', 'Heading1', 'Heading2', 'Heading3', 'Quote', 'FootnoteText', 'ListParagraph', 'TOC1']) expect(xml).toContain(`w:styleId="${id}"`);
    expect(xml).toMatch(/<w:docDefaults>(?:(?!<\/w:docDefaults>).)*<w:lang w:val="fr-FR"\/>/);
    expect(xml).toMatch(/<w:docDefaults>(?:(?!<\/w:docDefaults>).)*<w:rFonts w:ascii="Arial"/);
  });

  it('gives each list its own numbering instance, restarting at its start', async () => {
    const xml = await part('word/numbering.xml');
    const document = await part('word/document.xml');
    const nums = [...document.matchAll(/<w:ilvl w:val="(\d)"\/><w:numId w:val="(\d+)"\/>/g)].map((match) => [Number(match[1]), match[2]] as const);
    // Outer list (2 items), nested list, then two separate lists.
    expect(nums).toHaveLength(5);
    const [first, nested, second, restarted, fourth] = nums;
    expect(first[1]).toBe(second[1]);
    expect(nested[0]).toBe(1);
    expect(new Set([first[1], nested[1], restarted[1], fourth[1]]).size).toBe(4);
    const startOf = (numId: string, level: number) =>
      Number(new RegExp(`<w:num w:numId="${numId}">(?:(?!</w:num>).)*?<w:lvlOverride w:ilvl="${level}"><w:startOverride w:val="(\\d+)"/>`).exec(xml)?.[1]);
    expect(startOf(first[1], 0)).toBe(1);
    expect(startOf(restarted[1], 0)).toBe(1);
    expect(startOf(fourth[1], 0)).toBe(4);
  });

  it('puts the restricted banner in every header and page numbers in the footer', async () => {
    const headers = Object.keys(zip.files).filter((name) => /^word\/header\d+\.xml$/.test(name));
    const document = await part('word/document.xml');
    expect(document).toContain('<w:titlePg/>');
    expect(document).toMatch(/<w:headerReference w:type="default"/);
    expect(document).toMatch(/<w:headerReference w:type="first"/);
    expect(headers.length).toBeGreaterThanOrEqual(2);
    for (const name of headers) expect(texts(await part(name))).toContain('RESTREINT — ne pas diffuser');
    const footers = await Promise.all(Object.keys(zip.files).filter((name) => /^word\/footer\d+\.xml$/.test(name)).map(part));
    expect(footers.some((xml) => texts(xml).includes('Page ') && /PAGE/.test(xml))).toBe(true);
  });

  it('has no header without a banner', async () => {
    const plain = await JSZip.loadAsync(await renderDocx({ ...fixture(), restrictedBanner: null, cover: undefined }));
    expect(Object.keys(plain.files).filter((name) => name.startsWith('word/header'))).toEqual([]);
  });

  it('names no person in the document properties', async () => {
    const core = await part('docProps/core.xml');
    expect(core).toContain('<dc:creator>Palabre</dc:creator>');
    expect(core).toContain('<cp:lastModifiedBy>Palabre</cp:lastModifiedBy>');
    expect(core).toContain('<dc:title>Rapport de la consultation — données</dc:title>');
    expect(core).toContain('<dc:subject>Question 3 — note de synthèse</dc:subject>');
    expect(core).toContain('<cp:keywords>migration, données</cp:keywords>');
    expect(core).toContain('<dc:description>Version 4, SHA-256 abc123</dc:description>');
    for (const name of Object.keys(zip.files).filter((file) => file.startsWith('docProps/'))) {
      const xml = await part(name);
      expect(xml).not.toContain('Wanjiru');
      expect(xml).not.toContain('Kamau');
      expect(xml).not.toContain('Un-named');
    }
    expect(texts(await part('word/footnotes.xml'))).toContain(CANARY);
  });
});

describe('text safety and names', () => {
  it('drops the characters XML 1.0 forbids and keeps the rest', async () => {
    expect(xmlSafe('a\u0000b\u0007c\u000Bd\tE\nF\rG\uFFFEh\uFFFFi\uD800j\uDC00k😀')).toBe('abcd\tE\nF\rGhijk😀');
    const file = await renderDocx({ ...fixture(), blocks: [{ type: 'paragraph', children: [text('ok\u0001\uD83D fin')] }], footnotes: [] });
    const xml = await (await JSZip.loadAsync(file)).file('word/document.xml')!.async('string');
    expect(texts(xml)).toContain('ok fin');
  });

  it('maps anchors to valid, distinct Word bookmark names, the same every time', () => {
    const anchors = ['q3', 'source-12', '12-start', 'a'.repeat(60), 'a'.repeat(61), 'é-clé', 'e-cle'];
    const names = anchors.map(bookmarkName);
    for (const name of names) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,39}$/);
    expect(new Set(names).size).toBe(anchors.length);
    expect(anchors.map(bookmarkName)).toEqual(names);
  });
});

describe.skipIf(!HAS_LIBREOFFICE || !HAS_POPPLER)('a second reader: LibreOffice', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palabre-docx-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('converts the file to PDF with the footnotes, accents and numbering', () => {
    const file = path.join(dir, 'report.docx');
    fs.writeFileSync(file, bytes);
    const profile = path.join(dir, `lo-${randomUUID()}`);
    execFileSync('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, file], { stdio: 'ignore', timeout: 60_000 });
    const pdf = execFileSync('pdftotext', ['-layout', path.join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
    const flat = pdf.replace(/\s+/g, ' ');
    expect(flat).toContain('A civil-society participant, sub-question 3.2');
    expect(flat).toContain('Les données ñ ü ç doivent être protégées');
    expect(flat).toContain(`Contribution de ${CANARY}`);
    expect(flat).toContain('Question 3 : données et vie privée');
    expect(flat).toContain('RESTREINT — ne pas diffuser');
    expect(flat).toMatch(/Page 2/);
    expect(flat).toMatch(/4\. Commence à quatre/);
    expect(flat).toMatch(/1\. Recommence à un/);
  }, 60_000);
});
