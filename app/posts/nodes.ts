/**
 * The Lexical node classes a forum post ("contribution") may contain. Shared by the browser
 * composer and anything that parses a post's JSON (a headless editor must register the same
 * list, or `parseEditorState` throws on an unknown type).
 *
 * Notes will extend this (headings, tables): build their list from this one, e.g.
 * `export const NOTE_NODES = [...POST_NODES, HeadingNode, TableNode, TableRowNode, TableCellNode];`
 */
import { LinkNode } from '@lexical/link';
import { ListItemNode, ListNode } from '@lexical/list';
import { QuoteNode } from '@lexical/rich-text';
import type { Klass, LexicalNode } from 'lexical';

export const POST_NODES: readonly Klass<LexicalNode>[] = [QuoteNode, ListNode, ListItemNode, LinkNode];
