/**
 * What the case study form shows: every value as the author typed it (strings), so that a
 * refused or re-rendered form ("add another partner") gives everything back. Isomorphic, no zod:
 * the service checks the values (case-study.schema.ts); this only carries them.
 */
import type { CaseStudyView } from '../../case-studies/case-study-view';
import { formRows, isBlankRow } from '../../case-studies/form-rows';

export interface PartnerRow {
  name: string;
  group: string;
}

export interface FundingRow {
  source: string;
  amount: string;
  currency: string;
}

export interface CaseStudyFormValues {
  title: string;
  summary: string;
  /** Lexical JSON from the rich editor ('' or null when empty / without JavaScript). */
  body: string | null;
  /** Plain text from the no-JavaScript textarea. */
  text?: string;
  partners: PartnerRow[];
  origin: string[];
  destination: string[];
  implementation: string[];
  level: string;
  themes: string[];
  sdgTargets: string[];
  stage: string;
  funding: FundingRow[];
  results: string;
  indicators: string;
  worked: string;
  didNotWork: string;
  subQuestions: string[];
  contact: string;
  attribution: string;
  visibility: string;
  language: string;
}

/** The form's intents (the `intent` submit buttons). */
export const FORM_INTENTS = ['save', 'submit', 'add-partner', 'add-funding'] as const;
export type FormIntent = (typeof FORM_INTENTS)[number];

/** Currencies offered first in the funding rows (ISO 4217); any other submitted code is kept. */
export const COMMON_CURRENCIES = [
  'EUR', 'USD', 'GBP', 'CHF', 'CAD', 'JPY', 'CNY', 'SEK', 'NOK', 'DKK', 'AUD',
  'XOF', 'XAF', 'MAD', 'TND', 'DZD', 'EGP', 'NGN', 'GHS', 'KES', 'ETB', 'ZAR',
  'INR', 'BDT', 'PKR', 'PHP', 'IDR', 'TRY', 'JOD', 'LBP', 'BRL', 'MXN', 'COP', 'ARS',
] as const;

export function emptyValues(defaults: { attribution: string; language: string }): CaseStudyFormValues {
  return {
    title: '',
    summary: '',
    body: null,
    partners: [],
    origin: [],
    destination: [],
    implementation: [],
    level: '',
    themes: [],
    sdgTargets: [],
    stage: '',
    funding: [],
    results: '',
    indicators: '',
    worked: '',
    didNotWork: '',
    subQuestions: [],
    contact: '',
    attribution: defaults.attribution,
    visibility: 'public',
    language: defaults.language,
  };
}

/** The author's saved case study, as the edit form starts from it. */
export function valuesFromView(view: CaseStudyView): CaseStudyFormValues {
  return {
    title: view.title,
    summary: view.summary,
    body: view.body || null,
    partners: view.partners.map((p) => ({ name: p.name, group: p.group })),
    origin: view.origin,
    destination: view.destination,
    implementation: view.implementation,
    level: view.level ?? '',
    themes: view.themes,
    sdgTargets: view.sdgTargets,
    stage: view.stage ?? '',
    funding: view.funding.map((f) => ({ source: f.source, amount: f.amount === undefined ? '' : String(f.amount), currency: f.currency ?? '' })),
    results: view.results,
    indicators: view.indicators,
    worked: view.worked,
    didNotWork: view.didNotWork,
    subQuestions: view.subQuestions.map(String),
    contact: view.contact ?? '',
    attribution: view.attribution ?? view.author.attribution,
    visibility: view.visibility,
    language: view.language,
  };
}

/**
 * What was posted, as typed. Rows keep their order; with `keepBlankRows` false the blank rows
 * (the form's spares) are dropped, so that row N here is row N of the service's error paths
 * (`partners.1.group`), which are counted the same way (caseStudyFromForm).
 */
export function valuesFromForm(form: FormData, { keepBlankRows }: { keepBlankRows: boolean }): CaseStudyFormValues {
  const single = (key: string) => {
    const value = form.get(key);
    return typeof value === 'string' ? value : '';
  };
  const many = (key: string) => form.getAll(key).filter((v): v is string => typeof v === 'string' && v !== '');
  const rows = <K extends string>(prefix: string, fields: readonly K[]): Record<K, string>[] => {
    const all = formRows(form, prefix, fields);
    return keepBlankRows ? all : all.filter((row) => !isBlankRow(row));
  };
  const text = form.get('text');
  return {
    title: single('title'),
    summary: single('summary'),
    body: single('body') || null,
    ...(typeof text === 'string' ? { text } : {}),
    partners: rows('partners', ['name', 'group'] as const),
    origin: many('origin'),
    destination: many('destination'),
    implementation: many('implementation'),
    level: single('level'),
    themes: many('themes'),
    sdgTargets: many('sdgTargets'),
    stage: single('stage'),
    funding: rows('funding', ['source', 'amount', 'currency'] as const),
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

/** Fields whose error is shown once for the whole group (`origin.3` → `origin`). */
const GROUPED = ['origin', 'destination', 'implementation', 'themes', 'sdgTargets', 'subQuestions'];

/**
 * The service's error paths as the form's field ids: list items fold into their list, and
 * anything unknown goes to the form as a whole (`_form`).
 */
export function formErrors(fields: Record<string, string>): Record<string, string> {
  const known = /^(title|summary|body|partners(\.\d+\.(name|group))?|funding(\.\d+\.(source|amount|currency))?|level|stage|results|indicators|worked|didNotWork|contact|attribution|visibility|language|origin|destination|implementation|themes|sdgTargets|subQuestions)$/;
  const out: Record<string, string> = {};
  for (const [path, key] of Object.entries(fields)) {
    const base = path.split('.')[0] ?? path;
    const field = GROUPED.includes(base) ? base : path === 'text' ? 'body' : path;
    const target = known.test(field) ? field : '_form';
    out[target] ??= key;
  }
  return out;
}
