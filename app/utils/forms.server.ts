/**
 * One way for route actions to handle a form: parse it with its zod schema (conform's
 * parseWithZod, so that the page can show it again as typed), answer a refusal with the field
 * errors and the submitted values, or run the domain and answer a DomainError in the same shape.
 * Creation forms also send a key (`formKey`, FormKeyInput in app/components/Field.tsx): a form sent
 * twice with it is answered with the first result instead of creating twice.
 *
 * The page reads the answer with `useForm({ lastResult: actionData?.result })` from
 * @conform-to/react, without `onValidate`, so that zod stays out of the browser's bundles.
 */
import { createHash } from 'node:crypto';
import type { SubmissionResult } from '@conform-to/react';
import { parseWithZod } from '@conform-to/zod/v4';
import { data, redirect, type AppLoadContext } from '@remix-run/node';
import type { z } from 'zod';
import { databaseErrorCode } from '../../db/error-codes';
import { DomainError, isDomainError } from './errors';
import { statusOf } from './http.server';

/** The hidden field carrying a creation form's key. */
export const FORM_KEY = 'formKey';

/** What a refused (or re-rendered) form is answered with: conform's result for `useForm`. */
export interface FormReply {
  result: SubmissionResult<string[]>;
}

/** Field → message keys; '' holds what belongs to the form as a whole. */
export type FormErrors = Record<string, string[]>;

export interface Refusal {
  status: number;
  /** In the form's order (the schema's), the form's own first. */
  errors: FormErrors;
  /** The first message, for forms that show one line (or a redirect carrying it). */
  message: string;
  reply: FormReply;
}

type Reply = ReturnType<typeof data<FormReply>>;

export interface HandleFormOptions<Schema extends z.ZodType, Answer, Refused = Reply> {
  /** The schema the domain shares (messages are i18n keys). */
  schema: Schema;
  /** Runs the domain with the checked value: returns or throws the answer, usually a redirect. */
  run: (value: z.output<Schema>) => Promise<Answer> | Answer;
  /** Fields never sent back (passwords). */
  hide?: string[];
  /** Checks that come before the form itself (a rate limit): a DomainError refuses it with what was typed. */
  before?: () => void | Promise<void>;
  /** A creation form: a repeated key is answered with the first result (needs the signed-in user). */
  once?: { context: AppLoadContext; userId: string };
  /** How a refusal is answered, when not with the reply itself (forms that redirect back). */
  refuse?: (refusal: Refusal) => Refused;
}

/** A domain error path (`partners.1.group`) as the form's field name (`partners[1].group`). */
export function fieldName(path: string): string {
  if (path === '' || path === '_form' || path === 'form') return '';
  return path.split('.').reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part), '');
}

type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType };
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under its wrappers (optional, default, preprocess…). */
function unwrap(schema: z.ZodType): z.ZodType {
  for (let node = schema; ; ) {
    const def = defOf(node);
    if (def.innerType) node = def.innerType;
    else if (def.type === 'pipe' && def.in && def.out) node = defOf(def.in).type === 'transform' ? def.out : def.in;
    else return node;
  }
}

/** Where a field comes in the schema (= the form): its key's position at each level, row numbers as they are. */
function rankOf(schema: z.ZodType, name: string): number[] {
  const rank: number[] = [];
  let node: z.ZodType | undefined = schema;
  for (const part of name.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '')) {
    if (!node) break;
    const def = defOf(unwrap(node));
    if (def.type === 'object' && def.shape) {
      const keys = Object.keys(def.shape);
      rank.push(keys.includes(part) ? keys.indexOf(part) : keys.length);
      node = def.shape[part];
    } else if (def.type === 'array') {
      rank.push(Number(part) || 0);
      node = def.element;
    } else break;
  }
  return rank;
}

/** Errors in the order the schema (and so the form) lists the fields; the form's own first. */
export function inFormOrder(schema: z.ZodType, errors: FormErrors): FormErrors {
  const ranked = Object.entries(errors).map(([name, messages]) => ({ name, messages, rank: name === '' ? [-1] : rankOf(schema, name) }));
  ranked.sort((a, b) => {
    for (let i = 0; i < Math.max(a.rank.length, b.rank.length); i++) {
      const d = (a.rank[i] ?? -1) - (b.rank[i] ?? -1);
      if (d !== 0) return d;
    }
    return 0;
  });
  return Object.fromEntries(ranked.map(({ name, messages }) => [name, messages]));
}

