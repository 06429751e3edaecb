/**
 * What the case study pages share on the server: the consultation's vocabularies in the
 * reader's language, the form's options, and the form's action (save, submit, add a row).
 * Rules stay in the service (app/case-studies); this only translates between it and the pages.
 */
import { data, redirect, type AppLoadContext } from '@remix-run/node';
import { countryName, countryOptions } from '../../accounts/countries.server';
import type { Consultation } from '../../consultations/consultations.server';
import type { Language } from '../../consultations/content.schema';
import { localize } from '../../consultations/localize';
import { isDomainError } from '../../utils/errors';
import { statusOf } from '../../utils/http.server';
import { caseStudyFromForm } from '../../validation.server';
import { COMMON_CURRENCIES, formErrors, valuesFromForm, type CaseStudyFormValues } from './form-values';

export interface Option {
  value: string;
  label: string;
}

export interface SubQuestionOption {
  id: number;
  number: string;
  text: string;
  lang: string;
}

export interface QuestionOptions {
  number: string;
  text: string;
  lang: string;
  subQuestions: SubQuestionOption[];
}

/** The consultation's labelled lists, in the reader's language. */
export function vocabularyLabels(consultation: Consultation, language: Language) {
  const source = consultation.sourceLanguage;
  const label = (l: Consultation['themes'][number]) => localize(l, language, source)?.text ?? l.id;
  return {
    groups: consultation.stakeholderGroups.map((g) => ({ value: g.id, label: label(g) })),
    themes: consultation.themes.map((g) => ({ value: g.id, label: label(g) })),
    sdgTargets: consultation.sdgTargets.map((g) => ({ value: g.id, label: label(g) })),
  };
}

export async function questionOptions(context: AppLoadContext, consultation: Consultation): Promise<QuestionOptions[]> {
  const { language } = context;
  const source = consultation.sourceLanguage;
  const questions = await context.services.consultations.listQuestions(consultation.id);
  return questions.map((q) => {
    const text = localize(q.text, language, source)!;
    return {
      number: q.number,
      text: text.text,
      lang: text.lang,
      subQuestions: q.subQuestions.map((s) => {
        const sub = localize(s.text, language, source)!;
        return { id: s.id, number: s.number, text: sub.text, lang: sub.lang };
      }),
    };
  });
}

/** Localized names of the given country codes. */
export function countryNames(codes: Iterable<string>, language: Language): Record<string, string> {
  return Object.fromEntries([...new Set(codes)].map((code) => [code, countryName(code, language)]));
}

const currencyNames = new Map<Language, Intl.DisplayNames>();
export function currencyLabel(code: string, language: Language): string {
  let names = currencyNames.get(language);
  if (!names) {
    names = new Intl.DisplayNames([language], { type: 'currency', fallback: 'code' });
    currencyNames.set(language, names);
  }
  try {
    const name = names.of(code);
    return name && name !== code ? `${code} – ${name}` : code;
  } catch {
    return code;
  }
}

/** Everything the case study form needs to offer. */
export async function caseStudyFormOptions(context: AppLoadContext, consultation: Consultation) {
  const { language } = context;
  const vocabulary = vocabularyLabels(consultation, language);
  return {
    ...vocabulary,
    countries: countryOptions(language),
    currencies: COMMON_CURRENCIES.map((code) => ({ value: code, label: currencyLabel(code, language) })),
    questions: await questionOptions(context, consultation),
  };
}

export type CaseStudyFormOptions = Awaited<ReturnType<typeof caseStudyFormOptions>>;

export interface CaseStudyFormActionData {
  values: CaseStudyFormValues;
  /** field id → i18n key; `_form` for what belongs to no field. */
  errors?: Record<string, string>;
  /** The id of the field to focus (the new row after "add another"). */
  focus?: string;
  /** Changes on every answer, so that the form remounts with the values it carries. */
  nonce: string;
  /** Labels of currencies submitted that are not in the common list. */
  extraCurrencies?: Option[];
}

/**
 * The form's action, for a new case study (`id` undefined) or the author's draft: adds a row,
 * or saves (and submits), redirecting to the case study; refusals come back with what was typed.
 */
export async function caseStudyFormAction(
  context: AppLoadContext,
  userId: string,
  consultation: Consultation,
  form: FormData,
  id?: number,
) {
  const { language } = context;
  const intent = form.get('intent');
  const nonce = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const extras = (values: CaseStudyFormValues) =>
    values.funding
      .map((f) => f.currency)
      .filter((c) => c && !(COMMON_CURRENCIES as readonly string[]).includes(c))
      .map((c) => ({ value: c, label: currencyLabel(c, language) }));

  if (intent === 'add-partner' || intent === 'add-funding') {
    const values = valuesFromForm(form, { keepBlankRows: true });
    let focus: string;
    if (intent === 'add-partner') {
      values.partners.push({ name: '', group: '' });
      focus = `partners.${values.partners.length - 1}.name`;
    } else {
      values.funding.push({ source: '', amount: '', currency: '' });
      focus = `funding.${values.funding.length - 1}.source`;
    }
    return data<CaseStudyFormActionData>({ values, focus, nonce, extraCurrencies: extras(values) });
  }

  const submit = intent === 'submit';
  const values = valuesFromForm(form, { keepBlankRows: false });
  try {
    const savedId = await context.services.caseStudies.save(userId, consultation.id, caseStudyFromForm(form), { id, submit });
    throw redirect(`/c/${consultation.slug}/case-studies/${savedId}?${submit ? 'submitted' : 'saved'}=1`);
  } catch (error) {
    if (error instanceof Response) throw error;
    const status = statusOf(error);
    const errors = isDomainError(error)
      ? error.fields && Object.keys(error.fields).length > 0
        ? formErrors(error.fields)
        : { _form: error.messageKey }
      : { _form: 'errors.caseStudyInvalid' };
    return data<CaseStudyFormActionData>({ values, errors, nonce, extraCurrencies: extras(values) }, { status });
  }
}
