/**
 * The server's note document layer (app/notes/note-document.server.ts), driven by headless Lexical
 * editors wired to Yjs exactly like the browser's CollaborationPlugin, so the updates checked here
 * are the ones real editors send.
 */
import { createHeadlessEditor } from '@lexical/headless';
import { $createLinkNode, $toggleLink } from '@lexical/link';
import { $createListItemNode, $createListNode, $insertList, type ListItemNode } from '@lexical/list';
import { $createHeadingNode, $createQuoteNode } from '@lexical/rich-text';
import { $setBlocksType } from '@lexical/selection';
import { $createTableNodeWithDimensions, type TableNode } from '@lexical/table';
import {
  $createLineBreakNode,
  $createParagraphNode,
  $createTabNode,
  $createTextNode,
  $getRoot,
  $getSelection,
  type ElementNode,
  type RangeSelection,
  type TextNode,
} from 'lexical';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { $createCitationNode, $isCitationNode, CitationNode, citationsIn, registerCitationRules } from '../../app/notes/citation-node';
import { NOTE_NODE_TYPES, NOTE_NODES } from '../../app/notes/note-nodes';
import { changesDocument, checkUpdate, diffText, initialUpdate, MAX_CONTENT_CHARS, readDocument, replaceContent, validateUpdate, type UpdateCheck } from '../../app/notes/note-document.server';
import { bindLexicalEditor } from '../support/lexical-collab';

const noop = () => {};
const coEditor = bindLexicalEditor;
type Client = ReturnType<typeof coEditor>;

/**
 * A server-side doc holding a new note, and a co-editor bound to its own replica. What the client
 * sends reaches the server, as through the socket layer; `checked`: only once the server's check
 * has accepted it, each check recorded in `checks`.
 */
function newNote(title = 'Synthèse', { checked = false } = {}) {
  const server = new Y.Doc();
  Y.applyUpdate(server, initialUpdate(title));
  const replica = new Y.Doc();
  const client = coEditor(replica);
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(server));
  client.editor.read(noop);
  const checks: { update: Uint8Array; check: UpdateCheck }[] = [];
  replica.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin === 'server') return;
    if (checked) {
      const check = checkUpdate(update, server);
      checks.push({ update, check });
      if (!check.ok) return;
    }
    Y.applyUpdate(server, update, 'client');
  });
  return { server, replica, client, checks };
}

const selection = () => $getSelection() as RangeSelection;
const lastParagraph = () => $getRoot().getLastChild() as ElementNode;

