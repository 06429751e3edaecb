/**
 * Search queries (app/search/query.ts): the folding and the words the indexes see, the query
 * syntax and what becomes of bad syntax, the problems a query may have, the light plural
 * variants; and properties: no string makes parseQuery throw, and what it answers is only
 * ever words of letters, digits and marks, within QUERY_MAX_TERMS.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldWord, parseQuery, pluralVariants, wordsOf } from '../../app/search/query';
import { QUERY_MAX_CHARS, QUERY_MAX_TERMS, type ParsedQuery, type SearchTerm } from '../../app/search/search-types';

/** The parsed query of `input`, failing the test if it has a problem. */
function parsed(input: string): ParsedQuery {
  const outcome = parseQuery(input);
  if (!outcome.ok) throw new Error(`${JSON.stringify(input)}: ${outcome.problem}`);
  return outcome.query;
}
const problem = (input: string) => {
  const outcome = parseQuery(input);
  return outcome.ok ? null : outcome.problem;
};
const word = (w: string, more: Partial<SearchTerm> = {}): SearchTerm => ({ words: [w], prefix: false, negated: false, ...more });
const phrase = (words: string[], more: Partial<SearchTerm> = {}): SearchTerm => ({ words, prefix: false, negated: false, ...more });
/** Plain words, as bad syntax falls back to. */
const plain = (...words: string[]) => ({ terms: words.map((w) => word(w)), fellBack: true, truncated: false });

describe('foldWord', () => {
  it('lower-cases and drops diacritics, as unicode61 remove_diacritics 2', () => {
    expect(foldWord('Compétences')).toBe('competences');
    expect(foldWord('NUMÉRIQUES')).toBe('numeriques');
    expect(foldWord('Niños')).toBe('ninos');
    expect(foldWord('Ça')).toBe('ca');
    expect(foldWord('Políticas')).toBe('politicas');
    expect(foldWord('straße')).toBe('straße');
    expect(foldWord('e\u0301le\u0300ve')).toBe('eleve'); // decomposed input
  });
});

describe('wordsOf', () => {
  it('splits on everything but letters, digits and marks, offsets into the text as given', () => {
    const text = "L'intégration — e-learning_2024, 😀niños!";
    const words = wordsOf(text);
    expect(words.map((w) => w.word)).toEqual(['l', 'integration', 'e', 'learning', '2024', 'ninos']);
    for (const w of words) expect(foldWord(text.slice(w.start, w.end))).toBe(w.word);
    expect(words[5]).toEqual({ word: 'ninos', start: text.indexOf('niños'), end: text.indexOf('niños') + 5 });
  });

  it('keeps decomposed accents inside their word, offsets unmoved', () => {
    const text = 'Une e\u0301le\u0300ve, l’école';
    expect(wordsOf(text)).toEqual([
      { word: 'une', start: 0, end: 3 },
      { word: 'eleve', start: 4, end: 11 },
      { word: 'l', start: 13, end: 14 },
      { word: 'ecole', start: 15, end: 20 },
    ]);
  });

  it('skips marks alone, separates at lone surrogates', () => {
    expect(wordsOf('\u0301 a\uD800b').map((w) => w.word)).toEqual(['a', 'b']);
    expect(wordsOf('')).toEqual([]);
  });
});

