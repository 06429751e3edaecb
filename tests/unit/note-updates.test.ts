/**
 * The check of co-editors' updates (app/notes/update-check.server.ts) against the note editor's
 * vocabulary, update by update, with updates made by hand with plain Yjs in the shapes Lexical's
 * binding uses (tests/support/yjs-client.ts): hostile styles, unknown node types and properties,
 * values out of range, nodes in the wrong place, properties removed, updates that depend on what
 * the note does not have. Also the document size estimate and the derived copy's text policy.
 */
import { createHeadlessEditor } from '@lexical/headless';
import { withDOM } from '@lexical/headless/dom';
import { LinkNode } from '@lexical/link';
import { registerRichText } from '@lexical/rich-text';
import { registerTableCellUnmergeTransform, TableCellNode } from '@lexical/table';
import { createYjsBinding } from '@lexical/yjs';
import { $getRoot, PASTE_COMMAND, type ElementNode } from 'lexical';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { NOTE_NODE_TYPES, NOTE_NODES } from '../../app/notes/note-nodes';
import { $keepSafeLink } from '../../app/editor/Toolbar';
import { checkUpdate, documentBytes, exceedsDocumentLimit, PROPERTIES } from '../../app/notes/update-check.server';
import { initialUpdate, readDocument, replaceContent } from '../../app/notes/note-document.server';
import { bindLexicalEditor } from '../support/lexical-collab';
import { blocks, children, COVER_THE_PAGE, firstText, forge, insert, node, PARAGRAPH, paragraph, serverNote, TEXT } from '../support/note-fixtures';
import { vocabularyViolations } from '../support/note-walk';

const check = (server: Y.Doc, change: (doc: Y.Doc) => void) => checkUpdate(forge(server, change), server);
const refusedFor = (reason: RegExp) => ({ ok: false, reason: expect.stringMatching(reason) });

describe('the vocabulary', () => {
  it('names exactly the properties the Lexical binding syncs, and allows what the editor writes for a new node', () => {
    const editor = createHeadlessEditor({ nodes: [...NOTE_NODES], onError: (error) => { throw error; } });
    const doc = new Y.Doc();
    const binding = createYjsBinding({ editor, id: 'note', doc, docMap: new Map([['note', doc]]) });
    const synced = new Map([...binding.nodeProperties].filter(([type]) => NOTE_NODE_TYPES.has(type)));
    expect([...synced.keys()].sort()).toEqual([...NOTE_NODE_TYPES].sort());
    expect(Object.keys(PROPERTIES).sort()).toEqual([...NOTE_NODE_TYPES].sort());
    const failing: string[] = [];
    for (const [type, defaults] of synced) {
      expect([type, Object.keys(defaults).filter((k) => k !== '__type').sort()]).toEqual([type, Object.keys(PROPERTIES[type]!).sort()]);
      for (const [key, value] of Object.entries(defaults)) if (key !== '__type' && !PROPERTIES[type]![key]!(value)) failing.push(`${type}.${key}`);
    }
    // A link and a citation are always made with their target; an empty one is never written.
    expect(failing.sort()).toEqual(['citation.__targetId', 'link.__url']);
  });

  it('a note every editor operation made is within it', () => {
    expect(vocabularyViolations(serverNote())).toEqual([]);
  });
});

/** Pasted HTML from office suites and web pages, with styles everywhere and a sized table. */
const STYLED_PASTE =
  '<p style="text-align:center"><span style="color:#ff0000;font-size:30px;position:fixed;z-index:9999">Red and big</span> ' +
  '<b>bold</b> <i>italic</i> <u>underlined</u> <s>struck</s> <code>code</code> <sub>sub</sub> <sup>sup</sup> <mark>marked</mark></p>' +
  '<h1 style="color:red">Title</h1><h4>Small heading</h4><blockquote>Quoted</blockquote>' +
  '<ol start="3"><li>three</li><li style="background:red">four<ul><li>nested</li></ul></li></ol>' +
  '<p><a href="https://gfmd.org" target="_blank" title="GFMD" style="color:red">a link</a> and <a href="javascript:alert(1)">a bad one</a></p>' +
  '<table style="width:100%"><colgroup><col width="200"><col width="150"></colgroup><tbody>' +
  '<tr style="height:40px"><th style="background-color:#ff0;vertical-align:top">Who</th><th>What</th></tr>' +
  '<tr><td style="width:120px;background-color:#0f0" colspan="2"><span style="color:blue">merged cell</span></td></tr></tbody></table>';

