/**
 * The text policy: what every user-written field (names, organisations, titles, posts, case
 * studies, reasons and notes) becomes before it is stored, and when it is refused. One set of
 * rules for every field and both databases, so that what SQLite stores PostgreSQL stores too.
 * Pure and isomorphic (the browser's post editor loads it through lexical.ts): no zod here,
 * see fields.ts for the schema helpers, and name-key.ts for the look-alike key of names.
 *
 * A field is single-line (names, organisations, titles, version names, contacts) or
 * multi-line (posts, case-study texts, reasons and notes). In order:
 *
 * 1. Line breaks and tabs: CR LF, CR, VT, FF, NEL, U+2028 and U+2029 become LF in multi-line
 *    text; in a single-line field they and LF and tab become a space.
 * 2. Other control characters (C0 but tab and LF, DEL, C1, NUL included), lone surrogates and
 *    noncharacters are removed from multi-line text and refused in a single-line field
 *    (`errors.controlCharacters`): nobody types them, a paste from a PDF or a word processor
 *    may carry a few into long text, and PostgreSQL cannot store NUL at all.
 * 3. Unicode NFC; more than 8 combining marks on one letter are cut to 8.
 * 4. Single-line: runs of spaces become one. Both: blanks (white space of any kind,
 *    zero-width spaces, fillers, the braille blank) are trimmed from both ends.
 * 5. Visually empty (only white space, format characters (Cf), default-ignorables, fillers such
 *    as U+3164, U+115F, U+1160, U+FFA0, the braille blank U+2800, combining marks without a
 *    base): empty, so `errors.required` (or '' for an optional field; a post's document says
 *    `errors.postEmpty`, as for spaces alone).
 * 6. Longer than the field's maximum (UTF-16 units, after all the above): `errors.tooLong`.
 *    Input more than eight times the maximum (plus 1,000) is refused so before any cleaning,
 *    whatever it would shrink to (a flood of marks included): cleaning it would cost more than
 *    anyone could mean to send.
 * 7. Single-line: bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 *    U+2066–U+2069) must be closed in order (`errors.bidiUnbalanced`), else they would turn
 *    whatever is shown after the field. In names and organisations, overrides (U+202D, U+202E)
 *    are refused even when closed (`errors.bidiOverride`): they make a name show other letters
 *    than it holds. Multi-line text keeps them: they end with their paragraph.
 */

export type TextError = 'errors.required' | 'errors.tooLong' | 'errors.controlCharacters' | 'errors.bidiUnbalanced' | 'errors.bidiOverride';
export type TextResult = { ok: true; value: string } | { ok: false; error: TextError };

export interface TextRules {
  /** Multi-line text (posts, long case-study fields, reasons) rather than one line. */
  multiline: boolean;
  /** Maximum length after cleaning, in UTF-16 code units (as `maxlength` counts). */
  max: number;
  /** A blank value is '' rather than refused with `errors.required`. */
  optional?: boolean;
  /** A person's or an organisation's name: no direction overrides at all. */
  name?: boolean;
}

/** Line breaks other than LF (CR LF first, so that it becomes one). */
const LINE_BREAKS = /\r\n?|[\u000B\u000C\u0085\u2028\u2029]/g;
/** What a single-line field turns into a space. */
const SINGLE_LINE_BREAKS = /\r\n?|[\t\n\u000B\u000C\u0085\u2028\u2029]/g;
/** Control characters (tab and LF aside), lone surrogates and noncharacters: never text. */
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\p{Cs}\p{Noncharacter_Code_Point}]/gu;
const HAS_CONTROL = new RegExp(CONTROLS.source, 'u');
/** Characters that show nothing by themselves. */
const INVISIBLE_CLASS = String.raw`\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{M}\p{Cs}\p{Noncharacter_Code_Point}\u2800\u3164\u115F\u1160\uFFA0`;
const VISIBLE = new RegExp(`[^${INVISIBLE_CLASS}]`, 'u');
/** Blanks trimmed from both ends: white space, zero-width spaces, fillers, the braille blank. */
const EDGE_CLASS = String.raw`\p{White_Space}\u200B\u2060\uFEFF\u180E\u2800\u3164\u115F\u1160\uFFA0`;
const EDGES = new RegExp(`^[${EDGE_CLASS}]+|[${EDGE_CLASS}]+$`, 'gu');

