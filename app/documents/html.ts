/**
 * Safe HTML of a Lexical document: a visitor of the one walk (lexical-walk.ts). Built from a
 * whitelist: each known node type maps to fixed tags, attributes are computed (never copied from
 * the document), text is escaped, links only to addresses the walk vetted. Posts, case studies
 * and synthesis notes all render through it. Isomorphic.
 */
import { citationAnchor, citationKey, citationMarker } from '../contributions/refs';
import { walkLexical, type LexicalVisitor } from './lexical-walk';

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const join = (parts: string[]) => parts.join('');

export const htmlVisitor: LexicalVisitor<string> = {
  text(text, format) {
    let html = escapeHtml(text);
    if (format.underline) html = `<u>${html}</u>`;
    if (format.strikethrough) html = `<s>${html}</s>`;
    if (format.italic) html = `<em>${html}</em>`;
    if (format.bold) html = `<strong>${html}</strong>`;
    return html;
  },
  linebreak: () => '<br>',
  // A link to its footnote under the note (the note page lists the sources with their attribution).
  citation: (ref) => `<a class="citation" href="#${citationAnchor(ref)}" data-citation="${citationKey(ref)}">[${citationMarker(ref.kind, ref.id)}]</a>`,
  paragraph: (children) => `<p>${join(children)}</p>`,
  // A page's h1 is its own title: h1 and h2 become h2, anything smaller h3.
  heading: (level, children) => (level <= 2 ? `<h2>${join(children)}</h2>` : `<h3>${join(children)}</h3>`),
  quote: (children) => `<blockquote>${join(children)}</blockquote>`,
  list: (list, items) => (list.ordered ? `<ol${list.start !== 1 ? ` start="${list.start}"` : ''}>${join(items)}</ol>` : `<ul>${join(items)}</ul>`),
  listItem: (_item, content, nested) => `<li>${join(content)}${join(nested)}</li>`,
  link: (url, children) => (url ? `<a href="${escapeHtml(url)}" rel="nofollow ugc noopener noreferrer">${join(children)}</a>` : join(children)),
  table: (rows) => `<table><tbody>${join(rows)}</tbody></table>`,
  tableRow: (cells) => `<tr>${join(cells)}</tr>`,
  tableCell(cell, children) {
    const tag = cell.header ? 'th' : 'td';
    const spans = `${cell.colSpan > 1 ? ` colspan="${cell.colSpan}"` : ''}${cell.rowSpan > 1 ? ` rowspan="${cell.rowSpan}"` : ''}`;
    return `<${tag}${spans}>${join(children)}</${tag}>`;
  },
  other: join,
  nothing: () => '',
};

/** The safe HTML of a serialized Lexical root (`{ children: [...] }`). */
export function lexicalHtml(root: unknown): string {
  return walkLexical(root, htmlVisitor).join('');
}
