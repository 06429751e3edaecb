/**
 * Co-editing one note from two real Palabre processes on one PostgreSQL and one Redis (issue
 * 14): each node holds the document in memory, stores its own editors' updates and compacts; the
 * other's updates and awareness reach it through Redis. Two co-editors on different nodes typing
 * hundreds of small concurrent updates (enough for each node to compact on its own along the way)
 * converge, see each other's caret, and the stored document (snapshot and updates, as a node
 * loads it) equals both replicas once both nodes have compacted: when the editors leave, and when
 * both nodes stop (SIGTERM). A status change made through node A (locked for review, signed off)
 * refuses edits arriving on node B, in the client's view and in what is stored; a version named
 * and restored through node A's pages reaches node B's co-editors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { POSTGRES_URL, SKIP_CLUSTER_MESSAGE } from '../support/env';
import { Client } from '../support/http';
import { noteText, openCoEditor, type CoEditor } from '../support/yjs-client';
import {
  CONSULTATION_SLUG,
  createClusterUser,
  NODE_START_TIMEOUT_MS,
  redisForTests,
  reportOnFailure,
  sleep,
  startCluster,
  storedNote,
  type Cluster,
  type ClusterUser,
} from '../support/cluster';

if (!POSTGRES_URL) console.warn(`ℹ ${SKIP_CLUSTER_MESSAGE}`);

/** Longest the co-editors type while waiting for a node to compact (every 500 updates it stores). */
const COMPACTION_WAIT_MS = 40_000;
/** Updates each co-editor types once a compaction was seen. */
const AFTER_COMPACTION = 150;