/** A DomainError as form errors: its fields, its one field, or the form's. */
export function domainErrors(error: DomainError): FormErrors {
  const out: FormErrors = {};
  const fields = error.fields && Object.keys(error.fields).length > 0 ? error.fields : { [error.field ?? '']: error.messageKey };
  for (const [path, key] of Object.entries(fields)) (out[fieldName(path)] ??= []).push(key);
  return out;
}

/** What parseWithZod gives back (only its `reply` is used here). */
type Submission = {
  reply: (options?: { formErrors?: string[]; fieldErrors?: Record<string, string[]>; hideFields?: string[] }) => SubmissionResult<string[]>;
};

function refusal(schema: z.ZodType, submission: Submission, status: number, errors: FormErrors, hide?: string[]): Refusal {
  const ordered = inFormOrder(schema, errors);
  const { '': formErrors, ...fieldErrors } = ordered;
  const result = submission.reply({ formErrors: formErrors ?? [], fieldErrors, hideFields: hide });
  // conform puts the form's errors last; the page lists them in the schema's order, the form's first.
  result.error = ordered;
  const message = Object.values(ordered).flat()[0] ?? 'errors.choice';
  return { status, errors: ordered, message, reply: { result } };
}

/**
 * Parses `formData` with `schema`, then (when valid) runs the domain. Answers: a refusal with its
 * status (400 for the schema, the DomainError's otherwise) and `{ result }` (errors in form order,
 * values as typed, `hide` fields blanked); a list intent of the form ("add another") with
 * `{ result }` and 200; otherwise whatever `run` returns or throws.
 */
export async function handleForm<Schema extends z.ZodType, Answer, Refused = Reply>(
  formData: FormData | URLSearchParams,
  options: HandleFormOptions<Schema, Answer, Refused>,
): Promise<Answer | Refused | Reply | Response> {
  const { schema, hide } = options;
  const parse = (input: FormData | URLSearchParams) => parseWithZod(input, { schema });
  let submission: ReturnType<typeof parse>;
  try {
    submission = parse(formData);
  } catch {
    // A malformed intent (`__intent__` that is not conform's JSON, or a path such as __proto__):
    // the form is shown again as typed, refused as unreadable, and nothing runs.
    const plain = new URLSearchParams();
    for (const [key, value] of formData) if (key !== '__intent__' && typeof value === 'string') plain.append(key, value);
    const unreadable = parse(plain);
    const refusedForm = refusal(schema, unreadable, 400, { '': ['errors.formUnreadable'] }, hide);
    return options.refuse ? options.refuse(refusedForm) : data<FormReply>(refusedForm.reply, { status: 400 });
  }
  const answer = (r: Refusal): Refused | Reply => (options.refuse ? options.refuse(r) : data<FormReply>(r.reply, { status: r.status }));
  const refused = (thrown: unknown) => {
    const error = unavailableAsRefusal(thrown);
    const status = statusOf(error); // rethrows what is not a refusal
    return answer(refusal(schema, submission, status, domainErrors(error as DomainError), hide));
  };
  try {
    await options.before?.();
  } catch (error) {
    return refused(error);
  }
  if (submission.status !== 'success') {
    // No status: an intent of the form itself (a row added or removed), answered with the form as it now is.
    // Its errors wait for the form to be sent.
    if (submission.status === undefined) return data<FormReply>({ result: { ...submission.reply({ hideFields: hide }), error: undefined } });
    const errors: FormErrors = {};
    for (const [name, messages] of Object.entries(submission.error ?? {})) if (messages?.length) errors[name] = messages;
    return answer(refusal(schema, submission, 400, errors, hide));
  }
  const value = submission.value as z.output<Schema>;
  // A refusal thrown out of `once` frees the key, so that the corrected form can be sent again.
  const run = async () => options.run(value);
  try {
    return options.once ? await once(options.once.context, options.once.userId, formData, run) : await run();
  } catch (error) {
    if (error instanceof Response) throw error;
    return refused(error);
  }
}

