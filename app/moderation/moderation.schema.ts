/**
 * Zod schemas for flags and moderators' decisions, shared by the forms' actions (and any
 * socket event that may carry them). Messages are i18n keys.
 */
import { z } from 'zod';
import { FLAG_REASONS, FLAG_STATUSES, FLAG_SUBJECTS } from '../../db/schema';

const id = z.coerce.number({ error: 'errors.notFoundTitle' }).int().positive({ error: 'errors.notFoundTitle' });
const note = z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().trim().max(2_000, { error: 'errors.tooLong' }).optional());

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

export const auditFilterSchema = z.object({
  action: z.string().max(100).regex(/^[a-z_.]*$/).optional().catch(undefined),
  subjectType: z.string().max(50).regex(/^[a-z_]*$/).optional().catch(undefined),
  subjectId: z.string().max(50).optional().catch(undefined),
});
