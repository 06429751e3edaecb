/**
 * A note's Lexical document as export blocks (app/exports/note-blocks.ts), for what the editor
 * makes: Lexical indents a sub-list by putting it in an item of its own that holds nothing else,
 * which has no number (the next item takes it) and shows under the item before it.
 */
import { describe, expect, it } from 'vitest';
import type { Block, List } from '../../app/exports/document';
import { renderMarkdown } from '../../app/exports/render/markdown';
import { noteBlocks } from '../../app/exports/note-blocks';

const element = { direction: 'ltr', format: '', indent: 0, version: 1 };
const words = (text: string) => ({ type: 'text', text, format: 0, detail: 0, mode: 'normal', style: '', version: 1 });
const item = (value: number, ...children: object[]) => ({ ...element, type: 'listitem', value, children });
const list = (listType: 'number' | 'bullet', start: number, ...children: object[]) => ({ ...element, type: 'list', listType, start, tag: listType === 'number' ? 'ol' : 'ul', children });
const root = (...children: object[]) => ({ ...element, type: 'root', children });
const blocksOf = (tree: object) => noteBlocks(tree, { cite: () => [], headingLevel: () => 2 }).blocks;
const itemText = (l: List) => l.items.map((i) => i.children.map((c) => (c.type === 'text' ? c.text : '')).join(''));

describe('an indented sub-list, as Lexical stores it', () => {
  const tree = root(list('number', 3, item(3, words('three')), item(4, words('four')), item(5, list('bullet', 1, item(1, words('inner a')), item(2, words('inner b')))), item(5, words('five'))));

  // Every renderer printed the sub-list's own item as an empty "5." and then "6. five": the
  // signed-off text numbered "five" 5, as the editor and the site show it.
  it('has no number of its own: the sub-list goes under the item before it, and the next item keeps its number', () => {
    const [block] = blocksOf(tree) as Block[];
    expect(block.type).toBe('list');
    const outer = block as List;
    expect(itemText(outer)).toEqual(['three', 'four', 'five']);
    expect(outer.start).toBe(3);
    expect(outer.items[1]!.lists.map(itemText)).toEqual([['inner a', 'inner b']]);
  });

  it('prints so in Markdown', () => {
    const md = renderMarkdown({
      language: 'en',
      properties: { title: 't', subject: '', version: '', keywords: [] },
      restrictedBanner: null,
      labels: { contents: 'Contents', page: 'Page', footnotes: 'Notes' },
      blocks: blocksOf(tree),
      footnotes: [],
    });
    expect(md).toMatch(/3\. three\n4\. four\n\s+- inner a\n\s+- inner b\n5\. five/);
  });

  it('keeps an empty item, which Lexical numbers', () => {
    const [block] = blocksOf(root(list('number', 1, item(1, words('one')), item(2), item(3, words('three'))))) as List[];
    expect(itemText(block!)).toEqual(['one', '', 'three']);
  });

  it('keeps a sub-list that opens a list as an item of its own (nothing before it to go under)', () => {
    const [block] = blocksOf(root(list('number', 1, item(1, list('bullet', 1, item(1, words('inner')))), item(1, words('one'))))) as List[];
    expect(block!.items).toHaveLength(2);
    expect(block!.items[0]!.lists.map(itemText)).toEqual([['inner']]);
    expect(itemText(block!)).toEqual(['', 'one']);
  });
});