describe('pasting', () => {
  it('what Lexical makes of pasted HTML is taken: its import keeps formats and sizes, no client style', () => {
    const server = new Y.Doc();
    Y.applyUpdate(server, initialUpdate('Pasted'));
    const replica = new Y.Doc();
    const client = bindLexicalEditor(replica);
    registerRichText(client.editor);
    // What the note editor's plugins do: its link rules, and its TablePlugin (hasCellMerge and
    // hasCellBackgroundColor off).
    client.editor.registerNodeTransform(LinkNode, (link) => void $keepSafeLink(link));
    registerTableCellUnmergeTransform(client.editor);
    client.editor.registerNodeTransform(TableCellNode, (cell) => {
      if (cell.getBackgroundColor() !== null) cell.setBackgroundColor(null);
    });
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(server));
    client.flush();
    const checks: ReturnType<typeof checkUpdate>[] = [];
    replica.on('update', (update: Uint8Array) => {
      const result = checkUpdate(update, server);
      checks.push(result);
      if (result.ok) Y.applyUpdate(server, update);
    });
    // happy-dom lacks these event classes; Lexical's paste path only tests `instanceof` against them.
    for (const name of ['DragEvent', 'InputEvent', 'KeyboardEvent', 'ClipboardEvent']) (globalThis as Record<string, unknown>)[name] ??= class {};
    withDOM(() => {
      client.editor.update(() => ($getRoot().getLastChild() as ElementNode).selectEnd(), { discrete: true });
      const clipboardData = { getData: (type: string) => (type === 'text/html' ? STYLED_PASTE : type === 'text/plain' ? 'plain' : '') };
      client.editor.dispatchCommand(PASTE_COMMAND, { clipboardData, preventDefault: () => {} } as unknown as ClipboardEvent);
      client.flush();
    });
    expect(checks.length).toBeGreaterThan(0);
    expect(checks).toEqual(checks.map(() => ({ ok: true, grows: true })));
    expect(vocabularyViolations(server)).toEqual([]);
    const { html } = readDocument(server);
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('merged cell');
    expect(html).not.toMatch(/style=|position|color/);
  });
});

