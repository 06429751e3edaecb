/**
 * Co-editors' colours and the presence list, from awareness states. Isomorphic and tiny.
 */
import { presenceOf } from '../../notes/awareness';

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

export interface Present {
  /** one entry per user (several tabs count once) */
  key: string;
  name: string;
  color: string;
  self: boolean;
  /** the caret is in the note */
  focusing: boolean;
}

/**
 * Awareness states → the people in the note, the current user first, then by name. Others are
 * told apart by their presence key (several tabs under one presence count once), never by a
 * user id: the server sends none (docs/decisions/0010).
 */
export function presentFrom(states: Map<number, Record<string, unknown>>, localClientId: number): Present[] {
  const people = new Map<string, Present>();
  for (const [clientId, state] of states) {
    if (!state || typeof state.name !== 'string' || state.name === '') continue;
    const self = clientId === localClientId;
    const key = self ? 'self' : `presence:${presenceOf(state)?.key ?? `client:${clientId}`}`;
    const previous = people.get(key);
    const focusing = state.focusing === true || !!previous?.focusing;
    people.set(key, {
      key,
      name: state.name,
      color: typeof state.color === 'string' && /^#[0-9a-f]{6}$/i.test(state.color) ? state.color : CURSOR_COLORS[0],
      self,
      focusing,
    });
  }
  return [...people.values()].sort((a, b) => (a.self !== b.self ? (a.self ? -1 : 1) : a.name.localeCompare(b.name)));
}
