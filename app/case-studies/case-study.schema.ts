/**
 * What a case study form (or any other caller) may send, checked field by field so that the
 * author sees every problem at once and keeps the rest of what was typed. Themes, SDG targets,
 * stakeholder groups and sub-questions belong to the consultation, so the schema is built for
 * one (`caseStudySchema(vocabulary)`). Messages are i18n keys; paths name the form fields.
 * Free text goes through the text policy (app/text/policy.ts).
 */
import { z } from 'zod';
import { ATTRIBUTIONS, LEVELS, STAGES, VISIBILITIES } from '../../db/schema';
import { isCountry } from '../accounts/countries.server';
import { LANGUAGES } from '../consultations/content.schema';
import { documentText, longText, nameText, shortText } from '../text/fields';
import { formRows, isBlankRow } from './form-rows';
import { TRANSITION_ACTIONS } from './lifecycle';

/** What the consultation allows a case study to refer to. */
export interface Vocabulary {
  themes: string[];
  sdgTargets: string[];
  stakeholderGroups: string[];
  subQuestionIds: number[];
}

export const LIMITS = { title: 200, summary: 1_000, text: 5_000, name: 200, partners: 30, funding: 20, countries: 60 } as const;

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const oneOf = (values: readonly string[], message: string) =>
  z.string().refine((v) => values.includes(v), { error: message });
/** Forms send '' for "none". */
const blankAsUndefined = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional());
const list = <T extends z.ZodType>(item: T, max: number) =>
  z.array(item).max(max, { error: 'errors.tooMany' }).default([]);
const countries = list(z.string().refine(isCountry, { error: 'errors.country' }), LIMITS.countries);

export function caseStudySchema(vocabulary: Vocabulary) {
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
  return z.object({
    title: shortText(LIMITS.title),
    summary: longText(LIMITS.summary, { optional: true }).default(''),
    /** Lexical JSON (the rich editor) or plain text (the form without JavaScript). */
    body: blankAsUndefined(z.union([z.string().max(200_000, { error: 'errors.postTooLong' }), z.record(z.string(), z.unknown())])),
    text: blankAsUndefined(documentText(40_000, 'errors.postTooLong')),
    partners: list(partner, LIMITS.partners),
    origin: countries,
    destination: countries,
    implementation: countries,
    level: blankAsUndefined(z.enum(LEVELS, { error: 'errors.choice' })),
    themes: list(oneOf(vocabulary.themes, 'errors.unknownTheme'), 20),
    sdgTargets: list(oneOf(vocabulary.sdgTargets, 'errors.unknownSdg'), 50),
    stage: blankAsUndefined(z.enum(STAGES, { error: 'errors.choice' })),
    funding: list(funding, LIMITS.funding),
    results: longText(LIMITS.text, { optional: true }).default(''),
    indicators: longText(LIMITS.text, { optional: true }).default(''),
    worked: longText(LIMITS.text, { optional: true }).default(''),
    didNotWork: longText(LIMITS.text, { optional: true }).default(''),
    subQuestions: list(
      z.coerce.number({ error: 'errors.choice' }).int().refine((id) => vocabulary.subQuestionIds.includes(id), { error: 'errors.choice' }),
      100,
    ),
    contact: shortText(LIMITS.name * 2, { optional: true }).default(''),
    attribution: z.enum(ATTRIBUTIONS, { error: 'errors.choice' }),
    visibility: z.enum(VISIBILITIES, { error: 'errors.choice' }).default('public'),
    language: z.enum(LANGUAGES, { error: 'errors.choice' }),
  });
}

export type CaseStudyInput = z.infer<ReturnType<typeof caseStudySchema>>;

/**
 * What a submission needs beyond a draft (a draft can be saved half-written). Returns
 * field → i18n key; the body is checked by the service, which owns the Lexical document.
 */
export function missingForSubmission(input: CaseStudyInput): Record<string, string> {
  const missing: Record<string, string> = {};
  if (!input.summary) missing.summary = 'errors.required';
  if (input.partners.length === 0) missing.partners = 'errors.partnersRequired';
  if (input.implementation.length === 0) missing.implementation = 'errors.countriesRequired';
  if (!input.level) missing.level = 'errors.required';
  if (input.themes.length === 0) missing.themes = 'errors.themesRequired';
  if (!input.stage) missing.stage = 'errors.required';
  if (!input.results) missing.results = 'errors.required';
  if (!input.worked) missing.worked = 'errors.required';
  if (!input.didNotWork) missing.didNotWork = 'errors.required';
  if (input.subQuestions.length === 0) missing.subQuestions = 'errors.subQuestionsRequired';
  return missing;
}

/** Partner and funding rows come from repeated form fields: `partners.0.name`, `funding.1.amount`… */
export function caseStudyFromForm(form: FormData): Record<string, unknown> {
  const single = (key: string) => {
    const value = form.get(key);
    return typeof value === 'string' ? value : undefined;
  };
  const many = (key: string) => form.getAll(key).filter((v): v is string => typeof v === 'string' && v !== '');
  // Blank rows are the form's spares.
  const rows = (prefix: string, fields: readonly string[]) => formRows(form, prefix, fields).filter((row) => !isBlankRow(row));
  return {
    title: single('title'),
    summary: single('summary'),
    body: single('body'),
    text: single('text'),
    partners: rows('partners', ['name', 'group']),
    origin: many('origin'),
    destination: many('destination'),
    implementation: many('implementation'),
    level: single('level'),
    themes: many('themes'),
    sdgTargets: many('sdgTargets'),
    stage: single('stage'),
    funding: rows('funding', ['source', 'amount', 'currency']),
    results: single('results'),
    indicators: single('indicators'),
    worked: single('worked'),
    didNotWork: single('didNotWork'),
    subQuestions: many('subQuestions'),
    contact: single('contact'),
    attribution: single('attribution'),
    visibility: single('visibility'),
    language: single('language'),
  };
}

export const transitionSchema = z.object({
  action: z.enum(TRANSITION_ACTIONS, { error: 'errors.transitionNotAllowed' }),
  note: blankAsUndefined(longText(2_000, { optional: true })),
});

export const featureSchema = z.object({
  subQuestionId: z.coerce.number({ error: 'errors.choice' }).int().positive({ error: 'errors.choice' }),
  featured: z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: 'errors.choice' })),
});