describe('hostile styles', () => {
  it('refuses a text node whose style covers the page, new or restyled, and the other client styles', () => {
    const server = serverNote();
    // A new text node, as tests/support/yjs-client.ts makes one, with the style of the attack.
    expect(check(server, (doc) => insert(paragraph(doc), node('leaf', { ...TEXT, __style: COVER_THE_PAGE }), 'Click anywhere'))).toEqual(
      refusedFor(/^text\.__style = "position:fixed/),
    );
    // An existing one restyled: the update carries no key, only the previous value's id.
    const restyle = forge(server, (doc) => firstText(doc).set('__style', COVER_THE_PAGE));
    expect(Y.decodeUpdate(restyle).structs.every((s) => !(s instanceof Y.Item) || s.parentSub === null)).toBe(true);
    expect(checkUpdate(restyle, server)).toEqual(refusedFor(/^text\.__style = /));
    expect(check(server, (doc) => firstText(doc).set('__style', 'color: red'))).toEqual(refusedFor(/^text\.__style/));
    expect(check(server, (doc) => paragraph(doc).setAttribute('__style', COVER_THE_PAGE as never))).toEqual(refusedFor(/^paragraph\.__style/));
    expect(check(server, (doc) => paragraph(doc).setAttribute('__textStyle', COVER_THE_PAGE as never))).toEqual(refusedFor(/^paragraph\.__textStyle/));
    expect(check(server, (doc) => doc.get('root', Y.XmlText).setAttribute('__style', COVER_THE_PAGE as never))).toEqual(refusedFor(/^root\.__style/));
    const cell = (doc: Y.Doc) => children(children(blocks(doc)[3]!)[0] as Y.XmlText)[0] as Y.XmlText;
    expect(check(server, (doc) => cell(doc).setAttribute('__backgroundColor', 'red' as never))).toEqual(refusedFor(/^tablecell\.__backgroundColor/));
    // The control: the same node with the editor's own properties.
    expect(check(server, (doc) => insert(paragraph(doc), node('leaf', TEXT), 'Plain'))).toEqual({ ok: true, grows: true });
    expect(check(server, (doc) => firstText(doc).set('__format', 1 | 2 | 8))).toEqual({ ok: true, grows: true });
  });
});

describe('node types and properties', () => {
  const server = serverNote();
  const root = (doc: Y.Doc) => doc.get('root', Y.XmlText);

  it('refuses node types notes do not have, and nodes of the wrong shape', () => {
    for (const type of ['image', 'artificial', 'code', 'root', 'constructor', '__proto__']) {
      expect([type, check(server, (doc) => insert(root(doc), node('element', { ...PARAGRAPH, __type: type })))]).toEqual([type, refusedFor(/a node type notes do not have|wrong shape/)]);
    }
    expect(check(server, (doc) => insert(root(doc), node('leaf', PARAGRAPH)))).toEqual(refusedFor(/wrong shape/));
    expect(check(server, (doc) => insert(paragraph(doc), node('element', TEXT)))).toEqual(refusedFor(/wrong shape/));
    expect(check(server, (doc) => insert(root(doc), node('element', {})))).toEqual(refusedFor(/without its type/));
    expect(check(server, (doc) => root(doc).insertEmbed(1, new Y.Array()))).toEqual(refusedFor(/shared type/));
    expect(check(server, (doc) => root(doc).insertEmbed(1, { html: '<script>' }))).toEqual(refusedFor(/content notes do not hold \(ContentEmbed\)/));
    expect(check(server, (doc) => paragraph(doc).format(0, 3, { style: COVER_THE_PAGE }))).toEqual(refusedFor(/ContentFormat/));
  });

  it('refuses nodes where the editor never puts them', () => {
    expect(check(server, (doc) => insert(root(doc), node('leaf', TEXT), 'loose text'))).toEqual(refusedFor(/a text node inside a root node/));
    expect(check(server, (doc) => insert(root(doc), node('element', { ...PARAGRAPH, __type: 'tablecell' })))).toEqual(refusedFor(/a tablecell node inside a root node/));
    expect(check(server, (doc) => insert(paragraph(doc), node('element', { ...PARAGRAPH, __type: 'listitem' })))).toEqual(refusedFor(/a listitem node inside a paragraph node/));
    const cell = (doc: Y.Doc) => children(children(blocks(doc)[3]!)[0] as Y.XmlText)[0] as Y.XmlText;
    expect(check(server, (doc) => insert(cell(doc), node('element', { ...PARAGRAPH, __type: 'table' })))).toEqual(refusedFor(/a table node inside a tablecell node/));
    expect(check(server, (doc) => insert(cell(doc), node('element', PARAGRAPH)))).toEqual({ ok: true, grows: true }); // the control
  });

  it('refuses properties a node type does not have', () => {
    expect(check(server, (doc) => firstText(doc).set('__onclick', 'alert(1)'))).toEqual(refusedFor(/a property "__onclick" that text nodes do not have/));
    expect(check(server, (doc) => paragraph(doc).setAttribute('__url', 'https://x.org' as never))).toEqual(refusedFor(/"__url" that paragraph/));
    expect(check(server, (doc) => paragraph(doc).setAttribute('__state', new Y.Map() as never))).toEqual(refusedFor(/"__state"/));
    expect(check(server, (doc) => firstText(doc).set('__text', 'shown instead'))).toEqual(refusedFor(/"__text"/));
    expect(check(server, (doc) => firstText(doc).set('__style', new Uint8Array([1, 2])))).toEqual(refusedFor(/property value notes do not hold/));
  });

  it('refuses values out of range, and takes those the editor writes', () => {
    const heading = (doc: Y.Doc) => blocks(doc)[0]!;
    const list = (doc: Y.Doc) => blocks(doc)[2]!;
    const link = (doc: Y.Doc) => children(paragraph(doc))[1] as Y.XmlText;
    const citation = (doc: Y.Doc) => children(paragraph(doc))[3] as Y.Map<unknown>;
    const table = (doc: Y.Doc) => blocks(doc)[3]!;
    const cell = (doc: Y.Doc) => children(children(table(doc))[0] as Y.XmlText)[0] as Y.XmlText;
    const cases: [string, (doc: Y.Doc) => Y.XmlText | Y.Map<unknown>, string, unknown[], unknown[]][] = [
      ['text', firstText, '__format', [4096, -1, 1.5, '1', null, 2 ** 40], [0, 1, 3, 11, 2047]],
      ['text', firstText, '__mode', [3, -1, 'token'], [0, 1, 2]],
      ['text', firstText, '__detail', [4, 8], [0, 2]],
      ['paragraph', paragraph, '__format', [7, 'center'], [0, 2, 6]],
      ['paragraph', paragraph, '__indent', [11, -1, 1_000_000], [0, 3, 10]],
      ['paragraph', paragraph, '__dir', ['auto', 'ltr;position:fixed'], [null, 'ltr', 'rtl']],
      ['paragraph', paragraph, '__textFormat', [4096], [0, 1]],
      ['heading', heading, '__tag', ['h7', 'script', 'H2', 'div'], ['h1', 'h2', 'h3', 'h6']],
      ['list', list, '__listType', ['check', 'ol'], ['bullet', 'number']],
      ['list', list, '__tag', ['table', 'script'], ['ul', 'ol']],
      ['list', list, '__start', [1.5, 10_000_000, '3'], [1, 3, 1_000]],
      ['link', link, '__url', ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'https://x.org/\u0000', 'vbscript:x', '/relative', 42], ['https://gfmd.org/x?a=1', 'http://example.org', 'mailto:someone@example.org']],
      ['link', link, '__target', ['_blank', '_top'], [null]],
      ['link', link, '__rel', ['noreferrer" onclick="x', 42], [null, 'noreferrer']],
      ['citation', citation, '__kind', ['user', '"><script>'], ['post', 'case_study']],
      ['citation', citation, '__targetId', [0, -1, 1.5, '17', 1_000_000_000], [1, 17, 999_999_999]],
      ['table', table, '__rowStriping', ['yes', 1], [false, true]],
      ['table', table, '__frozenRowCount', [2, -1], [0, 1]],
      ['table', table, '__colWidths', [[100, 1e9], [-5], 'wide', Array.from({ length: 65 }, () => 10)], [[120, 80], undefined]],
      ['tablerow', (doc) => children(table(doc))[0] as Y.XmlText, '__height', [100_000, -1, '40px'], [40, undefined]],
      ['tablecell', cell, '__width', [1e6, '100%'], [150, undefined]],
      ['tablecell', cell, '__verticalAlign', ['baseline; position: fixed', 'sub'], ['top', 'middle', 'bottom', undefined]],
      ['tablecell', cell, '__colSpan', [2, 0], [1]],
      ['listitem', (doc) => children(list(doc))[0] as Y.XmlText, '__checked', ['yes'], [true, false, undefined]],
      ['tablecell', cell, '__headerState', [4, -1], [0, 1, 2, 3]],
    ];
    for (const [type, target, key, bad, good] of cases) {
      for (const value of bad) {
        const set = (doc: Y.Doc) => {
          const n = target(doc);
          if (n instanceof Y.Map) n.set(key, value);
          else n.setAttribute(key, value as never);
        };
        expect([type, key, value, check(server, set)]).toEqual([type, key, value, refusedFor(new RegExp(`^${type}\\.${key} = `))]);
      }
      for (const value of good) {
        const set = (doc: Y.Doc) => {
          const n = target(doc);
          if (n instanceof Y.Map) n.set(key, value);
          else n.setAttribute(key, value as never);
        };
        const result = check(server, set);
        // Setting a value a node already has still makes an update: nothing refused either way.
        expect([type, key, value, result.ok]).toEqual([type, key, value, true]);
      }
    }
  });

  it('refuses a changed node type and a property removed from a node that stays', () => {
    expect(check(server, (doc) => paragraph(doc).setAttribute('__type', 'quote' as never))).toEqual(refusedFor(/a node’s type changed/));
    // A type set as if the node had none (no predecessor named): it would race the node's own.
    const text = firstText(server)._item!;
    const encoder = new Y.UpdateEncoderV1();
    encoding.writeVarUint(encoder.restEncoder, 1); // one client
    encoding.writeVarUint(encoder.restEncoder, 1); // one struct
    encoder.writeClient(4242);
    encoding.writeVarUint(encoder.restEncoder, 0); // its first clock
    new Y.Item(Y.createID(4242, 0), null, null, null, null, text.id as never, '__type', new Y.ContentAny(['linebreak'])).write(encoder, 0);
    encoding.writeVarUint(encoder.restEncoder, 0); // no deletions
    const racing = encoder.toUint8Array();
    expect(Y.decodeUpdate(racing).structs[0]).toMatchObject({ parent: text.id, parentSub: '__type', origin: null });
    expect(checkUpdate(racing, server)).toEqual(refusedFor(/a node’s type changed/));
    expect(check(server, (doc) => firstText(doc).set('__type', 'citation'))).toEqual(refusedFor(/a node’s type changed/));
    expect(check(server, (doc) => firstText(doc).delete('__style'))).toEqual(refusedFor(/removes the property "__style"/));
    expect(check(server, (doc) => firstText(doc).delete('__type'))).toEqual(refusedFor(/removes the property "__type"/));
    expect(check(server, (doc) => paragraph(doc).removeAttribute('__format'))).toEqual(refusedFor(/removes the property "__format"/));
    // A node removed with its properties, and a property replaced, are what editors do.
    expect(check(server, (doc) => doc.get('root', Y.XmlText).delete(1, 1))).toEqual({ ok: true, grows: false });
    expect(check(server, (doc) => firstText(doc).set('__format', 1))).toEqual({ ok: true, grows: true });
  });
});

