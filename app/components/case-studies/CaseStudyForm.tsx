/**
 * The guided case study form, shared by the "new" and "edit" pages: its fields are the schema's
 * (app/case-studies/case-study.schema.ts), declared with conform, and the action answers with
 * conform's result (app/utils/forms.server.ts), so that what was typed, the errors (listed in the
 * form's order) and their ids come from that one declaration. A plain form that works without
 * JavaScript: partner and funding rows grow with "add another" (conform's insert intent, answered
 * by the server with every value kept); the body is the rich-text composer (a textarea without JS).
 */
import { useForm, type SubmissionResult } from '@conform-to/react';
import { Form, useNavigation } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { LEVELS, STAGES } from '../../case-studies/vocabulary';
import { ATTRIBUTIONS } from '../../contributions/attribution';
import { VISIBILITIES } from '../../contributions/statuses';
import { isBlankRow, isNeededToSubmit, LIMITS } from '../../case-studies/case-study-form';
import type { CaseStudyInput } from '../../case-studies/case-study.schema';
import { PostComposer } from '../../editor/PostComposer';
import { LANGUAGE_NAMES, SUPPORTED_LANGUAGES } from '../../i18n/config';
import { ErrorSummary, Field, FormKeyInput, SelectField, type AnyField } from '../Field';
import type { CaseStudyFormOptions, Option } from './case-study-pages.server';
import { ChoiceGroup, TextAreaField } from './fields';
import type { CaseStudyDefaults } from './form-values';

export interface CaseStudyFormProps {
  options: CaseStudyFormOptions;
  /** Where the form starts: a new one's defaults or the saved case study. */
  defaultValue: CaseStudyDefaults;
  /** The action's answer (what was typed, the errors, an added row). */
  lastResult?: SubmissionResult<string[]> | null;
  /** Where "cancel" goes. */
  cancelHref: string;
  /** A new case study: sent with a key, so that sending it twice creates it once. */
  creates?: boolean;
}

/** A row's field name and its label key: `partners[1].group` → ['partners', 1, 'group']. */
const ROW = /^(partners|funding)\[(\d+)\]\.(\w+)$/;

/**
 * A new number for each answer of the action, to give the form as a key: it starts afresh from
 * the answer (what was typed, the rows, the errors), as it does without JavaScript.
 */
export function useReplyKey(reply: unknown): number {
  const last = useRef({ reply, key: 0 });
  if (last.current.reply !== reply) last.current = { reply, key: last.current.key + 1 };
  return last.current.key;
}

/** A list of rows of the form (partners, funding), as conform gives it. */
type Row = { initialValue: unknown; getFieldset: () => Record<string, AnyField> };

/** Rows as shown: the field's rows, and a blank one to fill in unless they already end with one. */
function rowsOf(list: { getFieldList: () => Row[] }) {
  const rows = list.getFieldList();
  const last = rows[rows.length - 1];
  const spare = !last || !isBlankRow(last.initialValue) ? rows.length : null;
  return { rows, spare };
}

