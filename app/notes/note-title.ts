/**
 * Whether a note's text opens with its own title. A note opened by a moderator starts with its
 * title as a heading (note-document.server.ts `initialUpdate`), and the page must not show the
 * title twice: it then keeps its h1 for assistive technology and the outline, hidden from view.
 * Isomorphic and defensive: the JSON comes from co-editors.
 */

/** Blanks folded, so "Question 4:  synthesis " and "Question 4: synthesis" are one title. */
const folded = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * True when the first block of `content` (the note's Lexical JSON) is a heading whose text is
 * `title`. False for anything else, including JSON that does not parse.
 */
export function opensWithTitle(content: string, title: string): boolean {
  let state: unknown;
  try {
    state = JSON.parse(content);
  } catch {
    return false;
  }
  const first = (state as { root?: { children?: unknown[] } })?.root?.children?.[0] as { type?: unknown; children?: unknown } | undefined;
  if (first?.type !== 'heading' || !Array.isArray(first.children)) return false;
  const text = first.children.map((child) => (typeof (child as { text?: unknown })?.text === 'string' ? (child as { text: string }).text : '')).join('');
  return folded(text) !== '' && folded(text) === folded(title);
}
