/**
 * The guided case study form, shared by the "new" and "edit" pages. A plain form that works
 * without JavaScript: partner and funding rows grow with "add another" submit buttons that come
 * back with every value kept; the body is the rich-text composer (a textarea without JS).
 * Everything is checked by the service; its errors come back per field (ids = field paths).
 */
import { Form, useNavigation } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { isBlankRow } from '../../case-studies/form-rows';
import { PostComposer } from '../../editor/PostComposer';
import { LANGUAGE_NAMES, SUPPORTED_LANGUAGES } from '../../i18n/config';
import { ErrorSummary, Field, SelectField } from '../Field';
import type { CaseStudyFormOptions, Option } from './case-study-pages.server';
import { ChoiceGroup, TextAreaField } from './fields';
import type { CaseStudyFormValues } from './form-values';

export const LEVEL_VALUES = ['local', 'regional', 'global'] as const;
export const STAGE_VALUES = ['building', 'implementing', 'steering', 'evaluating', 'reporting'] as const;
const ATTRIBUTION_VALUES = ['named', 'organisation', 'chatham'] as const;
const VISIBILITY_VALUES = ['public', 'restricted'] as const;

export interface CaseStudyFormProps {
  options: CaseStudyFormOptions;
  values: CaseStudyFormValues;
  errors?: Record<string, string>;
  /** A field id to focus once shown (the row just added). */
  focus?: string;
  extraCurrencies?: Option[];
  /** Where "cancel" goes. */
  cancelHref: string;
}

/** A trailing blank row to fill in, unless the rows already end with one. */
function withSpare<T extends object>(rows: T[], blank: T): T[] {
  const last = rows[rows.length - 1];
  return last && isBlankRow(last) ? rows : [...rows, blank];
}

