/**
 * Where a search result shows the query's words (issue 15), isomorphic and pure: a snippet of
 * a long text around its best match (`snippetOf`), and a short text with every match marked
 * (`highlightParts`). Both answer parts, never HTML: the caller renders each as a text node,
 * a `<mark>` for a match. A text word matches a query word the way the light SQLite search
 * does (query.ts): the same folding, the same plural variants, a prefix by its start.
 */
import { foldWord, pluralVariants, wordsOf, type TextWord } from './query';
import type { ParsedQuery, SnippetPart } from './search-types';

/** Where one term of the query is found: UTF-16 offsets into the text, end exclusive. */
interface Occurrence {
  term: number;
  start: number;
  end: number;
}

type WordTest = (folded: string) => boolean;

/** For each term to show (not negated), one test per word of it, on folded text words. */
function testsOf(query: ParsedQuery): WordTest[][] {
  return query.terms
    .filter((term) => !term.negated && term.words.length > 0)
    .map((term) =>
      term.words.map((word, k): WordTest => {
        if (term.prefix && k === term.words.length - 1) {
          const start = foldWord(word);
          return (folded) => start !== '' && folded.startsWith(start);
        }
        const forms = new Set(pluralVariants(word).map(foldWord));
        return (folded) => forms.has(folded);
      }),
    );
}

/**
 * Every occurrence of every term, sorted by start: a phrase is its words found consecutively
 * (whatever separates them, as in the indexes), from its first word's start to its last's end.
 */
function occurrencesOf(words: TextWord[], tests: WordTest[][]): Occurrence[] {
  const found: Occurrence[] = [];
  tests.forEach((termTests, term) => {
    for (let p = 0; p + termTests.length <= words.length; p++) {
      if (termTests.every((test, k) => test(words[p + k].word))) {
        found.push({ term, start: words[p].start, end: words[p + termTests.length - 1].end });
      }
    }
  });
  return found.sort((x, y) => x.start - y.start || x.end - y.end);
}

/**
 * `text[from, to)` as parts, the occurrences wholly inside it marked (overlapping ones as one
 * mark), '…' where something was cut before or after; adjacent parts of one kind merged.
 */
