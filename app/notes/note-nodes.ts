/**
 * The Lexical node classes a co-edited note may contain (docs/decisions/0008): a post's nodes plus
 * headings, tables and citations of contributions. The browser editor, the server's headless editors and the update validator
 * must all agree on this list: a node type one side does not register makes the other side's
 * binding throw ("Node … is not registered") when the Yjs document reaches it. Isomorphic.
 */
import { HeadingNode } from '@lexical/rich-text';
import { TableCellNode, TableNode, TableRowNode } from '@lexical/table';
import type { Klass, LexicalNode } from 'lexical';
import { CitationNode } from './citation-node';
import { POST_NODES } from '../posts/nodes';

export const NOTE_NODES: readonly Klass<LexicalNode>[] = [...POST_NODES, HeadingNode, TableNode, TableRowNode, TableCellNode, CitationNode];

/**
 * The serialized `type` strings allowed in a note (also the `__type` values the Yjs binding writes):
 * the core nodes every editor registers, then each registered class's own type. Derived from the
 * classes rather than typed out, so a renamed type cannot silently slip past the validator.
 */
export const NOTE_NODE_TYPES: ReadonlySet<string> = new Set([
  'root',
  'paragraph',
  'text',
  'linebreak',
  'tab',
  ...NOTE_NODES.map((klass) => klass.getType()),
]);
