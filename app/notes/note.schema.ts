/**
 * Zod schemas for the notes pages' forms (opening a note, status, versions). Messages are i18n
 * keys. The service checks everything again (app/notes/notes.server.ts).
 */
import { z } from 'zod';
import { searchText, shortText } from '../text/fields';
import { NOTE_ACTIONS } from './access';

export const NOTE_TITLE_MAX = 200;

const blankToNull = (v: unknown) => (v === '' || v === undefined || v === null ? null : v);
/** A note's title or a version's name: one line of the text policy. */
const name = shortText(NOTE_TITLE_MAX);

/** A note's or a version's id, from the URL or a form. */
export const noteIdSchema = z.coerce.number({ error: 'errors.noteNotFound' }).int().positive({ error: 'errors.noteNotFound' });

/** A moderator opens a note: a question's (or the whole consultation's, ''), optionally for one group. */
export const openNoteSchema = z.object({
  questionId: z.preprocess(blankToNull, z.coerce.number({ error: 'errors.choice' }).int().positive({ error: 'errors.choice' }).nullable()),
  stakeholderGroup: z.preprocess(blankToNull, z.string().max(100, { error: 'errors.choice' }).nullable()),
  title: name,
});

export const noteStatusSchema = z.object({ action: z.enum(NOTE_ACTIONS, { error: 'errors.noteTransition' }) });

export const noteVersionSchema = z.object({ name });

export const noteRestoreSchema = z.object({ versionId: noteIdSchema });

/**
 * The note's sources route (`/c/:slug/notes/:id/sources`): either `refs` (citations to resolve,
 * `post:17,case_study:4,clip:12`) or `q` (what an editor may cite, matching these words or a marker).
 */
const citationRefs = z
  .string()
  .max(20_000, { error: 'errors.tooLong' })
  .transform((value) => value.split(',').filter(Boolean))
  .pipe(z.array(z.string().regex(/^(post|case_study|clip):[1-9]\d{0,8}$/, { error: 'errors.choice' })).max(500, { error: 'errors.tooLong' }));

export const noteSourcesQuerySchema = z.union(
  [z.strictObject({ refs: citationRefs }), z.strictObject({ q: searchText(200).default('') })],
  { error: 'errors.choice' },
);

/** The note's key-points route (`/c/:slug/notes/:id/key-points`): `q`, words of a key point's heading or summary. */
export const noteKeyPointsQuerySchema = z.strictObject({ q: searchText(200).default('') }, { error: 'errors.choice' });
