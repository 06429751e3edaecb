/**
 * Co-editors' awareness (names, colours, carets) on the wire, shared by the server, the browser
 * provider and headless clients. Isomorphic; needs only lib0.
 *
 * The wire format is y-protocols' `encodeAwarenessUpdate`: a count, then per entry the client
 * id, its clock and its state as JSON (`null` when the client left).
 *
 * What a state carries about its person is decided by the server (awareness.server.ts):
 * `awarenessData.author` is how they are shown (their presence attribution: named, organisation,
 * or Chatham House; docs/decisions/0010) and `awarenessData.key` an opaque token for this
 * presence in this note only, never a user id. The browser turns `author` into `name` in the
 * reader's language (`relabelAwarenessUpdate`).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { ATTRIBUTIONS, type Attribution } from '../contributions/attribution';
import type { PublicAuthor } from '../contributions/attribution';

/** One state's JSON; Lexical's (name, colour, two relative positions, focus) is well under 1 KB. */
export const AWARENESS_STATE_MAX_BYTES = 4 * 1024;

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: Record<string, unknown> | null;
}

/** What a client may ask for in its own state's `awarenessData`: how it is shown to co-editors. */
export interface PresenceRequest {
  presenceAs?: Attribution;
}

/** What the server puts in every state's `awarenessData`. */
export interface PresenceData {
  author: PublicAuthor;
  key: string;
}

export const isAttribution = (value: unknown): value is Attribution => typeof value === 'string' && (ATTRIBUTIONS as readonly string[]).includes(value);

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

/** The server's presence data of a state, if it has well-formed ones. */
export function presenceOf(state: Record<string, unknown> | null | undefined): PresenceData | null {
  const data = state?.awarenessData as Partial<PresenceData> | undefined;
  if (!data || typeof data.key !== 'string' || typeof data.author !== 'object' || data.author === null) return null;
  if (!isAttribution(data.author.attribution) || typeof data.author.stakeholderGroup !== 'string') return null;
  return data as PresenceData;
}

/**
 * The same update with each person's `name` written by `label` from their presence author (the
 * reader's language), so that carets and the presence list show what the server allowed.
 * States without presence data keep no name. Throws on a malformed update, like decoding.
 */
export function relabelAwarenessUpdate(update: Uint8Array, label: (author: PublicAuthor) => string): Uint8Array {
  const entries = decodeAwarenessUpdate(update).map((entry) => {
    if (entry.state === null) return entry;
    const presence = presenceOf(entry.state);
    return { ...entry, state: { ...entry.state, name: presence ? label(presence.author) : '' } };
  });
  return encodeAwarenessUpdate(entries);
}

/**
 * Caret and name-label colours: each is at least 6:1 against white (the label's text) and
 * against the page, and distinct in hue. The presence list shows names too, never colour only.
 */
export const CURSOR_COLORS = ['#b3261e', '#1a5fb4', '#2f6b3a', '#8a4b00', '#6b3fa0', '#00696b', '#a1286a', '#4d5b00'] as const;

/** A stable colour for a string (a presence key; the same for every co-editor). */
export function cursorColorFor(seed: string): string {
  let hash = 2166136261;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return CURSOR_COLORS[(hash >>> 0) % CURSOR_COLORS.length];
}
