/**
 * Zod fields for user-written text, each applying the text policy (policy.ts): every schema's
 * free-text field is one of these, so that forms and socket events clean and refuse text the
 * same way. Messages are i18n keys. Kept apart from policy.ts so that zod stays out of the
 * browser's bundles (the post editor loads the policy itself).
 */
import { z } from 'zod';
import { applyTextPolicy, cleanMultiline, trimBlanks, type TextRules } from './policy';

/** Display names of people. */
export const NAME_MAX = 120;
/** Organisations and partners. */
export const ORGANISATION_MAX = 200;

function policyField(rules: TextRules) {
  return z.string({ error: 'errors.required' }).transform((value, ctx) => {
    const result = applyTextPolicy(value, rules);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.error, input: value });
    return z.NEVER;
  });
}

/** One line: a title, a version name, a contact. `optional`: blank is ''. */
export const shortText = (max: number, options: { optional?: boolean } = {}) => policyField({ multiline: false, max, ...options });

/** Several lines: a summary, a reason, a note. `optional`: blank is ''. */
export const longText = (max: number, options: { optional?: boolean } = {}) => policyField({ multiline: true, max, ...options });

/** A person's or an organisation's name: one line, and no direction override. */
export const nameText = (max: number = NAME_MAX) => policyField({ multiline: false, max, name: true });

/**
 * The plain-text form of a document (the form without JavaScript): cleaned here, judged empty
 * or not by the document built from it (lexical.ts), which has its own messages.
 */
export const documentText = (max: number, tooLong: string) => z.string().max(max, { error: tooLong }).transform(cleanMultiline);

/** Words to search for (not stored): control characters removed, NFC, so that they match stored text. */
export const searchText = (max: number) =>
  z
    .string()
    .max(max, { error: 'errors.tooLong' })
    .transform((value) => trimBlanks(cleanMultiline(value)));
