/**
 * Zod schemas for posts, shared by the thread page's form actions and the Socket.io events.
 * The body itself (Lexical JSON, or plain text from the no-JavaScript form) is checked by
 * lexical.ts; these schemas check everything around it. Messages are i18n keys.
 */
import { z } from 'zod';
import { ATTRIBUTIONS } from '../contributions/attribution';
import { LANGUAGES } from '../consultations/content.schema';
import { documentText } from '../text/fields';

export const SORTS = ['oldest', 'newest', 'endorsed'] as const;
export type Sort = (typeof SORTS)[number];
export const PAGE_SIZE = 100;

const id = z.coerce.number({ error: 'errors.postNotFound' }).int().positive({ error: 'errors.postNotFound' });
/** Forms send '' for "none". */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional());

export const clientIdField = z.string({ error: 'errors.postInvalid' }).regex(/^[A-Za-z0-9_-]{8,64}$/, { error: 'errors.postInvalid' });

const content = {
  /** Lexical JSON, as a string (forms) or an object (sockets). */
  body: optional(z.union([z.string().max(200_000, { error: 'errors.postTooLong' }), z.record(z.string(), z.unknown())])),
  /** Plain text, from the no-JavaScript form (the text policy cleans it; the document built from it judges it). */
  text: optional(documentText(40_000, 'errors.postTooLong')),
  attribution: optional(z.enum(ATTRIBUTIONS, { error: 'errors.choice' })),
  language: optional(z.enum(LANGUAGES, { error: 'errors.choice' })),
};

export const createPostSchema = z.object({
  threadId: id,
  clientId: clientIdField,
  parentId: optional(id),
  ...content,
});
export type CreatePostInput = z.infer<typeof createPostSchema>;

/** A thread page's composer form: the thread is the page's own. */
export const composerSchema = createPostSchema.omit({ threadId: true });

export const editPostSchema = z.object({ postId: id, ...content });
export type EditPostInput = z.infer<typeof editPostSchema>;

export const postIdSchema = z.object({ postId: id });

export const endorseSchema = z.object({
  postId: id,
  endorse: z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: 'errors.postInvalid' })),
});

export const joinSchema = z.object({
  threadId: id,
  since: optional(z.coerce.number().int().min(0)),
});

/** The next page of missed changes, after a join (or a page) that answered `truncated`. */
export const catchUpSchema = z.object({
  threadId: id,
  since: z.coerce.number({ error: 'errors.postInvalid' }).int().min(0),
});

/** The attribution the writer has chosen in the composer: the indicator shows no more than the post will. */
export const typingSchema = z.object({ threadId: id, typing: z.boolean(), attribution: content.attribution });

/** A page link's cursor (posts.server.ts encodes it); anything else reads as "the first page". */
const cursorParam = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/).optional().catch(undefined);

/**
 * Which page of a thread: the sort, and the cursor of the page the reader comes from (`after`
 * its last top-level post, or `before` its first), or a post it must hold (`at`). None: the
 * first page.
 */
export const listQuerySchema = z.object({
  sort: z.enum(SORTS).catch('oldest'),
  after: cursorParam,
  before: cursorParam,
  /** A post to show: without a cursor, the page that holds it (posts.server.ts `list`). */
  at: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined),
});
export type ListQuery = { sort: Sort; after?: string | null; before?: string | null; at?: number | null };
