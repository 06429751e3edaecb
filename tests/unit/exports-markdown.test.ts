/**
 * The Markdown export (app/exports/render/markdown.ts): structure (cover, banner, headings with
 * anchors, contents, `[^n]` footnotes and their definitions, lists that restart, pipe tables)
 * and that every text prints literally, checked with a real CommonMark parser (micromark, the
 * one Remix's MDX support brings): no HTML, no emphasis, no link, no list comes out of text.
 */
import fc from 'fast-check';
import { micromark } from 'micromark';
import { describe, expect, it } from 'vitest';
import { text, type Block, type ExportDocument, type Inline } from '../../app/exports/document';
import { escapeMarkdown, renderInline, renderMarkdown } from '../../app/exports/render/markdown';

const doc = (blocks: Block[], extra: Partial<ExportDocument> = {}): ExportDocument => ({
  language: 'en',
  properties: { title: 'T', subject: '', version: '', keywords: [] },
  restrictedBanner: null,
  labels: { contents: 'Contents', page: 'Page', footnotes: 'Footnotes' },
  blocks,
  footnotes: [],
  ...extra,
});
const para = (...children: Inline[]): Block => ({ type: 'paragraph', children });

/** HTML as CommonMark renders it (raw HTML let through, as a website would). */
const html = (md: string) => micromark(md, { allowDangerousHtml: true });
/** The text a browser would show for that HTML, entities decoded. */
const shown = (h: string) =>
  h
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();

const CORPUS = [
  '# not a heading',
  '*x*',
  '_y_',
  '**bold** and __bold__',
  '[a](javascript:alert(1))',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '1. not a list',
  '2) not a list either',
  '- not a bullet',
  '+ nor this',
  '> not a quote',
  '| pipe | table |',
  'back\\slash \\* and \\',
  '`code` and ``more``',
  '~~strike~~',
  '&amp; &#60; &copy;',
  '    four spaces',
  '===',
  '---',
  '![img](http://x/y.png)',
  '<http://example.org>',
  'a\nb',
  '[^1] not a footnote',
  'Ça a marché à 100 % — « oui » 🎉',
];

