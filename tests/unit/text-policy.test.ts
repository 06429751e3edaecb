/**
 * The text policy (app/text/policy.ts) on odd and hostile input: what each kind of field
 * refuses, with which message, and what it stores; the look-alike key of names; and a property
 * test that no string crashes it and that whatever it accepts is NFC, free of control
 * characters and visible.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registerSchema } from '../../app/accounts/account.schema';
import { caseStudySchema } from '../../app/case-studies/case-study.schema';
import { flagSchema, moderatePostSchema } from '../../app/moderation/moderation.schema';
import { noteVersionSchema, openNoteSchema } from '../../app/notes/note.schema';
import { createPostSchema } from '../../app/posts/post.schema';
import { documentFromText, plainText, sanitizeDocument } from '../../app/posts/lexical';
import { longText, nameText, shortText } from '../../app/text/fields';
import { nameKey } from '../../app/text/name-key.server';
import { applyTextPolicy, hasBalancedBidi, isolate, isVisuallyEmpty, longTextValue, nameTextValue, type TextRules } from '../../app/text/policy';

const NAME: TextRules = { multiline: false, max: 120, name: true };
const TITLE: TextRules = { multiline: false, max: 200 };
const LONG: TextRules = { multiline: true, max: 2_000 };

/** What a field makes of a value: the stored value, or the message key it is refused with. */
const outcome = (input: string, rules: TextRules) => {
  const result = applyTextPolicy(input, rules);
  return result.ok ? { stored: result.value } : { refused: result.error };
};

/** A post's outcome: its plain text, or the message key the document is refused with. */
const post = (text: string) => {
  try {
    return { stored: plainText(documentFromText(text)) };
  } catch (e) {
    return { refused: (e as { messageKey: string }).messageKey };
  }
};
const lexicalPost = (text: string) => {
  try {
    return { stored: plainText(sanitizeDocument({ root: { type: 'root', children: [{ type: 'paragraph', children: [{ type: 'text', text }] }] } })) };
  } catch (e) {
    return { refused: (e as { messageKey: string }).messageKey };
  }
};

const required = { refused: 'errors.required' };
const postEmpty = { refused: 'errors.postEmpty' };
const controls = { refused: 'errors.controlCharacters' };

