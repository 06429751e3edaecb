/**
 * What a note's Yjs document holds, read back node by node the way the Lexical binding reads it,
 * and held against the editor's vocabulary (app/notes/update-check.server.ts): the same rules seen
 * from the other side. The update check decides from an update what the document would become;
 * this looks at what it became. Tests use it to show that whatever the check lets through leaves
 * a document within the vocabulary.
 */
import * as Y from 'yjs';
import { CHILDREN, PROPERTIES } from '../../app/notes/update-check.server';

const LEAVES = new Set(['text', 'tab', 'linebreak', 'citation']);
const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

/** Everything in `doc` a note editor would never have written; empty when the note is clean. */
export function vocabularyViolations(doc: Y.Doc): string[] {
  const violations: string[] = [];
  for (const name of doc.share.keys()) {
    if (name !== 'root') violations.push(`a top-level type ${JSON.stringify(name)}`);
  }
  if (!doc.share.has('root')) return violations;
  let root: Y.XmlText;
  try {
    root = doc.get('root', Y.XmlText); // typed on first use, as the binding does
  } catch {
    return [...violations, `a root of the wrong kind (${doc.share.get('root')!.constructor.name})`];
  }

  const properties = (where: string, type: string, entries: [string, unknown][]) => {
    const rules = own(PROPERTIES, type);
    if (!rules) return violations.push(`${where}: a node type notes do not have (${type})`);
    for (const [key, value] of entries) {
      if (key === '__type') continue;
      const rule = own(rules, key);
      if (!rule) violations.push(`${where}: a property ${key} ${type} nodes do not have`);
      else if (!rule(value)) violations.push(`${where}: ${type}.${key} = ${JSON.stringify(value)}`);
    }
  };

  const element = (node: Y.XmlText, type: string, where: string, depth: number) => {
    if (depth > 100) return violations.push(`${where}: nested deeper than 100`);
    properties(where, type, Object.entries(node.getAttributes()));
    for (const [i, part] of (node.toDelta() as { insert: unknown; attributes?: unknown }[]).entries()) {
      const at = `${where}/${i}`;
      if (part.attributes) violations.push(`${at}: formatted content`);
      const insert = part.insert;
      if (typeof insert === 'string') continue;
      const childType = insert instanceof Y.XmlText ? insert.getAttribute('__type') : insert instanceof Y.Map ? insert.get('__type') : undefined;
      if (insert instanceof Y.XmlText || insert instanceof Y.Map) {
        // A node without a type is one the binding skips (a deleted one's leftovers); anything else must be typed.
        if (typeof childType !== 'string') {
          violations.push(`${at}: a node without a type`);
          continue;
        }
        if (!own(CHILDREN, type)?.has(childType)) violations.push(`${at}: a ${childType} inside a ${type}`);
        if (insert instanceof Y.Map !== LEAVES.has(childType)) violations.push(`${at}: a ${childType} of the wrong kind`);
        if (insert instanceof Y.XmlText) element(insert, childType, `${at}:${childType}`, depth + 1);
        else properties(`${at}:${childType}`, childType, [...insert.entries()]);
      } else {
        violations.push(`${at}: content notes do not hold (${(insert as object)?.constructor?.name ?? typeof insert})`);
      }
    }
  };
  element(root, 'root', 'root', 0);
  return violations;
}
