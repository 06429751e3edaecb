/**
 * The note co-editing protocol over Socket.io (docs/decisions/0008): event names, message types
 * and payload shapes shared by the server, the browser provider and headless clients, and the
 * one way to frame a message. Isomorphic; needs only lib0's encoder.
 */
import * as encoding from 'lib0/encoding';
import type { NoteStatus } from './note-status';

export const NOTE_EVENTS = {
  /** client → server `{ noteId }`, ack `JoinAck` */
  join: 'note:join',
  /** client → server `{ noteId }` */
  leave: 'note:leave',
  /** both ways `(noteId: number, payload: Uint8Array)` */
  message: 'note:message',
  /** server → client `Refused` */
  refused: 'note:refused',
  /** server → clients of the room `StatusChange` */
  status: 'note:status',
  /** server → clients of the room `SaveState`: saving the note's edits fails (retried), or works again */
  saving: 'note:saving',
} as const;

/** First varUint of a `note:message` payload, as in y-websocket. */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;

/** A `note:message` payload: its type, then what `write` puts after it (a y-protocols message). */
export function noteMessage(type: typeof MESSAGE_SYNC | typeof MESSAGE_AWARENESS, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** An awareness update as a `note:message` payload. */
export const awarenessMessage = (update: Uint8Array) => noteMessage(MESSAGE_AWARENESS, (e) => encoding.writeVarUint8Array(e, update));

/** Limits on what a client may send: one message, and the whole document. */
export const NOTE_LIMITS = {
  messageBytes: 512 * 1024,
  documentBytes: 4 * 1024 * 1024,
} as const;

export type JoinAck =
  | { ok: true; noteId: number; canEdit: boolean; status: NoteStatus }
  | { ok: false; error: { code: string; messageKey: string } };

/**
 * Why an update was dropped: `too_large` one message over NOTE_LIMITS.messageBytes,
 * `document_too_large` the note would grow past NOTE_LIMITS.documentBytes (deleting still works),
 * `invalid` something a note cannot hold (app/notes/update-check.server.ts).
 */
export type RefusalReason = 'read_only' | 'too_large' | 'document_too_large' | 'invalid' | 'status' | 'not_joined';

export interface Refused {
  noteId: number;
  reason: RefusalReason;
}

export interface StatusChange {
  noteId: number;
  status: NoteStatus;
  canEdit: boolean;
}

/** `saved` false: the server could not store the latest edits and keeps retrying; true: stored again. */
export interface SaveState {
  noteId: number;
  saved: boolean;
}

export const noteRoom = (noteId: number) => `note:${noteId}`;

/** Socket.io hands Node a Buffer and the browser an ArrayBuffer; both become a Uint8Array view. */
export function toBytes(payload: unknown): Uint8Array | null {
  if (payload instanceof Uint8Array) return payload; // Buffer included, used as is
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  return null;
}