describe.skipIf(!POSTGRES_URL)('a note co-edited from two nodes', () => {
  let cluster: Cluster;
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  let consultationId: number;
  let moderator: ClusterUser;
  let questionIds: number[];
  const editors: CoEditor[] = [];

  beforeAll(async () => {
    redis = await redisForTests();
    cluster = await startCluster({ size: 2, redisUrl: redis.url });
    consultationId = (await cluster.services.consultations.getDefault())!.id;
    moderator = await createClusterUser(cluster, { role: 'moderator', name: 'Mona Clustermod' });
    questionIds = (await cluster.db.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).orderBy('id').execute()).map((q) => q.id);
  }, NODE_START_TIMEOUT_MS);
  afterAll(async () => {
    for (const e of editors) e.close();
    await cluster?.close();
    await redis?.close();
  });
  reportOnFailure(() => cluster?.report());

  /** A new note (one per question), opened in the database: no node holds it yet. */
  const openNote = (title: string) => {
    const questionId = questionIds.shift();
    if (questionId === undefined) throw new Error('no question left for a new note');
    return cluster.services.notes.open(moderator.id, consultationId, { questionId, stakeholderGroup: null, title });
  };
  const join = async (url: string, noteId: number, user: ClusterUser) => {
    const editor = await openCoEditor({ url }, noteId, { cookie: user.cookie, name: user.name, timeoutMs: 15_000 });
    editors.push(editor);
    return editor;
  };
  /** The block holding `marker`, in this editor's replica. */
  const blockWith = (editor: CoEditor, marker: string) => {
    const block = editor.blocks().find((b) => b.toString().includes(marker));
    if (!block) throw new Error(`no block with ${marker} in ${JSON.stringify(editor.text())}`);
    return block;
  };
  /** Waits until the stored document's text is `text` with no update left after its snapshot (both nodes compacted). */
  const waitForCompacted = async (noteId: number, text: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    let last = { text: '', updates: -1 };
    while (Date.now() < deadline) {
      const stored = await storedNote(cluster, noteId);
      last = { text: noteText(stored.doc), updates: stored.updates };
      if (last.text === text && last.updates === 0) return stored.doc;
      stored.doc.destroy();
      await sleep(200);
    }
    throw new Error(`the stored note did not settle within ${timeoutMs} ms: ${last.updates} updates after the snapshot; text ${last.text === text ? 'as expected' : `differs: ${JSON.stringify(last.text.slice(0, 300))}…`}`);
  };
  /** Types `tokens` one update each, at `everyMs`, into the block holding `own`, and every tenth into the block holding `shared` too. */
  const typeTokens = async (editor: CoEditor, own: string, shared: string, tokens: string[], everyMs: number) => {
    for (const [i, token] of tokens.entries()) {
      editor.typeInto(blockWith(editor, own), token);
      if (i % 10 === 0) editor.typeInto(blockWith(editor, shared), token);
      await sleep(everyMs);
    }
  };

  it('two co-editors on nodes A and B converge after hundreds of concurrent small updates, see each other’s caret and name, and the stored note equals both replicas after both nodes compact', { timeout: 90_000 }, async () => {
    const [A, B] = cluster.nodes.map((n) => n.url) as [string, string];
    const noteId = await openNote('Partenariats, deux nœuds');
    const snapshotCovers = async () => (await cluster.db.db.selectFrom('noteSnapshots').select('lastUpdateId').where('noteId', '=', noteId).executeTakeFirstOrThrow()).lastUpdateId;
    const firstSnapshot = await snapshotCovers();
    const mariama = await createClusterUser(cluster, { name: 'Mariama Nodeone' });
    const julien = await createClusterUser(cluster, { name: 'Julien Nodetwo', stakeholderGroup: 'local-government' });
    const a = await join(A, noteId, mariama);
    const b = await join(B, noteId, julien);
    expect(a.ack).toMatchObject({ ok: true, canEdit: true, status: 'drafting' });
    expect(b.text()).toBe('Partenariats, deux nœuds');

    // Each editor's own paragraph and one both type into, created before the race.
    a.appendParagraph('SHARED:');
    a.appendParagraph('OWN-A:');
    await b.waitFor(() => b.text().includes('OWN-A:'), 5_000, 'A’s paragraphs on B');
    b.appendParagraph('OWN-B:');
    await a.waitFor(() => a.text().includes('OWN-B:'), 5_000, 'B’s paragraph on A');

    // Both type, one small update at a time, until a node has compacted while the other was
    // writing (a node compacts every 500 updates it stores: thousands of updates on this machine),
    // then a while more, so that updates stored after that snapshot count too.
    const tokensA: string[] = [];
    const tokensB: string[] = [];
    let compactedAt: number | null = null;
    const deadline = Date.now() + COMPACTION_WAIT_MS;
    const watch = (async () => {
      while (compactedAt === null && Date.now() < deadline) {
        await sleep(250);
        if ((await snapshotCovers()) > firstSnapshot) compactedAt = tokensA.length;
      }
    })();
    const typeUntilCompacted = async (editor: CoEditor, own: string, prefix: string, tokens: string[]) => {
      for (let i = 0; (compactedAt === null || tokens.length < compactedAt + AFTER_COMPACTION) && Date.now() < deadline; i++) {
        const token = ` ${prefix}${i}`;
        tokens.push(token);
        editor.typeInto(blockWith(editor, own), token);
        if (i % 10 === 0) editor.typeInto(blockWith(editor, 'SHARED:'), token);
        await sleep(9);
      }
    };
    await Promise.all([typeUntilCompacted(a, 'OWN-A:', 'a', tokensA), typeUntilCompacted(b, 'OWN-B:', 'b', tokensB), watch]);
    // The nodes compacted while both typed (the case this test is about), not only at the end.
    expect(compactedAt, `no compaction within ${COMPACTION_WAIT_MS} ms of typing (${tokensA.length} + ${tokensB.length} updates)`).not.toBeNull();

    // Carets: each puts its caret at the end of its own paragraph.
    const caretOf = (editor: CoEditor, marker: string) => {
      const block = blockWith(editor, marker);
      return Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(block, block.length));
    };
    const caretA = caretOf(a, 'OWN-A:');
    const caretB = caretOf(b, 'OWN-B:');
    a.awareness.setLocalStateField('anchorPos', caretA);
    a.awareness.setLocalStateField('focusPos', caretA);
    b.awareness.setLocalStateField('anchorPos', caretB);
    b.awareness.setLocalStateField('focusPos', caretB);

    const expectedA = `OWN-A:${tokensA.join('')}`;
    const expectedB = `OWN-B:${tokensB.join('')}`;
    const hasAll = (e: CoEditor) => e.text().split('\n\n').includes(expectedA) && e.text().split('\n\n').includes(expectedB);
    await a.waitFor(() => hasAll(a) && hasAll(b) && a.text() === b.text(), 30_000, 'both replicas holding everything both typed');
    const text = a.text();
    // Nothing typed is missing: every token in its own paragraph, every tenth in the shared one.
    const paragraphs = text.split('\n\n');
    const ownA = paragraphs.find((p) => p.startsWith('OWN-A:'))!;
    const ownB = paragraphs.find((p) => p.startsWith('OWN-B:'))!;
    const shared = paragraphs.find((p) => p.startsWith('SHARED:'))!;
    expect(ownA).toBe(expectedA);
    expect(ownB).toBe(expectedB);
    for (const token of [...tokensA.filter((_, i) => i % 10 === 0), ...tokensB.filter((_, i) => i % 10 === 0)]) expect(shared.split(' ')).toContain(token.trim());
    expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc));

    // Each sees the other: the name the server knows, and the caret where it was put.
    const stateOf = (editor: CoEditor, other: CoEditor) => editor.awareness.getStates().get(other.doc.clientID) as Record<string, any> | undefined;
    await a.waitFor(() => JSON.stringify(stateOf(a, b)?.anchorPos) === JSON.stringify(caretB), 5_000, 'B’s caret on A');
    await b.waitFor(() => JSON.stringify(stateOf(b, a)?.anchorPos) === JSON.stringify(caretA), 5_000, 'A’s caret on B');
    expect(stateOf(a, b)).toMatchObject({ name: 'Julien Nodetwo', focusPos: caretB });
    expect(stateOf(b, a)).toMatchObject({ name: 'Mariama Nodeone', focusPos: caretA });

    // Both leave (B first: A sees B's caret go), and each node compacts what it holds into the one snapshot.
    const replicas = [Y.encodeStateVector(a.doc), Y.encodeStateVector(b.doc)];
    const bId = b.doc.clientID;
    b.close();
    await a.waitFor(() => !a.awareness.getStates().has(bId), 5_000, 'B’s caret gone from A');
    a.close();
    const stored = await waitForCompacted(noteId, text);
    for (const vector of replicas) expect(Y.encodeStateVector(stored)).toEqual(vector);
    // The derived copy (search, export, the page without JavaScript) says the same.
    await expect.poll(async () => (await cluster.db.db.selectFrom('notes').select('text').where('id', '=', noteId).executeTakeFirstOrThrow()).text, { timeout: 10_000 }).toBe(text);
  });

  it('a note locked for review, then signed off, through node A refuses edits arriving on node B', async () => {
    const [A, B] = cluster.nodes.map((n) => n.url) as [string, string];
    const noteId = await openNote('Note to sign off');
    const rapporteur = await createClusterUser(cluster, { role: 'rapporteur', name: 'Rafael Clusterrap' });
    const participant = await createClusterUser(cluster, { name: 'Paula Participant' });
    const reviewer = await createClusterUser(cluster, { role: 'moderator', name: 'Rita Reviewer' });
    const p = await join(B, noteId, participant);
    const m = await join(B, noteId, reviewer);
    const watcher = await join(A, noteId, moderator);
    expect([p.canEdit, m.canEdit]).toEqual([true, true]);
    p.appendParagraph('Drafted on B.');
    await watcher.waitFor(() => watcher.text().includes('Drafted on B.'), 5_000, 'B’s draft on A');

    const notePath = `/c/${CONSULTATION_SLUG}/notes/${noteId}`;
    const lock = await new Client(A, { cookie: moderator.cookie, origin: A }).post(notePath, { intent: 'status', action: 'lock' });
    expect(lock.status).toBe(302);
    await p.waitFor(() => p.statuses.some((s) => s.status === 'in_review'), 5_000, 'the lock on B');
    expect(p.statuses.at(-1)).toEqual({ noteId, status: 'in_review', canEdit: false });
    await m.waitFor(() => m.statuses.some((s) => s.status === 'in_review'), 5_000, 'the lock on B (reviewer)');
    expect(m.statuses.at(-1)).toMatchObject({ status: 'in_review', canEdit: true });

    // The participant on B may no longer edit; the reviewer on B still may.
    p.appendParagraph('PARTICIPANT AFTER LOCK');
    await p.waitFor(() => p.refused.length > 0, 5_000, 'a refusal on B');
    expect(p.refused[0]).toEqual({ noteId, reason: 'read_only' });
    m.appendParagraph('Reviewed on B.');
    await watcher.waitFor(() => watcher.text().includes('Reviewed on B.'), 5_000, 'the review edit on A');

    // Signed off through A; the reviewer on B types at once, before B may have heard of it.
    const finalise = await new Client(A, { cookie: rapporteur.cookie, origin: A }).post(notePath, { intent: 'status', action: 'finalise' });
    expect(finalise.status).toBe(302);
    m.appendParagraph('REVIEWER RIGHT AFTER SIGN-OFF');
    await m.waitFor(() => m.statuses.some((s) => s.status === 'final'), 5_000, 'the sign-off on B');
    expect(m.statuses.at(-1)).toEqual({ noteId, status: 'final', canEdit: false });
    m.appendParagraph('REVIEWER AFTER HEARING OF THE SIGN-OFF');
    await m.waitFor(() => m.refused.some((r) => r.reason === 'read_only'), 5_000, 'a refusal of the reviewer on B');

    await sleep(1_000); // anything in flight has been stored by now, or refused
    for (const e of [p, m, watcher]) e.close();
    await sleep(500);
    const stored = noteText((await storedNote(cluster, noteId)).doc);
    expect(stored).toContain('Drafted on B.');
    expect(stored).toContain('Reviewed on B.');
    for (const refused of ['PARTICIPANT AFTER LOCK', 'REVIEWER RIGHT AFTER SIGN-OFF', 'REVIEWER AFTER HEARING OF THE SIGN-OFF']) expect(stored).not.toContain(refused);
    // The signed-off text is what was stored when it was signed off.
    const row = await cluster.db.db.selectFrom('notes').select(['status', 'text']).where('id', '=', noteId).executeTakeFirstOrThrow();
    expect(row.status).toBe('final');
    expect(row.text).toBe(stored);
  });

  it('a version named and then restored through node A’s pages reaches the co-editors on node B and the stored note', async () => {
    const [A, B] = cluster.nodes.map((n) => n.url) as [string, string];
    const noteId = await openNote('Restored from a version');
    const editor = await join(B, noteId, await createClusterUser(cluster, { name: 'Vera Versioned' }));
    editor.appendParagraph('Kept in the version.');
    await sleep(300); // stored by B (it relays only what it stored; A reads the store)
    const page = new Client(A, { cookie: moderator.cookie, origin: A, 'accept-language': 'en' });
    const notePath = `/c/${CONSULTATION_SLUG}/notes/${noteId}`;
    const named = await page.post(notePath, { intent: 'version', name: 'Before the detour' });
    expect(named.status).toBe(302);
    const versionId = Number(new URL(named.headers.get('location')!, A).searchParams.get('version'));
    expect(versionId).toBeGreaterThan(0);
    const versioned = editor.text();

    editor.appendParagraph('A DETOUR AFTER THE VERSION');
    await sleep(300);
    const restored = await page.post(`${notePath}/versions/${versionId}`, { intent: 'restore', versionId: String(versionId) });
    expect(restored.status).toBe(302);
    expect(restored.headers.get('location')).toContain('done=restored');
    await editor.waitForText(versioned, 5_000);
    editor.close();
    await expect.poll(async () => noteText((await storedNote(cluster, noteId)).doc), { timeout: 10_000, interval: 200 }).toBe(versioned);
  });

  // Last: stops both nodes.
  it('co-editors on both nodes, then both nodes stopped (SIGTERM): each flushes and compacts, and the stored note equals both replicas', async () => {
    const [A, B] = cluster.nodes.map((n) => n.url) as [string, string];
    const noteId = await openNote('Stopped while edited');
    const a = await join(A, noteId, await createClusterUser(cluster, { name: 'Ana Stopone' }));
    const b = await join(B, noteId, await createClusterUser(cluster, { name: 'Ben Stoptwo' }));
    a.appendParagraph('FROM-A:');
    b.appendParagraph('FROM-B:');
    await a.waitFor(() => a.text().includes('FROM-B:') && b.text().includes('FROM-A:'), 5_000, 'both paragraphs on both');
    const tokens = (p: string) => Array.from({ length: 150 }, (_, i) => ` ${p}${i}`);
    await Promise.all([typeTokens(a, 'FROM-A:', 'FROM-B:', tokens('x'), 3), typeTokens(b, 'FROM-B:', 'FROM-A:', tokens('y'), 3)]);
    // Each replica holds everything once the other's node relayed it, which it does once stored.
    await a.waitFor(() => a.text() === b.text() && a.text().includes(' y149') && a.text().includes(' x149'), 15_000, 'convergence');
    const text = a.text();
    const replicas = [Y.encodeStateVector(a.doc), Y.encodeStateVector(b.doc)];

    const codes = await Promise.all(cluster.nodes.map((n) => n.stop()));
    expect(codes).toEqual([0, 0]);
    const stored = await storedNote(cluster, noteId);
    expect(noteText(stored.doc)).toBe(text);
    expect(stored.updates).toBe(0);
    for (const vector of replicas) expect(Y.encodeStateVector(stored.doc)).toEqual(vector);
  });
});
