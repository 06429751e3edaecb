/**
 * Search snippets (app/search/snippet.ts): which words are marked (folding, plural variants,
 * prefixes, phrases, exclusions), which window of a long text is shown and where it is cut; and
 * properties: no text or query makes it throw, what it shows is the text's own (whitespace
 * collapsed), within maxChars plus two '…', never half a surrogate pair.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../app/search/query';
import type { ParsedQuery, SnippetPart } from '../../app/search/search-types';
import { highlightParts, snippetOf } from '../../app/search/snippet';

function q(input: string): ParsedQuery {
  const outcome = parseQuery(input);
  if (!outcome.ok) throw new Error(`${JSON.stringify(input)}: ${outcome.problem}`);
  return outcome.query;
}
/** The marked texts of parts. */
const marked = (parts: SnippetPart[]) => parts.filter((part) => part.match).map((part) => part.text);
const joined = (parts: SnippetPart[]) => parts.map((part) => part.text).join('');
const length = (parts: SnippetPart[]) => joined(parts).length;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('what is marked', () => {
  it('matches across accents and case, both ways', () => {
    expect(highlightParts('Les Compétences NUMÉRIQUES des élèves', q('competences numeriques'))).toEqual([
      { text: 'Les ', match: false },
      { text: 'Compétences', match: true },
      { text: ' ', match: false },
      { text: 'NUMÉRIQUES', match: true },
      { text: ' des élèves', match: false },
    ]);
    expect(marked(highlightParts('Los niños y las niñas', q('ninos')))).toEqual(['niños']);
    expect(marked(highlightParts('Los ninos', q('niños')))).toEqual(['ninos']);
  });

  it('matches singular and plural forms (the plural variants)', () => {
    expect(marked(highlightParts('Las políticas públicas', q('politica')))).toEqual(['políticas']);
    expect(marked(highlightParts('Una política', q('políticas')))).toEqual(['política']);
    expect(marked(highlightParts('Les acteurs nationaux et le plan national', q('national')))).toEqual(['nationaux', 'national']);
    expect(marked(highlightParts('Public policies, one policy', q('policy')))).toEqual(['policies', 'policy']);
    // Not a prefix: "politique" is no form of "politic".
    expect(marked(highlightParts('La politique', q('politic')))).toEqual([]);
  });

  it('matches a prefix by its start, folded', () => {
    expect(marked(highlightParts('Le numérique, les outils numériques, la numérisation', q('numéri*')))).toEqual(['numérique', 'numériques', 'numérisation']);
    expect(marked(highlightParts('Le NUMÉRIQUE', q('numeri*')))).toEqual(['NUMÉRIQUE']);
  });

  it('matches a phrase on consecutive words only, marking it whole', () => {
    const query = q('"compétences numériques"');
    expect(highlightParts("l'enjeu des compétences  numériques.", query)).toEqual([
      { text: "l'enjeu des ", match: false },
      { text: 'compétences  numériques', match: true },
      { text: '.', match: false },
    ]);
    expect(marked(highlightParts('des compétences très numériques', query))).toEqual([]);
    expect(marked(highlightParts('numériques compétences', query))).toEqual([]);
    expect(marked(highlightParts("L'intégration, l'intégration", q('"l\'intégration"')))).toEqual(["L'intégration", "l'intégration"]);
    expect(marked(highlightParts('La compétence numérique', query))).toEqual(['compétence numérique']);
  });

  it('never marks an excluded term', () => {
    expect(marked(highlightParts('la politique numérique', q('numérique -politique')))).toEqual(['numérique']);
    expect(marked(highlightParts('la politique numérique', q('la -"politique numérique"')))).toEqual(['la']);
  });

  it('gives a title back whole, and [] for an empty one', () => {
    const title = '  Éducation   et niños 😀 ';
    expect(joined(highlightParts(title, q('niños')))).toBe(title);
    expect(highlightParts('', q('niños'))).toEqual([]);
    expect(highlightParts('Sans rapport', q('niños'))).toEqual([{ text: 'Sans rapport', match: false }]);
  });
});