describe('what an update depends on', () => {
  it('refuses an update that needs changes the note does not have, which Yjs would keep and apply unchecked later', () => {
    const server = serverNote();
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(server));
    const updates: Uint8Array[] = [];
    replica.on('update', (u: Uint8Array) => updates.push(u));
    // A harmless node first, then the attack on it, sent the other way round.
    const text = node('leaf', TEXT) as Y.Map<unknown>;
    replica.transact(() => insert(paragraph(replica), text, 'later'));
    replica.transact(() => text.set('__style', COVER_THE_PAGE));
    const [harmless, attack] = updates as [Uint8Array, Uint8Array];
    expect(checkUpdate(attack, server)).toEqual(refusedFor(/depends on changes the note does not have/));
    expect(checkUpdate(harmless, server)).toEqual({ ok: true, grows: true });
    Y.applyUpdate(server, harmless);
    expect(checkUpdate(attack, server)).toEqual(refusedFor(/^text\.__style/));
    expect(server.store.pendingStructs).toBeNull();
  });

  it('refuses deleting what the note does not have', () => {
    const server = serverNote();
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(server));
    const sv = Y.encodeStateVector(replica);
    replica.transact(() => insert(paragraph(replica), node('leaf', TEXT), 'soon gone'));
    const ahead = Y.encodeStateVector(replica);
    replica.transact(() => paragraph(replica).delete(paragraph(replica).length - 4, 4));
    const deletion = Y.encodeStateAsUpdate(replica, ahead); // deletes what the server never got
    expect(Y.decodeUpdate(deletion).structs).toHaveLength(0);
    expect(checkUpdate(deletion, server)).toEqual(refusedFor(/deletes what the note does not have/));
    expect(checkUpdate(Y.encodeStateAsUpdate(replica, sv), server)).toEqual({ ok: true, grows: true }); // both at once
  });

  it('never throws, whatever the bytes', () => {
    const server = serverNote();
    const valid = forge(server, (doc) => insert(paragraph(doc), node('leaf', TEXT), 'fine'));
    for (let cut = 0; cut < valid.length; cut++) expect(() => checkUpdate(valid.slice(0, cut), server)).not.toThrow();
    for (let i = 0; i < valid.length; i++) {
      for (const byte of [0, 1, 0x7f, 0x80, 0xff]) {
        const bent = valid.slice();
        bent[i] = byte;
        const result = checkUpdate(bent, server);
        expect(typeof result.ok).toBe('boolean');
      }
    }
  });
});