export function CaseStudyForm({ options, values, errors, focus, extraCurrencies, cancelHref }: CaseStudyFormProps) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const summaryRef = useRef<HTMLDivElement>(null);
  const e = errors ?? {};
  const hasErrors = Object.keys(e).length > 0;

  // After a refused save, the summary; after "add another", the new row.
  useEffect(() => {
    if (hasErrors) summaryRef.current?.querySelector<HTMLElement>('.error-summary')?.focus();
    else if (focus) document.getElementById(focus)?.focus();
  }, [hasErrors, focus]);

  const label = (field: string) => t(`caseStudies.fields.${field}`);
  const hint = (field: string) => t(`caseStudies.hints.${field}`);
  const needed = (field: string) => `${label(field)} ${t('caseStudies.form.neededToSubmit')}`;

  const partners = withSpare(values.partners, { name: '', group: '' });
  const funding = withSpare(values.funding, { source: '', amount: '', currency: '' });
  const currencyOptions: Option[] = [...options.currencies];
  for (const extra of [...(extraCurrencies ?? []), ...values.funding.map((f) => ({ value: f.currency, label: f.currency }))]) {
    if (extra.value && !currencyOptions.some((c) => c.value === extra.value)) currencyOptions.push(extra);
  }

  // Labels for the error summary, by field id (rows included).
  const labels: Record<string, string> = {};
  for (const field of [
    'title', 'summary', 'body', 'partners', 'origin', 'destination', 'implementation', 'level', 'themes', 'sdgTargets',
    'stage', 'funding', 'results', 'indicators', 'worked', 'didNotWork', 'subQuestions', 'contact', 'attribution',
    'visibility', 'language',
  ]) {
    labels[field] = label(field);
  }
  partners.forEach((_, i) => {
    labels[`partners.${i}.name`] = t('caseStudies.form.partnerField', { number: i + 1, field: label('partnerName') });
    labels[`partners.${i}.group`] = t('caseStudies.form.partnerField', { number: i + 1, field: label('partnerGroup') });
  });
  funding.forEach((_, i) => {
    for (const f of ['source', 'amount', 'currency'] as const) {
      const key = `funding${f[0]!.toUpperCase()}${f.slice(1)}`;
      labels[`funding.${i}.${f}`] = t('caseStudies.form.fundingField', { number: i + 1, field: label(key) });
    }
  });

  const bodyHint = 'body-hint';
  const bodyError = e.body ? 'body-error' : undefined;

  return (
    <Form method="post" noValidate className="form case-study-form">
      {/* Enter in a text field saves the draft rather than adding a row (the first submit button is the default). */}
      <button type="submit" name="intent" value="save" className="visually-hidden" tabIndex={-1} aria-hidden="true">
        {t('caseStudies.form.save')}
      </button>
      <div ref={summaryRef}>
        <ErrorSummary errors={errors} labels={labels} />
      </div>
      <p className="muted">{t('caseStudies.form.draftHint')}</p>

      <section className="cs-form-section" aria-labelledby="cs-section-about">
        <h2 id="cs-section-about">{t('caseStudies.form.sections.about')}</h2>
        <Field name="title" label={label('title')} hint={hint('title')} required maxLength={200} defaultValue={values.title} error={e.title} />
        <TextAreaField name="summary" label={needed('summary')} hint={hint('summary')} rows={3} maxLength={1000} defaultValue={values.summary} error={e.summary} />
        <div className={`field${e.body ? ' field-invalid' : ''}`}>
          <label htmlFor="body" id="body-label">
            {needed('body')}
          </label>
          <p className="field-hint" id={bodyHint}>
            {hint('body')}
          </p>
          <PostComposer
            id="body"
            labelledBy="body-label"
            describedBy={[bodyHint, bodyError].filter(Boolean).join(' ')}
            initialJson={values.body}
            initialText={values.body ? undefined : values.text}
            invalid={!!e.body}
          />
          {e.body ? (
            <p className="field-error" id="body-error">
              {t(e.body)}
            </p>
          ) : null}
        </div>
      </section>

      <section className="cs-form-section" aria-labelledby="cs-section-partners">
        <h2 id="cs-section-partners">{t('caseStudies.form.sections.partners')}</h2>
        <fieldset
          id="partners"
          tabIndex={-1}
          className={`field cs-rows${e.partners ? ' field-invalid' : ''}`}
          aria-describedby={['partners-hint', e.partners ? 'partners-error' : null].filter(Boolean).join(' ')}
        >
          <legend>{needed('partners')}</legend>
          <p className="field-hint" id="partners-hint">
            {hint('partners')}
          </p>
          {e.partners ? (
            <p className="field-error" id="partners-error">
              {t(e.partners)}
            </p>
          ) : null}
          {partners.map((partner, i) => (
            <fieldset key={i} className="cs-row">
              <legend>{t('caseStudies.form.partnerRow', { number: i + 1 })}</legend>
              <Field
                name={`partners.${i}.name`}
                label={label('partnerName')}
                maxLength={200}
                defaultValue={partner.name}
                error={e[`partners.${i}.name`]}
                autoFocus={focus === `partners.${i}.name` ? true : undefined}
              />
              <SelectField
                name={`partners.${i}.group`}
                label={label('partnerGroup')}
                placeholder={t('form.choose')}
                options={options.groups}
                defaultValue={partner.group}
                error={e[`partners.${i}.group`]}
              />
            </fieldset>
          ))}
          <p>
            <button type="submit" name="intent" value="add-partner" className="button button-secondary button-small" formNoValidate>
              {t('caseStudies.form.addPartner')}
            </button>
          </p>
        </fieldset>
      </section>

      <section className="cs-form-section" aria-labelledby="cs-section-where">
        <h2 id="cs-section-where">{t('caseStudies.form.sections.where')}</h2>
        <div className="cs-countries">
          {(['implementation', 'origin', 'destination'] as const).map((field) => (
            <SelectField
              key={field}
              name={field}
              label={field === 'implementation' ? needed(field) : label(field)}
              hint={`${hint(field)} ${t('caseStudies.form.multiSelectHint')}`}
              multiple
              size={8}
              options={options.countries}
              defaultValue={values[field]}
              error={e[field]}
            />
          ))}
        </div>
        <ChoiceGroup
          type="radio"
          name="level"
          legend={needed('level')}
          hint={hint('level')}
          error={e.level}
          checked={[values.level]}
          options={LEVEL_VALUES.map((v) => ({ value: v, label: t(`caseStudies.levels.${v}`) }))}
          className="choice-inline"
        />
      </section>

      <section className="cs-form-section" aria-labelledby="cs-section-focus">
        <h2 id="cs-section-focus">{t('caseStudies.form.sections.focus')}</h2>
        <ChoiceGroup
          type="checkbox"
          name="themes"
          legend={needed('themes')}
          hint={hint('themes')}
          error={e.themes}
          checked={values.themes}
          options={options.themes}
        />
        <ChoiceGroup
          type="checkbox"
          name="sdgTargets"
          legend={label('sdgTargets')}
          hint={hint('sdgTargets')}
          error={e.sdgTargets}
          checked={values.sdgTargets}
          options={options.sdgTargets.map((s) => ({ value: s.value, label: t('caseStudies.sdgLabel', { id: s.value, label: s.label }) }))}
          className="choice-scroll"
        />
        <ChoiceGroup
          type="radio"
          name="stage"
          legend={needed('stage')}
          hint={hint('stage')}
          error={e.stage}
          checked={[values.stage]}
          options={STAGE_VALUES.map((v) => ({ value: v, label: t(`caseStudies.stages.${v}`), hint: t(`caseStudies.stageHints.${v}`) }))}
        />
      </section>

      <section className="cs-form-section" aria-labelledby="cs-section-funding">
        <h2 id="cs-section-funding">{t('caseStudies.form.sections.funding')}</h2>
        <fieldset
          id="funding"
          tabIndex={-1}
          className={`field cs-rows${e.funding ? ' field-invalid' : ''}`}
          aria-describedby={['funding-hint', e.funding ? 'funding-error' : null].filter(Boolean).join(' ')}
        >
          <legend>{label('funding')}</legend>
          <p className="field-hint" id="funding-hint">
            {hint('funding')}
          </p>
          {e.funding ? (
            <p className="field-error" id="funding-error">
              {t(e.funding)}
            </p>
          ) : null}
          {funding.map((row, i) => (
            <fieldset key={i} className="cs-row cs-row-funding">
              <legend>{t('caseStudies.form.fundingRow', { number: i + 1 })}</legend>
              <Field
                name={`funding.${i}.source`}
                label={label('fundingSource')}
                maxLength={200}
                defaultValue={row.source}
                error={e[`funding.${i}.source`]}
                autoFocus={focus === `funding.${i}.source` ? true : undefined}
              />
              <Field
                name={`funding.${i}.amount`}
                label={label('fundingAmount')}
                inputMode="decimal"
                defaultValue={row.amount}
                error={e[`funding.${i}.amount`]}
              />
              <SelectField
                name={`funding.${i}.currency`}
                label={label('fundingCurrency')}
                placeholder={t('caseStudies.form.noCurrency')}
                options={currencyOptions}
                defaultValue={row.currency}
                error={e[`funding.${i}.currency`]}
              />
            </fieldset>
          ))}
          <p>
            <button type="submit" name="intent" value="add-funding" className="button button-secondary button-small" formNoValidate>
              {t('caseStudies.form.addFunding')}
            </button>
          </p>
        </fieldset>
      </section>

      <section className="cs-form-section" aria-labelledby="cs-section-learning">
        <h2 id="cs-section-learning">{t('caseStudies.form.sections.learning')}</h2>
        <TextAreaField name="results" label={needed('results')} hint={hint('results')} maxLength={5000} defaultValue={values.results} error={e.results} />
        <TextAreaField name="indicators" label={label('indicators')} hint={hint('indicators')} maxLength={5000} defaultValue={values.indicators} error={e.indicators} />
        <TextAreaField name="worked" label={needed('worked')} hint={hint('worked')} maxLength={5000} defaultValue={values.worked} error={e.worked} />
        <TextAreaField name="didNotWork" label={needed('didNotWork')} hint={hint('didNotWork')} maxLength={5000} defaultValue={values.didNotWork} error={e.didNotWork} />
      </section>

      <section className="cs-form-section" aria-labelledby="cs-section-questions">
        <h2 id="cs-section-questions">{t('caseStudies.form.sections.questions')}</h2>
        <fieldset
          className={`field${e.subQuestions ? ' field-invalid' : ''}`}
          aria-describedby={['subQuestions-hint', e.subQuestions ? 'subQuestions-error' : null].filter(Boolean).join(' ')}
        >
          <legend>{needed('subQuestions')}</legend>
          <p className="field-hint" id="subQuestions-hint">
            {hint('subQuestions')}
          </p>
          {e.subQuestions ? (
            <p className="field-error" id="subQuestions-error">
              {t(e.subQuestions)}
            </p>
          ) : null}
          {options.questions.map((q, qi) => (
            <ChoiceGroup
              key={q.number}
              type="checkbox"
              name="subQuestions"
              idPrefix={qi === 0 ? 'subQuestions' : `subQuestions-q${q.number}`}
              legend={
                <>
                  {t('caseStudies.questionLabel', { number: q.number })} <span className="muted" lang={q.lang}>{q.text}</span>
                </>
              }
              checked={values.subQuestions}
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
        <Field name="contact" label={label('contact')} hint={hint('contact')} maxLength={400} defaultValue={values.contact} error={e.contact} />
        <ChoiceGroup
          type="radio"
          name="attribution"
          legend={label('attribution')}
          hint={hint('attribution')}
          error={e.attribution}
          checked={[values.attribution]}
          options={ATTRIBUTION_VALUES.map((v) => ({
            value: v,
            label: t(`caseStudies.attributions.${v}`),
            hint: t(`caseStudies.attributionHints.${v}`),
          }))}
        />
        <ChoiceGroup
          type="radio"
          name="visibility"
          legend={label('visibility')}
          hint={hint('visibility')}
          error={e.visibility}
          checked={[values.visibility]}
          options={VISIBILITY_VALUES.map((v) => ({
            value: v,
            label: t(`caseStudies.visibilities.${v}`),
            hint: t(`caseStudies.visibilityHints.${v}`),
          }))}
        />
        <SelectField
          name="language"
          label={label('language')}
          hint={hint('language')}
          options={SUPPORTED_LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))}
          defaultValue={values.language}
          error={e.language}
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
