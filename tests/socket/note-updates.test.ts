/**
 * Notes checked like posts (app/notes/update-check.server.ts), end to end: a real server on a real
 * database, headless co-editors (tests/support/yjs-client.ts) sending updates made with plain Yjs
 * in the shapes Lexical's binding uses, and a headless Lexical editor bound like the browser's.
 * A hostile style, unknown node types and properties are refused and reach neither the others nor
 * the database; an editing session with every format the editor has is taken; the document size
 * limit refuses the sender while the others go on; text with a NUL or another control character
 * is refused (PostgreSQL cannot store a NUL); random hostile updates leave the server serving.
 */
import { $toggleLink } from '@lexical/link';
import { $insertList, type ListItemNode } from '@lexical/list';
import { $createHeadingNode, $createQuoteNode } from '@lexical/rich-text';
import { $setBlocksType } from '@lexical/selection';
import { $createTableNodeWithDimensions, type TableNode } from '@lexical/table';
import fc from 'fast-check';
import { $createParagraphNode, $createTextNode, $getRoot, $getSelection, type ElementNode, type RangeSelection, type TextNode } from 'lexical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { $createCitationNode } from '../../app/notes/citation-node';
import { MAX_CONTENT_CHARS } from '../../app/notes/note-document.server';
import { MESSAGE_SYNC, NOTE_LIMITS, noteMessage } from '../../app/notes/protocol';
import { bindLexicalEditor } from '../support/lexical-collab';
import { blocks, children, COVER_THE_PAGE, insert, node, PARAGRAPH, TEXT } from '../support/note-fixtures';
import { vocabularyViolations } from '../support/note-walk';
import { startTestServer, type TestServer } from '../support/server';
import { createUser, noteScopes, type NoteScope } from '../support/sockets';
import { connectCoEditor, noteText, openCoEditor, type CoEditor } from '../support/yjs-client';
import { op, run } from '../support/yjs-fuzz';

type User = Awaited<ReturnType<typeof createUser>>;

let app: TestServer;
let consultationId: number;
let moderator: User;
let scopes: NoteScope[] = [];
const editors: CoEditor[] = [];

beforeAll(async () => {
  app = await startTestServer();
  ({ consultationId, scopes } = await noteScopes(app));
  moderator = await createUser(app, { role: 'moderator', name: 'Mona Moderator' });
});
afterAll(async () => {
  for (const e of editors) e.close();
  await app?.close();
});

/** A new note (a scope of its own: one note per question and scope). */
async function openNote(title: string): Promise<number> {
  const scope = scopes.shift();
  if (!scope) throw new Error('no note scope left');
  return app.server.services.notes.open(moderator.id, consultationId, { ...scope, title });
}

async function join(noteId: number, name = 'Co-editor'): Promise<CoEditor> {
  const editor = await openCoEditor(app, noteId, { cookie: (await createUser(app, { name })).cookie, name, log: true });
  editors.push(editor);
  return editor;
}

const syncUpdate = (update: Uint8Array) => noteMessage(MESSAGE_SYNC, (e) => syncProtocol.writeUpdate(e, update));

/** The update `change` makes on a copy of `editor`'s replica, sent as that editor (whose own replica stays as it was). */
function sendForged(editor: CoEditor, change: (doc: Y.Doc) => void): Uint8Array {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(editor.doc));
  const before = Y.encodeStateVector(copy);
  copy.transact(() => change(copy));
  const update = Y.encodeStateAsUpdate(copy, before);
  editor.sendRaw(syncUpdate(update));
  return update;
}

/** What the database holds of a note: its stored Yjs document, and its derived copy. */
async function stored(noteId: number) {
  await app.server.services.noteDocs.save(noteId);
  const db = app.server.database.db;
  const [updates, snapshot, note] = await Promise.all([
    db.selectFrom('noteUpdates').select('data').where('noteId', '=', noteId).orderBy('id').execute(),
    db.selectFrom('noteSnapshots').select('data').where('noteId', '=', noteId).executeTakeFirst(),
    db.selectFrom('notes').select(['content', 'text', 'html']).where('id', '=', noteId).executeTakeFirstOrThrow(),
  ]);
  const doc = new Y.Doc();
  if (snapshot) Y.applyUpdate(doc, new Uint8Array(snapshot.data));
  for (const u of updates) Y.applyUpdate(doc, new Uint8Array(u.data));
  return { doc, ...note };
}

