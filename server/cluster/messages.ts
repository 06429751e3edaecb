/**
 * What may travel between nodes, checked on arrival (server/cluster/bus.ts): a message that
 * does not fit its channel's schema is dropped and logged, never applied. The schemas are as
 * strict as the producers: a public author shown under Chatham House carries its stakeholder
 * group and nothing else, so a message naming such an author cannot reach a reader even if some
 * other process wrote it on the channel.
 */
import { z } from 'zod';
import type { AccessEvent } from '../../app/auth/access-events';
import type { CompilationChanged } from '../../app/compilation/compilation.server';
import { POST_STATUSES } from '../../app/contributions/statuses';
import { NOTE_STATUSES } from '../../app/notes/note-status';
import type { ThreadEvent } from '../../app/posts/posts.server';
import { PHASES } from '../../app/consultations/phases';

const id = z.number().int().positive();
const seq = z.number().int().nonnegative();
const text = z.string().max(1_000_000);
const short = z.string().max(2_000);

const publicAuthor = z.discriminatedUnion('attribution', [
  z.strictObject({ attribution: z.literal('named'), name: short, organisation: short, stakeholderGroup: short }),
  z.strictObject({ attribution: z.literal('organisation'), organisation: short, stakeholderGroup: short }),
  z.strictObject({ attribution: z.literal('chatham'), stakeholderGroup: short }),
]);

const authorRecord = z.strictObject({ id: short, name: short, organisation: short, stakeholderGroup: short });

/** A post as a room hears it (app/posts/post-view.ts); fields only authors get on their own pages never travel. */
const postView = z.strictObject({
  id,
  threadId: id,
  clientId: short,
  parentId: id.nullable(),
  rootId: id.nullable(),
  seq,
  status: z.enum(POST_STATUSES),
  html: text.nullable(),
  language: short,
  author: publicAuthor,
  endorsements: z.number().int().nonnegative(),
  createdAt: short,
  editedAt: short.nullable(),
  hiddenReason: short.nullable().optional(),
  realAuthor: authorRecord.optional(),
});

const counts = z.strictObject({ public: z.number().int().nonnegative(), moderator: z.number().int().nonnegative() });

export const threadEventSchema: z.ZodType<ThreadEvent> = z.strictObject({
  type: z.enum(['post:created', 'post:updated', 'post:endorsed']),
  threadId: id,
  seq,
  // Everyone's view never carries the real author, whatever the sender put there.
  public: postView.refine((post) => post.realAuthor === undefined, { error: 'a public post view carries its real author' }),
  moderator: postView,
  counts: counts.optional(),
}) as z.ZodType<ThreadEvent>;

const userId = z.string().min(1).max(200);

export const accessEventSchema: z.ZodType<AccessEvent> = z.union([
  z.strictObject({ type: z.literal('sessions.ended'), sessionId: z.string().min(1).max(200) }),
  z.strictObject({ type: z.literal('sessions.ended'), userId }),
  z.strictObject({ type: z.literal('role.changed'), userId, consultationId: id }),
  z.strictObject({ type: z.literal('user.changed'), userId }),
  z.strictObject({ type: z.literal('note.status'), noteId: id, status: z.enum(NOTE_STATUSES) }),
  z.strictObject({ type: z.literal('phase.changed'), consultationId: id, phase: z.enum(PHASES) }),
]) as z.ZodType<AccessEvent>;

export const compilationChangedSchema: z.ZodType<CompilationChanged> = z.strictObject({ questionId: id, version: z.number().int().nonnegative() });

/** Base64 of a binary message, at most `bytes` once decoded. */
const base64 = (bytes: number) =>
  z
    .string()
    .max(Math.ceil(bytes / 3) * 4 + 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'not base64' })
    .transform((value) => new Uint8Array(Buffer.from(value, 'base64')));

/** Largest note update or awareness change relayed (a stored batch may merge many editors' messages). */
export const RELAYED_NOTE_BYTES = 16 * 1024 * 1024;

/** A note update a node stored (note_updates row `updateId`), for the nodes holding that note. */
export const noteUpdateSchema = z.strictObject({ noteId: id, updateId: id, update: base64(RELAYED_NOTE_BYTES) });
export type NoteUpdateMessage = z.input<typeof noteUpdateSchema>;

/** Awareness changes of a note's co-editors on the sending node (already checked there). */
export const noteAwarenessSchema = z.strictObject({ noteId: id, update: base64(RELAYED_NOTE_BYTES) });

/** A node opened a note's room: the others send their co-editors' awareness. */
export const noteAwarenessQuerySchema = z.strictObject({ noteId: id });

/** A thread's readers changed on the sending node: every node announces the new total. */
export const presenceSchema = z.strictObject({ threadId: id });

/** A write finished on the sending node: cached anonymous pages are stale (server/http/page-cache.ts). */
export const pageWriteSchema = z.strictObject({ at: z.number().int().nonnegative() });
