/**
 * What the server lets a co-editor's awareness state carry (app/notes/awareness.server.ts):
 * identity from the account, carets only in the shape Yjs writes them.
 */
import { describe, expect, it } from 'vitest';
import { encodeAwarenessUpdate, isRelayedPresenceState, sanitiseAwarenessUpdate, type AwarenessEntry } from '../../app/notes/awareness.server';

const speaker = {
  user: { name: 'Mariama Sow', organisation: 'Collectif', stakeholderGroup: 'civil-society', defaultAttribution: 'chatham' as const },
  ownerOf: () => 'none' as const,
  announced: 0,
  keyFor: (attribution: string) => `key-${attribution}`,
};
const send = (state: Record<string, unknown>) => sanitiseAwarenessUpdate(encodeAwarenessUpdate([{ clientId: 1, clock: 1, state } satisfies AwarenessEntry]), speaker);
const caret = { type: { client: 12, clock: 3 }, tname: null, item: { client: 12, clock: 7 }, assoc: 0 };

describe('awareness states', () => {
  it('keeps well-formed carets and replaces identity with what the attribution allows', () => {
    const [entry] = send({ anchorPos: caret, focusPos: caret, focusing: true, name: 'Someone else', userId: 'x', awarenessData: { userId: 'x' } });
    expect(entry!.state).toEqual({
      anchorPos: caret,
      focusPos: caret,
      focusing: true,
      name: 'civil-society',
      color: expect.stringMatching(/^#[0-9a-f]{6}$/),
      awarenessData: { author: { attribution: 'chatham', stakeholderGroup: 'civil-society' }, key: 'key-chatham' },
    });
  });

  it.each([
    ['a clock that is a string', { ...caret, item: { client: 12, clock: 'a' } }],
    ['a client that is an object', { ...caret, item: { client: { x: 1 }, clock: 1 } }],
    ['a negative clock', { ...caret, type: { client: 1, clock: -1 } }],
    ['an unknown field', { ...caret, extra: 1 }],
    ['a long type name', { ...caret, tname: 'x'.repeat(500) }],
    ['a fractional assoc', { ...caret, assoc: 0.5 }],
    ['an array', [1, 2]],
    ['a number', 3],
  ])('drops a state whose caret has %s', (_what, position) => {
    expect(send({ anchorPos: position, focusPos: caret })).toEqual([]);
    expect(send({ anchorPos: caret, focusPos: position })).toEqual([]);
  });
});

describe('a presence relayed by another node', () => {
  const chatham = { anchorPos: null, focusPos: null, focusing: true, name: 'civil-society', color: '#123456', awarenessData: { author: { attribution: 'chatham', stakeholderGroup: 'civil-society' }, key: 'k1' } };
  const named = { ...chatham, name: 'Awa Diop', awarenessData: { author: { attribution: 'named', name: 'Awa Diop', organisation: 'ONG', stakeholderGroup: 'civil-society' }, key: 'k2' } };

  it('is shown only if it has the shape a node gives one', () => {
    expect(isRelayedPresenceState(chatham)).toBe(true);
    expect(isRelayedPresenceState(named)).toBe(true);
    expect(isRelayedPresenceState(null)).toBe(true);
    // What this node lets a socket say is what the others accept.
    for (const attribution of ['named', 'organisation', 'chatham']) {
      const [entry] = send({ anchorPos: caret, focusPos: caret, focusing: true, awarenessData: { attribution } });
      expect(isRelayedPresenceState(entry!.state)).toBe(true);
    }
  });

  it('never names a Chatham House presence, nor carries anything else', () => {
    expect(isRelayedPresenceState({ ...chatham, name: 'Awa Diop' })).toBe(false);
    expect(isRelayedPresenceState({ ...chatham, awarenessData: { ...chatham.awarenessData, author: { ...chatham.awarenessData.author, name: 'Awa Diop' } } })).toBe(false);
    expect(isRelayedPresenceState({ ...chatham, userId: 'u1' })).toBe(false);
    expect(isRelayedPresenceState({ ...chatham, awarenessData: { ...chatham.awarenessData, userId: 'u1' } })).toBe(false);
    expect(isRelayedPresenceState({ ...chatham, anchorPos: { type: { client: -1, clock: 0 } } })).toBe(false);
    expect(isRelayedPresenceState({ ...named, name: 'Someone else' })).toBe(false);
  });
});
