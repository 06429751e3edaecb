/**
 * Form pieces the case study form needs beyond app/components/Field.tsx: a multi-line field and
 * groups of radios or checkboxes in a fieldset with a legend, their hint and error tied to them,
 * each taking its name, value and error from its conform field. The first input of a group
 * carries the group's name as id, so that an error summary linking to `#themes` lands on it.
 */
import type { ReactNode, TextareaHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import type { AnyField } from '../Field';

function describedBy(id: string, hint?: ReactNode, error?: string) {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
}

function Hint({ id, hint }: { id: string; hint?: ReactNode }) {
  return hint ? (
    <p className="field-hint" id={`${id}-hint`}>
      {hint}
    </p>
  ) : null;
}

function ErrorText({ id, error }: { id: string; error?: string }) {
  const { t } = useTranslation();
  return error ? (
    <p className="field-error" id={`${id}-error`}>
      {t(error)}
    </p>
  ) : null;
}

export function TextAreaField({
  field,
  label,
  hint,
  ...textarea
}: { field: AnyField; label: string; hint?: ReactNode } & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { name } = field;
  const error = field.errors?.[0];
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={name}>{label}</label>
      <Hint id={name} hint={hint} />
      <textarea
        key={field.key}
        id={name}
        name={name}
        rows={4}
        defaultValue={field.defaultValue ?? ''}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(name, hint, error)}
        {...textarea}
      />
      <ErrorText id={name} error={error} />
    </div>
  );
}

export interface ChoiceOption {
  value: string;
  label: ReactNode;
  /** A line under the option's label, tied to it. */
  hint?: ReactNode;
  lang?: string;
}

/** Radios (`type="radio"`) or checkboxes in a fieldset, checked as the field's value says. */
export function ChoiceGroup({
  type,
  field,
  legend,
  hint,
  showError = true,
  options,
  idPrefix,
  className,
  children,
}: {
  type: 'radio' | 'checkbox';
  field: AnyField;
  legend: ReactNode;
  hint?: ReactNode;
  /** false: the error is shown by an enclosing fieldset (several groups, one field). */
  showError?: boolean;
  options: ChoiceOption[];
  /** The ids of the inputs (defaults to the name); the first input's id is the prefix itself. */
  idPrefix?: string;
  className?: string;
  children?: ReactNode;
}) {
  const { name } = field;
  const error = showError ? field.errors?.[0] : undefined;
  const checked = field.defaultOptions ?? [];
  const prefix = idPrefix ?? name;
  return (
    <fieldset
      className={`field choice-group${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}
      aria-describedby={describedBy(prefix, hint, error)}
    >
      <legend>{legend}</legend>
      <Hint id={prefix} hint={hint} />
      <ErrorText id={prefix} error={error} />
      <ul className="choice-list" role="list">
        {options.map((option, i) => {
          const id = i === 0 ? prefix : `${prefix}-${option.value}`;
          return (
            <li key={option.value} className="choice">
              <input
                key={field.key}
                type={type}
                id={id}
                name={name}
                value={option.value}
                defaultChecked={checked.includes(option.value)}
                aria-describedby={option.hint ? `${id}-option-hint` : undefined}
                aria-invalid={error ? true : undefined}
              />
              <label htmlFor={id} lang={option.lang}>
                {option.label}
              </label>
              {option.hint ? (
                <p className="choice-hint" id={`${id}-option-hint`}>
                  {option.hint}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
      {children}
    </fieldset>
  );
}