describe('the text policy, input by input', () => {
  // [what, input, as a name, as a title, as multi-line text, as a post (plain text; and Lexical unless given apart)]
  const table: [string, string, object, object, object, object, object?][] = [
    ['a zero-width space', '\u200B', required, required, { stored: '' } /* optional below */, postEmpty],
    ['zero-width space, non-joiner, word joiner', '\u200B\u200C\u2060', required, required, { stored: '' }, postEmpty],
    ['a soft hyphen', '\u00AD', required, required, { stored: '' }, postEmpty],
    ['a lone combining accent', '\u0301', required, required, { stored: '' }, postEmpty],
    ['the Hangul filler U+3164', '\u3164', required, required, { stored: '' }, postEmpty],
    ['Hangul fillers U+115F U+1160 U+FFA0', '\u115F\u1160\uFFA0', required, required, { stored: '' }, postEmpty],
    ['the braille blank U+2800', '\u2800', required, required, { stored: '' }, postEmpty],
    ['a right-to-left override alone', '\u202E', required, required, { stored: '' }, postEmpty],
    ['spaces', '   ', required, required, { stored: '' }, postEmpty],
    ['no-break and ideographic spaces', '\u00A0\u202F\u3000', required, required, { stored: '' }, postEmpty],
    ['a NUL alone', '\u0000', controls, controls, { stored: '' }, postEmpty],
    ['a NUL inside', 'Ana\u0000 Reyes', controls, controls, { stored: 'Ana Reyes' }, { stored: 'Ana Reyes' }],
    ['C1 and DEL controls', 'A\u0085B\u009BC\u007FD', controls, controls, { stored: 'A\nBCD' }, { stored: 'A\nBCD' }],
    ['a bell and a backspace', 'Ding\u0007\u0008 dong', controls, controls, { stored: 'Ding dong' }, { stored: 'Ding dong' }],
    ['a lone surrogate', 'Ana \uD800Reyes', controls, controls, { stored: 'Ana Reyes' }, { stored: 'Ana Reyes' }],
    ['tabs and line breaks', 'Ana\tMaría\r\nReyes', { stored: 'Ana María Reyes' }, { stored: 'Ana María Reyes' }, { stored: 'Ana\tMaría\nReyes' }, { stored: 'Ana\tMaría\nReyes' }],
    ['decomposed accents', 'Jose\u0301 Luci\u0301a', { stored: 'José Lucía' }, { stored: 'José Lucía' }, { stored: 'José Lucía' }, { stored: 'José Lucía' }],
    // A Lexical text node keeps the blanks around it (the paragraph is the author's), as it keeps spaces.
    ['blanks around', '\u2800\u200B Ana  Reyes \u3164', { stored: 'Ana Reyes' }, { stored: 'Ana Reyes' }, { stored: 'Ana  Reyes' }, { stored: 'Ana  Reyes' }, { stored: '\u2800\u200B Ana  Reyes \u3164' }],
    ['a name ending with a right-to-left override', 'Mallory\u202E', { refused: 'errors.bidiOverride' }, { refused: 'errors.bidiUnbalanced' }, { stored: 'Mallory\u202E' }, { stored: 'Mallory\u202E' }],
    ['a closed override', '\u202Eyrollam\u202C', { refused: 'errors.bidiOverride' }, { stored: '\u202Eyrollam\u202C' }, { stored: '\u202Eyrollam\u202C' }, { stored: '\u202Eyrollam\u202C' }],
    ['an isolate left open', 'Ana \u2067عربي', { refused: 'errors.bidiUnbalanced' }, { refused: 'errors.bidiUnbalanced' }, { stored: 'Ana \u2067عربي' }, { stored: 'Ana \u2067عربي' }],
    ['a closed isolate', 'Ana \u2067عربي\u2069', { stored: 'Ana \u2067عربي\u2069' }, { stored: 'Ana \u2067عربي\u2069' }, { stored: 'Ana \u2067عربي\u2069' }, { stored: 'Ana \u2067عربي\u2069' }],
    ['crossed embedding and isolate', '\u202Ba\u2067b\u202C\u2069', { refused: 'errors.bidiUnbalanced' }, { refused: 'errors.bidiUnbalanced' }, { stored: '\u202Ba\u2067b\u202C\u2069' }, { stored: '\u202Ba\u2067b\u202C\u2069' }],
    ['an emoji sequence', '👩🏽‍💻 ❤️', { stored: '👩🏽‍💻 ❤️' }, { stored: '👩🏽‍💻 ❤️' }, { stored: '👩🏽‍💻 ❤️' }, { stored: '👩🏽‍💻 ❤️' }],
    ['Arabic with its marks', 'مُحَمَّد', { stored: 'مُحَمَّد' }, { stored: 'مُحَمَّد' }, { stored: 'مُحَمَّد' }, { stored: 'مُحَمَّد' }],
    ['a zero-width joiner inside a name', 'Lucía Fer\u200Dnández', { stored: 'Lucía Fer\u200Dnández' }, { stored: 'Lucía Fer\u200Dnández' }, { stored: 'Lucía Fer\u200Dnández' }, { stored: 'Lucía Fer\u200Dnández' }],
  ];

  it.each(table)('%s', (_what, input, asName, asTitle, asLong, asPost, asLexical = asPost) => {
    expect(outcome(input, NAME)).toEqual(asName);
    expect(outcome(input, TITLE)).toEqual(asTitle);
    expect(outcome(input, { ...LONG, optional: true })).toEqual(asLong);
    // A required multi-line field refuses what an optional one stores as ''.
    expect(outcome(input, LONG)).toEqual('stored' in asLong && asLong.stored === '' ? required : asLong);
    expect(post(input)).toEqual(asPost);
    expect(lexicalPost(input)).toEqual(asLexical);
  });

  it('cuts a flood of combining marks on one letter to 8, and keeps what real scripts stack', () => {
    const flood = (n: number) => 'a' + '\u0301'.repeat(n);
    // NFC first composes the first mark with its letter (a + ◌́ = á); eight stay on top of it.
    expect(longTextValue(flood(20_000), 40_000)).toEqual({ ok: true, value: 'á' + '\u0301'.repeat(8) });
    expect(nameTextValue(`Z${'\u0301'.repeat(118)}ed`, 120)).toEqual({ ok: true, value: `Ź${'\u0301'.repeat(8)}ed` });
    for (const real of ['Tiếng Việt', 'שָׁלוֹם', 'བོད་ཡིག']) expect(longTextValue(real, 100)).toEqual({ ok: true, value: real.normalize('NFC') });
  });

  it('counts length after cleaning, and a name of 110 characters without a break is a name', () => {
    const long = 'W'.repeat(110);
    expect(outcome(long, NAME)).toEqual({ stored: long });
    expect(outcome(`${'W'.repeat(121)}`, NAME)).toEqual({ refused: 'errors.tooLong' });
    expect(outcome(`${'W'.repeat(120)}\u200B\u200B`, NAME)).toEqual({ stored: 'W'.repeat(120) });
    expect(outcome('x'.repeat(100_000), NAME)).toEqual({ refused: 'errors.tooLong' });
  });

  it('tells visible from invisible and balanced from unbalanced', () => {
    expect(isVisuallyEmpty('\u200B\u0301\u2800 \u3164\uFE0F')).toBe(true);
    expect(isVisuallyEmpty('\u200B.')).toBe(false);
    expect(isVisuallyEmpty('e\u0301')).toBe(false);
    expect(hasBalancedBidi('\u202Aa\u2066b\u2069\u202C')).toBe(true);
    expect(hasBalancedBidi('\u2069')).toBe(false);
    expect(isolate('Ana')).toBe('\u2068Ana\u2069');
  });
});

