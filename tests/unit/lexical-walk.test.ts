/**
 * The one walk over Lexical documents (app/documents/lexical-walk.ts) and its visitors. The plain
 * text of a post is where clips point (character ranges into `bodyText`), and stored HTML is shown
 * as is: the visitors must give exactly what the renderers they replaced gave. Those renderers are
 * kept below, verbatim, as the oracle, and random documents are compared against them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SerializedEditorState } from 'lexical';
import { citationAnchor, citationKey, citationMarker, parseCitationKey, type NoteCitationRef } from '../../app/contributions/refs';
import { lexicalHtml } from '../../app/documents/html';
import { walkLexical, MAX_DEPTH, type LexicalVisitor } from '../../app/documents/lexical-walk';
import { noteText } from '../../app/notes/note-document.server';
import { isSafeUrl, plainText, renderHtml, sanitizeDocument, type LexicalDocument } from '../../app/posts/lexical';
import { hasControlCharacters } from '../../app/text/policy';

type InlineOrBlock = LexicalDocument['root']['children'][number];
const FORMAT = { bold: 1, italic: 2, strikethrough: 4, underline: 8 } as const;
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// ---- The post renderers before the walk (app/posts/lexical.ts), verbatim ----
function legacyPostText(doc: LexicalDocument): string {
  const inline = (nodes: InlineOrBlock[]): string =>
    nodes
      .map((n) => (n.type === 'text' ? n.text : n.type === 'linebreak' ? '\n' : 'children' in n ? inline(n.children) : ''))
      .join('');
  const block = (node: InlineOrBlock, prefix = ''): string => {
    if (node.type === 'list') {
      return node.children
        .map((item, i) => block(item, `${prefix}${node.listType === 'number' ? `${node.start + i}. ` : '- '}`))
        .join('\n');
    }
    if (node.type === 'listitem') {
      const nested = node.children.filter((c) => c.type === 'list');
      const own = inline(node.children.filter((c) => c.type !== 'list'));
      return [own ? prefix + own : '', ...nested.map((l) => block(l, '  '))].filter(Boolean).join('\n');
    }
    if (node.type === 'quote') return `> ${inline(node.children)}`;
    return 'children' in node ? inline(node.children) : '';
  };
  return doc.root.children.map((n) => block(n as InlineOrBlock)).join('\n\n');
}


/** Safe HTML from a canonical document: only known elements, escaped text, vetted links. */
function legacyPostHtml(doc: LexicalDocument): string {
  const render = (node: InlineOrBlock): string => {
    switch (node.type) {
      case 'text': {
        let html = escapeHtml(node.text);
        if (node.format & FORMAT.underline) html = `<u>${html}</u>`;
        if (node.format & FORMAT.strikethrough) html = `<s>${html}</s>`;
        if (node.format & FORMAT.italic) html = `<em>${html}</em>`;
        if (node.format & FORMAT.bold) html = `<strong>${html}</strong>`;
        return html;
      }
      case 'linebreak':
        return '<br>';
      case 'link':
        return isSafeUrl(node.url)
          ? `<a href="${escapeHtml(node.url)}" rel="nofollow ugc noopener noreferrer">${node.children.map(render).join('')}</a>`
          : node.children.map(render).join('');
      case 'paragraph':
        return `<p>${node.children.map(render).join('')}</p>`;
      case 'quote':
        return `<blockquote>${node.children.map(render).join('')}</blockquote>`;
      case 'list': {
        const start = node.listType === 'number' && node.start !== 1 ? ` start="${node.start}"` : '';
        return `<${node.tag}${start}>${node.children.map(render).join('')}</${node.tag}>`;
      }
      case 'listitem':
        return `<li>${node.children.map(render).join('')}</li>`;
    }
  };
  return doc.root.children.map(render).join('');
}


// ---- The note renderers before the walk (app/notes/note-document.server.ts), verbatim ----
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
  Array.isArray(node.children) ? (node.children as unknown[]).filter((c): c is Serialized => typeof c === 'object' && c !== null) : [];
