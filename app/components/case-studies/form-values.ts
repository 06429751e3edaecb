/**
 * Where a new case study form starts from, and the currencies it offers. The fields themselves
 * are the schema's (app/case-studies/case-study.schema.ts), declared once with conform: what was
 * typed comes back through the action's reply; a saved one's values come from the server
 * (case-study-pages.server.ts `defaultsFromView`).
 */
import type { DefaultValue } from '@conform-to/react';
import type { CaseStudyInput } from '../../case-studies/case-study.schema';

export type CaseStudyDefaults = DefaultValue<CaseStudyInput>;

/** Currencies offered first in the funding rows (ISO 4217); any other submitted code is kept. */
export const COMMON_CURRENCIES = [
  'EUR', 'USD', 'GBP', 'CHF', 'CAD', 'JPY', 'CNY', 'SEK', 'NOK', 'DKK', 'AUD',
  'XOF', 'XAF', 'MAD', 'TND', 'DZD', 'EGP', 'NGN', 'GHS', 'KES', 'ETB', 'ZAR',
  'INR', 'BDT', 'PKR', 'PHP', 'IDR', 'TRY', 'JOD', 'LBP', 'BRL', 'MXN', 'COP', 'ARS',
] as const;

export function newCaseStudyDefaults(defaults: { attribution: string; language: string }): CaseStudyDefaults {
  return { attribution: defaults.attribution, language: defaults.language, visibility: 'public' } as CaseStudyDefaults;
}
