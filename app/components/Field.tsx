/**
 * Form fields with their label, hint and error tied together for assistive technologies. A
 * field of a form declared with conform (`field={fields.title}`, app/utils/forms.server.ts) takes
 * its name, its value as typed (or as saved) and its error from it; ids are the field names, so
 * that the error summary links to `#title` or `#partners[1].name`.
 */
import type { FieldMetadata } from '@conform-to/react';
import { useNavigation } from '@remix-run/react';
import { useEffect, useRef, useState, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';

/** A conform field (any value type: the component shows it as the form sent it). */
export type AnyField = FieldMetadata<any, any, string[]>;

interface FieldProps {
  /** The conform field; or `name` (and `defaultValue`, `error`) for a form without one. */
  field?: AnyField;
  name?: string;
  label: string;
  /** An i18n key, as returned by the action. */
  error?: string;
  hint?: ReactNode;
}

/** What a field shows: its name, error and (for a conform field) the value to start from. */
function fromField(field: AnyField | undefined, name: string | undefined, error: string | undefined) {
  return { name: field?.name ?? name ?? '', error: error ?? field?.errors?.[0] };
}

/** A labelled one-line field. */
export function Field({ field, name, label, error, hint, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const own = fromField(field, name, error);
  const start = field && input.type !== 'password' ? { defaultValue: field.defaultValue ?? '' } : {};
  return (
    <FieldFrame name={own.name} label={label} error={own.error} hint={hint}>
      {(describedBy) => (
        <input key={field?.key} id={own.name} name={own.name} aria-invalid={own.error ? true : undefined} aria-describedby={describedBy} {...start} {...input} />
      )}
    </FieldFrame>
  );
}

export function SelectField({
  field,
  name,
  label,
  error,
  hint,
  options,
  placeholder,
  ...select
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement> & { options: { value: string; label: string }[]; placeholder?: string }) {
  const own = fromField(field, name, error);
  const start = field ? { defaultValue: select.multiple ? (field.defaultOptions ?? []) : (field.defaultValue ?? '') } : {};
  return (
    <FieldFrame name={own.name} label={label} error={own.error} hint={hint}>
      {(describedBy) => (
        <select key={field?.key} id={own.name} name={own.name} aria-invalid={own.error ? true : undefined} aria-describedby={describedBy} {...start} {...select}>
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

function FieldFrame({ name, label, error, hint, children }: { name: string; label: string; error?: string; hint?: ReactNode; children: (describedBy: string | undefined) => ReactNode }) {
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

/**
 * Lists a form's errors at its top, in the order the action gave them (the form's), each linking
 * to its field: conform's `form.allErrors` (field → messages, '' for the form's own) or field → key.
 */
export function ErrorSummary({
  errors,
  labels,
  target,
}: {
  errors?: Record<string, string | string[] | null | undefined> | null;
  /** The field's label (none: the message alone). */
  labels: Record<string, string> | ((name: string) => string | undefined);
  /** The id to link to, when not the field's name. */
  target?: (name: string) => string;
}) {
  const { t } = useTranslation();
  const entries = Object.entries(errors ?? {})
    .map(([field, messages]) => [field, [messages].flat()[0]] as const)
    .filter((entry): entry is readonly [string, string] => !!entry[1]);
  if (entries.length === 0) return null;
  const labelOf = (name: string) => (name === '' ? undefined : typeof labels === 'function' ? labels(name) : labels[name]);
  return (
    <div className="error-summary" role="alert" tabIndex={-1}>
      <p>{t('form.errorSummary')}</p>
      <ul>
        {entries.map(([field, key]) => {
          const label = labelOf(field);
          return <li key={field}>{label ? <a href={`#${target?.(field) ?? field}`}>{`${label}: ${t(key)}`}</a> : t(key)}</li>;
        })}
      </ul>
    </div>
  );
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** Random bytes drawn 4 KB at a time: a signed-in thread page has a form key per post, and one
 * getRandomValues call per key cost more than rendering the form. Each byte is used once. */
let pool = new Uint8Array(0);
let poolOffset = 0;

/** A random key: 128 bits, URL-safe (crypto.randomUUID is missing outside secure contexts). */
function randomKey(): string {
  if (poolOffset + 16 > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(4096));
    poolOffset = 0;
  }
  let key = '';
  for (let i = poolOffset; i < poolOffset + 16; i++) key += HEX[pool[i]!];
  poolOffset += 16;
  return key;
}

/**
 * The key a form is sent with (app/utils/forms.server.ts `once`): sent twice (a double click
 * without JavaScript, a slow link, a click during a retry), the form is answered with the first
 * result instead of acting twice. New for each form shown: the server's page carries one, which
 * hydration keeps (a click before and one after hydration send the same key); a form first shown
 * in the browser gets its own; and once a submission carrying the key has come back, the form
 * gets a new one, because with JavaScript it stays on the page, and its next submission is
 * another one (the server refuses a used key with other fields rather than pass it off as done).
 */
export function FormKeyInput() {
  const ref = useRef<HTMLInputElement>(null);
  const [serverKey] = useState(() => (typeof document === 'undefined' ? randomKey() : undefined));
  useEffect(() => {
    if (ref.current && !ref.current.value) ref.current.value = randomKey();
  }, []);
  const navigation = useNavigation();
  const inFlight = useRef<string | null>(null);
  useEffect(() => {
    const key = ref.current?.value;
    if (navigation.state !== 'idle') {
      if (key && navigation.formData?.get('formKey') === key) inFlight.current = key;
    } else if (inFlight.current) {
      // Back (a redirect, a refusal, an error): a refused key was freed, a used one is done.
      if (ref.current && ref.current.value === inFlight.current) ref.current.value = randomKey();
      inFlight.current = null;
    }
  }, [navigation.state, navigation.formData]);
  // No value prop in the browser: React would otherwise overwrite the server's key while hydrating.
  return <input ref={ref} type="hidden" name="formKey" suppressHydrationWarning {...(serverKey ? { defaultValue: serverKey } : {})} />;
}
