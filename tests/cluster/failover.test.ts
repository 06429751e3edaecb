/**
 * A node killed (SIGKILL: nothing flushed, nothing said) under live readers and co-editors (issue
 * 14): its clients reconnect to the node that remains, as a load balancer sends them there, and
 * miss nothing: a thread reader catches up from its since-cursor on everything posted meanwhile,
 * once each; a co-editor comes back with the replica it holds (edits the dead node may never
 * have stored included) and converges with a co-editor on the other node, and the stored note
 * ends up equal to both. The killed node, restarted, serves live again; stopped with SIGTERM, it
 * disconnects its own clients only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { POSTGRES_URL, SKIP_CLUSTER_MESSAGE } from '../support/env';
import { clientId, doc } from '../support/sockets';
import { noteText, openCoEditor, type CoEditor } from '../support/yjs-client';
import {
  createClusterUser,
  NODE_START_TIMEOUT_MS,
  openLiveClient,
  reconnectCoEditor,
  redisForTests,
  reportOnFailure,
  startCluster,
  storedNote,
  ThreadReader,
  threadIdOf,
  type Cluster,
  type LiveClient,
} from '../support/cluster';

if (!POSTGRES_URL) console.warn(`ℹ ${SKIP_CLUSTER_MESSAGE}`);

describe.skipIf(!POSTGRES_URL)('a node killed under its clients', () => {
  let cluster: Cluster;
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  const clients: LiveClient[] = [];
  const editors: CoEditor[] = [];

  beforeAll(async () => {
    redis = await redisForTests();
    cluster = await startCluster({ size: 2, redisUrl: redis.url });
  }, NODE_START_TIMEOUT_MS);
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const e of editors) e.close();
    await cluster?.close();
    await redis?.close();
  });
  reportOnFailure(() => cluster?.report());

  it('readers and a co-editor of node A, killed, move to node B and miss nothing; A restarted serves live again', { timeout: 120_000 }, async () => {
    const [nodeA, nodeB] = cluster.nodes as [typeof cluster.nodes[0], typeof cluster.nodes[0]];
    const thread = await threadIdOf(cluster, '2.4');
    const consultationId = (await cluster.services.consultations.getDefault())!.id;
    const moderator = await createClusterUser(cluster, { role: 'moderator' });
    const questionId = (await cluster.db.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).orderBy('id').executeTakeFirstOrThrow()).id;
    const noteId = await cluster.services.notes.open(moderator.id, consultationId, { questionId, stakeholderGroup: null, title: 'Survives a node' });

    // A reader on A (signed in) and an anonymous one; a writer on B.
    const readerUser = await createClusterUser(cluster);
    const readerClient = await openLiveClient(nodeA.url, readerUser.cookie, { reconnection: false });
    const anonymousClient = await openLiveClient(nodeA.url, undefined, { reconnection: false });
    clients.push(readerClient, anonymousClient);
    const readers = [new ThreadReader(readerClient, thread), new ThreadReader(anonymousClient, thread)];
    for (const r of readers) await r.join();
    const writer = await openLiveClient(nodeB.url, (await createClusterUser(cluster)).cookie);
    clients.push(writer);
    const post = async (text: string) => {
      const ack = await writer.emit('post:create', { threadId: thread, clientId: clientId(), body: doc(text) });
      expect(ack.ok).toBe(true);
      return ack.post.id as number;
    };
    const before = await post('Before the node died.');
    for (const r of readers) await r.waitForPost(before);

    // Co-editors: one on A, one on B.
    const userA = await createClusterUser(cluster, { name: 'Ana Killednode' });
    const userB = await createClusterUser(cluster, { name: 'Bruno Survivingnode' });
    const onA = await openCoEditor({ url: nodeA.url }, noteId, { cookie: userA.cookie, name: userA.name });
    const onB = await openCoEditor({ url: nodeB.url }, noteId, { cookie: userB.cookie, name: userB.name });
    editors.push(onA, onB);
    onA.appendParagraph('From A:');
    onB.appendParagraph('From B:');
    await onA.waitFor(() => onA.text().includes('From B:') && onB.text().includes('From A:'), 5_000, 'both paragraphs on both');
    // Typed on A right before it dies: whether A stored it or not, nothing of it may be lost.
    for (let i = 0; i < 20; i++) onA.typeAt(onA.blocks().findIndex((b) => b.toString().includes('From A:')), ` last${i}`);

    await nodeA.kill();
    expect(nodeA.running).toBe(false);

    // Meanwhile, on B: posts (more than one catch-up page would hold is not needed here: what
    // matters is that each arrives once) and the other co-editor goes on typing.
    const missed = [];
    for (let i = 0; i < 5; i++) missed.push(await post(`Posted while node A was dead, ${i}.`));
    onB.typeAt(onB.blocks().findIndex((b) => b.toString().includes('From B:')), ' while A was dead');

    // The load balancer sends them to B: they rejoin from their cursors.
    for (const r of readers) {
      await r.moveTo(nodeB.url);
      for (const id of missed) expect(r.posts.has(id), `post ${id} caught up on ${r.client.url}`).toBe(true);
      expect(missed.every((id) => r.caughtUp.has(id))).toBe(true);
    }
    // And live again, from B.
    const after = await post('After the move.');
    for (const r of readers) {
      await r.waitForPost(after);
      const ids = r.client.all('post:created').map((p: any) => p.post.id);
      expect(ids.filter((id: number) => id === after)).toHaveLength(1);
    }

    const back = await reconnectCoEditor(nodeB.url, onA, { cookie: userA.cookie, name: userA.name });
    editors.push(back);
    back.typeAt(back.blocks().findIndex((b) => b.toString().includes('From A:')), ' back on B');
    const typedOnA = `From A:${Array.from({ length: 20 }, (_, i) => ` last${i}`).join('')} back on B`;
    await back.waitFor(() => back.text() === onB.text() && back.text().includes(typedOnA) && back.text().includes('while A was dead'), 10_000, 'the returning co-editor converging with B’s');
    expect(Y.encodeStateVector(back.doc)).toEqual(Y.encodeStateVector(onB.doc));
    const text = back.text();
    const replica = Y.encodeStateVector(back.doc);
    back.close();
    onB.close();
    onA.close();
    await expect
      .poll(async () => {
        const stored = await storedNote(cluster, noteId);
        return { text: noteText(stored.doc), same: Buffer.from(Y.encodeStateVector(stored.doc)).equals(Buffer.from(replica)) };
      }, { timeout: 15_000, interval: 250 })
      .toEqual({ text, same: true });

    // A comes back (a new process, on a new port) and is part of the cluster again.
    await nodeA.restart();
    const again = await openLiveClient(nodeA.url, (await createClusterUser(cluster)).cookie);
    clients.push(again);
    const rejoined = new ThreadReader(again, thread);
    await rejoined.join();
    const live = await post('Through B, to a reader on the restarted A.');
    await rejoined.waitForPost(live);
    expect(rejoined.caughtUp.has(live)).toBe(false);
  });

  it('node A stopped with SIGTERM disconnects its own clients only: node B’s stay connected and live', async () => {
    const [nodeA, nodeB] = cluster.nodes as [typeof cluster.nodes[0], typeof cluster.nodes[0]];
    const thread = await threadIdOf(cluster, '2.4');
    const onA = await openLiveClient(nodeA.url, undefined, { reconnection: false });
    const onB = await openLiveClient(nodeB.url, (await createClusterUser(cluster)).cookie, { reconnection: false });
    clients.push(onA, onB);
    for (const c of [onA, onB]) expect((await c.emit('thread:join', { threadId: thread })).ok).toBe(true);
    const aGone = new Promise((resolve) => onA.socket.once('disconnect', resolve));
    expect(await nodeA.stop()).toBe(0);
    await aGone;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(onB.socket.connected).toBe(true);
    const ack = await onB.emit('post:create', { threadId: thread, clientId: clientId(), body: doc('Still here on B.') });
    expect(ack.ok).toBe(true);
    await onB.next('post:created', (p: any) => p.post?.id === ack.post.id);
  });
});