/** Edits covering every node type and the usual operations, each returning its updates. */
function editEverything(client: Client, { unsafeLink = true } = {}) {
  const steps: [string, Uint8Array[]][] = [];
  const step = (name: string, fn: () => void) => steps.push([name, client.edit(fn)]);
  step('typing', () => {
    lastParagraph().selectEnd();
    selection().insertText('Intro <script>alert(1)</script> text');
  });
  for (const key of 'abc') step('keystroke', () => selection().insertText(key));
  step('bold', () => {
    (lastParagraph().getFirstChild() as TextNode).select(0, 5);
    selection().formatText('bold');
  });
  step('heading', () => {
    lastParagraph().selectEnd();
    selection().insertParagraph();
    selection().insertText('Findings');
    $setBlocksType(selection(), () => $createHeadingNode('h3'));
  });
  step('list', () => {
    lastParagraph().selectEnd();
    selection().insertParagraph();
    selection().insertText('one');
    $insertList('bullet');
    selection().insertParagraph();
    selection().insertText('two');
  });
  step('nested list', () => {
    selection().insertParagraph();
    selection().insertText('nested');
    (selection().anchor.getNode().getParent() as ListItemNode).setIndent(1);
  });
  step('numbered list', () => {
    $getRoot().append($createListNode('number', 3).append($createListItemNode().append($createTextNode('three')), $createListItemNode().append($createTextNode('four'))));
  });
  step('link', () => {
    const paragraph = $createParagraphNode().append($createTextNode('see GFMD site'));
    $getRoot().append(paragraph);
    (paragraph.getFirstChild() as TextNode).select(4, 8);
    $toggleLink('https://gfmd.org/?a=1&b="2"');
  });
  step('citation', () => {
    const paragraph = $createParagraphNode().append($createTextNode('as a mayor said '), $createCitationNode({ kind: 'post', id: 12 }));
    $getRoot().append(paragraph);
  });
  if (unsafeLink) {
    // The browser's link rules never let this one out (Toolbar's $keepSafeLink); a hostile client could.
    step('unsafe link', () => {
      $getRoot().append($createParagraphNode().append($createLinkNode('javascript:alert(1)').append($createTextNode('click'))));
    });
  }
  step('quote', () => {
    const paragraph = $createParagraphNode().append($createTextNode('A quote'), $createLineBreakNode(), $createTextNode('line 2'));
    $getRoot().append(paragraph);
    paragraph.select();
    $setBlocksType(selection(), () => $createQuoteNode());
  });
  step('table', () => {
    $getRoot().append($createTableNodeWithDimensions(2, 2, true));
  });
  step('table cells', () => {
    const table = $getRoot().getLastChild() as TableNode;
    const first = (table.getFirstChild() as ElementNode).getFirstChild() as ElementNode;
    (first.getFirstChild() as ElementNode).append($createTextNode('Who'));
    const last = (table.getLastChild() as ElementNode).getLastChild() as ElementNode;
    (last.getFirstChild() as ElementNode).append($createTextNode('x'), $createTabNode(), $createTextNode('y'));
  });
  step('deleting characters', () => {
    const text = ($getRoot().getChildAtIndex(1) as ElementNode).getLastDescendant() as TextNode;
    const size = text.getTextContentSize();
    text.select(size - 3, size); // the "abc" typed above
    selection().removeText();
  });
  step('removing a block', () => {
    $getRoot().append($createParagraphNode().append($createTextNode('to be removed')));
  });
  step('removing a block', () => $getRoot().getLastChild()!.remove());
  return steps;
}

describe('note document: first content', () => {
  it('lists the node types a note may hold', () => {
    expect([...NOTE_NODE_TYPES].sort()).toEqual(
      ['root', 'paragraph', 'text', 'linebreak', 'tab', 'list', 'listitem', 'link', 'quote', 'heading', 'table', 'tablerow', 'tablecell', 'citation'].sort(),
    );
  });

  it('seeds an h2 title and an empty paragraph; two seeds made apart merge into one', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    Y.applyUpdate(a, initialUpdate('Question 1 <draft>'));
    Y.applyUpdate(b, initialUpdate('Question 1 <draft>'));
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const read = readDocument(a);
    const children = JSON.parse(read.content).root.children;
    expect(children.map((c: { type: string; tag?: string }) => c.tag ?? c.type)).toEqual(['h2', 'paragraph']);
    expect(read.text).toBe('Question 1 <draft>');
    expect(read.html).toBe('<h2>Question 1 &lt;draft&gt;</h2><p></p>');
    expect(readDocument(b)).toEqual(read);
  });

  it('reaches a bound editor as the same two blocks', () => {
    const { client } = newNote('Title');
    expect(client.editor.read(() => $getRoot().getChildren().map((n) => n.getType()))).toEqual(['heading', 'paragraph']);
  });
});