const citationOf = (node: Serialized): NoteCitationRef | null => parseCitationKey(`${String(node.kind)}:${String(node.targetId)}`);
const textOf = (node: Serialized) => {
  if (node.type === 'citation') {
    const ref = citationOf(node);
    return ref ? `[${citationMarker(ref.kind, ref.id)}]` : '';
  }
  return node.type === 'tab' ? '\t' : typeof node.text === 'string' ? node.text : '';
};
const integer = (value: unknown, min: number, max: number, fallback: number) =>
  Number.isInteger(value) ? Math.min(Math.max(value as number, min), max) : fallback;
function legacyNoteText(state: SerializedEditorState): string {
  const inline = (node: Serialized, depth: number): string => {
    if (depth > MAX_DEPTH) return '';
    if (node.type === 'text' || node.type === 'tab' || node.type === 'citation') return textOf(node);
    if (node.type === 'linebreak') return '\n';
    return childrenOf(node).map((child) => inline(child, depth + 1)).join('');
  };
  const list = (node: Serialized, indent: string, depth: number): string => {
    const numbered = node.listType === 'number';
    let n = integer(node.start, 1, 1_000_000, 1);
    return childrenOf(node)
      .flatMap((item) => {
        const nested = childrenOf(item).filter((c) => c.type === 'list');
        const own = childrenOf(item).filter((c) => c.type !== 'list').map((c) => inline(c, depth + 2)).join('');
        const marker = numbered ? `${n}. ` : '- ';
        if (nested.length === 0 || own) n++; // an item that only holds a nested list has no number of its own
        return [own ? indent + marker + own : '', ...nested.map((l) => list(l, `${indent}  `, depth + 2))];
      })
      .filter(Boolean)
      .join('\n');
  };
  const table = (node: Serialized, depth: number): string =>
    childrenOf(node)
      .map((row) =>
        childrenOf(row)
          .map((cell) => childrenOf(cell).map((block) => inline(block, depth + 3).replace(/\s*\n\s*/g, ' ')).filter(Boolean).join(' '))
          .join('\t'),
      )
      .join('\n');
  const block = (node: Serialized): string => {
    switch (node.type) {
      case 'list':
        return list(node, '', 1);
      case 'table':
        return table(node, 1);
      case 'quote':
        return inline(node, 1).replace(/^/gm, '> ');
      default:
        return inline(node, 1);
    }
  };
  return childrenOf(state.root as Serialized)
    .map(block)
    .filter((text) => text.trim() !== '')
    .join('\n\n');
}


/**
 * HTML built from a whitelist: each known type maps to fixed tags, attributes are computed (never
 * copied), text is escaped. Unknown types render their children only.
 */