describe('document size', () => {
  it('measures the encoded document, and only when the estimate comes near the limit', () => {
    const server = serverNote();
    const size = Y.encodeStateAsUpdate(server).byteLength;
    expect(documentBytes(server)).toBe(size);
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(server));
    replica.on('update', (u: Uint8Array) => Y.applyUpdate(server, u));
    const block = paragraph(replica);
    // Typing and deleting again and again: the estimate grows, the document hardly does.
    for (let i = 0; i < 50; i++) {
      replica.transact(() => block.insert(block.length, 'x'.repeat(200)));
      replica.transact(() => block.delete(block.length - 200, 200));
    }
    const grown = Y.encodeStateAsUpdate(server).byteLength;
    expect(grown - size).toBeLessThan(2_000);
    const limit = grown + 1_000;
    const small = forge(server, (doc) => paragraph(doc).insert(paragraph(doc).length, 'y'.repeat(500)));
    const large = forge(server, (doc) => paragraph(doc).insert(paragraph(doc).length, 'y'.repeat(1_500)));
    expect(exceedsDocumentLimit(server, small, limit)).toBe(false); // measured: it fits
    expect(exceedsDocumentLimit(server, large, limit)).toBe(true);
    expect(documentBytes(server)).toBe(grown);
  });
});

describe('restoring a version', () => {
  it('saved with a client style (before they were refused) brings none back, and passes the check', () => {
    const server = serverNote();
    const saved = JSON.parse(readDocument(server).content);
    saved.root.children[1].children[0].style = COVER_THE_PAGE;
    saved.root.children[1].textStyle = COVER_THE_PAGE;
    saved.root.children[1].children[0].text = 'Restored\u0000 text';
    const update = replaceContent(server, JSON.stringify(saved))!;
    expect(update).not.toBeNull();
    expect(checkUpdate(update, server)).toEqual({ ok: true, grows: true });
    Y.applyUpdate(server, update);
    expect(vocabularyViolations(server)).toEqual([]);
    expect(readDocument(server).text).toContain('Restored text');
  });
});