describe('note document: reading', () => {
  it('derives Lexical JSON, readable text and safe HTML from every node type', () => {
    const { server, client } = newNote();
    editEverything(client);
    const read = readDocument(server);
    const types = new Set<string>();
    const walk = (node: { type: string; children?: unknown[] }) => {
      types.add(node.type);
      (node.children as (typeof node)[] | undefined)?.forEach(walk);
    };
    walk(JSON.parse(read.content).root);
    expect([...types].sort()).toEqual([...NOTE_NODE_TYPES].sort());

    expect(read.text).toBe(
      [
        'Synthèse',
        'Intro <script>alert(1)</script> text',
        'Findings',
        '- one\n- two\n  - nested',
        '3. three\n4. four',
        'see GFMD site',
        'as a mayor said [C-12]',
        'click',
        '> A quote\n> line 2',
        'Who\t\n\tx\ty',
      ].join('\n\n'),
    );
    expect(read.html).toBe(
      '<h2>Synthèse</h2>' +
        '<p><strong>Intro</strong> &lt;script&gt;alert(1)&lt;/script&gt; text</p>' +
        '<h3><strong>Findings</strong></h3>' + // the selection kept the bold format while typing
        '<ul><li><strong>one</strong></li><li><strong>two</strong></li><li><ul><li><strong>nested</strong></li></ul></li></ul>' +
        '<ol start="3"><li>three</li><li>four</li></ol>' +
        '<p>see <a href="https://gfmd.org/?a=1&amp;b=&quot;2&quot;" rel="nofollow ugc noopener noreferrer">GFMD</a> site</p>' +
        '<p>as a mayor said <a class="citation" href="#source-post-12" data-citation="post:12">[C-12]</a></p>' +
        '<p>click</p>' + // javascript: is not rendered as a link
        '<blockquote>A quote<br>line 2</blockquote>' +
        '<table><tbody><tr><th><p>Who</p></th><th><p></p></th></tr><tr><th><p></p></th><td><p>x\ty</p></td></tr></tbody></table>',
    );
    expect(read.html).not.toMatch(/<script|javascript:/);
  });

  it('renders hostile properties written with plain Yjs safely', () => {
    const { server, replica } = newNote();
    const root = replica.get('root', Y.XmlText);
    const heading = root.toDelta()[0].insert as Y.XmlText;
    replica.transact(() => {
      heading.setAttribute('__tag', 'script');
      const link = new Y.XmlText();
      link.setAttribute('__type', 'link');
      link.setAttribute('__url', 'javascript:alert(1)');
      const paragraph = root.toDelta()[1].insert as Y.XmlText;
      paragraph.insertEmbed(0, link);
      const text = new Y.Map();
      text.set('__type', 'text');
      text.set('__format', 1);
      link.insertEmbed(0, text);
      link.insert(1, '<img src=x onerror=alert(1)>');
    });
    const { html } = readDocument(server);
    expect(html).toBe('<h3>Synthèse</h3><p><strong>&lt;img src=x onerror=alert(1)&gt;</strong></p>');
  });

  it('reads a copy: the live doc is not modified', () => {
    const { server, client } = newNote();
    editEverything(client);
    const before = Y.encodeStateAsUpdate(server);
    readDocument(server);
    expect(Y.encodeStateAsUpdate(server)).toEqual(before);
  });

  it('is fast enough to run after every burst of edits', () => {
    const { server, client } = newNote();
    client.edit(() => {
      lastParagraph().append($createTextNode('A short synthesis of what the stakeholders said.'));
    });
    const time = (runs: number) => {
      readDocument(server); // warm up
      const start = performance.now();
      for (let i = 0; i < runs; i++) readDocument(server);
      return (performance.now() - start) / runs;
    };
    const short = time(50);
    client.edit(() => {
      for (let i = 0; i < 50; i++) {
        $getRoot().append($createParagraphNode().append($createTextNode(`Paragraph ${i}: ${'the stakeholders agreed on several points '.repeat(6)}`)));
      }
    });
    const long = time(10);
    console.log(`readDocument: short note ${short.toFixed(2)} ms, 50 paragraphs ${long.toFixed(2)} ms`);
    expect(short).toBeLessThan(50);
    expect(long).toBeLessThan(250);
  });
});

