/**
 * Redis restarted under two running nodes (issue 14): a redis-server of the test's own is stopped
 * and started again on the same port. Meanwhile /healthz answers 503 naming `redis`, and writes
 * still go to the database (a post through node A, co-editors typing on both nodes). Once Redis
 * is back, /healthz answers 200, each node tells its clients to resync ('live:resync'), and what
 * happened during the outage reaches the other node's clients: the post through the reader's
 * catch-up from its cursor (it could not cross live), the note edits through each node repairing
 * its document from the database. Live delivery resumes: posts, typing (the Socket.io adapter's
 * own subscription), note updates; readers present are counted across nodes again at once (a
 * restarted Redis has forgotten every count). A node stopped while Redis is down still exits
 * cleanly with its co-editors' edits stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_REDIS_SERVER, POSTGRES_URL, SKIP_CLUSTER_MESSAGE, SKIP_REDIS_SERVER_MESSAGE } from '../support/env';
import { clientId, doc } from '../support/sockets';
import { noteText, openCoEditor, type CoEditor } from '../support/yjs-client';
import {
  createClusterUser,
  health,
  NODE_START_TIMEOUT_MS,
  openLiveClient,
  reportOnFailure,
  startCluster,
  startPrivateRedis,
  storedNote,
  ThreadReader,
  threadIdOf,
  type Cluster,
  type LiveClient,
  type PrivateRedis,
} from '../support/cluster';

if (!POSTGRES_URL) console.warn(`ℹ ${SKIP_CLUSTER_MESSAGE}`);
else if (!HAS_REDIS_SERVER) console.warn(`⚠ ${SKIP_REDIS_SERVER_MESSAGE}`);

describe.skipIf(!POSTGRES_URL || !HAS_REDIS_SERVER)('Redis restarted under two nodes', () => {
  let cluster: Cluster;
  let redis: PrivateRedis;
  const clients: LiveClient[] = [];
  const editors: CoEditor[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    cluster = await startCluster({ size: 2, redisUrl: redis.url });
  }, NODE_START_TIMEOUT_MS);
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const e of editors) e.close();
    if (redis && !redis.running) await redis.start().catch(() => {}); // the nodes stop cleanly with it
    await cluster?.close();
    await redis?.stop();
  });
  reportOnFailure(
    () => cluster?.report(),
    () => (redis ? `--- redis-server ---\n${redis.output().slice(-3_000)}` : undefined),
  );

  it('/healthz names redis while it is down; a post and note edits made meanwhile reach the other node once it is back; live delivery resumes', { timeout: 90_000 }, async () => {
    const [A, B] = cluster.nodes.map((n) => n.url) as [string, string];
    const thread = await threadIdOf(cluster, '2.4');
    const consultationId = (await cluster.services.consultations.getDefault())!.id;
    for (const url of [A, B]) expect(await health(url)).toMatchObject({ status: 200, body: { status: 'ok', redis: 'ok' } });

    const readerClient = await openLiveClient(B, (await createClusterUser(cluster)).cookie);
    clients.push(readerClient);
    const reader = new ThreadReader(readerClient, thread);
    await reader.join();
    const writer = await openLiveClient(A, (await createClusterUser(cluster, { stakeholderGroup: 'academia' })).cookie);
    clients.push(writer);
    expect((await writer.emit('thread:join', { threadId: thread })).ok).toBe(true);
    const post = async (text: string) => {
      const ack = await writer.emit('post:create', { threadId: thread, clientId: clientId(), body: doc(text) });
      expect(ack.ok, JSON.stringify(ack)).toBe(true);
      return ack.post.id as number;
    };
    const live = await post('Before the outage.');
    await reader.waitForPost(live);

    // Co-editors of one note, one per node.
    const moderator = await createClusterUser(cluster, { role: 'moderator' });
    const questionId = (await cluster.db.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).orderBy('id').executeTakeFirstOrThrow()).id;
    const noteId = await cluster.services.notes.open(moderator.id, consultationId, { questionId, stakeholderGroup: null, title: 'Through an outage' });
    const onA = await openCoEditor({ url: A }, noteId, { cookie: (await createClusterUser(cluster)).cookie });
    const onB = await openCoEditor({ url: B }, noteId, { cookie: (await createClusterUser(cluster)).cookie });
    editors.push(onA, onB);
    onA.appendParagraph('A before.');
    await onB.waitFor(() => onB.text().includes('A before.'), 5_000, 'A’s edit on B before the outage');

    await redis.stop();
    for (const url of [A, B]) {
      await expect.poll(async () => (await health(url)).status, { timeout: 10_000, interval: 200 }).toBe(503);
      const { body } = await health(url);
      expect(body).toMatchObject({ status: 'error', redis: 'down' });
      expect(body.down).toContain('redis');
      expect(body.down).not.toContain('database');
    }

    // Writes go on: they are stored, only their relaying to the other node waits for Redis.
    const duringOutage = await post('Posted while Redis was down.');
    onA.appendParagraph('A during the outage.');
    onB.appendParagraph('B during the outage.');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(reader.posts.has(duringOutage)).toBe(false); // it had no way across

    await redis.start();
    for (const url of [A, B]) await expect.poll(async () => (await health(url)).status, { timeout: 15_000, interval: 200 }).toBe(200);
    expect(await health(A)).toMatchObject({ body: { status: 'ok', redis: 'ok' } });

    // The reader's node tells it to resync; it catches up from its cursor.
    await readerClient.waitFor(() => reader.resyncs > 0, 10_000, 'live:resync on the reader at B');
    await reader.waitForPost(duringOutage, 10_000);
    expect(reader.caughtUp.has(duringOutage)).toBe(true);
    // Each node repaired the note from the database: both co-editors hold both outage edits.
    for (const e of [onA, onB]) {
      await e.waitFor(() => e.text().includes('A during the outage.') && e.text().includes('B during the outage.'), 10_000, 'the outage edits on both');
    }
    await onA.waitFor(() => onA.text() === onB.text(), 5_000, 'convergence after the outage');

    // Live again, every way: posts (cluster bus), typing (Socket.io adapter), note updates.
    const after = await post('After the outage.');
    await reader.waitForPost(after, 5_000);
    expect(reader.caughtUp.has(after)).toBe(false);
    expect((await writer.emit('thread:typing', { threadId: thread, typing: true })).ok).toBe(true);
    const typing = await readerClient.next('thread:typing', (p: any) => p.threadId === thread && p.typing === true, 5_000);
    expect(typing.author).toMatchObject({ attribution: 'chatham', stakeholderGroup: 'academia' });
    onB.appendParagraph('B after the outage.');
    await onA.waitFor(() => onA.text().includes('B after the outage.'), 5_000, 'B’s edit on A after the outage');
  });

  it('readers present are counted across the nodes again as soon as Redis is back (a restarted Redis has forgotten every count)', { timeout: 60_000 }, async () => {
    const [A, B] = cluster.nodes.map((n) => n.url) as [string, string];
    const quiet = await threadIdOf(cluster, '1.1');
    const join = async (url: string) => {
      const client = await openLiveClient(url, (await createClusterUser(cluster)).cookie);
      clients.push(client);
      const ack = await client.emit('thread:join', { threadId: quiet });
      expect(ack.ok).toBe(true);
      return ack.readers as number;
    };
    expect(await join(A)).toBe(1);
    expect(await join(B)).toBe(2);

    await redis.stop();
    await expect.poll(async () => (await health(A)).status, { timeout: 10_000, interval: 200 }).toBe(503);
    await redis.start();
    for (const url of [A, B]) await expect.poll(async () => (await health(url)).status, { timeout: 15_000, interval: 200 }).toBe(200);
    // Within a moment of Redis answering again (not the 20 s of the periodic refresh).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await join(B)).toBe(3);
  });

  // Last: stops node B.
  it('a node stopped (SIGTERM) while Redis is down exits cleanly and stores its co-editors’ last edits', { timeout: 60_000 }, async () => {
    const nodeB = cluster.nodes[1]!;
    const consultationId = (await cluster.services.consultations.getDefault())!.id;
    const moderator = await createClusterUser(cluster, { role: 'moderator' });
    const questionId = (await cluster.db.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    const noteId = await cluster.services.notes.open(moderator.id, consultationId, { questionId, stakeholderGroup: null, title: 'Stopped without Redis' });
    const editor = await openCoEditor({ url: nodeB.url }, noteId, { cookie: (await createClusterUser(cluster)).cookie });
    editors.push(editor);

    await redis.stop();
    await expect.poll(async () => (await health(nodeB.url)).status, { timeout: 10_000, interval: 200 }).toBe(503);
    editor.appendParagraph('Typed while Redis was down, just before the node stopped.');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    expect(await nodeB.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(nodeB.output()).toContain('[palabre] stopped');
    const stored = await storedNote(cluster, noteId);
    expect(noteText(stored.doc)).toContain('Typed while Redis was down, just before the node stopped.');
  });
});
