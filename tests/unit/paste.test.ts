/**
 * Word and Google Docs clipboard HTML (tests/fixtures/paste/) pasted into a Lexical editor with
 * the shared paste handler (app/editor/paste.ts), headless on happy-dom: Word's list paragraphs
 * become real, nested lists without their typed markers; Google Docs' wrapper and the <br>s
 * between its blocks leave no empty paragraphs. Then through the server's own reading of a post.
 */
import { readFileSync } from 'node:fs';
import { createHeadlessEditor } from '@lexical/headless';
import { withDOM } from '@lexical/headless/dom';
import { registerRichText } from '@lexical/rich-text';
import { $createParagraphNode, $getRoot, PASTE_COMMAND, type LexicalEditor } from 'lexical';
import { describe, expect, it } from 'vitest';
import { POST_NODES } from '../../app/posts/nodes';
import { NOTE_NODES } from '../../app/notes/note-nodes';
import { cleanPastedHtml, isGoogleDocsHtml, isWordHtml, registerOfficePaste } from '../../app/editor/paste';
import { renderHtml, sanitizeDocument } from '../../app/posts/lexical';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');
const WORD = fixture('word-lists.html');
const DOCS = fixture('google-docs.html');

interface Outline {
  type: string;
  text?: string;
  listType?: string;
  format?: number | string;
  children?: Outline[];
}

/** The editor's content as [type, text] lines, nesting by indentation: what the structure is, at a glance. */
function outline(editor: LexicalEditor): string[] {
  const lines: string[] = [];
  const walk = (node: Outline, depth: number) => {
    const label = node.type === 'text' ? `"${node.text}"${node.format ? ` (format ${node.format})` : ''}` : node.listType ? `${node.type} ${node.listType}` : node.type;
    lines.push(`${'  '.repeat(depth)}${label}`);
    for (const child of node.children ?? []) walk(child, depth + 1);
  };
  for (const child of (editor.getEditorState().toJSON().root as Outline).children ?? []) walk(child, 0);
  return lines;
}

/** Pastes `html` (with `plain` as the text/plain flavour) into an empty editor, as the browser's paste event would. */
function paste(html: string, nodes = POST_NODES, { plain = 'plain text', richText = true } = {}) {
  const editor = createHeadlessEditor({ nodes: [...nodes], onError: (e) => { throw e; } });
  if (richText) registerRichText(editor);
  registerOfficePaste(editor);
  let prevented = false;
  let handled = false;
  withDOM(() => {
    editor.update(() => $getRoot().clear().append($createParagraphNode()).selectEnd(), { discrete: true });
    const clipboardData = { getData: (type: string) => (type === 'text/html' ? html : type === 'text/plain' ? plain : '') };
    const event = { clipboardData, preventDefault: () => (prevented = true) } as unknown as ClipboardEvent;
    handled = editor.dispatchCommand(PASTE_COMMAND, event);
    editor.read(() => {}); // commit
  });
  return { editor, prevented, handled };
}

describe('pasting from Word and Google Docs', () => {
  it('recognises where the HTML comes from', () => {
    expect(isWordHtml(WORD)).toBe(true);
    expect(isGoogleDocsHtml(DOCS)).toBe(true);
    expect(isWordHtml(DOCS) || isGoogleDocsHtml(WORD)).toBe(false);
    expect(isWordHtml('<p>Hello <b>world</b></p>') || isGoogleDocsHtml('<p>Hello</p>')).toBe(false);
  });

  it('turns Word’s list paragraphs into nested bullet and numbered lists, without "·" and no-break spaces', () => {
    const { editor, prevented } = paste(WORD);
    expect(prevented).toBe(true);
    expect(outline(editor)).toEqual([
      'paragraph',
      '  "Our partnership rests on three pillars:"',
      'list bullet',
      '  listitem',
      '    "Skills recognition" (format 1)',
      '    " between countries of origin and destination"',
      '  listitem',
      '    list bullet',
      '      listitem',
      '        "Mutual recognition of "',
      '        "diplomas" (format 2)',
      '      listitem',
      '        list bullet',
      '          listitem',
      '            "Nursing and care work first"',
      '  listitem',
      '    "Pre-departure training"',
      '  listitem',
      '    "Fair recruitment"',
      'paragraph',
      '  "The steps we took:"',
      'list number',
      '  listitem',
      '    "Sign a memorandum of understanding"',
      '  listitem',
      '    "Set up a joint committee"',
      '  listitem',
      '    "Report every year"',
      'paragraph',
      '  "Thank you."',
    ]);
    // What the server stores and shows for such a post.
    const html = renderHtml(sanitizeDocument(editor.getEditorState().toJSON() as never));
    expect(html).toContain('<ol><li>Sign a memorandum of understanding</li>');
    expect(html).toMatch(/<ul><li><strong>Skills recognition<\/strong> between countries of origin and destination<\/li><li>(<ul>|[^<]*<ul>)/);
    expect(html).not.toMatch(/[·§\u00a0]/);
  });

  it('leaves no empty paragraph for Google Docs’ wrapper and <br>s, and keeps its bold, italic, list and link', () => {
    const { editor } = paste(DOCS);
    expect(outline(editor)).toEqual([
      'paragraph',
      '  "Local governments are the first to receive newcomers."',
      'paragraph',
      '  "Housing" (format 1)',
      '  " and "',
      '  "language classes" (format 2)',
      '  " come first."',
      'list bullet',
      '  listitem',
      '    "Montréal"',
      '  listitem',
      '    "Dakar"',
      'paragraph',
      '  "See the "',
      '  link',
      // Docs underlines link text; the editors' transforms drop formats a post may not carry.
      '    "GFMD site" (format 8)',
      '  "."',
    ]);
  });

  it('works the same in the note editor’s node set', () => {
    expect(outline(paste(WORD, NOTE_NODES).editor)).toEqual(outline(paste(WORD).editor));
    expect(outline(paste(DOCS, NOTE_NODES).editor)).toEqual(outline(paste(DOCS).editor));
  });

  it('leaves other HTML to Lexical as it was', () => {
    const html = '<p>One</p><br><p>Two</p>';
    // Not handled here: Lexical's own paste handler (the rich-text plugin's, left out) takes it.
    expect(paste(html, POST_NODES, { richText: false })).toMatchObject({ handled: false, prevented: false });
    expect(withDOM((window) => cleanPastedHtml(html, new window.DOMParser() as unknown as DOMParser))).toBe(html);
  });

  it('reads Word’s "filtered" HTML, where markers are plain text', () => {
    const filtered = `<html xmlns:w="urn:schemas-microsoft-com:office:word"><body>
<p class=MsoListParagraph style='margin-left:36.0pt;text-indent:-18.0pt;mso-list:l0 level1 lfo1'>a)&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; First</p>
<p class=MsoListParagraph style='margin-left:36.0pt;text-indent:-18.0pt;mso-list:l0 level1 lfo1'>b)&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; Second</p>
</body></html>`;
    expect(outline(paste(filtered).editor)).toEqual(['list number', '  listitem', '    "First"', '  listitem', '    "Second"']);
  });
});