describe('parseQuery: the syntax', () => {
  it('ANDs words, lower-case and NFC but with their accents (the databases fold)', () => {
    expect(parsed('Compétences NUMÉRIQUES')).toEqual({ terms: [word('compétences'), word('numériques')], fellBack: false, truncated: false });
    expect(parsed('nin\u0303os').terms).toEqual([word('niños')]);
    expect(parsed('  Políticas   públicas ').terms).toEqual([word('políticas'), word('públicas')]);
  });

  it('splits a word at anything but a letter, digit or mark', () => {
    expect(parsed("l'intégration").terms).toEqual([word('l'), word('intégration')]);
    expect(parsed('l’intégration').terms).toEqual([word('l'), word('intégration')]);
    expect(parsed('e-learning (2024) a_b').terms).toEqual([word('e'), word('learning'), word('2024'), word('a'), word('b')]);
    expect(parsed('niños, ¡hola!').terms).toEqual([word('niños'), word('hola')]);
  });

  it('reads exact phrases in straight and typographic quotes, keeping word order', () => {
    const expected = [phrase(['compétences', 'numériques'])];
    for (const quoted of ['"compétences numériques"', '“compétences numériques”', '« compétences numériques »', '„compétences numériques“', '«compétences numériques»']) {
      expect(parsed(quoted), quoted).toEqual({ terms: expected, fellBack: false, truncated: false });
    }
    expect(parsed('"numériques compétences"').terms).toEqual([phrase(['numériques', 'compétences'])]);
    expect(parsed("educación \"niños y niñas\" l'école").terms).toEqual([
      word('educación'),
      phrase(['niños', 'y', 'niñas']),
      word('l'),
      word('école'),
    ]);
    expect(parsed('"l\'intégration"').terms).toEqual([phrase(['l', 'intégration'])]);
    expect(parsed('"numérique"').terms).toEqual([phrase(['numérique'])]);
  });

  it('excludes a word or a phrase with a leading - or −', () => {
    expect(parsed('numérique -politique').terms).toEqual([word('numérique'), word('politique', { negated: true })]);
    expect(parsed('numérique −politique').terms).toEqual([word('numérique'), word('politique', { negated: true })]);
    expect(parsed('niños -"educación física"').terms).toEqual([word('niños'), phrase(['educación', 'física'], { negated: true })]);
    expect(parsed('niños −«educación física»').terms).toEqual([word('niños'), phrase(['educación', 'física'], { negated: true })]);
    // A word that splits is excluded whole: excluding "l" would exclude nearly everything.
    expect(parsed("école -l'intégration").terms).toEqual([word('école'), phrase(['l', 'intégration'], { negated: true })]);
    // A hyphen inside a word is no operator.
    expect(parsed('socio-économique').terms).toEqual([word('socio'), word('économique')]);
  });

  it('makes the last word a prefix with a trailing *, if it has two characters', () => {
    expect(parsed('numéri*').terms).toEqual([word('numéri', { prefix: true })]);
    expect(parsed('compétences numéri*').terms).toEqual([word('compétences'), word('numéri', { prefix: true })]);
    expect(parsed('x -polit*').terms).toEqual([word('x'), word('polit', { prefix: true, negated: true })]);
    expect(parsed("l'intégr*").terms).toEqual([word('l'), word('intégr', { prefix: true })]);
    expect(parsed('ni*').terms).toEqual([word('ni', { prefix: true })]);
    expect(parsed('é*').terms).toEqual([word('é')]);
    expect(parsed('a* b').terms).toEqual([word('a'), word('b')]);
  });

  it('drops duplicate terms, then keeps QUERY_MAX_TERMS', () => {
    expect(parsed('niños Niños NIÑOS niñas').terms).toEqual([word('niños'), word('niñas')]);
    const repeated = parsed(Array.from({ length: 30 }, (_, i) => `w${i % QUERY_MAX_TERMS}`).join(' '));
    expect(repeated.terms).toHaveLength(QUERY_MAX_TERMS);
    expect(repeated.truncated).toBe(false);
    const many = parsed(Array.from({ length: 20 }, (_, i) => `mot${i}`).join(' '));
    expect(many.terms).toEqual(Array.from({ length: QUERY_MAX_TERMS }, (_, i) => word(`mot${i}`)));
    expect(many.truncated).toBe(true);
    // A word quoted alone is the same term; a term and its exclusion are two.
    expect(parsed('a "a" b -b "b c" -"b c"').terms).toEqual([word('a'), word('b'), word('b', { negated: true }), phrase(['b', 'c']), phrase(['b', 'c'], { negated: true })]);
  });

  it('removes controls, zero-width and bidi characters before anything', () => {
    expect(parsed('numé\u200Briques').terms).toEqual([word('numériques')]);
    expect(parsed('\u202Enumériques\u202C \u2066niños\u2069').terms).toEqual([word('numériques'), word('niños')]);
    expect(parsed('\uFEFFa\u2060b\u200Dc\u00ADd').terms).toEqual([word('abcd')]);
    expect(parsed('a\u0007b').terms).toEqual([word('ab')]);
    // Tabs and line breaks separate words, as a space does.
    expect(parsed('a\tb\nc\r\nd').terms).toEqual([word('a'), word('b'), word('c'), word('d')]);
    // Removed, not turned into spaces: the minus still applies.
    expect(parsed('x -\u200Ba').terms).toEqual([word('x'), word('a', { negated: true })]);
  });
});

