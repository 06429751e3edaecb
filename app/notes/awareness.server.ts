/**
 * Awareness (co-editors' names, colours and cursors) is relayed by the server, so the server
 * decides who is who: a client may only speak for the awareness ids it announced first, and the
 * name, user id and colour in its states are the ones the server knows for the signed-in user.
 * Without this, any participant could rename or remove another's cursor, or appear under
 * someone else's name.
 *
 * The wire format is y-protocols' `encodeAwarenessUpdate`: a count, then per entry the client
 * id, its clock and its state as JSON (`null` when the client left).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { cursorColorFor } from '../editor/collab/presence';

/** One state's JSON; Lexical's (name, colour, two relative positions, focus) is well under 1 KB. */
export const AWARENESS_STATE_MAX_BYTES = 4 * 1024;
/** Awareness ids one socket may speak for in one note at a time (one per mounted editor). */
export const AWARENESS_IDS_PER_SOCKET = 8;

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: Record<string, unknown> | null;
}

export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const json = decoding.readVarString(decoder);
    if (json.length > AWARENESS_STATE_MAX_BYTES) throw new Error('awareness state too large');
    const state: unknown = JSON.parse(json);
    if (state !== null && (typeof state !== 'object' || Array.isArray(state))) throw new Error('awareness state is not an object');
    entries.push({ clientId, clock, state: state as Record<string, unknown> | null });
  }
  return entries;
}

export function encodeAwarenessUpdate(entries: AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, JSON.stringify(state));
  }
  return encoding.toUint8Array(encoder);
}

export interface Speaker {
  userId: string;
  name: string;
  /** who announced `clientId` first in this note: this socket, another one, or nobody yet */
  ownerOf(clientId: number): 'self' | 'other' | 'none';
  /** how many ids this socket already speaks for */
  announced: number;
}

const isPosition = (value: unknown) => value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value));

/**
 * The entries of a client's awareness update that it may send, with the identity fields set by
 * the server. Entries for ids owned by another socket, beyond the per-socket budget, or with
 * cursor positions of the wrong shape are dropped. Throws on a malformed update.
 */
export function sanitiseAwarenessUpdate(update: Uint8Array, speaker: Speaker): AwarenessEntry[] {
  let budget = AWARENESS_IDS_PER_SOCKET - speaker.announced;
  const kept: AwarenessEntry[] = [];
  for (const entry of decodeAwarenessUpdate(update)) {
    const owner = speaker.ownerOf(entry.clientId);
    if (owner === 'other') continue;
    if (entry.state === null) {
      if (owner === 'self') kept.push(entry); // leaving
      continue;
    }
    if (!isPosition(entry.state.anchorPos) || !isPosition(entry.state.focusPos)) continue;
    if (owner === 'none') {
      if (budget <= 0) continue;
      budget--;
    }
    const awarenessData = typeof entry.state.awarenessData === 'object' && entry.state.awarenessData !== null ? entry.state.awarenessData : {};
    kept.push({
      ...entry,
      state: {
        ...entry.state,
        name: speaker.name,
        color: cursorColorFor(speaker.userId),
        awarenessData: { ...awarenessData, userId: speaker.userId },
      },
    });
  }
  return kept;
}
