import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';

interface FieldProps {
  name: string;
  label: string;
  /** An i18n key, as returned by the action. */
  error?: string;
  hint?: ReactNode;
}

/** A labelled form field with its hint and error tied to it for assistive technologies. */
export function Field({ name, label, error, hint, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <FieldFrame name={name} label={label} error={error} hint={hint}>
      {(describedBy) => (
        <input id={name} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      )}
    </FieldFrame>
  );
}

export function SelectField({
  name,
  label,
  error,
  hint,
  options,
  placeholder,
  ...select
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement> & { options: { value: string; label: string }[]; placeholder?: string }) {
  return (
    <FieldFrame name={name} label={label} error={error} hint={hint}>
      {(describedBy) => (
        <select id={name} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...select}>
          {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}

function FieldFrame({
  name,
  label,
  error,
  hint,
  children,
}: FieldProps & { children: (describedBy: string | undefined) => ReactNode }) {
  const { t } = useTranslation();
  const ids = [hint ? `${name}-hint` : null, error ? `${name}-error` : null].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={name}>{label}</label>
      {hint ? (
        <p className="field-hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
      {children(ids || undefined)}
      {error ? (
        <p className="field-error" id={`${name}-error`}>
          {t(error)}
        </p>
      ) : null}
    </div>
  );
}

/** Lists a form's errors at its top, each linking to its field. */
export function ErrorSummary({ errors, labels }: { errors?: Record<string, string>; labels: Record<string, string> }) {
  const { t } = useTranslation();
  const entries = Object.entries(errors ?? {});
  if (entries.length === 0) return null;
  return (
    <div className="error-summary" role="alert" tabIndex={-1}>
      <p>{t('form.errorSummary')}</p>
      <ul>
        {entries.map(([field, key]) => (
          <li key={field}>
            {labels[field] ? <a href={`#${field}`}>{`${labels[field]}: ${t(key)}`}</a> : t(key)}
          </li>
        ))}
      </ul>
    </div>
  );
}
