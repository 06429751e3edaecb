/**
 * What a case study form (or any other caller) may send, checked field by field so that the
 * author sees every problem at once and keeps the rest of what was typed. Themes, SDG targets,
 * stakeholder groups and sub-questions belong to the consultation, so the schema is built for
 * one (`caseStudySchema(vocabulary)`); `{ submit: true }` adds what a submission needs beyond a
 * draft. The keys come in the form's order (its error summary follows it), and their names are
 * the form's (`partners[1].group`): the page declares its fields from this schema (conform).
 * Messages are i18n keys. Free text goes through the text policy (app/text/policy.ts).
 */
import { z } from 'zod';
import { ATTRIBUTIONS } from '../contributions/attribution';
import { VISIBILITIES } from '../contributions/statuses';
import { LEVELS, STAGES } from './vocabulary';
import { isCountry } from '../accounts/countries.server';
import { LANGUAGES } from '../consultations/content.schema';
import { documentText, longText, nameText, shortText } from '../text/fields';
import { isVisuallyEmpty } from '../text/policy';
import { isBlankRow, LIMITS, NEEDED_TO_SUBMIT, type NeededField } from './case-study-form';
import { TRANSITION_ACTIONS } from './lifecycle';

export { LIMITS } from './case-study-form';

/** What the consultation allows a case study to refer to. */
export interface Vocabulary {
  themes: string[];
  sdgTargets: string[];
  stakeholderGroups: string[];
  subQuestionIds: number[];
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const oneOf = (values: readonly string[], message: string) =>
  z.string({ error: message }).refine((v) => values.includes(v), { error: message });
/** Forms send '' for "none". */
const blankAsUndefined = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional());
const list = <T extends z.ZodType>(item: T, max: number) =>
  z.array(item).max(max, { error: 'errors.tooMany' }).default([]);
/**
 * Partner and funding rows: a blank row (the form's spare) is no row. It is dropped after the
 * check, so that an error's path (`partners[2].group`) is the row the form shows.
 */
const rows = <T extends z.ZodType>(row: T, max: number) =>
  z
    .array(z.preprocess((v) => (isBlankRow(v) ? null : v), row.nullable()))
    .default([])
    .transform((all) => all.filter((r): r is NonNullable<z.output<T>> => r !== null))
    .refine((all) => all.length <= max, { error: 'errors.tooMany' });
const countries = list(z.string({ error: 'errors.country' }).refine(isCountry, { error: 'errors.country' }), LIMITS.countries);

/** Nothing given: '' or no choice, an empty list. */
const isEmpty = (value: unknown) => value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/** What a submission lacks (field → message), from a case study checked or not. */
function missingFields(value: Partial<Record<string, unknown>>): Partial<Record<NeededField, string>> {
  const missing: Partial<Record<NeededField, string>> = {};
  for (const field of Object.keys(NEEDED_TO_SUBMIT) as NeededField[]) {
    // The body is the rich editor's JSON or the plain textarea's text.
    const empty = field === 'body' ? isEmpty(value.body) && (typeof value.text !== 'string' || isVisuallyEmpty(value.text)) : isEmpty(value[field]);
    if (empty) missing[field] = NEEDED_TO_SUBMIT[field];
  }
  return missing;
}

export function caseStudySchema(vocabulary: Vocabulary, options: { submit?: boolean } = {}) {
  const partner = z.object({
    name: nameText(LIMITS.name),
    group: oneOf(vocabulary.stakeholderGroups, 'errors.choice'),
  });
  const funding = z.object({
    source: shortText(LIMITS.name),
    amount: blankAsUndefined(
      z.coerce.number({ error: 'errors.amount' }).finite({ error: 'errors.amount' }).nonnegative({ error: 'errors.amount' }).max(1e13, { error: 'errors.amount' }),
    ),
    currency: blankAsUndefined(z.string().refine((c) => CURRENCIES.has(c), { error: 'errors.currency' })),
  });
  const schema = z.object({
    title: shortText(LIMITS.title),
    summary: longText(LIMITS.summary, { optional: true }).default(''),
    /** Lexical JSON (the rich editor) or plain text (the form without JavaScript). */
    body: blankAsUndefined(z.union([z.string().max(200_000, { error: 'errors.postTooLong' }), z.record(z.string(), z.unknown())])),
    text: blankAsUndefined(documentText(40_000, 'errors.postTooLong')),
    partners: rows(partner, LIMITS.partners),
    implementation: countries,
    origin: countries,
    destination: countries,
    level: blankAsUndefined(z.enum(LEVELS, { error: 'errors.choice' })),
    themes: list(oneOf(vocabulary.themes, 'errors.unknownTheme'), 20),
    sdgTargets: list(oneOf(vocabulary.sdgTargets, 'errors.unknownSdg'), 50),
    stage: blankAsUndefined(z.enum(STAGES, { error: 'errors.choice' })),
    funding: rows(funding, LIMITS.funding),
    results: longText(LIMITS.text, { optional: true }).default(''),
    indicators: longText(LIMITS.text, { optional: true }).default(''),
    worked: longText(LIMITS.text, { optional: true }).default(''),
    didNotWork: longText(LIMITS.text, { optional: true }).default(''),
    subQuestions: list(
      z.coerce.number({ error: 'errors.choice' }).int().refine((id) => vocabulary.subQuestionIds.includes(id), { error: 'errors.choice' }),
      100,
    ),
    contact: shortText(LIMITS.contact, { optional: true }).default(''),
    attribution: z.enum(ATTRIBUTIONS, { error: 'errors.choice' }),
    visibility: z.enum(VISIBILITIES, { error: 'errors.choice' }).default('public'),
    language: z.enum(LANGUAGES, { error: 'errors.choice' }),
  });
  if (!options.submit) return schema;
  // Checked even when other fields are wrong (absent ones too): every problem at once.
  return schema.superRefine(
    (value, ctx) => {
      for (const [field, message] of Object.entries(missingFields(value))) ctx.addIssue({ code: 'custom', message, path: [field] });
    },
    { when: () => true },
  );
}

export type CaseStudyInput = z.infer<ReturnType<typeof caseStudySchema>>;

/**
 * What a checked case study lacks for a submission, field → i18n key (the same rules as the
 * schema's submit mode). The service judges the body itself: it owns the Lexical document.
 */
export function missingForSubmission(input: CaseStudyInput): Record<string, string> {
  const { body: _body, ...missing } = missingFields({ ...input, body: 'judged by the service' });
  return missing;
}

export const transitionSchema = z.object({
  action: z.enum(TRANSITION_ACTIONS, { error: 'errors.transitionNotAllowed' }),
  note: blankAsUndefined(longText(2_000, { optional: true })),
});

export const featureSchema = z.object({
  subQuestionId: z.coerce.number({ error: 'errors.choice' }).int().positive({ error: 'errors.choice' }),
  featured: z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: 'errors.choice' })),
});
