/**
 * Random edits of a note made with plain Yjs (fast-check arbitraries): nodes of any type and shape
 * with any properties, properties set and removed, text, deletions, formatting, embeds, foreign
 * top-level types. `run` plays one on a replica; what the replica then sends is what a hostile (or
 * broken) client could send. Used by the unit fuzz of the update check and by the socket tests.
 */
import fc from 'fast-check';
import * as Y from 'yjs';
import { NOTE_NODE_TYPES } from '../../app/notes/note-nodes';
import { PROPERTIES } from '../../app/notes/update-check.server';
import { COVER_THE_PAGE } from './note-fixtures';

const KEYS = [...new Set([...Object.values(PROPERTIES).flatMap((rules) => Object.keys(rules)), '__type', '__foo', '__state', '__text', '__key', 'style', '__proto__', 'constructor'])];
const TYPES = [...NOTE_NODE_TYPES, 'image', 'artificial', 'code', 'constructor'];

export const value = fc.oneof(
  fc.constantFrom<unknown>(0, 1, 2, 3, 6, 11, 2047, 4096, -1, 1.5, '', null, undefined, true, false, COVER_THE_PAGE, 'color: red'),
  fc.constantFrom<unknown>('h2', 'h7', 'ul', 'ol', 'bullet', 'number', 'check', 'ltr', 'rtl', 'post', 'case_study', 17, 'top', [120, 80], [1e9]),
  fc.constantFrom<unknown>('https://gfmd.org', 'mailto:a@b.org', 'javascript:alert(1)', 'https://x.org/\u0000', 'noreferrer', '_blank'),
  fc.constantFrom(...TYPES),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.double(),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('\u0000', '\t', '\n', 'a\u0007b', '\uD800', 'é'));

/** Properties as the binding writes them for a type (valid), or any mix of keys and values. */
const properties = fc.oneof(
  fc.constantFrom(...Object.keys(PROPERTIES)).map((type) => ({ __type: type })),
  fc.tuple(fc.constantFrom(...TYPES), fc.array(fc.tuple(fc.constantFrom(...KEYS), value), { maxLength: 4 })).map(([type, entries]) => ({ __type: type, ...Object.fromEntries(entries) })),
  fc.array(fc.tuple(fc.constantFrom(...KEYS), value), { maxLength: 3 }).map((entries) => Object.fromEntries(entries)),
);

export type Op =
  | { op: 'node'; at: number; pos: number; shape: 'element' | 'leaf' | 'xmlelement' | 'array'; props: Record<string, unknown>; text: string }
  | { op: 'set'; at: number; key: string; value: unknown }
  | { op: 'unset'; at: number; key: string }
  | { op: 'text'; at: number; pos: number; text: string }
  | { op: 'remove'; at: number; pos: number; len: number }
  | { op: 'format'; at: number; pos: number; len: number; key: string; value: unknown }
  | { op: 'embed'; at: number; pos: number }
  | { op: 'foreign'; key: string; value: unknown };

const index = fc.nat({ max: 1_000 });
export const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('node' as const), at: index, pos: index, shape: fc.constantFrom('element' as const, 'leaf' as const, 'xmlelement' as const, 'array' as const), props: properties, text }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), at: index, key: fc.constantFrom(...KEYS), value }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unset' as const), at: index, key: fc.constantFrom(...KEYS) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('text' as const), at: index, pos: index, text }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), at: index, pos: index, len: fc.integer({ min: 1, max: 4 }) }) },
  {
    weight: 1,
    // (Yjs cannot even encode a format whose value is undefined.)
    arbitrary: fc.record({ op: fc.constant('format' as const), at: index, pos: index, len: fc.integer({ min: 1, max: 3 }), key: fc.constantFrom('style', '__style', 'bold'), value: value.filter((v) => v !== undefined) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('embed' as const), at: index, pos: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('foreign' as const), key: fc.string({ maxLength: 4 }), value }) },
);

/** Every node of a replica, elements first (the root among them), then leaves. */
export function nodesOf(doc: Y.Doc): { elements: Y.XmlText[]; leaves: Y.Map<unknown>[] } {
  const elements: Y.XmlText[] = [];
  const leaves: Y.Map<unknown>[] = [];
  const walk = (element: Y.XmlText) => {
    elements.push(element);
    for (const { insert } of element.toDelta() as { insert: unknown }[]) {
      if (insert instanceof Y.XmlText) walk(insert);
      else if (insert instanceof Y.Map) leaves.push(insert);
    }
  };
  walk(doc.get('root', Y.XmlText));
  return { elements, leaves };
}

/** Runs `op` on `doc`; an edit Yjs itself refuses (out of range…) is skipped. */
export function run(doc: Y.Doc, step: Op) {
  const { elements, leaves } = nodesOf(doc);
  const element = 'at' in step ? elements[step.at % elements.length]! : null;
  const any = 'at' in step ? [...elements, ...leaves][step.at % (elements.length + leaves.length)]! : null;
  const pos = (p: number) => p % (element!.length + 1);
  try {
    switch (step.op) {
      case 'node': {
        const created = step.shape === 'element' ? new Y.XmlText() : step.shape === 'leaf' ? new Y.Map() : step.shape === 'xmlelement' ? new Y.XmlElement('p') : new Y.Array();
        const at = pos(step.pos);
        element!.insertEmbed(at, created as never);
        for (const [key, v] of Object.entries(step.props)) {
          if (created instanceof Y.Map) created.set(key, v);
          else if (created instanceof Y.XmlText || created instanceof Y.XmlElement) created.setAttribute(key, v as never);
        }
        if (step.text) element!.insert(at + 1, step.text);
        break;
      }
      case 'set':
        if (any instanceof Y.Map) any.set(step.key, step.value);
        else any!.setAttribute(step.key, step.value as never);
        break;
      case 'unset':
        if (any instanceof Y.Map) any.delete(step.key);
        else any!.removeAttribute(step.key);
        break;
      case 'text':
        element!.insert(pos(step.pos), step.text);
        break;
      case 'remove': {
        const at = pos(step.pos);
        element!.delete(at, Math.min(step.len, element!.length - at));
        break;
      }
      case 'format':
        element!.format(pos(step.pos), step.len, { [step.key]: step.value });
        break;
      case 'embed':
        element!.insertEmbed(pos(step.pos), { image: 'x.png' });
        break;
      case 'foreign':
        doc.getMap('elsewhere').set(step.key, step.value);
        break;
    }
  } catch {
    // not an edit Yjs makes
  }
}