describe('escaping', () => {
  it.each(CORPUS)('prints %j literally', (value) => {
    const md = renderMarkdown(doc([para(text(value))]));
    const out = html(md);
    expect(out).not.toMatch(/<(script|img|em|strong|a|h\d|ol|ul|li|blockquote|code|pre|hr|del|table)\b/);
    expect(out.startsWith('<p>')).toBe(true);
    // Newlines inside a text run are spaces; leading whitespace of a block is dropped.
    expect(shown(out)).toBe(value.replace(/\s*\n\s*/g, ' ').trim());
  });

  it('escapes what opens markup anywhere, and what starts a block where a run begins, leaving other punctuation readable', () => {
    expect(escapeMarkdown('a<b>[c](d)!#')).toBe('a\\<b\\>\\[c\\](d)\\!#');
    expect(escapeMarkdown('# x')).toBe('\\# x');
    expect(escapeMarkdown('12. x')).toBe('12\\. x');
    expect(escapeMarkdown('. x')).toBe('\\. x');
    expect(escapeMarkdown('- x, y: z.')).toBe('\\- x, y: z.');
    expect(escapeMarkdown('see http://a.org or www.b.org')).toBe('see http\\://a.org or www\\.b.org');
  });

  it('in headings, list items, quotes, table cells and footnotes too', () => {
    const evil = '<script>x</script> *y* [z](javascript:1)';
    const md = renderMarkdown(
      doc(
        [
          { type: 'heading', level: 1, children: [text(evil)], anchor: 'h1' },
          { type: 'list', ordered: false, start: 1, items: [{ children: [text(evil)], lists: [] }] },
          { type: 'quote', children: [text(evil)] },
          { type: 'table', rows: [[{ header: false, colSpan: 1, rowSpan: 1, children: [text(evil)] }]] },
          para(text('see'), { type: 'footnote', n: 1 }),
        ],
        { footnotes: [{ n: 1, children: [text(evil)] }], restrictedBanner: evil, cover: { title: evil, subtitle: evil, lines: [evil] } },
      ),
    );
    const out = html(md);
    expect(out).not.toMatch(/<(script|em)\b|href="javascript/);
    expect(out).toContain('&lt;script&gt;x&lt;/script&gt; *y* [z](javascript:1)');
  });
});

describe('formats and links', () => {
  it('never prints a delimiter nor loses a character, whatever the runs (property)', () => {
    const run = fc.record({
      text: fc.string({ unit: fc.constantFrom('a', 'b', ' ', '*', '_', '(', ')', '.', '\\', '«', '!', '<', '`', '[', ']'), maxLength: 6 }),
      bold: fc.boolean(),
      italic: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 6 }), (runs) => {
        const children = runs.map((r) => text(r.text, { bold: r.bold, italic: r.italic }));
        const md = renderMarkdown(doc([para(...children)]));
        const out = html(md);
        const expected = runs.map((r) => r.text).join('').trim();
        if (expected === '') return true;
        return shown(out).replace(/\s+/g, ' ') === expected.replace(/\s+/g, ' ') && !/<(?!\/?(p|em|strong)>)/.test(out);
      }),
      { numRuns: 400 },
    );
  });


  it('writes bold, italic and strike where CommonMark reads them, and drops them where it would not', () => {
    expect(renderInline([text('a '), text('bold', { bold: true }), text(' b')], ' ')).toBe('a **bold** b');
    expect(html(renderInline([text('x'), text(' spaced ', { italic: true }), text('y')], ' '))).toContain('x <em>spaced</em> y');
    expect(html(renderInline([text('both', { bold: true, italic: true })], ' '))).toContain('<em><strong>both</strong></em>');
    // "a**(b)**" would print its asterisks: the format is dropped, the text kept.
    expect(renderInline([text('a'), text('(b)', { bold: true })], ' ')).toBe('a(b)');
    // Two formatted runs touching would merge their delimiters: the first gives way.
    expect(renderInline([text('one', { bold: true }), text('two', { italic: true })], ' ')).toBe('one*two*');
    expect(html(renderInline([text('one', { bold: true }), text('two', { italic: true })], ' '))).toContain('one<em>two</em>');
  });

  it('links only http, https and mailto addresses, with ( ) and spaces encoded', () => {
    const link = (url: string): Inline => ({ type: 'link', url, children: [text('here')] });
    expect(renderInline([link('https://ex.org/a (b)')], ' ')).toBe('[here](https://ex.org/a%20%28b%29)');
    expect(html(renderInline([link('https://ex.org/a (b)')], ' '))).toContain('<a href="https://ex.org/a%20%28b%29">here</a>');
    expect(renderInline([link('javascript:alert(1)')], ' ')).toBe('here');
    expect(renderInline([{ type: 'anchor-link', anchor: 'sources-3', children: [text('C-3')] }], ' ')).toBe('[C-3](#sources-3)');
    expect(renderInline([{ type: 'anchor-link', anchor: 'x" onclick="y', children: [text('C-3')] }], ' ')).toBe('C-3');
  });
});