describe('the derived copy', () => {
  it('goes through the text policy and never carries a client style, whatever the document holds', () => {
    // A document written before updates were checked: applied as it is, no check.
    const server = serverNote();
    Y.applyUpdate(
      server,
      forge(server, (doc) => {
        insert(paragraph(doc), node('leaf', { ...TEXT, __style: COVER_THE_PAGE, __format: 1 }), 'Nul\u0000 and\u0007 bell\r\nline\u2028sep\uFFFE.');
        paragraph(doc).setAttribute('__textStyle', COVER_THE_PAGE as never);
        const cell = children(children(blocks(doc)[3]!)[0] as Y.XmlText)[0] as Y.XmlText;
        cell.setAttribute('__backgroundColor', 'red' as never);
        insert(doc.get('root', Y.XmlText), node('element', PARAGRAPH));
        const last = blocks(doc).at(-1)!;
        const link = node('element', { ...PARAGRAPH, __type: 'link', __url: 'https://x.org/\u0000\u0001', __target: null, __rel: null, __title: null }) as Y.XmlText;
        insert(last, link);
        insert(link, node('leaf', TEXT), 'link text');
      }),
    );
    expect(vocabularyViolations(server).length).toBeGreaterThan(0);
    const { content, text, html } = readDocument(server);
    for (const copy of [content, text, html]) {
      expect(copy).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F\uFFFE]/);
      expect(copy).not.toContain('\\u0000');
      expect(copy).not.toContain('position:fixed');
      expect(copy).not.toContain('red');
    }
    expect(html).not.toMatch(/style=|<a href="https:\/\/x\.org/);
    expect(text).toContain('Nul and bell\nline\nsep.');
    expect(html).toContain('<strong>Nul and bell\nline\nsep.</strong>');
    const state = JSON.parse(content);
    const styles: string[] = [];
    const walk = (n: Record<string, unknown>) => {
      for (const key of ['style', 'textStyle']) if (key in n) styles.push(n[key] as string);
      (n.children as Record<string, unknown>[] | undefined)?.forEach(walk);
    };
    walk(state.root);
    expect(styles.length).toBeGreaterThan(10);
    expect(new Set(styles)).toEqual(new Set(['']));
  });
});