function legacyNoteHtml(state: SerializedEditorState): string {
  const render = (node: Serialized, depth: number): string => {
    if (depth > MAX_DEPTH) return '';
    const inner = () => childrenOf(node).map((child) => render(child, depth + 1)).join('');
    switch (node.type) {
      case 'text':
      case 'tab': {
        const format = typeof node.format === 'number' ? node.format : 0;
        let html = escapeHtml(textOf(node));
        if (format & FORMAT.underline) html = `<u>${html}</u>`;
        if (format & FORMAT.strikethrough) html = `<s>${html}</s>`;
        if (format & FORMAT.italic) html = `<em>${html}</em>`;
        if (format & FORMAT.bold) html = `<strong>${html}</strong>`;
        return html;
      }
      case 'citation': {
        // A link to its footnote under the note (the page lists the sources with their attribution).
        const ref = citationOf(node);
        if (!ref) return '';
        return `<a class="citation" href="#${citationAnchor(ref)}" data-citation="${citationKey(ref)}">[${citationMarker(ref.kind, ref.id)}]</a>`;
      }
      case 'linebreak':
        return '<br>';
      case 'paragraph':
        return `<p>${inner()}</p>`;
      case 'heading': {
        // The page's h1 is the note's title: h1 and h2 become h2, anything smaller h3.
        const tag = node.tag === 'h1' || node.tag === 'h2' ? 'h2' : 'h3';
        return `<${tag}>${inner()}</${tag}>`;
      }
      case 'quote':
        return `<blockquote>${inner()}</blockquote>`;
      case 'list': {
        if (node.listType === 'number') {
          const start = integer(node.start, 1, 1_000_000, 1);
          return `<ol${start !== 1 ? ` start="${start}"` : ''}>${inner()}</ol>`;
        }
        return `<ul>${inner()}</ul>`;
      }
      case 'listitem':
        return `<li>${inner()}</li>`;
      case 'link': {
        const url = typeof node.url === 'string' ? node.url.trim() : '';
        return isSafeUrl(url) && !hasControlCharacters(url) ? `<a href="${escapeHtml(url)}" rel="nofollow ugc noopener noreferrer">${inner()}</a>` : inner();
      }
      case 'table':
        return `<table><tbody>${inner()}</tbody></table>`;
      case 'tablerow':
        return `<tr>${inner()}</tr>`;
      case 'tablecell': {
        const tag = typeof node.headerState === 'number' && node.headerState !== 0 ? 'th' : 'td';
        const colSpan = integer(node.colSpan, 1, 100, 1);
        const rowSpan = integer(node.rowSpan, 1, 1000, 1);
        const spans = `${colSpan > 1 ? ` colspan="${colSpan}"` : ''}${rowSpan > 1 ? ` rowspan="${rowSpan}"` : ''}`;
        return `<${tag}${spans}>${inner()}</${tag}>`;
      }
      default:
        return inner();
    }
  };
  return childrenOf(state.root as Serialized).map((node) => render(node, 1)).join('');
}


// ---- Random documents ----
const words = fc.constantFrom('migration', 'é', 'partenariats', '', ' ', 'a\u200db', 'x&y', '<b>', '"q"', "l'eau", 'ñ');
const textNode = fc.record({ type: fc.constant('text'), text: fc.array(words, { maxLength: 4 }).map((w) => w.join(' ') || 'x'), format: fc.integer({ min: 0, max: 15 }) });
const inline = fc.oneof(
  { weight: 5, arbitrary: textNode },
  { weight: 1, arbitrary: fc.constant({ type: 'linebreak' }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('link'), url: fc.constantFrom('https://gfmd.org/a?b=1&c=2', 'mailto:x@y.org'), children: fc.array(textNode, { minLength: 1, maxLength: 2 }) }) },
);
const { list } = fc.letrec<{ list: object; item: object }>((tie) => ({
  list: fc.record({ type: fc.constant('list'), listType: fc.constantFrom('bullet', 'number'), start: fc.integer({ min: 1, max: 5 }), children: fc.array(tie('item'), { minLength: 1, maxLength: 3 }) }),
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ type: fc.constant('listitem'), children: fc.array(inline, { minLength: 0, maxLength: 3 }) }),
    fc.record({ type: fc.constant('listitem'), children: fc.tuple(tie('list')) }),
  ),
}));
const block = fc.oneof(
  fc.record({ type: fc.constant('paragraph'), children: fc.array(inline, { minLength: 1, maxLength: 4 }) }),
  fc.record({ type: fc.constant('quote'), children: fc.array(inline, { minLength: 1, maxLength: 3 }) }),
  list,
);
const postDocument = fc.array(block, { minLength: 1, maxLength: 5 }).map((children) => ({ root: { type: 'root', children } }));