describe('parseQuery: bad syntax falls back to plain words', () => {
  const cases: [string, string, string[]][] = [
    ['an unclosed quote', '"compétences numériques', ['compétences', 'numériques']],
    ['an unclosed guillemet', 'niños « educación', ['niños', 'educación']],
    ['a - alone', 'niños - niñas', ['niños', 'niñas']],
    ['a − alone', 'niños − niñas', ['niños', 'niñas']],
    ['a - before nothing searchable', 'niños -!!', ['niños']],
    ['a * alone', 'numérique *', ['numérique']],
    ['a - with a *', 'numérique -*', ['numérique']],
    ['a double minus', '--politique numérique', ['politique', 'numérique']],
    ['a minus and a minus sign', '-−politique numérique', ['politique', 'numérique']],
    ['a leading *', '*numérique', ['numérique']],
    ['a * inside a word', 'numé*rique', ['numé', 'rique']],
    ['two *', 'numéri**', ['numéri']],
    ['a * after punctuation', 'numéri.*', ['numéri']],
    ['a quoted phrase followed by *', '"compétences numéri"*', ['compétences', 'numéri']],
    ['an empty phrase', '"" niños', ['niños']],
    ['an empty phrase, typographic', 'niños “ ”', ['niños']],
    ['a phrase of punctuation', 'niños "!?"', ['niños']],
    ['nested straight quotes', '"a "b" c"', ['a', 'b', 'c']],
    ['nested guillemets', '« la « paix » sociale »', ['la', 'paix', 'sociale']],
    ['nested typographic quotes', '“la “paix” sociale”', ['la', 'paix', 'sociale']],
    ['a quote glued to a word', 'l"école', ['l', 'école']],
    ['a closing quote glued to a word', '"la paix"sociale', ['la', 'paix', 'sociale']],
    ['a closing guillemet alone', 'paix »', ['paix']],
    ['a minus before a space and a phrase', '- "la paix" guerre', ['la', 'paix', 'guerre']],
  ];
  for (const [what, input, words] of cases) {
    it(what, () => expect(parsed(input)).toEqual(plain(...words)));
  }

  it('dedups and truncates the fallback too', () => {
    expect(parsed('"a a b')).toEqual(plain('a', 'b'));
    const many = parsed(`"${Array.from({ length: 20 }, (_, i) => `m${i}`).join(' ')}`);
    expect(many.fellBack).toBe(true);
    expect(many.truncated).toBe(true);
    expect(many.terms).toHaveLength(QUERY_MAX_TERMS);
  });
});

describe('parseQuery: problems', () => {
  it('empty: nothing, whitespace, or invisible characters only', () => {
    for (const input of ['', '   ', '\n\t ', '\u200B\u200C\u202E\u2066\uFEFF', '\u0000\u0007']) expect(problem(input), JSON.stringify(input)).toBe('empty');
  });

  it('tooLong: more than QUERY_MAX_CHARS units once trimmed', () => {
    expect(problem('a'.repeat(QUERY_MAX_CHARS + 1))).toBe('tooLong');
    expect(problem('a '.repeat(5_000))).toBe('tooLong'); // a 10,000-character query
    expect(problem('numérique '.repeat(1_000))).toBe('tooLong');
    expect(parsed('a'.repeat(QUERY_MAX_CHARS)).terms).toEqual([word('a'.repeat(QUERY_MAX_CHARS))]);
    expect(parsed(`   ${'a'.repeat(QUERY_MAX_CHARS)}   `).terms).toHaveLength(1);
    expect(problem('😀'.repeat(QUERY_MAX_CHARS / 2 + 1))).toBe('tooLong'); // UTF-16 units, not code points
  });

  it('operatorsOnly: operators and punctuation only', () => {
    for (const input of ['-', '*', '−', '"', '""', '“”', '« »', '- * -', '--', '-*', '!!! ... ???', '😀 🎉', '" " -', "'", '_']) {
      expect(problem(input), JSON.stringify(input)).toBe('operatorsOnly');
    }
  });

  it('onlyExclusions: every term excluded', () => {
    for (const input of ['-politique', '−politique -"compétences numériques"', '-numéri*', '-a -a']) {
      expect(problem(input), input).toBe('onlyExclusions');
    }
  });
});

