/**
 * What a search query means (issue 15), isomorphic and pure: the words of a text as the
 * databases' full-text indexes see them (`wordsOf`, `foldWord`), a query typed by a person
 * made into terms (`parseQuery`), and the light plural folding both databases and the snippet
 * highlighter share (`pluralVariants`). Nothing here throws, whatever string it is given.
 */
import { QUERY_MAX_CHARS, QUERY_MAX_TERMS, type ParseOutcome, type SearchTerm } from './search-types';

/** A word of a text: `word` folded (`foldWord`); `start`/`end` UTF-16 offsets into the text given, end exclusive. */
export interface TextWord {
  word: string;
  start: number;
  end: number;
}

/** A word: a maximal run of letters, digits and combining marks; anything else separates words. */
const WORD_RUN = /[\p{L}\p{N}\p{M}]+/gu;
/** Plain ASCII: nothing to fold but case. */
const ASCII = /^[\x00-\x7f]*$/;
/** A run of marks alone folds to nothing: it is no word. */
const HAS_BASE = /[\p{L}\p{N}]/u;

/**
 * A word as the indexes compare it: lower-case, without its diacritics (é→e, ñ→n, Ç→c; ß stays
 * ß), NFC. The same folding as SQLite FTS5 `unicode61 remove_diacritics 2`.
 */
export function foldWord(s: string): string {
  // Most words of a page of results are plain ASCII: lower-casing is all their folding.
  if (ASCII.test(s)) return s.toLowerCase();
  return s.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}

/**
 * The words of `text`, in order, tokenised like FTS5's unicode61: a word is a maximal run of
 * letters, digits and combining marks (\p{L}\p{N}\p{M}); apostrophes, hyphens, underscores,
 * punctuation, symbols, emoji, lone surrogates separate words. Offsets index the text as given
 * (it is not normalised first, which could move them); each word is folded on its own. A run of
 * marks alone (it folds to '') is skipped.
 */
export function wordsOf(text: string): TextWord[] {
  const words: TextWord[] = [];
  for (const match of text.matchAll(WORD_RUN)) {
    const word = foldWord(match[0]);
    if (word === '') continue;
    words.push({ word, start: match.index, end: match.index + match[0].length });
  }
  return words;
}

/** Controls that are whitespace (tab, line breaks): they separate words, as a space does. */
const CONTROL_SPACE = /[\t\n\v\f\r\u0085]/g;
/**
 * Removed before anything: other controls; zero-width characters (U+200B–U+200F, U+2060,
 * U+FEFF) and the soft hyphen, which a paste brings invisibly into a word; bidi controls
 * (U+202A–U+202E, U+2066–U+2069).
 */
const INVISIBLE = /[\p{Cc}\u00AD\u200B-\u200F\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/gu;

/** Quote marks that open a phrase, and that close one: straight, typographic (“…”, „…“) and guillemets (« … »). */
const OPENING = new Set(['"', '“', '„', '«']);
const CLOSING = new Set(['"', '”', '“', '»']);
const QUOTES = new Set([...OPENING, ...CLOSING]);
/** A hyphen-minus or the minus sign U+2212. */
const MINUS = new Set(['-', '\u2212']);
const SPACE = /\s/;
/** A `*` may only follow a letter or a digit (possibly accented): `numéri*`. */
const PREFIXABLE = /[\p{L}\p{N}]\p{M}*$/u;

/** The words of a piece of query already lower-case and NFC. */
function queryWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(WORD_RUN)) {
    if (HAS_BASE.test(match[0])) words.push(match[0].normalize('NFC'));
  }
  return words;
}

/** A prefix must have two characters at least (`a*` would match half the index): shorter, it is a plain word. */
const prefixable = (word: string) => [...word].length >= 2;

/**
 * The terms of a query written in the syntax `parseQuery` documents, or null when the syntax is
 * not understood. `text` is cleaned, trimmed, lower-case and NFC.
 */
function termsOf(text: string): SearchTerm[] | null {
  const terms: SearchTerm[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (SPACE.test(text[i])) {
      i++;
      continue;
    }
    const negated = MINUS.has(text[i]);
    if (negated) i++;
    if (i < n && OPENING.has(text[i])) {
      let close = i + 1;
      while (close < n && !QUOTES.has(text[close])) close++;
      if (close === n) return null; // unclosed
      if (!CLOSING.has(text[close])) return null; // « or „ inside a phrase: nested quotes
      if (close + 1 < n && !SPACE.test(text[close + 1])) return null; // "a "b" c", "a"b, "a"*
      const words = queryWords(text.slice(i + 1, close));
      if (words.length === 0) return null; // "", " ", "!!"
      terms.push({ words, prefix: false, negated });
      i = close + 1;
      continue;
    }
    let end = i;
    while (end < n && !SPACE.test(text[end])) end++;
    const chunk = text.slice(i, end);
    i = end;
    if ([...chunk].some((ch) => QUOTES.has(ch))) return null; // a quote glued inside a word
    if (chunk !== '' && MINUS.has(chunk[0])) return null; // --x
    const star = chunk.endsWith('*');
    const body = star ? chunk.slice(0, -1) : chunk;
    if (body.includes('*')) return null; // *x, a*b, x**
    if (star && !PREFIXABLE.test(body)) return null; // * alone, -*, x.*
    const words = queryWords(body);
    if (words.length === 0) {
      if (negated) return null; // - alone, -!!
      continue; // punctuation alone means nothing
    }
    const prefix = star && prefixable(words[words.length - 1]);
    if (negated) {
      // -l'école excludes the two words together: excluding each would exclude nearly everything.
      terms.push({ words, prefix, negated: true });
    } else {
      words.forEach((word, k) => terms.push({ words: [word], prefix: prefix && k === words.length - 1, negated: false }));
    }
  }
  return terms;
}

