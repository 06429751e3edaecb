/**
 * Notes made for tests of the update check: a server-side note holding one of each node the editor
 * makes (written by a headless Lexical editor bound like the browser's), and updates made by hand
 * with plain Yjs in the shapes Lexical's binding uses (as tests/support/yjs-client.ts makes them).
 */
import { $createLinkNode } from '@lexical/link';
import { $createListItemNode, $createListNode } from '@lexical/list';
import { $createTableNodeWithDimensions } from '@lexical/table';
import { $createParagraphNode, $createTextNode, $getRoot } from 'lexical';
import * as Y from 'yjs';
import { $createCitationNode } from '../../app/notes/citation-node';
import { initialUpdate } from '../../app/notes/note-document.server';
import { bindLexicalEditor } from './lexical-collab';

/** The style of the attack found: a text node covering the whole page for every reader. */
export const COVER_THE_PAGE = 'position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:2147483647;background:#fff';

export const TEXT = { __type: 'text', __format: 0, __style: '', __mode: 0, __detail: 0 };
export const PARAGRAPH = { __type: 'paragraph', __format: 0, __style: '', __indent: 0, __dir: null, __textFormat: 0, __textStyle: '' };

/**
 * A server-side note with one of each node an editor makes (written by a headless Lexical editor,
 * as a browser would): a heading, a paragraph with a link and a citation, a list, a table.
 */
export function serverNote(): Y.Doc {
  const doc = new Y.Doc();
  const client = bindLexicalEditor(doc);
  Y.applyUpdate(doc, initialUpdate('Synthèse'));
  client.flush();
  client.edit(() => {
    const root = $getRoot();
    (root.getLastChild() as ReturnType<typeof $createParagraphNode>).append(
      $createTextNode('Cities lead '),
      $createLinkNode('https://gfmd.org').append($createTextNode('GFMD')),
      $createTextNode(' '),
      $createCitationNode({ kind: 'post', id: 17 }),
    );
    root.append($createListNode('bullet').append($createListItemNode().append($createTextNode('one'))));
    root.append($createTableNodeWithDimensions(1, 1, false));
  });
  const server = new Y.Doc();
  Y.applyUpdate(server, Y.encodeStateAsUpdate(doc));
  return server;
}

/** The blocks of the root, and helpers to reach the nodes of serverNote(). */
export const blocks = (doc: Y.Doc) => (doc.get('root', Y.XmlText).toDelta() as { insert: unknown }[]).map((d) => d.insert as Y.XmlText);
export const children = (node: Y.XmlText) => (node.toDelta() as { insert: unknown }[]).map((d) => d.insert).filter((x): x is Y.XmlText | Y.Map<unknown> => typeof x !== 'string');
export const paragraph = (doc: Y.Doc) => blocks(doc)[1]!;
export const firstText = (doc: Y.Doc) => children(paragraph(doc))[0] as Y.Map<unknown>;

/** The update `change` makes on a replica of `server` (plain Yjs, one transaction). */
export function forge(server: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const replica = new Y.Doc();
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(server));
  const before = Y.encodeStateVector(replica);
  replica.transact(() => change(replica));
  return Y.encodeStateAsUpdate(replica, before);
}

/** Properties of a node made by `node`, set by `insert` once it is in the document (as the binding does). */
const pendingProperties = new WeakMap<object, Record<string, unknown>>();

/** A new node: an element (`Y.XmlText`) or a text-like leaf (`Y.Map`) with these properties. */
export function node(kind: 'element' | 'leaf', properties: Record<string, unknown>): Y.XmlText | Y.Map<unknown> {
  const created = kind === 'element' ? new Y.XmlText() : new Y.Map<unknown>();
  pendingProperties.set(created, properties);
  return created;
}

/** Inserts `child` at the end of `parent` (an element), then its properties, then `text` after it. */
export function insert(parent: Y.XmlText, child: Y.XmlText | Y.Map<unknown>, text = '') {
  parent.insertEmbed(parent.length, child);
  for (const [key, value] of Object.entries(pendingProperties.get(child) ?? {})) {
    if (child instanceof Y.Map) child.set(key, value);
    else child.setAttribute(key, value as never);
  }
  if (text) parent.insert(parent.length, text);
}

