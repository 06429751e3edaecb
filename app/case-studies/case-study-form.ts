/**
 * What the case study form and its schema (case-study.schema.ts) share, without zod so that the
 * page can import it: the lengths, what a submission needs beyond a draft, and what counts as a
 * blank row (the form's spare partner or funding row).
 */
import { isVisuallyEmpty } from '../text/policy';

export const LIMITS = { title: 200, summary: 1_000, text: 5_000, name: 200, contact: 400, partners: 30, funding: 20, countries: 60 } as const;

/** Fields a submission needs (a draft needs only a title), with the message when one is missing. */
export const NEEDED_TO_SUBMIT = {
  summary: 'errors.required',
  body: 'errors.required',
  partners: 'errors.partnersRequired',
  implementation: 'errors.countriesRequired',
  level: 'errors.required',
  themes: 'errors.themesRequired',
  stage: 'errors.required',
  results: 'errors.required',
  worked: 'errors.required',
  didNotWork: 'errors.required',
  subQuestions: 'errors.subQuestionsRequired',
} as const;
export type NeededField = keyof typeof NEEDED_TO_SUBMIT;

export const isNeededToSubmit = (field: string): field is NeededField => Object.hasOwn(NEEDED_TO_SUBMIT, field);

/** A row left blank (every value empty or invisible), or no row at all. */
export function isBlankRow(row: unknown): boolean {
  if (row === undefined || row === null) return true;
  if (typeof row !== 'object') return false;
  return Object.values(row).every((v) => v === undefined || v === null || (typeof v === 'string' && isVisuallyEmpty(v)));
}
