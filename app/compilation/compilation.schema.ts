/**
 * Zod schemas of the compilation's commands (issue 12), shared by the page's forms and the
 * socket events; the service parses every input with them again (compilation.server.ts).
 * Messages are i18n keys. Headings and summaries go through the text policy (app/text/fields.ts);
 * a clip's quote does not: it must be the source's exact words, checked against the source.
 */
import { z } from 'zod';
import { CASE_STUDY_CLIP_FIELDS, SOURCE_KINDS, STANCES, type SourceField, type SourceKind } from '../../db/schema';
import { longText, shortText } from '../text/fields';

/** A key point's heading: one line, UTF-16 code units. */
export const HEADING_MAX = 200;
/** A key point's summary: a short paragraph or two. */
export const SUMMARY_MAX = 2_000;
/** Longest quote (a whole case-study body may be clipped). */
export const QUOTE_MAX = 200_000;
/** Key points of one question a reorder may list. */
export const KEY_POINTS_MAX = 1_000;

const id = (message: string) => z.coerce.number({ error: message }).int({ error: message }).positive({ error: message }).max(2_147_483_647, { error: message });
const offset = z.coerce.number({ error: 'compilation.rangeOutside' }).int({ error: 'compilation.rangeOutside' }).min(0, { error: 'compilation.rangeOutside' }).max(QUOTE_MAX * 10, { error: 'compilation.rangeOutside' });
/** A retry key chosen by the client (a UUID, a form key): the same key creates once. */
const clientId = z.string().min(1, { error: 'compilation.invalid' }).max(100, { error: 'compilation.invalid' }).regex(/^[A-Za-z0-9_-]+$/, { error: 'compilation.invalid' }).optional();
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

/** The fields a clip of `kind` may quote: a post's body; a case study's text fields (app/contributions/sources.server.ts `fields`). */
export const clipFieldsOf = (kind: SourceKind): readonly SourceField[] => (kind === 'post' ? ['body'] : CASE_STUDY_CLIP_FIELDS);

export const stanceSchema = z.enum(STANCES, { error: 'compilation.stance' });
export const sourceKindSchema = z.enum(SOURCE_KINDS, { error: 'compilation.sourceNotFound' });
export const sourceFieldSchema = z.enum(CASE_STUDY_CLIP_FIELDS, { error: 'compilation.field' });

/** A new key point's (or an edit's) words; `language` defaults to the consultation's source language. */
export const keyPointSchema = z.object({
  heading: shortText(HEADING_MAX),
  summary: longText(SUMMARY_MAX, { optional: true }).default(''),
  language: z.preprocess(blankToUndefined, z.string().max(10, { error: 'errors.choice' }).optional()),
  clientId,
});
export type KeyPointInput = z.input<typeof keyPointSchema>;

/** Where a clip goes: an existing key point, or a new one made with it. */
const target = {
  keyPointId: z.preprocess(blankToUndefined, id('compilation.keyPointNotFound').optional()),
  newKeyPoint: keyPointSchema.omit({ clientId: true }).optional(),
};

const source = {
  sourceKind: sourceKindSchema,
  sourceId: id('compilation.sourceNotFound'),
  /** 'body' for a post; a case study's text field. */
  field: sourceFieldSchema,
  stance: stanceSchema.default('supports'),
  clientId,
};

const oneTarget = (v: { keyPointId?: number; newKeyPoint?: unknown }) => (v.keyPointId === undefined) !== (v.newKeyPoint === undefined);

/**
 * A passage clipped into a key point: [start, end) in UTF-16 code units of the field's plain
 * text (as a DOM selection gives them over that text), and the words the moderator saw there.
 */
export const clipSchema = z
  .object({ ...target, ...source, start: offset, end: offset, quote: z.string({ error: 'compilation.quoteMismatch' }).max(QUOTE_MAX, { error: 'errors.tooLong' }) })
  .refine(oneTarget, { error: 'compilation.target', path: ['keyPointId'] });
export type ClipInput = z.input<typeof clipSchema>;

/** A whole field of a contribution clipped (the form without JavaScript). */
export const clipWholeSchema = z.object({ ...target, ...source }).refine(oneTarget, { error: 'compilation.target', path: ['keyPointId'] });
export type ClipWholeInput = z.input<typeof clipWholeSchema>;

export const setStanceSchema = z.object({ clipId: id('compilation.clipNotFound'), stance: stanceSchema });

export const mergeSchema = z.object({ survivorId: id('compilation.keyPointNotFound'), mergedId: id('compilation.keyPointNotFound') });

/** The question's live key points, every one, in their new order. */
export const reorderSchema = z.object({
  keyPointIds: z.array(id('compilation.keyPointNotFound')).min(1, { error: 'compilation.orderStale' }).max(KEY_POINTS_MAX, { error: 'compilation.orderStale' }),
});

/** One key point moved to `position` (1 = first): the up / down buttons of the form without JavaScript. */
export const moveSchema = z.object({ keyPointId: id('compilation.keyPointNotFound'), position: id('compilation.position') });

/** The "not yet reflected" list's filters; `cursor` comes from the previous page. */
export const notYetReflectedSchema = z.object({
  subQuestionId: z.preprocess(blankToUndefined, z.union([z.literal('general'), id('errors.choice')]).optional()),
  group: z.preprocess(blankToUndefined, z.string().max(100, { error: 'errors.choice' }).optional()),
  language: z.preprocess(blankToUndefined, z.string().max(10, { error: 'errors.choice' }).optional()),
  cursor: z.preprocess(blankToUndefined, z.string().max(200, { error: 'compilation.invalid' }).optional()),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type NotYetReflectedFilters = z.input<typeof notYetReflectedSchema>;

/** A key point's new words (the edit form): which point, and its heading, summary (and language). */
export const editKeyPointSchema = keyPointSchema.omit({ clientId: true }).extend({ keyPointId: id('compilation.keyPointNotFound') });