/**
 * A database that is down or refuses writes, as a refusal the form shows ("not saved, try again",
 * 503) with what was typed, instead of an error page that loses it. Anything else is unchanged.
 */
function unavailableAsRefusal(error: unknown): unknown {
  if (isDomainError(error) || error instanceof Response || databaseErrorCode(error) === 'error') return error;
  console.error('[forms] the database refused a write; the form is answered "not saved":', (error as Error)?.message);
  return new DomainError('unavailable', 'errors.storageUnavailable');
}

/* ---------------------------------------------------------------------------------------------
 * Idempotent forms. The key is claimed (a row with no result) before the domain runs; a redirect
 * is recorded as the key's result with the form's fingerprint, anything else (a refusal, an
 * error) frees the key so that the corrected form can be sent again. A repeat of a finished key
 * with the same fields is answered with the recorded redirect, with other fields refused as a
 * conflict (a stale key must never pass a new submission off as done); a repeat that arrives
 * while the first is still running waits for it.
 * ------------------------------------------------------------------------------------------- */

const KEY_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** How long a repeat waits for the first submission to finish. */
const WAIT_MS = 15_000;
const POLL_MS = 50;
/** A claim this old with no result belongs to a process that died: it may be taken over. */
const ABANDONED_MS = 120_000;
/** Keys are kept this long (a form left open for a day and sent again creates anew). */
const KEEP_MS = 24 * 60 * 60_000;

const isRedirect = (value: unknown): value is Response =>
  value instanceof Response && value.status >= 300 && value.status < 400 && value.headers.has('Location');

/** What a form sent, but its key: a SHA-256 of its fields in order (hex). */
export function fingerprintOf(fields: FormData | URLSearchParams): string {
  const hash = createHash('sha256');
  for (const [name, value] of fields) if (name !== FORM_KEY) hash.update(JSON.stringify([name, typeof value === 'string' ? value : `file:${value.size}`]));
  return hash.digest('hex');
}

/**
 * Runs `run` once per form key: a repeat of the key (the same user, the same fields) is answered
 * with the first redirect. Without a well-formed key, or with another user's, it simply runs.
 * Throws a DomainError (`conflict`): `errors.formKeyReused` when the key was used for other
 * fields, `errors.formPending` when the first is still running after a while.
 */
export async function once<T>(context: AppLoadContext, userId: string, fields: FormData | URLSearchParams, run: () => Promise<T>): Promise<T | Response> {
  const key = fields.get(FORM_KEY);
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) return run();
  const fingerprint = fingerprintOf(fields);
  const db = context.services.db;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const now = new Date();
    const claimed = await db
      .insertInto('formSubmissions')
      .values({ key, userId, result: null, createdAt: now.toISOString() })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) > 0) {
      await db.deleteFrom('formSubmissions').where('createdAt', '<', new Date(now.getTime() - KEEP_MS).toISOString()).execute();
      break;
    }
    const first = await db.selectFrom('formSubmissions').selectAll().where('key', '=', key).executeTakeFirst();
    if (!first) continue; // freed meanwhile: claim it
    if (first.userId !== userId) return run();
    if (first.result !== null) {
      const recorded = JSON.parse(first.result) as { location: string; fingerprint?: string };
      if (recorded.fingerprint !== undefined && recorded.fingerprint !== fingerprint) throw new DomainError('conflict', 'errors.formKeyReused');
      return redirect(recorded.location);
    }
    if (first.createdAt < new Date(now.getTime() - ABANDONED_MS).toISOString()) {
      await db.deleteFrom('formSubmissions').where('key', '=', key).where('result', 'is', null).where('createdAt', '=', first.createdAt).execute();
      continue;
    }
    if (Date.now() > deadline) throw new DomainError('conflict', 'errors.formPending');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }

  const free = () => db.deleteFrom('formSubmissions').where('key', '=', key).where('result', 'is', null).execute();
  const record = (response: Response) =>
    db.updateTable('formSubmissions').set({ result: JSON.stringify({ location: response.headers.get('Location'), fingerprint }) }).where('key', '=', key).execute();
  let answer: T;
  try {
    answer = await run();
  } catch (thrown) {
    if (isRedirect(thrown)) await record(thrown);
    else await free();
    throw thrown;
  }
  if (isRedirect(answer)) await record(answer);
  else await free();
  return answer;
}

