/**
 * What the case study pages share on the server: the consultation's vocabularies in the
 * reader's language, the form's options, and the form's action (save, submit, add a row).
 * Rules stay in the service (app/case-studies); this only translates between it and the pages.
 */
import { redirect, type AppLoadContext } from '@remix-run/node';
import { countryName, countryOptions } from '../../accounts/countries.server';
import type { CaseStudyView } from '../../case-studies/case-study-view';
import type { Consultation } from '../../consultations/consultations.server';
import type { Language } from '../../consultations/content.schema';
import { localize } from '../../consultations/localize';
import { handleForm } from '../../utils/forms.server';
import { caseStudySchema } from '../../validation.server';
import { COMMON_CURRENCIES, type CaseStudyDefaults } from './form-values';

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

/** Everything the case study form needs to offer; `saved`: a saved case study's currencies too. */
export async function caseStudyFormOptions(context: AppLoadContext, consultation: Consultation, saved?: CaseStudyView) {
  const { language } = context;
  const vocabulary = vocabularyLabels(consultation, language);
  const codes = new Set<string>(COMMON_CURRENCIES);
  for (const f of saved?.funding ?? []) if (f.currency) codes.add(f.currency);
  return {
    ...vocabulary,
    countries: countryOptions(language),
    currencies: [...codes].map((code) => ({ value: code, label: currencyLabel(code, language) })),
    questions: await questionOptions(context, consultation),
  };
}

export type CaseStudyFormOptions = Awaited<ReturnType<typeof caseStudyFormOptions>>;

/** The author's saved case study as the edit form starts from it: the schema's fields, as the form sends them. */
export async function defaultsFromView(context: AppLoadContext, view: CaseStudyView): Promise<CaseStudyDefaults> {
  const fields = Object.keys(caseStudySchema(await context.services.caseStudies.vocabulary(view.consultationId)).shape);
  const saved: Record<string, unknown> = {
    ...view,
    body: view.body || undefined,
    funding: view.funding.map((f) => ({ source: f.source, amount: f.amount === undefined ? '' : String(f.amount), currency: f.currency ?? '' })),
    subQuestions: view.subQuestions.map(String),
    attribution: view.attribution ?? view.author.attribution,
  };
  return Object.fromEntries(fields.filter((f) => saved[f] !== null && saved[f] !== undefined).map((f) => [f, saved[f]])) as CaseStudyDefaults;
}

/**
 * The form's action, for a new case study (`id` undefined) or the author's draft: saves it
 * ("save") or saves and submits it ("submit"), then goes to the case study; a refusal comes back
 * with what was typed and every error, an "add another" row with the form as it now is. A new
 * case study is created once per form shown (its key), however often it is sent.
 */
export async function caseStudyFormAction(context: AppLoadContext, userId: string, consultation: Consultation, form: FormData, id?: number) {
  const submit = form.get('intent') === 'submit';
  const vocabulary = await context.services.caseStudies.vocabulary(consultation.id);
  return handleForm(form, {
    schema: caseStudySchema(vocabulary, { submit }),
    once: id === undefined ? { context, userId } : undefined,
    run: async (value) => {
      const savedId = await context.services.caseStudies.save(userId, consultation.id, value, { id, submit });
      return redirect(`/c/${consultation.slug}/case-studies/${savedId}?${submit ? 'submitted' : 'saved'}=1`);
    },
  });
}