/** Bidirectional formatting: openers and the closer each expects. */
const BIDI_OPEN: Record<string, 'embedding' | 'isolate'> = {
  '\u202A': 'embedding', // LRE
  '\u202B': 'embedding', // RLE
  '\u202D': 'embedding', // LRO
  '\u202E': 'embedding', // RLO
  '\u2066': 'isolate', // LRI
  '\u2067': 'isolate', // RLI
  '\u2068': 'isolate', // FSI
};
const BIDI_CLOSE: Record<string, 'embedding' | 'isolate'> = { '\u202C': 'embedding' /* PDF */, '\u2069': 'isolate' /* PDI */ };
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;
const OVERRIDES = /[\u202D\u202E]/;

/** Nothing a reader would see: only white space, format characters, fillers, marks without a base. */
export function isVisuallyEmpty(text: string): boolean {
  return !VISIBLE.test(text);
}

/** Holds a control character (tab and LF aside), a lone surrogate or a noncharacter. */
export function hasControlCharacters(text: string): boolean {
  return HAS_CONTROL.test(text);
}

/** The text without its control characters (tab and LF aside), lone surrogates and noncharacters. */
export function removeControlCharacters(text: string): string {
  return text.replace(CONTROLS, '');
}

/** Embeddings, overrides and isolates each closed, in order. */
export function hasBalancedBidi(text: string): boolean {
  const stack: string[] = [];
  for (const [c] of text.matchAll(BIDI)) {
    const opens = BIDI_OPEN[c];
    if (opens) stack.push(opens);
    else if (stack.pop() !== BIDI_CLOSE[c]) return false;
  }
  return stack.length === 0;
}

/**
 * User-written text set inside other text where markup cannot go (a label, an attribute, a
 * string joined with others): first-strong isolate … pop directional isolate, as `<bdi>` does.
 */
export function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}

/** Trims blanks (see EDGE_CLASS) from both ends. */
export function trimBlanks(text: string): string {
  return text.replace(EDGES, '');
}

/**
 * Multi-line text cleaned without being judged: line breaks made LF, control characters
 * removed, NFC. For pieces of a document (a post's text nodes, its plain-text form) whose
 * emptiness and length the document decides.
 */
export function cleanMultiline(text: string): string {
  return capMarks(text.replace(LINE_BREAKS, '\n').replace(CONTROLS, '').normalize('NFC'));
}

/**
 * Combining marks stacked on one letter, beyond MAX_MARKS ("Zalgo" text): the rest are dropped.
 * Real scripts stack a few (Vietnamese two, Hebrew with cantillation four or so); dozens only
 * spill over the lines around them.
 */
const MAX_MARKS = 8;
const MARK_FLOOD = new RegExp(`(\\p{M}{${MAX_MARKS}})\\p{M}+`, 'gu');
export function capMarks(text: string): string {
  return text.replace(MARK_FLOOD, '$1');
}

/** Applies the policy (see the top of this file) to one field's value. */
export function applyTextPolicy(input: string, rules: TextRules): TextResult {
  // Far too long to be worth cleaning (however much blank it holds).
  if (input.length > rules.max * 8 + 1_000) return { ok: false, error: 'errors.tooLong' };
  let value: string;
  if (rules.multiline) {
    value = trimBlanks(cleanMultiline(input));
  } else {
    value = input.replace(SINGLE_LINE_BREAKS, ' ');
    if (HAS_CONTROL.test(value)) return { ok: false, error: 'errors.controlCharacters' };
    value = trimBlanks(capMarks(value.normalize('NFC')).replace(/ {2,}/g, ' '));
  }
  if (isVisuallyEmpty(value)) return rules.optional ? { ok: true, value: '' } : { ok: false, error: 'errors.required' };
  if (value.length > rules.max) return { ok: false, error: 'errors.tooLong' };
  if (!rules.multiline) {
    if (rules.name && OVERRIDES.test(value)) return { ok: false, error: 'errors.bidiOverride' };
    if (!hasBalancedBidi(value)) return { ok: false, error: 'errors.bidiUnbalanced' };
  }
  return { ok: true, value };
}

/** The policy for one line (titles, version names); throws nothing. */
export const shortTextValue = (input: string, max: number, options: { optional?: boolean } = {}) =>
  applyTextPolicy(input, { multiline: false, max, ...options });

/** The policy for multi-line text (reasons, notes, case-study texts). */
export const longTextValue = (input: string, max: number, options: { optional?: boolean } = {}) =>
  applyTextPolicy(input, { multiline: true, max, ...options });

/** The policy for a person's or an organisation's name. */
export const nameTextValue = (input: string, max: number) => applyTextPolicy(input, { multiline: false, max, name: true });
