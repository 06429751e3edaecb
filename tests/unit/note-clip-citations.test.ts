/**
 * Citations of clips of the compilation in a note (issue 12): a key point inserted as the note
 * editor does it (app/editor/collab/KeyPointDialog.tsx `$keyPointParagraph`), through a headless
 * editor bound to Yjs like the browser's, passes the server's update check and reads back as
 * CL-markers linking to their footnotes; forged clip citations (an unknown kind, an id that is
 * no positive integer, a property citations do not have) are refused.
 */
import { $getRoot, type ElementNode } from 'lexical';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { citationMarker, parseCitationKey } from '../../app/contributions/refs';
import { $keyPointParagraph } from '../../app/editor/collab/KeyPointDialog';
import { $createCitationNode, citationsIn } from '../../app/notes/citation-node';
import { citationsOfContent } from '../../app/notes/note-citations.server';
import { checkUpdate, initialUpdate, readDocument } from '../../app/notes/note-document.server';
import { bindLexicalEditor } from '../support/lexical-collab';
import { children, forge, insert, node, paragraph, serverNote, TEXT } from '../support/note-fixtures';

const refusedFor = (reason: RegExp) => ({ ok: false, reason: expect.stringMatching(reason) });
const clip = (id: number) => ({ id });

/** A note on the server and an editor's replica whose every update is checked before the server takes it. */
function newNote() {
  const server = new Y.Doc();
  Y.applyUpdate(server, initialUpdate('Key points'));
  const replica = new Y.Doc();
  const client = bindLexicalEditor(replica);
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(server), 'server');
  client.flush();
  const refused: string[] = [];
  replica.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin === 'server') return;
    const check = checkUpdate(update, server);
    if (check.ok) Y.applyUpdate(server, update, 'client');
    else refused.push(check.reason);
  });
  return { server, client, refused };
}

describe('a clip citation', () => {
  it('has its own marker and key, and nothing else parses as one', () => {
    expect(citationMarker('clip', 12)).toBe('CL-12');
    expect(parseCitationKey('clip:12')).toEqual({ kind: 'clip', id: 12 });
    for (const bad of ['clip:0', 'clip:1.5', 'clip:-3', 'clip:x', 'quote:12', 'clip:1234567890']) expect(parseCitationKey(bad)).toBeNull();
  });

  it('a key point inserted by an editor passes the update check and reads back as markers linking to the footnotes', () => {
    const { server, client, refused } = newNote();
    client.edit(() => {
      ($getRoot().getLastChild() as ElementNode).selectEnd();
      const point = { heading: 'Cities at the table', summary: 'Local governments must be  at the table\nfrom the start.', clips: [clip(12), clip(13)] };
      $getRoot().append($keyPointParagraph(point), $keyPointParagraph({ heading: 'Heading only', summary: ' ', clips: [clip(14)] }));
      ($getRoot().getLastChild() as ElementNode).selectEnd();
    });
    client.edit(() => {
      ($getRoot().getLastChild() as ElementNode).append($createCitationNode({ kind: 'post', id: 7 }));
    });
    expect(refused).toEqual([]);
    const { text, html, content } = readDocument(server);
    expect(text).toBe('Key points\n\nLocal governments must be at the table from the start. [CL-12] [CL-13]\n\nHeading only [CL-14][C-7]');
    expect(html).toContain(
      '<p>Local governments must be at the table from the start. <a class="citation" href="#source-clip-12" data-citation="clip:12">[CL-12]</a> ' +
        '<a class="citation" href="#source-clip-13" data-citation="clip:13">[CL-13]</a></p>',
    );
    const cited = [{ kind: 'clip', id: 12 }, { kind: 'clip', id: 13 }, { kind: 'clip', id: 14 }, { kind: 'post', id: 7 }];
    expect(citationsIn(content)).toEqual(cited);
    expect(citationsOfContent(content)).toEqual(cited);
  });

  it('forged ones are refused: an unknown kind, an id that is no positive integer, a property citations do not have', () => {
    const server = serverNote();
    const addCitation = (properties: Record<string, unknown>) => (doc: Y.Doc) => insert(paragraph(doc), node('leaf', { ...TEXT, __mode: 1, __type: 'citation', ...properties }), '[CL-1]');
    const check = (change: (doc: Y.Doc) => void) => checkUpdate(forge(server, change), server);
    // The control: a clip citation as the editor makes it.
    expect(check(addCitation({ __kind: 'clip', __targetId: 12 }))).toEqual({ ok: true, grows: true });
    expect(check(addCitation({ __kind: 'quote', __targetId: 12 }))).toEqual(refusedFor(/^citation\.__kind = "quote"/));
    expect(check(addCitation({ __kind: 'Clip', __targetId: 12 }))).toEqual(refusedFor(/^citation\.__kind = /));
    for (const id of [1.5, '12', 0, -12, 1e12, null]) expect([id, check(addCitation({ __kind: 'clip', __targetId: id }))]).toEqual([id, refusedFor(/^citation\.__targetId = /)]);
    expect(check(addCitation({ __kind: 'clip', __targetId: 12, __quote: 'words the clip never had' }))).toEqual(refusedFor(/a property "__quote" that citation nodes do not have/));
    // An existing citation turned into a clip citation, and given words of its own.
    const existing = (doc: Y.Doc) => children(paragraph(doc))[3] as Y.Map<unknown>;
    expect(check((doc) => existing(doc).set('__kind', 'clip'))).toEqual({ ok: true, grows: true });
    expect(check((doc) => existing(doc).set('__source', 'post:3'))).toEqual(refusedFor(/a property "__source" that citation nodes do not have/));
  });
});