describe('note document: restoring a version', () => {
  it('turns a doc edited since into the version, as an update every replica can apply', () => {
    const { server, replica, client } = newNote();
    client.edit(() => {
      lastParagraph().append($createTextNode('First draft.'));
      $getRoot().append($createListNode('bullet').append($createListItemNode().append($createTextNode('point'))));
    });
    const version = readDocument(server);
    // A second co-editor joins, then the note moves on.
    const other = new Y.Doc();
    const otherClient = coEditor(other);
    Y.applyUpdate(other, Y.encodeStateAsUpdate(server));
    editEverything(client);
    Y.applyUpdate(other, Y.encodeStateAsUpdate(server, Y.encodeStateVector(other)));
    expect(readDocument(server).text).not.toBe(version.text);

    const before = Y.encodeStateAsUpdate(server);
    const update = replaceContent(server, version.content);
    expect(update).not.toBeNull();
    expect(Y.encodeStateAsUpdate(server)).toEqual(before); // the caller applies it
    expect(validateUpdate(update!, server)).toBe(true);

    Y.applyUpdate(server, update!, 'server');
    Y.applyUpdate(replica, update!, 'server');
    Y.applyUpdate(other, update!, 'server');
    expect(readDocument(server).text).toBe(version.text);
    expect(readDocument(server).content).toBe(version.content);
    expect(readDocument(other)).toEqual(readDocument(server));
    expect(client.text()).toBe(otherClient.text());
    expect(client.editor.read(() => $getRoot().getChildren().map((n) => n.getType()))).toEqual(['heading', 'paragraph', 'list']);

    // Editing goes on from the restored content, and everyone converges.
    const edits = otherClient.edit(() => lastParagraph().insertBefore($createParagraphNode().append($createTextNode('After the restore.'))));
    for (const edit of edits) Y.applyUpdate(server, edit);
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(server, Y.encodeStateVector(replica)), 'server');
    expect(readDocument(server).text).toBe(`${version.text.replace(/\n\n- point$/, '')}\n\nAfter the restore.\n\n- point`);
    expect(readDocument(replica)).toEqual(readDocument(server));

    // Restoring what is already there changes nothing.
    const current = readDocument(server);
    expect(replaceContent(server, current.content)).toBeNull();
  });

  it('keeps the blocks the version shares with the current text: a co-editor typing in one during the restore loses nothing', () => {
    const { server, replica, client } = newNote('Kept');
    client.edit(() => {
      lastParagraph().append($createTextNode('Cities lead.'));
      $getRoot().append($createParagraphNode().append($createTextNode('Old ending.')));
    });
    const version = readDocument(server);
    client.edit(() => (lastParagraph().getFirstChild() as TextNode).setTextContent('New ending.'));
    // A second co-editor, in sync, types in the unchanged paragraph while the restore is made.
    const other = new Y.Doc();
    const otherClient = coEditor(other);
    Y.applyUpdate(other, Y.encodeStateAsUpdate(server));
    otherClient.editor.read(noop);
    const typing = otherClient.edit(() => {
      ($getRoot().getChildAtIndex(1) as ElementNode).selectEnd();
      selection().insertText(' Truly.');
    });
    const restore = replaceContent(server, version.content)!;
    expect(validateUpdate(restore, server)).toBe(true);
    for (const u of [restore, ...typing]) Y.applyUpdate(server, u);
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(server, Y.encodeStateVector(replica)), 'server');
    Y.applyUpdate(other, Y.encodeStateAsUpdate(server, Y.encodeStateVector(other)));
    expect(readDocument(server).text).toBe('Kept\n\nCities lead. Truly.\n\nOld ending.');
    expect(readDocument(replica)).toEqual(readDocument(server));
    expect(readDocument(other)).toEqual(readDocument(server));
  });
});