/** Every string in a document's text nodes (what any editor would show), and every `__style` value. */
function inside(doc: Y.Doc): { strings: string; styles: unknown[] } {
  let strings = '';
  const styles: unknown[] = [];
  const walk = (element: Y.XmlText) => {
    if (element.getAttribute('__style') !== undefined) styles.push(element.getAttribute('__style'));
    for (const { insert } of element.toDelta() as { insert: unknown }[]) {
      if (typeof insert === 'string') strings += insert;
      else if (insert instanceof Y.XmlText) walk(insert);
      else if (insert instanceof Y.Map && insert.has('__style')) styles.push(insert.get('__style'));
    }
  };
  walk(doc.get('root', Y.XmlText));
  return { strings, styles };
}

describe('hostile updates', () => {
  it('a text node styled to cover the page is refused, new or restyled, and reaches neither the others nor the database', async () => {
    const noteId = await openNote('Synthèse sous attaque');
    const mallory = await join(noteId, 'Mallory');
    const reader = await join(noteId, 'Rita');
    mallory.typeAt(1, 'Shared text.');
    await reader.waitForText('Synthèse sous attaque\n\nShared text.');

    // A new text node, as a Lexical client writes one, with the style of the attack.
    sendForged(mallory, (doc) => insert(blocks(doc)[1]!, node('leaf', { ...TEXT, __style: COVER_THE_PAGE }), 'Click anywhere'));
    await mallory.waitFor(() => mallory.refused.length === 1, 3_000, 'the refusal');
    // The text node already there, restyled (the update names no property, only the value it replaces).
    sendForged(mallory, (doc) => (children(blocks(doc)[1]!)[0] as Y.Map<unknown>).set('__style', COVER_THE_PAGE));
    await mallory.waitFor(() => mallory.refused.length === 2, 3_000, 'the second refusal');
    // And the paragraph's style for the text typed next.
    sendForged(mallory, (doc) => blocks(doc)[1]!.setAttribute('__textStyle', COVER_THE_PAGE as never));
    await mallory.waitFor(() => mallory.refused.length === 3, 3_000, 'the third refusal');
    expect(mallory.refused).toEqual([1, 2, 3].map(() => ({ noteId, reason: 'invalid' })));

    // Anything relayed before the next edit would have reached the reader first.
    mallory.typeAt(1, ' Then typing on.');
    await reader.waitForText('Synthèse sous attaque\n\nShared text. Then typing on.');
    expect(inside(reader.doc).strings).not.toContain('Click anywhere');
    expect(inside(reader.doc).styles.every((style) => style === '')).toBe(true);
    expect(reader.refused).toEqual([]);

    const { doc, content, text, html } = await stored(noteId);
    expect(vocabularyViolations(doc)).toEqual([]);
    expect(inside(doc).strings).toBe('Synthèse sous attaqueShared text. Then typing on.');
    expect(inside(doc).styles.every((style) => style === '')).toBe(true);
    for (const copy of [content, text, html]) expect(copy).not.toMatch(/position:fixed|Click anywhere/);
    expect(text).toBe('Synthèse sous attaque\n\nShared text. Then typing on.');
  });

  it('unknown node types, unknown properties and values out of range are refused; the note goes on', async () => {
    const noteId = await openNote('Vocabulary');
    const mallory = await join(noteId, 'Mallory');
    const other = await join(noteId, 'Olu');
    const paragraph = (doc: Y.Doc) => blocks(doc)[1]!;
    const attempts: [string, (doc: Y.Doc) => void][] = [
      ['an image node', (doc) => insert(doc.get('root', Y.XmlText), node('element', { ...PARAGRAPH, __type: 'image' }))],
      ['a Lexical internal node', (doc) => insert(doc.get('root', Y.XmlText), node('element', { ...PARAGRAPH, __type: 'artificial' }))],
      ['a node without a type', (doc) => insert(doc.get('root', Y.XmlText), node('element', {}))],
      ['a property text nodes do not have', (doc) => insert(paragraph(doc), node('leaf', { ...TEXT, __onclick: 'alert(1)' }), 'x')],
      ['a property on the paragraph', (doc) => paragraph(doc).setAttribute('__state', new Y.Map() as never)],
      ['a Lexical text format that does not exist', (doc) => insert(paragraph(doc), node('leaf', { ...TEXT, __format: 1 << 20 }), 'x')],
      ['a script heading', (doc) => blocks(doc)[0]!.setAttribute('__tag', 'script' as never)],
      ['a table cell outside a table', (doc) => insert(doc.get('root', Y.XmlText), node('element', { ...PARAGRAPH, __type: 'tablecell' }))],
      ['a javascript: link', (doc) => insert(paragraph(doc), node('element', { ...PARAGRAPH, __type: 'link', __url: 'javascript:alert(1)', __target: null, __rel: null, __title: null }))],
      ['a citation of nothing', (doc) => insert(paragraph(doc), node('leaf', { ...TEXT, __type: 'citation', __kind: 'user', __targetId: 1 }), '[C-1]')],
      ['another top-level type', (doc) => doc.getMap('elsewhere').set('x', COVER_THE_PAGE)],
    ];
    for (const [what, change] of attempts) {
      const count = mallory.refused.length;
      sendForged(mallory, change);
      await mallory.waitFor(() => mallory.refused.length > count, 3_000, `the refusal of ${what}`);
      expect([what, mallory.refused.at(-1)]).toEqual([what, { noteId, reason: 'invalid' }]);
    }
    other.typeAt(1, 'Nothing else got in.');
    await mallory.waitForText('Vocabulary\n\nNothing else got in.');
    expect(blocks(other.doc)).toHaveLength(2);
    const { doc } = await stored(noteId);
    expect(vocabularyViolations(doc)).toEqual([]);
    expect(blocks(doc)).toHaveLength(2);
    expect(doc.share.has('elsewhere')).toBe(false);
  });
});