describe('the schemas use the policy for every user-written field', () => {
  const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
    Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]));

  it('registration: names and organisations', () => {
    const schema = registerSchema({ stakeholderGroups: ['civil-society'], isCountry: () => true });
    const base = { email: 'a@example.org', password: 'a long enough password', stakeholderGroup: 'civil-society', country: 'SN' };
    expect(issues(schema.safeParse({ ...base, name: '\u200B\u200C\u2060', organisation: 'Org\u0000' }))).toEqual({ name: 'errors.required', organisation: 'errors.controlCharacters' });
    expect(issues(schema.safeParse({ ...base, name: 'Mallory\u202E', organisation: '\u3164' }))).toEqual({ name: 'errors.bidiOverride', organisation: 'errors.required' });
    expect(schema.parse({ ...base, name: ' Jose\u0301\tReyes ', organisation: 'ENDA' })).toMatchObject({ name: 'José Reyes' });
  });

  it('posts, case studies, flags, moderation, notes', () => {
    expect(createPostSchema.parse({ threadId: 1, clientId: 'abcdefgh12', text: 'a\u0000b\r\nc' }).text).toBe('ab\nc');
    const vocabulary = { themes: [], sdgTargets: [], stakeholderGroups: ['business'], subQuestionIds: [] };
    const cs = caseStudySchema(vocabulary).safeParse({
      title: 'T\u0000',
      summary: '\u2800',
      partners: [{ name: 'P\u202E', group: 'business' }],
      funding: [{ source: '\u200B', amount: '100' }], // invisible-only, in a row that is not blank
      contact: '\u00AD',
      attribution: 'named',
      language: 'en',
    });
    expect(issues(cs)).toEqual({ title: 'errors.controlCharacters', 'partners.0.name': 'errors.bidiOverride', 'funding.0.source': 'errors.required' });
    expect(caseStudySchema(vocabulary).parse({ title: 'Title', summary: '\u2800', contact: '\u00AD', results: 'r\u0000', attribution: 'named', language: 'en' })).toMatchObject({ summary: '', contact: '', results: 'r' });
    expect(flagSchema.parse({ subjectType: 'post', subjectId: 1, reason: 'spam', note: '\u200B' }).note).toBe('');
    expect(moderatePostSchema.parse({ postId: 1, hide: 'true', reason: 'Off topic\u0000' }).reason).toBe('Off topic');
    expect(issues(openNoteSchema.safeParse({ questionId: '', stakeholderGroup: '', title: '\u3164' }))).toEqual({ title: 'errors.required' });
    expect(issues(noteVersionSchema.safeParse({ name: 'v1\u202E' }))).toEqual({ name: 'errors.bidiUnbalanced' });
    expect(noteVersionSchema.parse({ name: ' Draft\n2 ' }).name).toBe('Draft 2');
  });
});