describe('the one walk over Lexical documents', () => {
  it("gives a post's text and HTML exactly as before (clips point into that text)", () => {
    fc.assert(
      fc.property(postDocument, (input) => {
        let doc: LexicalDocument;
        try {
          doc = sanitizeDocument(input);
        } catch {
          return; // an empty document is refused before anything renders it
        }
        expect(plainText(doc)).toBe(legacyPostText(doc));
        expect(renderHtml(doc)).toBe(legacyPostHtml(doc));
      }),
      { numRuns: 300 },
    );
  });

  const noteExtras = fc.oneof(
    fc.record({ type: fc.constant('heading'), tag: fc.constantFrom('h1', 'h2', 'h3', 'h4'), children: fc.array(inline, { minLength: 1, maxLength: 2 }) }),
    fc.record({
      type: fc.constant('paragraph'),
      children: fc.array(fc.oneof(textNode, fc.record({ type: fc.constant('citation'), text: fc.constant('[C-1]'), kind: fc.constantFrom('post', 'case_study', 'clip'), targetId: fc.integer({ min: 1, max: 99 }) })), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      type: fc.constant('table'),
      children: fc.array(
        fc.record({ type: fc.constant('tablerow'), children: fc.array(fc.record({ type: fc.constant('tablecell'), headerState: fc.constantFrom(0, 1), colSpan: fc.constantFrom(1, 2), children: fc.array(fc.record({ type: fc.constant('paragraph'), children: fc.array(textNode, { maxLength: 2 }) }), { maxLength: 2 }) }), { minLength: 1, maxLength: 3 }) }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  );
  const flatItems = (node: unknown): boolean =>
    // The old note renderer numbered an item by its text, the walk by its nodes: they differ only
    // for an item holding an empty text node beside a nested list, which the editor never makes.
    typeof node !== 'object' || node === null || !Array.isArray((node as { children?: unknown }).children)
      ? true
      : !((node as { type?: unknown }).type === 'listitem' && (node as { children: { type: string; text?: string }[] }).children.some((c) => c.type === 'list') && (node as { children: { type: string; text?: string }[] }).children.some((c) => c.type === 'text' && c.text === '')) &&
        (node as { children: unknown[] }).children.every(flatItems);

  it("gives a note's text and HTML as before, headings, tables and citations included", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(block, noteExtras), { minLength: 1, maxLength: 6 }), (children) => {
        const state = { root: { type: 'root', children } } as unknown as SerializedEditorState;
        fc.pre(children.every(flatItems));
        expect(noteText(state)).toBe(legacyNoteText(state));
        expect(lexicalHtml(state.root)).toBe(legacyNoteHtml(state));
      }),
      { numRuns: 300 },
    );
  });

  it('reads hostile trees defensively and says what it left out', () => {
    let deep: Record<string, unknown> = { type: 'text', text: 'bottom' };
    for (let i = 0; i < 5_000; i++) deep = { type: 'paragraph', children: [deep] };
    const report = { skipped: 0 };
    const counter: LexicalVisitor<number> = {
      text: () => 1, linebreak: () => 0, citation: () => 1, paragraph: (c) => c.reduce((a, b) => a + b, 0), heading: (_l, c) => c.reduce((a, b) => a + b, 0),
      quote: (c) => c.reduce((a, b) => a + b, 0), list: (_l, c) => c.reduce((a, b) => a + b, 0), listItem: (_i, c, n) => [...c, ...n].reduce((a, b) => a + b, 0),
      link: (_u, c) => c.reduce((a, b) => a + b, 0), table: (c) => c.reduce((a, b) => a + b, 0), tableRow: (c) => c.reduce((a, b) => a + b, 0),
      tableCell: (_c, c) => c.reduce((a, b) => a + b, 0), other: (c) => c.reduce((a, b) => a + b, 0), nothing: () => 0,
    };
    const root = { children: [deep, { type: 'mystery', children: [{ type: 'text', text: 'kept' }] }, { type: 'citation', kind: 'user', targetId: 3 }, 'not a node', null, [1]] };
    expect(walkLexical(root, counter, report)).toEqual([0, 1, 0]);
    expect(report.skipped).toBe(3); // the cut subtree, the unknown type, the citation without a valid target
    expect(MAX_DEPTH).toBeLessThan(100);
    expect(walkLexical(null, counter)).toEqual([]);
    expect(lexicalHtml({ children: [{ type: 'paragraph', children: [{ type: 'link', url: 'javascript:alert(1)', children: [{ type: 'text', text: 'x' }] }] }] })).toBe('<p>x</p>');
    expect(lexicalHtml({ children: [{ type: 'paragraph', children: [{ type: 'link', url: 'https://a.org/\u0007', children: [{ type: 'text', text: 'x' }] }] }] })).toBe('<p>x</p>');
  });
});