describe('a legitimate editing session', () => {
  it('every format, block and node the editor has is taken, and the co-editors converge', async () => {
    const noteId = await openNote('Everything the editor does');
    const user = await createUser(app, { name: 'Lexi Editor' });
    const browser = await connectCoEditor(app, noteId, { cookie: user.cookie, log: true });
    editors.push(browser);
    const lexical = bindLexicalEditor(browser.doc); // bound before the first sync, as the CollaborationPlugin is
    expect((await browser.join()).ok).toBe(true);
    await browser.synced;
    lexical.flush();
    const other = await join(noteId, 'Olu');

    const selection = () => $getSelection() as RangeSelection;
    const last = () => $getRoot().getLastChild() as ElementNode;
    lexical.edit(() => {
      last().selectEnd();
      selection().insertText('Bold, italic and underlined.');
    });
    // Formats as the toolbar applies them, on what is selected.
    const format = (find: string, kind: 'bold' | 'italic' | 'underline') =>
      lexical.edit(() => {
        const text = last().getChildren().find((n) => n.getTextContent().includes(find)) as TextNode;
        const at = text.getTextContent().indexOf(find);
        text.select(at, at + find.length);
        selection().formatText(kind);
      });
    format('Bold', 'bold');
    format('italic', 'italic');
    format('underlined', 'underline');
    lexical.edit(() => {
      last().selectEnd();
      selection().insertParagraph();
      selection().insertText('Findings');
      $setBlocksType(selection(), () => $createHeadingNode('h3'));
    });
    lexical.edit(() => {
      $getRoot().append($createParagraphNode().append($createTextNode('one')));
      last().selectEnd();
      $insertList('bullet');
      selection().insertParagraph();
      selection().insertText('nested');
      (selection().anchor.getNode().getParent() as ListItemNode).setIndent(1);
    });
    lexical.edit(() => {
      $getRoot().append($createParagraphNode().append($createTextNode('first')));
      last().selectEnd();
      $insertList('number');
    });
    lexical.edit(() => {
      const paragraph = $createParagraphNode().append($createTextNode('see the GFMD site'));
      $getRoot().append(paragraph);
      (paragraph.getFirstChild() as TextNode).select(8, 12);
      $toggleLink('https://gfmd.org');
    });
    lexical.edit(() => {
      $getRoot().append($createParagraphNode().append($createTextNode('as a mayor said '), $createCitationNode({ kind: 'post', id: 12 })));
    });
    lexical.edit(() => {
      const paragraph = $createParagraphNode().append($createTextNode('A quote'));
      $getRoot().append(paragraph);
      paragraph.select();
      $setBlocksType(selection(), () => $createQuoteNode());
    });
    lexical.edit(() => $getRoot().append($createTableNodeWithDimensions(2, 2, true)));
    lexical.edit(() => {
      const table = last() as TableNode;
      const cell = ((table.getLastChild() as ElementNode).getLastChild() as ElementNode).getFirstChild() as ElementNode;
      cell.append($createTextNode('cell'));
    });
    lexical.edit(() => $getRoot().append($createParagraphNode().append($createTextNode('removed again'))));
    lexical.edit(() => last().remove());
    lexical.undo.undo(); // the paragraph comes back: a recreated node
    lexical.flush();

    const expected = lexical.text();
    await other.waitFor(() => other.doc.get('root', Y.XmlText).toString() === browser.doc.get('root', Y.XmlText).toString(), 5_000, 'convergence');
    expect(browser.refused).toEqual([]);
    expect(expected).toContain('removed again');
    const { doc, html } = await stored(noteId);
    expect(vocabularyViolations(doc)).toEqual([]);
    for (const fragment of [
      '<p><strong>Bold</strong>, <em>italic</em> and <u>underlined</u>.</p>',
      '<h3><u>Findings</u></h3>', // typing goes on in the last format used
      '<ul><li>one</li><li><ul><li><u>nested</u></li></ul></li></ul>',
      '<ol><li>first</li></ol>',
      '<a href="https://gfmd.org" rel="nofollow ugc noopener noreferrer">GFMD</a>',
      '<a class="citation" href="#source-post-12" data-citation="post:12">[C-12]</a>',
      '<blockquote>A quote</blockquote>',
      '<td><p>cell</p></td>',
      '<p>removed again</p>',
    ]) {
      expect(html).toContain(fragment);
    }
  });
});