describe('note document: incoming updates', () => {
  it('accepts what a real editor sends, for each node type, deletions and undo/redo, checked before the server takes it', () => {
    const { server, replica, client, checks } = newNote('Synthèse', { checked: true });
    const first = client.since(0).length; // the replica's first sync
    const steps = editEverything(client, { unsafeLink: false });
    for (const [name, updates] of steps) expect(updates.length, name).toBeGreaterThan(0);
    const from = client.since(0).length;
    client.undo.undo(); // brings the removed block back (a recreated shared type)
    client.undo.undo();
    client.undo.redo();
    client.editor.read(noop);
    expect(client.since(from).length).toBeGreaterThan(0);
    expect(checks.length).toBe(client.since(first).length);
    expect(checks.filter(({ check }) => !check.ok).map(({ check }) => check)).toEqual([]);
    // Deleting (characters, a block) adds nothing: the size limit never stands in its way.
    expect(checks.map(({ update, check }) => check.ok && check.grows === Y.decodeUpdate(update).structs.length > 0)).not.toContain(false);
    expect(checks.some(({ check }) => check.ok && !check.grows)).toBe(true);
    // Everything reached the server: the replicas are the same document.
    expect(Y.encodeStateVector(server)).toEqual(Y.encodeStateVector(replica));
    expect(changesDocument(server, Y.encodeStateAsUpdate(replica))).toBe(false);
    expect(readDocument(server)).toEqual(readDocument(replica));

    // The full state, as a reconnecting editor's sync step 2 would send it, to a server that has
    // only the note's first content; and the same edits merged into one update (the browser's
    // provider merges what is typed within a few milliseconds).
    const fresh = () => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, initialUpdate('Synthèse'));
      return doc;
    };
    expect(checkUpdate(Y.encodeStateAsUpdate(server), fresh())).toEqual({ ok: true, grows: true });
    expect(checkUpdate(Y.mergeUpdates(client.since(0)), fresh())).toEqual({ ok: true, grows: true });
    // Already there: nothing new, nothing refused.
    expect(checkUpdate(Y.mergeUpdates(client.since(0)), server)).toEqual({ ok: true, grows: false });
  });

  it('refuses a link the editor would never make', () => {
    const { checks, client } = newNote('Links', { checked: true });
    client.edit(() => $getRoot().append($createParagraphNode().append($createLinkNode('javascript:alert(1)').append($createTextNode('click')))));
    expect(checks.at(-1)!.check).toMatchObject({ ok: false, reason: expect.stringMatching(/link\.__url = "javascript:alert\(1\)"/) });
  });

  /** An update made with plain Yjs on a replica of a new note. */
  function forged(change: (root: Y.XmlText, doc: Y.Doc) => void) {
    const { server } = newNote();
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
    const before = Y.encodeStateVector(doc);
    doc.transact(() => change(doc.get('root', Y.XmlText), doc));
    return { server, update: Y.encodeStateAsUpdate(doc, before) };
  }
  const block = (type: string) => {
    const node = new Y.XmlText();
    node.setAttribute('__type', type);
    return node;
  };
  const refused = ({ server, update }: ReturnType<typeof forged>) => validateUpdate(update, server) === false;

  it('refuses unknown node types, overwritten types and foreign shared types', () => {
    const paragraph = forged((root) => root.insertEmbed(root.length, block('paragraph')));
    expect(validateUpdate(paragraph.update, paragraph.server)).toBe(true); // the control

    expect(refused(forged((root) => root.insertEmbed(root.length, block('html-embed'))))).toBe(true);
    expect(refused(forged((root) => root.insertEmbed(root.length, new Y.XmlText())))).toBe(true); // no __type
    expect(refused(forged((root) => root.insertEmbed(root.length, new Y.XmlElement())))).toBe(true);
    const typeNotString = forged((root) => {
      const node = new Y.XmlText();
      node.setAttribute('__type', { toString: 'paragraph' } as unknown as string);
      root.insertEmbed(root.length, node);
    });
    expect(refused(typeNotString)).toBe(true);
    const retyped = forged((root) => (root.toDelta()[1].insert as Y.XmlText).setAttribute('__type', 'quote'));
    expect(refused(retyped)).toBe(true); // its predecessor is in the doc
    expect(refused(forged((_root, doc) => doc.getMap('elsewhere').set('x', 1)))).toBe(true);
    expect(refused(forged((root) => root.setAttribute('__sub', new Y.Doc() as never)))).toBe(true);
    expect(validateUpdate(new Uint8Array([1, 2, 3]), new Y.Doc())).toBe(false);
  });

  it('refuses enormous content', () => {
    const ok = forged((root) => (root.toDelta()[0].insert as Y.XmlText).insert(1, 'x'.repeat(MAX_CONTENT_CHARS)));
    expect(validateUpdate(ok.update, ok.server)).toBe(true);
    expect(refused(forged((root) => (root.toDelta()[0].insert as Y.XmlText).insert(1, 'x'.repeat(MAX_CONTENT_CHARS + 1))))).toBe(true);
    const property = forged((root) => ((root.toDelta()[0].insert as Y.XmlText).toDelta()[0].insert as Y.Map<unknown>).set('__style', 'x'.repeat(200_000)));
    expect(refused(property)).toBe(true);
  });

  it('is cheap enough for every keystroke, in a long note too', () => {
    const { server, client } = newNote();
    client.edit(() => {
      for (let i = 0; i < 300; i++) {
        $getRoot().append($createParagraphNode().append($createTextNode(`Paragraph ${i}: ${'the stakeholders agreed on several points '.repeat(6)}`)));
      }
    });
    client.edit(() => lastParagraph().selectEnd());
    // Each keystroke checked against the server as it was just before it.
    const cases: [Uint8Array, Y.Doc][] = [];
    for (const key of 'The stakeholders agree') {
      const before = new Y.Doc();
      Y.applyUpdate(before, Y.encodeStateAsUpdate(server));
      for (const update of client.edit(() => selection().insertText(key))) cases.push([update, before]);
    }
    for (const [update, doc] of cases) expect(checkUpdate(update, doc)).toEqual({ ok: true, grows: true });
    const runs = 20_000;
    const start = performance.now();
    for (let i = 0; i < runs; i++) checkUpdate(...cases[i % cases.length]!);
    const perUpdate = (performance.now() - start) / runs;
    console.log(`checkUpdate: ${(perUpdate * 1000).toFixed(1)} µs per keystroke update (${cases[1]![0].length} bytes, note of ${Y.encodeStateAsUpdate(server).length} bytes)`);
    expect(perUpdate).toBeLessThan(0.5);
  });

  it('tells a harmless repeat from an edit, without touching the doc', () => {
    const { server, replica, client } = newNote();
    editEverything(client); // the doc now has deletions too
    client.edit(() => $getRoot().append($createParagraphNode().append($createTextNode('Hello world'))));
    const lastBlock = (doc: Y.Doc) => {
      const delta = doc.get('root', Y.XmlText).toDelta();
      return delta[delta.length - 1].insert as Y.XmlText;
    };
    const state = Y.encodeStateAsUpdate(server);
    const reader = new Y.Doc();
    Y.applyUpdate(reader, state);

    expect(changesDocument(server, Y.encodeStateAsUpdate(new Y.Doc()))).toBe(false); // empty
    expect(changesDocument(server, Y.encodeStateAsUpdate(reader, Y.encodeStateVector(server)))).toBe(false); // in-sync step 2
    expect(Y.decodeUpdate(state).ds.clients.size).toBeGreaterThan(0);
    expect(changesDocument(server, state)).toBe(false); // everything, deletions included, already applied
    expect(changesDocument(server, Y.encodeStateAsUpdate(replica))).toBe(false);

    const sv = Y.encodeStateVector(reader);
    lastBlock(reader).insert(lastBlock(reader).length, '!');
    expect(changesDocument(server, Y.encodeStateAsUpdate(reader, sv))).toBe(true); // an insertion

    const deleter = new Y.Doc();
    Y.applyUpdate(deleter, state);
    const deleterSv = Y.encodeStateVector(deleter);
    lastBlock(deleter).delete(1, 3); // "Hel" of "Hello world" (0 is the text node's map)
    const deletion = Y.encodeStateAsUpdate(deleter, deleterSv);
    expect(Y.decodeUpdate(deletion).structs).toHaveLength(0); // a deletion only
    expect(changesDocument(server, deletion)).toBe(true);
    expect(Y.encodeStateAsUpdate(server)).toEqual(state); // not applied by the check

    Y.applyUpdate(server, deletion);
    expect(readDocument(server).text).toMatch(/\n\nlo world$/);
    expect(changesDocument(server, deletion)).toBe(false); // now already applied
  });
});

