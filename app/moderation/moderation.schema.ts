/**
 * Zod schemas for flags and moderators' decisions, shared by the forms' actions (and any
 * socket event that may carry them). Messages are i18n keys.
 */
import { z } from 'zod';
import { FLAG_REASONS, FLAG_STATUSES, FLAG_SUBJECTS } from './flags';
import { longText, searchText } from '../text/fields';

const id = z.coerce.number({ error: 'errors.notFoundTitle' }).int().positive({ error: 'errors.notFoundTitle' });
/** A reason or a note: the text policy's multi-line text; blank (spaces, invisible characters) is ''. */
const note = z.preprocess((v) => (v === '' || v === null ? undefined : v), longText(2_000, { optional: true }).optional());

export const flagSchema = z.object({
  subjectType: z.enum(FLAG_SUBJECTS, { error: 'errors.choice' }),
  subjectId: id,
  reason: z.enum(FLAG_REASONS, { error: 'errors.flagReason' }),
  note,
});
export type FlagInput = z.infer<typeof flagSchema>;

/** Hide or restore a post; hiding needs a reason (checked by the domain too). */
export const moderatePostSchema = z.object({
  postId: id,
  hide: z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: 'errors.choice' })),
  reason: note,
});

/** The queue's hide and restore: the subject its flags name, which must be a post. */
export const queuePostSchema = z.object({
  subjectType: z.literal('post', { error: 'errors.choice' }),
  subjectId: id,
  reason: note,
});

/** A post page's hide or restore form (the intent says which). */
export const postDecisionSchema = moderatePostSchema.omit({ hide: true });

export const dismissSchema = z.object({
  subjectType: z.enum(FLAG_SUBJECTS, { error: 'errors.choice' }),
  subjectId: id,
  note,
});

/** The queue's filters, from the query string: anything unknown falls back to the default. */
export const queueFilterSchema = z.object({
  status: z.enum(FLAG_STATUSES).catch('open'),
  subjectType: z.enum(FLAG_SUBJECTS).optional().catch(undefined),
  reason: z.enum(FLAG_REASONS).optional().catch(undefined),
});

/** The audit log's filters: a kind of action, a kind of subject, part of a name or title. */
export const auditFilterSchema = z.object({
  action: z.string().max(100).regex(/^[a-z_.]*$/).optional().catch(undefined),
  subjectType: z.string().max(50).regex(/^[a-z_]*$/).optional().catch(undefined),
});

/** The audit log's "name or title" search: at most this many characters. */
export const AUDIT_SEARCH_MAX = 100;
/** The search as typed, cleaned like stored text (control characters removed, NFC); too long is refused (`errors.tooLong`), never dropped. */
export const auditSearchSchema = searchText(AUDIT_SEARCH_MAX);