describe('the document size limit', () => {
  it('refuses the sender once the note would grow past it; deleting still works, and the others go on editing', async () => {
    const noteId = await openNote('A note that grows');
    const grower = await join(noteId, 'Gus Grower');
    const other = await join(noteId, 'Olu');
    const relayed = () => grower.messages.filter((m) => m.syncType === syncProtocol.messageYjsUpdate).length;
    const chunk = (i: number) => `${String(i).padStart(4, '0')} ${'lorem ipsum '.repeat(MAX_CONTENT_CHARS / 12)}`.slice(0, MAX_CONTENT_CHARS);
    // One large paragraph at a time, each taken (relayed back) before the next: 100 KB a message.
    let accepted = 0;
    for (let i = 0; grower.refused.length === 0; i++) {
      expect(i).toBeLessThan(Math.ceil(NOTE_LIMITS.documentBytes / MAX_CONTENT_CHARS) + 2);
      const before = relayed();
      grower.appendParagraph(chunk(i));
      await grower.waitFor(() => relayed() > before || grower.refused.length > 0, 10_000, `paragraph ${i} taken or refused`);
      if (grower.refused.length === 0) accepted++;
    }
    expect(grower.refused).toEqual([{ noteId, reason: 'document_too_large' }]);
    const live = await app.server.services.noteDocs.open(noteId);
    const size = Y.encodeStateAsUpdate(live).byteLength;
    expect(accepted).toBeGreaterThan(30);
    expect(size).toBeLessThanOrEqual(NOTE_LIMITS.documentBytes);
    expect(size + MAX_CONTENT_CHARS).toBeGreaterThan(NOTE_LIMITS.documentBytes); // the refused one would not have fitted

    // The others keep editing: a co-editor types, and the refused paragraph reached nobody.
    other.typeAt(1, 'Still editing.');
    await grower.waitFor(() => grower.text().includes('Still editing.'), 5_000, 'the other co-editor’s edit');
    expect(other.refused).toEqual([]);
    expect(blocks(other.doc)).toHaveLength(2 + accepted);

    // Deleting makes room: a paragraph removed, and a new one taken.
    other.doc.transact(() => other.doc.get('root', Y.XmlText).delete(2, 1));
    await expect.poll(() => blocks(live).length, { timeout: 5_000 }).toBe(1 + accepted);
    const latecomer = await join(noteId, 'Lea Late');
    latecomer.appendParagraph(chunk(9_999));
    await other.waitFor(() => other.text().includes('9999 lorem'), 10_000, 'a paragraph in the room made');
    expect(latecomer.refused).toEqual([]);

    const { doc, text } = await stored(noteId);
    expect(blocks(doc)).toHaveLength(2 + accepted);
    expect(text).toContain('Still editing.');
    expect(text).not.toContain(`${String(accepted).padStart(4, '0')} lorem`); // the refused paragraph
  });
});