export function CaseStudyForm({ options, defaultValue, lastResult, cancelHref, creates }: CaseStudyFormProps) {
  const { t, i18n } = useTranslation();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const summaryRef = useRef<HTMLDivElement>(null);
  // No `onValidate`: the server checks (zod stays out of the browser); conform carries the result.
  const [form, fields] = useForm<CaseStudyInput>({ id: 'case-study', lastResult, defaultValue, shouldValidate: 'onSubmit' });
  const errors = lastResult?.error ?? {};
  const hasErrors = Object.values(errors).some((e) => e?.length);
  const partners = rowsOf(fields.partners);
  const funding = rowsOf(fields.funding);
  // After "add another", the new row's first field.
  const added = lastResult?.intent?.type === 'insert' ? (lastResult.intent.payload as { name?: string }).name : undefined;
  const focus =
    added === 'partners' ? `partners[${partners.rows.length - 1}].name` : added === 'funding' ? `funding[${funding.rows.length - 1}].source` : undefined;

  // After a refused save, the summary; after "add another", the new row.
  useEffect(() => {
    if (hasErrors) summaryRef.current?.querySelector<HTMLElement>('.error-summary')?.focus();
    else if (focus) document.getElementById(focus)?.focus();
  }, [hasErrors, focus]);

  const label = (field: string) => t(`caseStudies.fields.${field}`);
  const hint = (field: string) => t(`caseStudies.hints.${field}`);
  /** A field's label, saying when a submission needs it (the schema's table). */
  const labelOf = (field: string) => (isNeededToSubmit(field) ? `${label(field)} ${t('caseStudies.form.neededToSubmit')}` : label(field));
  /** The error summary's label of any field the schema names (rows included). */
  const summaryLabel = (name: string) => {
    const row = ROW.exec(name);
    if (row) {
      const [, list, index, part] = row;
      const key = `${list === 'partners' ? 'partner' : 'funding'}${part![0]!.toUpperCase()}${part!.slice(1)}`;
      return t(list === 'partners' ? 'caseStudies.form.partnerField' : 'caseStudies.form.fundingField', { number: Number(index) + 1, field: label(key) });
    }
    return i18n.exists(`caseStudies.fields.${name}`) ? label(name) : undefined;
  };
  // A list's items are reported once, as the list (`themes[1]` → `themes`); the plain textarea is the body.
  const summaryErrors: typeof errors = {};
  for (const [name, messages] of Object.entries(errors)) {
    const field = name === 'text' ? 'body' : ROW.test(name) ? name : name.replace(/\[\d+\]$/, '');
    summaryErrors[field] ??= messages;
  }
  const listError = (field: AnyField) => field.errors?.[0] ?? Object.entries(errors).find(([n]) => n.startsWith(`${field.name}[`) && !ROW.test(n))?.[1]?.[0];

  const currencyOptions: Option[] = [...options.currencies];
  for (const row of funding.rows) {
    const code = row.getFieldset().currency?.defaultValue;
    if (code && !currencyOptions.some((c) => c.value === code)) currencyOptions.push({ value: code, label: code });
  }
  const bodyError = fields.body.errors?.[0] ?? fields.text.errors?.[0];
  const subQuestionsError = listError(fields.subQuestions);

  const bodyHint = 'body-hint';

  return (
    <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate className="form case-study-form">
      {/* Enter in a text field saves the draft rather than adding a row (the first submit button is the default). */}
      <button type="submit" name="intent" value="save" className="visually-hidden" tabIndex={-1} aria-hidden="true">
        {t('caseStudies.form.save')}
      </button>
      {creates ? <FormKeyInput /> : null}
      <div ref={summaryRef}>
        <ErrorSummary errors={summaryErrors} labels={summaryLabel} />
      </div>
      <p className="muted">{t('caseStudies.form.draftHint')}</p>

      <section className="cs-form-section" aria-labelledby="cs-section-about">
        <h2 id="cs-section-about">{t('caseStudies.form.sections.about')}</h2>
        <Field field={fields.title} label={labelOf('title')} hint={hint('title')} required maxLength={LIMITS.title} />
        <TextAreaField field={fields.summary} label={labelOf('summary')} hint={hint('summary')} rows={3} maxLength={LIMITS.summary} />
        <div className={`field${bodyError ? ' field-invalid' : ''}`}>
          <label htmlFor="body" id="body-label">
            {labelOf('body')}
          </label>
          <p className="field-hint" id={bodyHint}>
            {hint('body')}
          </p>
          <PostComposer
            id="body"
            labelledBy="body-label"
            describedBy={[bodyHint, bodyError ? 'body-error' : null].filter(Boolean).join(' ')}
            initialJson={fields.body.defaultValue || null}
            initialText={fields.body.defaultValue ? undefined : fields.text.defaultValue}
            invalid={!!bodyError}
            placeholder={t('caseStudies.form.bodyPlaceholder')}
          />
          {bodyError ? (
            <p className="field-error" id="body-error">
              {t(bodyError)}
            </p>
          ) : null}
        </div>
      </section>

      <section className="cs-form-section" aria-labelledby="cs-section-partners">
        <h2 id="cs-section-partners">{t('caseStudies.form.sections.partners')}</h2>
        <RowsFieldset id="partners" legend={labelOf('partners')} hint={hint('partners')} error={listError(fields.partners)}>
          {[...partners.rows.map((row) => row.getFieldset()), ...(partners.spare === null ? [] : [null])].map((row, i) => (
            <fieldset key={row?.name?.key ?? `spare-${i}`} className="cs-row">
              <legend>{t('caseStudies.form.partnerRow', { number: i + 1 })}</legend>
              <Field
                field={row?.name}
                name={`partners[${i}].name`}
                label={label('partnerName')}
                maxLength={LIMITS.name}
                autoFocus={focus === `partners[${i}].name` ? true : undefined}
              />
              <SelectField field={row?.group} name={`partners[${i}].group`} label={label('partnerGroup')} placeholder={t('form.choose')} options={options.groups} />
            </fieldset>
          ))}
          <p>
            <button {...form.insert.getButtonProps({ name: fields.partners.name })} className="button button-secondary button-small">
              {t('caseStudies.form.addPartner')}
            </button>
          </p>
        </RowsFieldset>
      </section>

      <section className="cs-form-section" aria-labelledby="cs-section-where">
        <h2 id="cs-section-where">{t('caseStudies.form.sections.where')}</h2>
        <div className="cs-countries">
          {(['implementation', 'origin', 'destination'] as const).map((field) => (
            <SelectField
              key={field}
              field={fields[field]}
              error={listError(fields[field])}
              label={labelOf(field)}
              hint={`${hint(field)} ${t('caseStudies.form.multiSelectHint')}`}
              multiple
              size={8}
              options={options.countries}
            />
          ))}
        </div>
        <ChoiceGroup
          type="radio"
          field={fields.level}
          legend={labelOf('level')}
          hint={hint('level')}
          options={LEVELS.map((v) => ({ value: v, label: t(`caseStudies.levels.${v}`) }))}
          className="choice-inline"
        />
      </section>

      <section className="cs-form-section" aria-labelledby="cs-section-focus">
        <h2 id="cs-section-focus">{t('caseStudies.form.sections.focus')}</h2>
        <ChoiceGroup type="checkbox" field={fields.themes} legend={labelOf('themes')} hint={hint('themes')} options={options.themes} />
        <ChoiceGroup
          type="checkbox"
          field={fields.sdgTargets}
          legend={labelOf('sdgTargets')}
          hint={hint('sdgTargets')}
          options={options.sdgTargets.map((s) => ({ value: s.value, label: t('caseStudies.sdgLabel', { id: s.value, label: s.label }) }))}
          className="choice-scroll"
        />
        <ChoiceGroup
          type="radio"
          field={fields.stage}
          legend={labelOf('stage')}
          hint={hint('stage')}
          options={STAGES.map((v) => ({ value: v, label: t(`caseStudies.stages.${v}`), hint: t(`caseStudies.stageHints.${v}`) }))}
        />
      </section>

      <section className="cs-form-section" aria-labelledby="cs-section-funding">
        <h2 id="cs-section-funding">{t('caseStudies.form.sections.funding')}</h2>
        <RowsFieldset id="funding" legend={labelOf('funding')} hint={hint('funding')} error={listError(fields.funding)}>
          {[...funding.rows.map((row) => row.getFieldset()), ...(funding.spare === null ? [] : [null])].map((row, i) => (
            <fieldset key={row?.source?.key ?? `spare-${i}`} className="cs-row cs-row-funding">
              <legend>{t('caseStudies.form.fundingRow', { number: i + 1 })}</legend>
              <Field
                field={row?.source}
                name={`funding[${i}].source`}
                label={label('fundingSource')}
                maxLength={LIMITS.name}
                autoFocus={focus === `funding[${i}].source` ? true : undefined}
              />
              <Field field={row?.amount} name={`funding[${i}].amount`} label={label('fundingAmount')} inputMode="decimal" />
              <SelectField
                field={row?.currency}
                name={`funding[${i}].currency`}
                label={label('fundingCurrency')}
                placeholder={t('caseStudies.form.noCurrency')}
                options={currencyOptions}
              />
            </fieldset>
          ))}
          <p>
            <button {...form.insert.getButtonProps({ name: fields.funding.name })} className="button button-secondary button-small">
              {t('caseStudies.form.addFunding')}
            </button>
          </p>
        </RowsFieldset>
      </section>

      <section className="cs-form-section" aria-labelledby="cs-section-learning">
        <h2 id="cs-section-learning">{t('caseStudies.form.sections.learning')}</h2>
        {(['results', 'indicators', 'worked', 'didNotWork'] as const).map((field) => (
          <TextAreaField key={field} field={fields[field]} label={labelOf(field)} hint={hint(field)} maxLength={LIMITS.text} />
        ))}
      </section>

      <section className="cs-form-section" aria-labelledby="cs-section-questions">
        <h2 id="cs-section-questions">{t('caseStudies.form.sections.questions')}</h2>
        <fieldset
          className={`field${subQuestionsError ? ' field-invalid' : ''}`}
          aria-describedby={['subQuestions-hint', subQuestionsError ? 'subQuestions-error' : null].filter(Boolean).join(' ')}
        >
          <legend>{labelOf('subQuestions')}</legend>
          <p className="field-hint" id="subQuestions-hint">
            {hint('subQuestions')}
          </p>
          {subQuestionsError ? (
            <p className="field-error" id="subQuestions-error">
              {t(subQuestionsError)}
            </p>
          ) : null}
          {options.questions.map((q, qi) => (
            <ChoiceGroup
              key={q.number}
              type="checkbox"
              field={fields.subQuestions}
              showError={false}
              idPrefix={qi === 0 ? 'subQuestions' : `subQuestions-q${q.number}`}
              legend={
                <>
                  {t('caseStudies.questionLabel', { number: q.number })} <span className="muted" lang={q.lang}>{q.text}</span>
                </>
              }
              options={q.subQuestions.map((s) => ({
                value: String(s.id),
                label: t('caseStudies.subQuestionLabel', { number: s.number, text: s.text }),
                lang: s.lang,
              }))}
              className="cs-question-group"
            />
          ))}
        </fieldset>
      </section>

      <section className="cs-form-section" aria-labelledby="cs-section-publication">
        <h2 id="cs-section-publication">{t('caseStudies.form.sections.publication')}</h2>
        <Field field={fields.contact} label={labelOf('contact')} hint={hint('contact')} maxLength={LIMITS.contact} />
        <ChoiceGroup
          type="radio"
          field={fields.attribution}
          legend={labelOf('attribution')}
          hint={hint('attribution')}
          options={ATTRIBUTIONS.map((v) => ({
            value: v,
            label: t(`caseStudies.attributions.${v}`),
            hint: t(`caseStudies.attributionHints.${v}`),
          }))}
        />
        <ChoiceGroup
          type="radio"
          field={fields.visibility}
          legend={labelOf('visibility')}
          hint={hint('visibility')}
          options={VISIBILITIES.map((v) => ({
            value: v,
            label: t(`caseStudies.visibilities.${v}`),
            hint: t(`caseStudies.visibilityHints.${v}`),
          }))}
        />
        <SelectField
          field={fields.language}
          label={labelOf('language')}
          hint={hint('language')}
          options={SUPPORTED_LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))}
        />
      </section>

      <div className="cs-form-actions">
        <p className="field-hint" id="cs-submit-hint">
          {t('caseStudies.form.submitHint')}
        </p>
        <p className="actions">
          <button type="submit" name="intent" value="save" className="button button-secondary" disabled={busy}>
            {t('caseStudies.form.save')}
          </button>
          <button type="submit" name="intent" value="submit" className="button" disabled={busy} aria-describedby="cs-submit-hint">
            {t('caseStudies.form.submit')}
          </button>
          <a href={cancelHref} className="link-cancel">
            {t('caseStudies.form.cancel')}
          </a>
        </p>
        {busy ? (
          <p role="status" className="muted">
            {t('caseStudies.form.saving')}
          </p>
        ) : (
          <p role="status" className="visually-hidden" />
        )}
      </div>
    </Form>
  );
}

/** A list of rows (partners, funding) in a fieldset with its legend, hint and error. */
function RowsFieldset({ id, legend, hint, error, children }: { id: string; legend: string; hint: string; error?: string; children: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <fieldset
      id={id}
      tabIndex={-1}
      className={`field cs-rows${error ? ' field-invalid' : ''}`}
      aria-describedby={[`${id}-hint`, error ? `${id}-error` : null].filter(Boolean).join(' ')}
    >
      <legend>{legend}</legend>
      <p className="field-hint" id={`${id}-hint`}>
        {hint}
      </p>
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {t(error)}
        </p>
      ) : null}
      {children}
    </fieldset>
  );
}
