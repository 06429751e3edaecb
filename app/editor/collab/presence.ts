/**
 * Co-editors' colours and the presence list, from awareness states. Isomorphic and tiny.
 */

/**
 * Caret and name-label colours: each is at least 6:1 against white (the label's text) and
 * against the page, and distinct in hue. The presence list shows names too, never colour only.
 */
export const CURSOR_COLORS = ['#b3261e', '#1a5fb4', '#2f6b3a', '#8a4b00', '#6b3fa0', '#00696b', '#a1286a', '#4d5b00'] as const;

/** A stable colour for a user id (the same in every tab and for every co-editor). */
export function cursorColorFor(userId: string): string {
  let hash = 2166136261;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
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

/** Awareness states → the people in the note, the current user first, then by name. */
export function presentFrom(states: Map<number, Record<string, unknown>>, localClientId: number, localUserId: string): Present[] {
  const people = new Map<string, Present>();
  for (const [clientId, state] of states) {
    if (!state || typeof state.name !== 'string' || state.name === '') continue;
    const data = (state.awarenessData ?? {}) as { userId?: unknown };
    const userId = typeof data.userId === 'string' ? data.userId : `client:${clientId}`;
    const self = clientId === localClientId || userId === localUserId;
    const key = self ? `user:${localUserId}` : `user:${userId}`;
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
