/**
 * The presence list, from awareness states (the colours: app/notes/awareness.ts). Isomorphic and tiny.
 */
import { CURSOR_COLORS, presenceOf } from '../../notes/awareness';

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