describe('the text policy', () => {
  it('text carrying a NUL or another control character is refused (the editors clean it out first); the note goes on', async () => {
    const noteId = await openNote('Control characters');
    const writer = await join(noteId, 'Wes Writer');
    const reader = await join(noteId, 'Rita');
    writer.typeAt(1, 'Clean start.');
    await reader.waitForText('Control characters\n\nClean start.');
    const hostile = ['Before\u0000after', 'a bell\u0007', 'a form\u000Cfeed', 'CR\r\nLF', 'esc\u001B[31m', 'NEL\u0085', 'non\uFFFEcharacter'];
    for (const [i, typed] of hostile.entries()) {
      sendForged(writer, (doc) => insert(blocks(doc)[1]!, node('leaf', TEXT), typed));
      await writer.waitFor(() => writer.refused.length === i + 1, 3_000, `the refusal of ${JSON.stringify(typed)}`);
    }
    expect(writer.refused).toEqual(hostile.map(() => ({ noteId, reason: 'invalid' })));
    writer.typeAt(1, ' Then on.');
    await reader.waitForText('Control characters\n\nClean start. Then on.');
    expect(inside(reader.doc).strings).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFFFE]/);
    const { doc, text, content } = await stored(noteId);
    expect(inside(doc).strings).toBe('Control charactersClean start. Then on.');
    expect(text).toBe('Control characters\n\nClean start. Then on.');
    expect(content).not.toMatch(/\\u0000|\\u0007|\\f|\\r/);
  });
});

describe('random hostile updates', () => {
  it('never crash the server: the note stays within the vocabulary and keeps working for everyone', async () => {
    const noteId = await openNote('Fuzzed');
    const honest = await join(noteId, 'Hana Honest');
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 5 }), fc.boolean(), async (ops, merged) => {
        const hostile = await join(noteId, `Hostile ${round++}`);
        const updates: Uint8Array[] = [];
        const copy = new Y.Doc();
        Y.applyUpdate(copy, Y.encodeStateAsUpdate(hostile.doc));
        copy.on('update', (u: Uint8Array) => updates.push(u));
        for (const step of ops) copy.transact(() => run(copy, step));
        for (const update of merged && updates.length > 1 ? [Y.mergeUpdates(updates)] : updates) hostile.sendRaw(syncUpdate(update));
        // A sync step 1 last: its answer comes once the server has dealt with everything before it.
        const answers = () => hostile.messages.filter((m) => m.syncType === syncProtocol.messageYjsSyncStep2).length;
        const before = answers();
        hostile.sendRaw(noteMessage(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep1(e, hostile.doc)));
        await hostile.waitFor(() => answers() > before, 5_000, 'the answer to step 1');
        expect(hostile.socket.connected).toBe(true);
        hostile.close();
      }),
      { numRuns: 40 },
    );
    // (Random deletions may have emptied the note: that is editing too.)
    const live = await app.server.services.noteDocs.open(noteId);
    honest.appendParagraph('Still here.');
    await expect.poll(() => noteText(live), { timeout: 5_000 }).toMatch(/(^|\n)Still here\.$/);
    expect(vocabularyViolations(live)).toEqual([]);
    const { doc, text } = await stored(noteId);
    expect(vocabularyViolations(doc)).toEqual([]);
    expect(text).toContain('Still here.');
    expect(honest.refused).toEqual([]);
    const fresh = await join(noteId, 'Fred Fresh');
    expect(fresh.text()).toBe(honest.text());
  }, 120_000);
});