describe('pluralVariants', () => {
  it('gives the word first, then its singular or plural forms', () => {
    expect(pluralVariants('políticas')).toEqual(['políticas', 'política']);
    expect(pluralVariants('niños')).toEqual(['niños', 'niño']);
    expect(pluralVariants('niño')).toEqual(['niño', 'niños', 'niñoes']);
    expect(pluralVariants('redes')).toEqual(['redes', 'red', 'rede']);
    expect(pluralVariants('policies')).toEqual(['policies', 'policy', 'polici', 'policie']);
    expect(pluralVariants('policy')).toEqual(['policy', 'policys', 'policyes', 'policies']);
    expect(pluralVariants('day')).toEqual(['day', 'days', 'dayes']);
    expect(pluralVariants('national')).toEqual(['national', 'nationals', 'nationales', 'nationaux']);
    expect(pluralVariants('nationaux')).toEqual(['nationaux', 'national', 'nationau']);
    expect(pluralVariants('compétences')).toEqual(['compétences', 'compétenc', 'compétence']);
  });

  it('leaves short words alone, and lower-cases', () => {
    expect(pluralVariants('de')).toEqual(['de']);
    expect(pluralVariants('bus')).toEqual(['bus']);
    expect(pluralVariants('Niños')).toEqual(['niños', 'niño']);
    expect(pluralVariants('')).toEqual(['']);
  });

  it('holds each form once', () => {
    for (const w of ['es', 'ies', 'eses', 'aux', 'iesies', 'als', 'xx', 'yyy']) {
      const variants = pluralVariants(w);
      expect(new Set(variants).size, w).toBe(variants.length);
      expect(variants[0]).toBe(w);
    }
  });
});

/** Any UTF-16 string: lone surrogates, controls, invisibles, everything. */
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 80 });
/** Strings dense in the syntax. */
const syntaxy = fc.string({
  unit: fc.constantFrom('a', 'é', 'Ñ', '1', 'e\u0301', '\u0301', ' ', '"', '“', '”', '«', '»', '„', '-', '−', '*', "'", '\u200B', '\u202E', '\uD800', '\uDC00', '😀', '\t', '.'),
  maxLength: 40,
});
const anyQuery = fc.oneof(utf16, syntaxy, fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 300 }));

describe('parseQuery: properties', () => {
  it('never throws; answers only words of letters, digits and marks, lower-case and NFC, within QUERY_MAX_TERMS', () => {
    fc.assert(
      fc.property(anyQuery, (input) => {
        const outcome = parseQuery(input);
        if (!outcome.ok) return;
        const { terms } = outcome.query;
        expect(terms.length).toBeGreaterThan(0);
        expect(terms.length).toBeLessThanOrEqual(QUERY_MAX_TERMS);
        expect(terms.some((term) => !term.negated)).toBe(true);
        expect(new Set(terms.map((term) => JSON.stringify(term))).size).toBe(terms.length);
        for (const term of terms) {
          expect(term.words.length).toBeGreaterThan(0);
          for (const w of term.words) {
            expect(w).toMatch(/^[\p{L}\p{N}\p{M}]+$/u);
            expect(w.normalize('NFC')).toBe(w);
            expect(w.toLowerCase()).toBe(w);
          }
          if (term.prefix) expect([...term.words[term.words.length - 1]].length).toBeGreaterThanOrEqual(2);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('a tooLong problem only past QUERY_MAX_CHARS, never a throw on long input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 200, maxLength: 2_000 }), (input) => {
        const outcome = parseQuery(input);
        if (!outcome.ok && outcome.problem === 'tooLong') expect(input.trim().length).toBeGreaterThan(QUERY_MAX_CHARS);
      }),
      { numRuns: 100 },
    );
  });
});