describe('snippetOf', () => {
  const filler = (n: number) => 'Lorem ipsum dolor sit amet. '.repeat(n);

  it('shows a short text whole, whitespace collapsed', () => {
    expect(snippetOf('  Les\n\ncompétences\t numériques  ', q('numériques'))).toEqual([
      { text: 'Les compétences ', match: false },
      { text: 'numériques', match: true },
    ]);
    expect(snippetOf('', q('a'))).toEqual([]);
    expect(snippetOf(' \n\t ', q('a'))).toEqual([]);
  });

  it('cuts a long text around its match, at spaces, with … at cut ends', () => {
    const text = `${filler(20)}Les compétences numériques des élèves. ${filler(20)}`;
    const parts = snippetOf(text, q('"compétences numériques"'));
    expect(marked(parts)).toEqual(['compétences numériques']);
    expect(length(parts)).toBeLessThanOrEqual(242);
    const shown = joined(parts);
    expect(shown.startsWith('…')).toBe(true);
    expect(shown.endsWith('…')).toBe(true);
    // Cut between words, at spaces: the first and last shown words are whole.
    expect(shown).toMatch(/^…(Lorem|ipsum|dolor|sit|amet\.) /);
    expect(shown).toMatch(/ (Lorem|ipsum|dolor|sit|amet\.)…$/);
    // Some context before the match.
    expect(shown.indexOf('compétences')).toBeGreaterThan(20);
  });

  it('picks the window holding the most distinct terms, then the earliest', () => {
    const text = `niños ${filler(20)}niños educación ${filler(20)}educación`;
    const both = snippetOf(text, q('niños educación'), 100);
    expect(marked(both)).toEqual(['niños', 'educación']);
    expect(joined(both)).toContain('niños educación');
    // One term: its first occurrence, at the start (nothing cut before).
    const first = snippetOf(text, q('niños'), 100);
    expect(joined(first).startsWith('niños')).toBe(true);
    expect(marked(first)).toEqual(['niños']);
  });

  it('shows the start of the text when nothing matches', () => {
    const text = `Le texte commence ici. ${filler(30)}`;
    const parts = snippetOf(text, q('introuvable'), 60);
    expect(parts).toHaveLength(1);
    expect(parts[0].match).toBe(false);
    expect(parts[0].text.startsWith('Le texte commence ici.')).toBe(true);
    expect(parts[0].text.endsWith('…')).toBe(true);
    expect(parts[0].text.length).toBeLessThanOrEqual(61);
  });

  it('shows a match near the end with the text before it, up to maxChars', () => {
    const text = `${filler(20)}la fin numérique`;
    const parts = snippetOf(text, q('numérique'), 80);
    expect(joined(parts).endsWith('la fin numérique')).toBe(true);
    expect(parts[parts.length - 1]).toEqual({ text: 'numérique', match: true });
    expect(length(parts)).toBeLessThanOrEqual(81);
    expect(length(parts)).toBeGreaterThan(60);
  });

  it('cuts inside a word wider than the window, never inside a surrogate pair', () => {
    const long = snippetOf('x'.repeat(500), q('niños'), 50);
    expect(long).toEqual([{ text: `${'x'.repeat(50)}…`, match: false }]);
    for (const maxChars of [1, 2, 3, 7, 51]) {
      const parts = snippetOf('😀'.repeat(100), q('niños'), maxChars);
      for (const part of parts) expect(part.text).not.toMatch(LONE_SURROGATE);
      expect(length(parts)).toBeLessThanOrEqual(maxChars + 2);
    }
  });
});

/** Texts dense in what makes snippets hard: accents, decomposed marks, astral characters, lone surrogates, long words, whitespace. */
const textUnit = fc.constantFrom('a', 'é', 'ni', 'ños', 'niños', 'Políticas', 'e\u0301', '\u0301', ' ', '  ', '\n', "'", '-', '.', '😀', '\uD800', '\uDC00', 'x'.repeat(30), 'numérique', 'compétences');
const anyText = fc.oneof(
  fc.array(textUnit, { maxLength: 120 }).map((units) => units.join('')),
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 300 }),
);
const anyQuery = fc
  .oneof(
    fc.array(fc.constantFrom('niños', 'a', 'é*', 'numéri*', '"compétences numérique"', '-politica', 'politica', '"ni ños"', 'x', 'ninos', '"', '-'), { minLength: 1, maxLength: 5 }).map((words) => words.join(' ')),
    fc.string({ unit: 'binary', maxLength: 30 }),
  )
  .map((input) => parseQuery(input))
  .filter((outcome) => outcome.ok)
  .map((outcome) => (outcome.ok ? outcome.query : { terms: [], fellBack: false, truncated: false }));

/** The text as snippets show it (independently of the module's own code). */
const collapse = (text: string) => text.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD').replace(/\s+/g, ' ').trim();

describe('snippetOf: properties', () => {
  it('never throws; shows the text’s own words in order, within maxChars + 2, no lone surrogate', () => {
    fc.assert(
      fc.property(anyText, anyQuery, fc.integer({ min: 1, max: 300 }), (text, query, maxChars) => {
        const parts = snippetOf(text, query, maxChars);
        const shown = collapse(text);
        if (shown === '') return void expect(parts).toEqual([]);
        expect(length(parts)).toBeLessThanOrEqual(maxChars + 2);
        expect(shown).toContain(joined(parts).replace(/^…/, '').replace(/…$/, ''));
        for (const part of parts) {
          expect(part.text).not.toBe('');
          expect(part.text).not.toMatch(LONE_SURROGATE);
        }
        for (let i = 1; i < parts.length; i++) expect(parts[i].match).not.toBe(parts[i - 1].match);
        if (shown.length <= maxChars) expect(joined(parts)).toBe(shown);
      }),
      { numRuns: 500 },
    );
  });

  it('highlightParts never throws and gives the text back', () => {
    fc.assert(
      fc.property(anyText, anyQuery, (text, query) => {
        expect(joined(highlightParts(text, query))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