/* ---------------------------------------------------------------------------------------------
 * Pages of several small forms (a post's edit, delete and hide; a note's status and version),
 * told apart by their `intent` field. Each intent is declared once, with its schema; a refusal is
 * answered in one shape, for the form it came from.
 * ------------------------------------------------------------------------------------------- */

/** The field that names which of a page's forms was sent. */
export const INTENT = 'intent';

/** One of a page's forms: its schema, what it runs, and whether a repeat of its key runs it again. */
export interface IntentForm<Schema extends z.ZodType = z.ZodType> {
  schema: Schema;
  run: (value: z.output<Schema>) => Promise<Response> | Response;
  /** Sent with a key (FormKeyInput): a repeat of it is answered with the first result (creations, decisions). */
  once?: boolean;
}

/** Declares one intent's form (keeps the schema's type for `run`). */
export const intentForm = <Schema extends z.ZodType>(
  schema: Schema,
  run: (value: z.output<Schema>) => Promise<Response> | Response,
  options: { once?: boolean } = {},
): IntentForm<Schema> => ({ schema, run, ...options });

/**
 * A refused form of a page of several: which one (`intent`), its first message (`error`), its
 * messages by field (`errors`, '' for the form's own), and its fields as sent (`values`), for the
 * page to show that one form again as typed.
 */
export interface IntentReply {
  intent: string;
  error: string;
  errors: FormErrors;
  values: Record<string, string>;
}

/** The fields of a conform reply that are text, as typed. */
function typedValues(result: SubmissionResult<string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  // Fields named with a path (`newKeyPoint.heading`, `items[0]`) come back nested: flattened to
  // the names the form's inputs carry, so that what was typed there is shown again.
  const walk = (value: unknown, name: string) => {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${name}[${i}]`));
    else if (value && typeof value === 'object') for (const [key, v] of Object.entries(value)) walk(v, name ? `${name}.${key}` : key);
  };
  walk(result.initialValue ?? {}, '');
  return out;
}

/** A refusal as an IntentReply, with its status. */
export function intentReply({ status, errors, message, reply }: Refusal) {
  const values = typedValues(reply.result);
  return data<IntentReply>({ intent: values[INTENT] ?? '', error: message, errors, values }, { status });
}

/**
 * Runs the form named by the `intent` field among `forms` (handleForm with its schema). Answers
 * what its `run` returns (a redirect), or an IntentReply: 400 `errors.choice` for an intent that
 * is not one of them, the schema's or the domain's refusal otherwise.
 */
export async function handleIntents(
  formData: FormData | URLSearchParams,
  forms: Record<string, IntentForm<z.ZodType>>,
  context: { context: AppLoadContext; userId: string },
) {
  // These forms have no lists, so conform's own intents (add or remove a row) are not theirs: dropped.
  const fields = new URLSearchParams();
  for (const [name, value] of formData) if (typeof value === 'string' && name !== '__intent__') fields.append(name, value);
  const intent = fields.get(INTENT);
  const form = intent !== null && Object.hasOwn(forms, intent) ? forms[intent] : undefined;
  if (!form) {
    const values = Object.fromEntries([...fields.keys()].map((name) => [name, fields.get(name) ?? '']));
    return data<IntentReply>({ intent: intent ?? '', error: 'errors.choice', errors: { '': ['errors.choice'] }, values }, { status: 400 });
  }
  const answer = handleForm(fields, { schema: form.schema, run: form.run, once: form.once ? context : undefined, refuse: intentReply });
  // Without a list intent, handleForm answers `run`'s response or a refusal (IntentReply).
  return answer as Promise<Response | ReturnType<typeof intentReply>>;
}

/**
 * A refusal met before any form is read (the page's subject is not the caller's to change), as
 * an IntentReply with its status; anything that is not a refusal is thrown again.
 */
export function refusedIntent(thrown: unknown) {
  if (thrown instanceof Response) throw thrown;
  const error = unavailableAsRefusal(thrown);
  const status = statusOf(error); // rethrows what is not a refusal
  const key = (error as DomainError).messageKey;
  return data<IntentReply>({ intent: '', error: key, errors: { '': [key] }, values: {} }, { status });
}