describe('note document: citations', () => {
  it('syncs a citation as one atomic marker, derived from its target and never from its text', () => {
    const { server, replica, client } = newNote('Sources');
    const updates = client.edit(() => {
      lastParagraph().selectEnd();
      selection().insertText('Cities lead ');
      selection().insertNodes([$createCitationNode({ kind: 'post', id: 17 })]);
      selection().insertText(' and ');
      selection().insertNodes([$createCitationNode({ kind: 'case_study', id: 4 })]);
      selection().insertText('.');
    });
    for (const update of updates) expect(validateUpdate(update, server)).toBe(true);
    const { text, html, content } = readDocument(server);
    expect(text).toBe('Sources\n\nCities lead [C-17] and [CS-4].');
    expect(html).toBe(
      '<h2>Sources</h2><p>Cities lead <a class="citation" href="#source-post-17" data-citation="post:17">[C-17]</a> and ' +
        '<a class="citation" href="#source-case_study-4" data-citation="case_study:4">[CS-4]</a>.</p>',
    );
    expect(citationsIn(content)).toEqual([{ kind: 'post', id: 17 }, { kind: 'case_study', id: 4 }]);

    // A second replica gets the same nodes, target included.
    const late = new Y.Doc();
    const lateClient = coEditor(late);
    Y.applyUpdate(late, Y.encodeStateAsUpdate(replica));
    lateClient.editor.read(noop);
    const refs = lateClient.editor.read(() => $getRoot().getAllTextNodes().filter($isCitationNode).map((n) => n.getRef()));
    expect(refs).toEqual([{ kind: 'post', id: 17 }, { kind: 'case_study', id: 4 }]);
    // Token mode: typing at its end goes into a new text node, the marker stays whole.
    expect(lateClient.editor.read(() => $getRoot().getAllTextNodes().filter($isCitationNode).every((n) => n.getMode() === 'token'))).toBe(true);
  });

  it('an editor gives an altered citation its marker back, and drops one without a valid target', () => {
    const editor = createHeadlessEditor({ nodes: [...NOTE_NODES], onError: (error) => { throw error; } });
    registerCitationRules(editor);
    editor.update(
      () => {
        const forged = new CitationNode('post', 5, '[C-1, Someone Else]');
        const broken = new CitationNode('nonsense' as never, 7);
        $getRoot().append($createParagraphNode().append($createTextNode('See '), forged, broken));
      },
      { discrete: true },
    );
    const nodes = editor.read(() => $getRoot().getAllTextNodes().map((n) => [n.getType(), n.getTextContent(), n.getMode()]));
    expect(nodes).toEqual([['text', 'See ', 'normal'], ['citation', '[C-5]', 'token']]);
    // A reader's editor changes nothing (the server would refuse it).
    const reader = createHeadlessEditor({ nodes: [...NOTE_NODES], editable: false, onError: (error) => { throw error; } });
    registerCitationRules(reader);
    reader.update(() => $getRoot().append($createParagraphNode().append(new CitationNode('post', 5, '[fake]'))), { discrete: true });
    expect(reader.read(() => $getRoot().getTextContent())).toBe('[fake]');
  });

  it('renders a citation with a hostile text or target safely', () => {
    const { server, replica } = newNote('Hostile');
    const root = replica.get('root', Y.XmlText);
    replica.transact(() => {
      const paragraph = root.toDelta()[1].insert as Y.XmlText;
      const forged = new Y.Map();
      forged.set('__type', 'citation');
      forged.set('__kind', 'post');
      forged.set('__targetId', 9);
      forged.set('__mode', 1);
      paragraph.insertEmbed(0, forged);
      paragraph.insert(1, '[C-1, Someone Else] <b>'); // the text a co-editor typed in: ignored
      const broken = new Y.Map();
      broken.set('__type', 'citation');
      broken.set('__kind', '"><script>');
      broken.set('__targetId', '1 onmouseover=x');
      paragraph.insertEmbed(paragraph.length, broken);
      paragraph.insert(paragraph.length, 'x');
    });
    const { text, html, content } = readDocument(server);
    expect(text).toBe('Hostile\n\n[C-9]');
    expect(html).toBe('<h2>Hostile</h2><p><a class="citation" href="#source-post-9" data-citation="post:9">[C-9]</a></p>');
    expect(citationsIn(content)).toEqual([{ kind: 'post', id: 9 }]);
  });
});

describe('note document: comparing versions', () => {
  it('diffs plain texts word by word', () => {
    expect(diffText('The group agreed on access.', 'The group broadly agreed on access.')).toEqual([
      { type: 'same', text: 'The group ' },
      { type: 'added', text: 'broadly ' },
      { type: 'same', text: 'agreed on access.' },
    ]);
    expect(diffText('same', 'same')).toEqual([{ type: 'same', text: 'same' }]);
    expect(diffText('old', 'new').map((part) => part.type).sort()).toEqual(['added', 'removed']);
  });
});
