/**
 * Awareness (co-editors' names, colours and cursors) is relayed by the server, so the server
 * decides who is shown as whom (docs/decisions/0010):
 * - a client may only speak for the awareness ids it announced first, a few at most;
 * - each state carries the person as their presence attribution allows (their default
 *   attribution, or what they chose in the note) and never a user id or anything stable across
 *   notes: `key` is a random token per socket, note and attribution, and the colour derives from it;
 * - of the client's own fields only the carets (`anchorPos`, `focusPos`) and `focusing` are kept.
 * Without this, any participant could rename or remove another's cursor, appear under someone
 * else's name, or a Chatham House participant's name would reach every co-editor.
 */
import crypto from 'node:crypto';
import type { SessionUser } from '../auth/auth.server';
import { cursorColorFor } from './awareness';
import { authorAs, type Attribution, type PublicAuthor } from '../contributions/attribution';
import { decodeAwarenessUpdate, isAttribution, type AwarenessEntry, type PresenceData } from './awareness';

export { AWARENESS_STATE_MAX_BYTES, decodeAwarenessUpdate, encodeAwarenessUpdate, type AwarenessEntry } from './awareness';

/** Awareness ids one socket may speak for in one note at a time (one per mounted editor). */
export const AWARENESS_IDS_PER_SOCKET = 8;

export interface Speaker {
  user: Pick<SessionUser, 'name' | 'organisation' | 'stakeholderGroup' | 'defaultAttribution'>;
  /** who announced `clientId` first in this note: this socket, another one, or nobody yet */
  ownerOf(clientId: number): 'self' | 'other' | 'none';
  /** how many ids this socket already speaks for */
  announced: number;
  /** the opaque key of this socket's presence under `attribution` (newPresenceKey, kept per room) */
  keyFor(attribution: string): string;
}

/** A fresh presence key: random, so nothing links two presences but what they show. */
export const newPresenceKey = () => crypto.randomBytes(9).toString('base64url');

const isUint = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isId = (value: unknown) => value === null || value === undefined || (typeof value === 'object' && value !== null && isUint((value as { client?: unknown }).client) && isUint((value as { clock?: unknown }).clock));

/**
 * A caret as Yjs writes a relative position in JSON (`Y.relativePositionToJSON`): `type` and
 * `item` ids of two unsigned integers, a short `tname`, an integer `assoc`; nothing else. Other
 * co-editors' browsers decode these: a malformed one would throw in their editor.
 */
function isPosition(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'object' || Array.isArray(value)) return false;
  const { type, tname, item, assoc, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return false;
  if (!isId(type) || !isId(item)) return false;
  if (!(tname === undefined || tname === null || (typeof tname === 'string' && tname.length <= 100))) return false;
  return assoc === undefined || (typeof assoc === 'number' && Number.isSafeInteger(assoc));
}

/**
 * Whether a state relayed by another node (server/cluster/) has exactly the shape
 * `sanitiseAwarenessUpdate` gives one: carets, a colour, and the person as their presence
 * attribution allows, the label agreeing with it (a Chatham House presence carries its
 * stakeholder group only). A state failing this is dropped, never shown.
 */
export function isRelayedPresenceState(state: Record<string, unknown> | null): boolean {
  if (state === null) return true;
  const allowed = new Set(['anchorPos', 'focusPos', 'focusing', 'name', 'color', 'awarenessData']);
  if (Object.keys(state).some((key) => !allowed.has(key))) return false;
  const { anchorPos, focusPos, focusing, name, color, awarenessData } = state as Record<string, unknown>;
  if (!isPosition(anchorPos ?? null) || !isPosition(focusPos ?? null) || typeof focusing !== 'boolean' || typeof color !== 'string') return false;
  const data = awarenessData as { author?: Record<string, unknown>; key?: unknown } | undefined;
  if (!data || typeof data !== 'object' || Object.keys(data).some((k) => k !== 'author' && k !== 'key') || typeof data.key !== 'string') return false;
  const author = data.author;
  if (!author || typeof author !== 'object') return false;
  const fields = Object.keys(author).sort().join(',');
  const attribution = String(author.attribution);
  const expected = Object.hasOwn(PRESENCE_FIELDS, attribution) ? PRESENCE_FIELDS[attribution as Attribution] : undefined;
  return expected !== undefined && fields === expected && name === presenceLabel(author as unknown as PublicAuthor);
}

/** The fields of a presence's author under each attribution, sorted. */
const PRESENCE_FIELDS: Record<Attribution, string> = {
  named: 'attribution,name,organisation,stakeholderGroup',
  organisation: 'attribution,organisation,stakeholderGroup',
  chatham: 'attribution,stakeholderGroup',
};

/** How a presence is labelled for clients that do not relabel it: what its attribution shows. */
function presenceLabel(author: PublicAuthor): string {
  return author.attribution === 'named' ? author.name : author.attribution === 'organisation' ? author.organisation : author.stakeholderGroup;
}

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
    const { anchorPos, focusPos, focusing, awarenessData } = entry.state;
    if (!isPosition(anchorPos) || !isPosition(focusPos)) continue;
    if (owner === 'none') {
      if (budget <= 0) continue;
      budget--;
    }
    const requested = (awarenessData as { presenceAs?: unknown } | null | undefined)?.presenceAs;
    const attribution = isAttribution(requested) ? requested : speaker.user.defaultAttribution;
    const author = authorAs(attribution, speaker.user);
    const key = speaker.keyFor(attribution);
    const presence: PresenceData = { author, key };
    kept.push({
      ...entry,
      state: {
        anchorPos: anchorPos ?? null,
        focusPos: focusPos ?? null,
        focusing: focusing === true,
        // Browsers relabel in their reader's language; this is for clients that do not.
        name: presenceLabel(author),
        color: cursorColorFor(key),
        awarenessData: presence,
      },
    });
  }
  return kept;
}