describe('structure', () => {
  const md = renderMarkdown(
    doc(
      [
        { type: 'contents' },
        { type: 'heading', level: 1, children: [text('Question 3'), { type: 'footnote', n: 2 }], anchor: 'q3' },
        { type: 'heading', level: 2, children: [text('Key points')], anchor: 'q3-kp' },
        { type: 'heading', level: 3, children: [text('Detail')] },
        para(text('A point'), { type: 'footnote', n: 1 }, text(' and another.'), { type: 'footnote', n: 2 }, { type: 'break' }, text('Next line.')),
        { type: 'list', ordered: true, start: 1, items: [{ children: [text('one')], lists: [{ type: 'list', ordered: false, start: 1, items: [{ children: [text('nested')], lists: [] }] }] }, { children: [text('two')], lists: [] }] },
        { type: 'list', ordered: true, start: 1, items: [{ children: [text('again one')], lists: [] }] },
        { type: 'list', ordered: true, start: 5, items: [{ children: [text('five')], lists: [] }] },
        {
          type: 'table',
          rows: [
            [
              { header: true, colSpan: 1, rowSpan: 1, children: [text('Group')] },
              { header: true, colSpan: 1, rowSpan: 1, children: [text('Count')] },
            ],
            [
              { header: false, colSpan: 1, rowSpan: 1, children: [text('civil | society')] },
              { header: false, colSpan: 1, rowSpan: 1, children: [text('12')] },
            ],
            [{ header: false, colSpan: 2, rowSpan: 1, children: [text('spans')] }],
          ],
        },
        { type: 'notice', kind: 'stamp', children: [text('Version 4, SHA-256 abc')] },
        { type: 'table', rows: [] },
        { type: 'page-break' },
        para(text('After the break.')),
      ],
      {
        restrictedBanner: 'RESTRICTED: moderators and rapporteurs only',
        cover: { title: 'Consultation report', subtitle: 'GFMD 2026', lines: ['Final', 'November 2026'] },
        footnotes: [
          { n: 1, children: [text('A civil-society participant, sub-question 3.2: « oui »')] },
          { n: 2, children: [text('Case study CS-4')] },
        ],
      },
    ),
  );
  const lines = md.split('\n');

  it('starts with the restricted banner, then the cover', () => {
    expect(lines[0]).toBe('> **RESTRICTED: moderators and rapporteurs only**');
    expect(lines[2]).toBe('# Consultation report');
    expect(md).toContain('**GFMD 2026**\n\nFinal\\\nNovember 2026\n');
    expect(html(md)).toMatch(/^<blockquote>\n<p><strong>RESTRICTED: moderators and rapporteurs only<\/strong><\/p>/);
  });

  it('writes headings with their anchors and a contents list linking to them', () => {
    expect(lines).toContain('# <a id="q3"></a>Question 3[^2]');
    expect(lines).toContain('## <a id="q3-kp"></a>Key points');
    expect(lines).toContain('### Detail');
    expect(md).toContain('**Contents**\n\n- [Question 3](#q3)\n  - [Key points](#q3-kp)\n');
    expect(md).not.toContain('[Detail]');
    const out = html(md);
    expect(out).toContain('<h1><a id="q3"></a>Question 3[^2]</h1>');
    expect(out).toContain('<a href="#q3-kp">Key points</a>');
  });

  it('refers to footnotes with [^n] and defines them at the end', () => {
    expect(md).toContain('A point[^1] and another.[^2]\\\nNext line.');
    expect(md.trimEnd().split('\n').slice(-2)).toEqual(['[^1]: A civil-society participant, sub-question 3.2: « oui »', '[^2]: Case study CS-4']);
  });

  it('restarts numbering: a list after another uses the other delimiter, from its own start', () => {
    expect(md).toContain('1. one\n   - nested\n2. two');
    expect(md).toContain('1) again one');
    expect(md).toContain('5. five');
    const out = html(md);
    expect(out.match(/<ol/g)).toHaveLength(3);
    expect(out).toContain('<ol start="5">');
    expect(out).toMatch(/<li>one\n<ul>\n<li>nested<\/li>/);
  });

  it('writes tables as pipe tables with | escaped', () => {
    expect(md).toContain('| Group | Count |\n| --- | --- |\n| civil \\| society | 12 |\n| spans |  |');
  });

  it('writes notices as quotes and page breaks as rules', () => {
    expect(md).toContain('> Version 4, SHA-256 abc');
    expect(md).toContain('\n\n---\n\nAfter the break.');
    expect(html(md)).toContain('<hr />');
  });
});
