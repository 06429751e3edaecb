/**
 * How an export words a cited source (app/exports/footnotes.ts), against hostile text: a
 * contribution's words quoted in a footnote must not turn what follows them (the author, the
 * marker, the thread) with a stray bidirectional control.
 */
import { describe, expect, it } from 'vitest';
import { sourceWords, type ExportWords } from '../../app/exports/footnotes';
import type { Source } from '../../app/notes/citations.server';

const words: ExportWords = {
  language: 'en',
  chatham: (group) => `A participant from ${group}`,
  organisation: (organisation, group) => `${organisation} (${group})`,
  subQuestion: (n) => `sub-question ${n}`,
  question: (n) => `question ${n}`,
  caseStudy: 'case study',
  withdrawn: '[source withdrawn]',
  standing: () => null,
  groupLabel: (id) => (id === 'business' ? 'Business' : id),
};

const author = { attribution: 'chatham', stakeholderGroup: 'business', name: null, organisation: null } as unknown as Source['author'];
const post = (excerpt: string): Source => ({ kind: 'post', id: 23, marker: 'C-23', state: 'available', standing: 'fresh', author, excerpt, thread: '2.4', href: '/x' });
const clip = (excerpt: string): Source => ({ ...post(excerpt), kind: 'clip', id: 13, marker: 'CL-13', clip: { source: { kind: 'post', id: 23, marker: 'C-23' }, state: 'fresh' } });

/** The bidirectional controls still open at the end of `text` (embeddings, overrides, isolates). */
function openAtEnd(text: string): number {
  const stack: string[] = [];
  for (const c of text) {
    if ('\u202A\u202B\u202D\u202E'.includes(c)) stack.push('e');
    else if ('\u2066\u2067\u2068'.includes(c)) stack.push('i');
    else if (c === '\u202C') {
      if (stack.at(-1) === 'e') stack.pop();
    } else if (c === '\u2069') {
      // A PDI closes its isolate and every embedding opened inside it.
      const at = stack.lastIndexOf('i');
      if (at >= 0) stack.length = at;
    }
  }
  return stack.length;
}

describe('footnote words against bidirectional controls', () => {
  // A Chatham House participant's post "Start ‮evil…" (multi-line text keeps an unclosed
  // right-to-left override): clipped and cited, its footnote printed the author, the marker and
  // the thread reversed, the closing quote mark included.
  it('closes what a quoted contribution opens before the attribution that follows it', () => {
    const line = sourceWords(clip('Start \u202Eevil reversed t'), words);
    const quoteEnd = line.indexOf('”');
    expect(openAtEnd(line.slice(0, quoteEnd))).toBe(0);
    expect(line.slice(quoteEnd)).toBe('” — A participant from Business, C-23, sub-question 2.4');
  });

  it('keeps a post’s excerpt from turning the footnote’s end, and leaves plain text as it is', () => {
    expect(openAtEnd(sourceWords(post('a \u2067b \u202Bc'), words))).toBe(0);
    // A stray closer would end the isolate early: it is dropped.
    const stray = sourceWords(post('x \u2069 y \u202E z'), words);
    expect(openAtEnd(stray)).toBe(0);
    expect(stray).toBe('A participant from Business, sub-question 2.4: “\u2068x  y \u202E z\u202C\u2069”');
    expect(sourceWords(post('Plain words, no controls.'), words)).toBe('A participant from Business, sub-question 2.4: “Plain words, no controls.”');
  });
});