function partsOf(text: string, from: number, to: number, occurrences: Occurrence[]): SnippetPart[] {
  const parts: SnippetPart[] = [];
  const push = (part: string, match: boolean) => {
    if (part === '') return;
    const last = parts[parts.length - 1];
    if (last && last.match === match) last.text += part;
    else parts.push({ text: part, match });
  };
  if (from > 0) push('…', false);
  let at = from;
  for (const { start, end } of occurrences) {
    if (start < from || end > to || end <= at) continue;
    const markFrom = Math.max(start, at);
    push(text.slice(at, markFrom), false);
    push(text.slice(markFrom, end), true);
    at = end;
  }
  push(text.slice(at, to), false);
  if (to < text.length) push('…', false);
  return parts;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text as a snippet shows it: whitespace runs as one space, trimmed; a lone surrogate (broken text) as U+FFFD. */
function collapsed(text: string): string {
  return String(text).replace(LONE_SURROGATE, '\uFFFD').replace(/\s+/g, ' ').trim();
}

const isHigh = (text: string, i: number) => i >= 0 && i < text.length && text.charCodeAt(i) >= 0xd800 && text.charCodeAt(i) <= 0xdbff;
const isLow = (text: string, i: number) => i >= 0 && i < text.length && text.charCodeAt(i) >= 0xdc00 && text.charCodeAt(i) <= 0xdfff;

/**
 * The start of the window of `budget` units holding the most distinct terms wholly (the
 * earliest of equals), and where its last such occurrence ends; null when no occurrence fits.
 * Candidate windows start at an occurrence; within one term, occurrences sorted by start are
 * sorted by end too, so one pointer per term finds whether it fits.
 */
function bestWindow(occurrences: Occurrence[], termCount: number, budget: number): { start: number; end: number } | null {
  const byTerm: Occurrence[][] = Array.from({ length: termCount }, () => []);
  for (const occurrence of occurrences) byTerm[occurrence.term].push(occurrence);
  const next = new Array<number>(termCount).fill(0);
  let best: number | null = null;
  let bestCount = 0;
  let previous = -1;
  for (const { start } of occurrences) {
    if (start === previous) continue;
    previous = start;
    let count = 0;
    for (let t = 0; t < termCount; t++) {
      const list = byTerm[t];
      while (next[t] < list.length && list[next[t]].start < start) next[t]++;
      if (next[t] < list.length && list[next[t]].end <= start + budget) count++;
    }
    if (count > bestCount) {
      bestCount = count;
      best = start;
    }
  }
  if (best === null) return null;
  let end = best;
  for (const occurrence of occurrences) {
    if (occurrence.start >= best && occurrence.end <= best + budget) end = Math.max(end, occurrence.end);
  }
  return { start: best, end };
}

/** Context shown before the best match, at most (units): enough to read it in its sentence. */
const LEAD = 60;
/** How far (units) a cut may move back or forth to fall on a space rather than between two words. */
const TO_SPACE = 30;

/**
 * Up to `maxChars` UTF-16 units of `text` (whitespace collapsed) around its best match, as
 * parts; plus a '…' part (match: false, merged with the text next to it) where it was cut, so
 * at most maxChars + 2 in all. `[]` for an empty text.
 *
 * The words matching the query's terms that are not excluded are marked: a plain word when its
 * folded form is one of its plural variants' (`pluralVariants`), a prefix when it starts with the
 * prefix (both folded), a phrase when its words follow one another, each so (marked from the
 * first to the last). The window holds the most distinct terms (then the earliest), with some
 * context before; its ends fall on a space when one is near, else between words, never inside a
 * surrogate pair (a single word longer than the window is cut inside). When nothing matches
 * (the item was found by its author's name, or by a database stemmer knowing more than the
 * plural variants), the text's start is shown.
 */
export function snippetOf(text: string, query: ParsedQuery, maxChars = 240): SnippetPart[] {
  const budget = Number.isFinite(maxChars) ? Math.max(1, Math.floor(maxChars)) : 240;
  const shown = collapsed(text);
  if (shown === '') return [];
  const words = wordsOf(shown);
  const tests = testsOf(query);
  const occurrences = occurrencesOf(words, tests);
  if (shown.length <= budget) return partsOf(shown, 0, shown.length, occurrences);

  const window = bestWindow(occurrences, tests.length, budget);
  let from = 0;
  if (window) {
    const slack = budget - (window.end - window.start);
    from = Math.max(0, Math.min(window.start - Math.min(LEAD, Math.floor(slack / 2)), shown.length - budget));
  }
  const to = from + budget;
  // What must stay whole: the matched span when there is one.
  const keepFrom = window ? window.start : to;
  const keepTo = window ? window.end : from;
  const wordAround = (at: number) => words.find((word) => word.start < at && at < word.end);

  let start = from;
  if (start > 0 && shown[start - 1] !== ' ') {
    const space = shown.indexOf(' ', start);
    if (space !== -1 && space - start <= TO_SPACE && space + 1 <= keepFrom) start = space + 1;
    else start = wordAround(start)?.end ?? start;
  }
  while (start < to && shown[start] === ' ') start++;

  let end = to;
  if (end < shown.length && shown[end] !== ' ') {
    const space = shown.lastIndexOf(' ', end - 1);
    if (space !== -1 && end - space <= TO_SPACE && space >= keepTo && space > start) end = space;
    else end = wordAround(end)?.start ?? end;
  }
  while (end > start && shown[end - 1] === ' ') end--;

  if (end <= start) {
    // One word wider than the window: cut inside it.
    start = from;
    end = to;
  }
  if (isLow(shown, start) && isHigh(shown, start - 1)) start++;
  if (isHigh(shown, end - 1) && isLow(shown, end)) end--;
  if (end <= start) return [{ text: '…', match: false }];
  return partsOf(shown, start, end, occurrences);
}

/**
 * `text` whole, as parts, every match of the query's terms that are not excluded marked (the
 * same rule as `snippetOf`); the parts joined give `text` back. For short texts (a title, a
 * heading). `[]` for an empty text.
 */
export function highlightParts(text: string, query: ParsedQuery): SnippetPart[] {
  const whole = String(text);
  if (whole === '') return [];
  return partsOf(whole, 0, whole.length, occurrencesOf(wordsOf(whole), testsOf(query)));
}