/**
 * A query as typed, made into terms; never throws, whatever the string (lone surrogates included).
 *
 * First, controls, zero-width characters, the soft hyphen and bidi controls are removed (tabs and
 * line breaks become spaces), and the rest is trimmed: nothing left is `empty`; more than
 * QUERY_MAX_CHARS UTF-16 units left is `tooLong`. The query is then lower-cased and NFC'd (not
 * accent-folded: the databases fold).
 *
 * The syntax, item by item, items separated by whitespace:
 * - a word: its words (runs of letters, digits, marks; anything else inside splits it, so
 *   `l'intégration` is the words l and intégration), each a term; all terms must be found;
 * - `"an exact phrase"`: one term, its words in that order. It opens with " “ „ or «, closes at
 *   the next quote mark, which must be " ” “ or » and be followed by whitespace or the end;
 * - a trailing `*` (`numéri*`): the last word is a prefix, if it has 2 characters or more
 *   (else it is a plain word); the `*` must follow a letter or digit;
 * - a leading `-` or `−` (U+2212) on a word or a phrase: items holding it are excluded; a word
 *   that splits into several (`-l'école`) is excluded as one phrase.
 * Anything else is not understood: an unclosed quote, a quote inside a phrase or glued to a word
 * (nested quotes), an empty phrase (`""`), a `-` alone or followed by nothing searchable, `--x`,
 * a `*` alone or anywhere but at a word's end (`*x`, `a*b`). Then the whole query falls back to
 * its plain words (every run of letters, digits and marks, each a term, none excluded, none a
 * prefix) and `fellBack` is true.
 *
 * Duplicate terms are dropped, then at most QUERY_MAX_TERMS are kept (`truncated`). No term at
 * all is `operatorsOnly`; excluded terms only is `onlyExclusions`.
 */
export function parseQuery(input: string): ParseOutcome {
  const cleaned = String(input).replace(CONTROL_SPACE, ' ').replace(INVISIBLE, '').trim();
  if (cleaned === '') return { ok: false, problem: 'empty' };
  if (cleaned.length > QUERY_MAX_CHARS) return { ok: false, problem: 'tooLong' };
  const text = cleaned.toLowerCase().normalize('NFC');

  let terms = termsOf(text);
  const fellBack = terms === null;
  terms ??= queryWords(text).map((word) => ({ words: [word], prefix: false, negated: false }));

  const seen = new Set<string>();
  const unique = terms.filter((term) => {
    const key = JSON.stringify([term.words, term.prefix, term.negated]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length === 0) return { ok: false, problem: 'operatorsOnly' };
  const kept = unique.slice(0, QUERY_MAX_TERMS);
  if (kept.every((term) => term.negated)) return { ok: false, problem: 'onlyExclusions' };
  return { ok: true, query: { terms: kept, fellBack, truncated: unique.length > kept.length } };
}

/** Vowels, for the consonant before a final y (policy → policies, but day → days). */
const CONSONANT_Y = /(?![aeiouyàâäáãåéèêëíìîïóòôöõúùûüý])\p{L}y$/u;

/**
 * `word` (lower-cased) first, then its likely singular and plural forms in French, Spanish and
 * English, deduplicated, all lower-case:
 * - ending in `ies` (more than 4 characters): stem + `y` (policies → policy);
 * - ending in `es` (more than 4): without `es` and without `s` (redes → red, clases → clase);
 * - ending in `aux` (more than 4): stem + `al` (nationaux → national);
 * - ending in `s` or `x` (more than 3): without it (políticas → política, niños → niño);
 * - otherwise (3 characters or more): + `s`, + `es`; stem + `ies` after a consonant + `y`
 *   (policy → policies); stem + `aux` for a word ending in `al` (national → nationaux).
 * Irregular plurals (travail/travaux, child/children) are ignored.
 *
 * Deliberately light: SQLite has no stemmer, so it searches these as an OR of exact terms, each
 * an index lookup; a wrong variant costs nothing unless it is a real word, whereas cutting the
 * word to a prefix would match far more than its plural (`politi*`: politicien, politiser…).
 * The snippet highlighter uses the same forms so that what is marked is what SQLite found.
 */
export function pluralVariants(word: string): string[] {
  const w = String(word).toLowerCase().normalize('NFC');
  const chars = [...w];
  const length = chars.length;
  const stem = (drop: number) => chars.slice(0, length - drop).join('');
  const variants = [w];
  const add = (variant: string) => {
    if (variant !== '' && !variants.includes(variant)) variants.push(variant);
  };
  if (/[sx]$/.test(w)) {
    if (w.endsWith('ies') && length > 4) add(stem(3) + 'y');
    if (w.endsWith('es') && length > 4) {
      add(stem(2));
      add(stem(1));
    }
    if (w.endsWith('aux') && length > 4) add(stem(3) + 'al');
    if (length > 3) add(stem(1));
  } else if (length >= 3) {
    add(w + 's');
    add(w + 'es');
    if (CONSONANT_Y.test(w)) add(stem(1) + 'ies');
    if (w.endsWith('al')) add(stem(2) + 'aux');
  }
  return variants;
}