describe('the look-alike key of names', () => {
  it.each([
    ['Lucía Fernández', 'Lucía Fer\u200Dnández', 'a zero-width joiner'],
    ['Lucía Fernández', 'LUCÍA  FERNÁNDEZ', 'case and spacing'],
    ['Lucía Fernández', 'Luci\u0301a Ferna\u0301ndez', 'decomposed accents'],
    ['Ana Reyes', '\u0410na R\u0435yes', 'Cyrillic А and е'],
    ['Jonas Okafor', 'Jonas 0kafor', 'a zero for an O'],
    ['Jonas Okafor', 'Jonas \u039Fkafor', 'a Greek Omicron'],
    ['Ivan Petrov', 'lvan Petrov', 'a small l for a capital I'],
    ['Priya Raman', 'Priya Rarnan', 'rn for m'],
    ['Ana Reyes', 'Ａｎａ Ｒｅｙｅｓ', 'full-width letters'],
    ['Mariama Sow', 'Mariama Sow\u2800', 'a braille blank'],
    ['Mariama Sow', 'Mariama\u3164Sow', 'a Hangul filler'],
    ['Jonas Okafor', 'Jonas Okafor.', 'punctuation'],
    // Capitals whose small forms are confusable with small capitals, not with Latin letters:
    ['Mariama Sow', '\u041Cariama Sow', 'a Cyrillic capital М'],
    ['Tom Ba', '\u0422om \u0412a', 'Cyrillic capitals Т and В'],
    ['Hana Kim', '\u041Dana \u041Aim', 'Cyrillic capitals Н and К'],
    ['Mia Nina', '\u039Cia \u039Dina', 'Greek capitals Μ and Ν'],
    ['Eve Zoe', '\u0395ve \u0396oe', 'Greek capitals Ε and Ζ'],
  ])('%s and %s look alike (%s)', (a, b) => {
    expect(nameKey(a)).toBe(nameKey(b));
  });

  it.each([
    ['Lucía Fernández', 'Lucia Fernandez'],
    ['Ana Reyes', 'Ana Reye'],
    ['Person 1', 'Person 11'],
    ['Julien Tremblay', 'Julian Tremblay'],
  ])('%s and %s do not', (a, b) => {
    expect(nameKey(a)).not.toBe(nameKey(b));
  });
});

describe('the policy on any string (property)', () => {
  // Strings of any code units (lone surrogates included), weighted towards the awkward ones.
  const awkward = fc.constantFrom(
    '\u0000', '\u0007', '\t', '\n', '\r', '\u000B', '\u000C', '\u007F', '\u0085', '\u009B', '\u00A0', '\u00AD', '\u0301', '\u034F', '\u115F',
    '\u1160', '\u180E', '\u200B', '\u200C', '\u200D', '\u200E', '\u2028', '\u2029', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2060',
    '\u2066', '\u2067', '\u2068', '\u2069', '\u2800', '\u3000', '\u3164', '\uFE0F', '\uFEFF', '\uFFA0', '\uFFFE', '\uD800', '\uDC00', 'e', 'A', ' ',
    'é', 'ﬁ', '\u1100', '\u1161', '\u11A8', 'ا', '👩‍💻',
  );
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.array(awkward, { maxLength: 40 }).map((parts) => parts.join('')),
    fc.array(fc.oneof(awkward, fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 30 }).map((parts) => parts.join('')),
  );
  const kinds: [string, TextRules][] = [
    ['name', NAME],
    ['title', { ...TITLE, max: 40 }],
    ['optional title', { ...TITLE, optional: true }],
    ['multi-line', LONG],
    ['optional multi-line', { ...LONG, optional: true, max: 30 }],
  ];
  const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\p{Cs}\p{Noncharacter_Code_Point}]/u;

  it.each(kinds)('%s: never throws; whatever it accepts is NFC, free of control characters, visible, within bounds, and stable', (_kind, rules) => {
    fc.assert(
      fc.property(anyText, (input) => {
        const result = applyTextPolicy(input, rules);
        if (!result.ok) return;
        const value = result.value;
        if (value === '') {
          expect(rules.optional).toBe(true);
          return;
        }
        expect(value).toBe(value.normalize('NFC'));
        expect(value).not.toMatch(CONTROL);
        if (!rules.multiline) expect(value).not.toMatch(/[\t\n\r]/);
        expect(isVisuallyEmpty(value)).toBe(false);
        expect(value.length).toBeLessThanOrEqual(rules.max);
        if (!rules.multiline) expect(hasBalancedBidi(value)).toBe(true);
        if (rules.name) expect(value).not.toMatch(/[\u202D\u202E]/);
        // Cleaning what was cleaned changes nothing.
        expect(applyTextPolicy(value, rules)).toEqual({ ok: true, value });
      }),
      { numRuns: 2_000 },
    );
  });

  it('the zod fields, posts and the name key never throw on any input', () => {
    const fields = [nameText(), shortText(50), shortText(50, { optional: true }), longText(500, { optional: true })];
    fc.assert(
      fc.property(anyText, (input) => {
        for (const field of fields) field.safeParse(input);
        nameKey(input);
        for (const make of [() => documentFromText(input), () => sanitizeDocument({ root: { type: 'root', children: [{ type: 'paragraph', children: [{ type: 'text', text: input }] }] } })]) {
          try {
            const doc = make();
            const text = plainText(doc);
            expect(text).toBe(text.normalize('NFC'));
            expect(text).not.toMatch(CONTROL);
            expect(isVisuallyEmpty(text)).toBe(false);
          } catch (e) {
            expect((e as { name: string }).name).toBe('InvalidDocument');
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
