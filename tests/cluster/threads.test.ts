/**
 * Live threads across three real Palabre processes on one PostgreSQL and one Redis (issue 14):
 * started at once on an empty database, they migrate and seed it once; what is written through
 * one node (a socket event, a plain form post) reaches the readers of every node once, each in
 * the payload its role may see; a Chatham House author's name never reaches a participant's
 * connection on another node; typing and readers present span nodes; a sign-out, a demotion and a
 * phase move made through one node apply on the others at once (sockets, cached anonymous
 * pages); a person's limits count on every node; compilation rooms hear changes made elsewhere.
 * The three nodes are shared by the cases (each uses readers and posts of its own; the phase move
 * comes last but one, the compilation case, which needs it, last).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, SKIP_CLUSTER_MESSAGE } from '../support/env';
import { Client } from '../support/http';
import { clientId, doc } from '../support/sockets';
import {
  createClusterUser,
  NODE_START_TIMEOUT_MS,
  openLiveClient,
  redisForTests,
  reportOnFailure,
  startCluster,
  CONSULTATION_SLUG,
  THREAD_PATH,
  threadIdOf,
  type Cluster,
  type LiveClient,
} from '../support/cluster';

if (!POSTGRES_URL) console.warn(`ℹ ${SKIP_CLUSTER_MESSAGE}`);

describe.skipIf(!POSTGRES_URL)('live threads across three nodes', () => {
  let cluster: Cluster;
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  let thread: number;
  let consultationId: number;
  const clients: LiveClient[] = [];
  const open = async (url: string, cookie?: string) => {
    const client = await openLiveClient(url, cookie);
    clients.push(client);
    return client;
  };
  /** A client of `url` for a new user (of `role`), joined to `threadId`. */
  const reader = async (url: string, options: Parameters<typeof createClusterUser>[1] = {}, threadId = thread) => {
    const user = await createClusterUser(cluster, options);
    const client = await open(url, user.cookie);
    const ack = await client.emit('thread:join', { threadId });
    expect(ack.ok).toBe(true);
    return { user, client, ack };
  };

  beforeAll(async () => {
    redis = await redisForTests();
    // Three posts a minute per person: the limits case posts one through each node, then a fourth.
    cluster = await startCluster({ size: 3, redisUrl: redis.url, env: { POSTS_PER_MINUTE: '3' } });
    thread = await threadIdOf(cluster, '2.4');
    consultationId = (await cluster.services.consultations.getDefault())!.id;
  }, NODE_START_TIMEOUT_MS);
  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.close();
    await redis?.close();
  });
  reportOnFailure(() => cluster?.report());

  it('three nodes started at once on an empty database migrated and seeded it once', async () => {
    const { db } = cluster.db;
    expect(await db.selectFrom('consultations').select('slug').execute()).toEqual([{ slug: 'gfmd-2020-partnerships' }]);
    const threads = await db.selectFrom('threads').select('number').where('consultationId', '=', consultationId).execute();
    expect(threads.length).toBeGreaterThan(0);
    expect(new Set(threads.map((t) => t.number)).size).toBe(threads.length);
    const migrations = (await sql<{ name: string }>`select name from kysely_migration`.execute(db)).rows.map((r) => r.name);
    expect(migrations.length).toBeGreaterThan(0);
    expect(new Set(migrations).size).toBe(migrations.length);
  });

  it('a post made through node A’s socket reaches B and C once, public for participants and with its real author for moderators; no frame a participant on B receives names a Chatham House author', async () => {
    const [A, B, C] = cluster.nodes.map((n) => n.url) as [string, string, string];
    const participantB = await reader(B);
    const anonymousB = await open(B);
    expect((await anonymousB.emit('thread:join', { threadId: thread })).ok).toBe(true);
    const participantC = await reader(C);
    const moderatorC = await reader(C, { role: 'moderator' });
    const moderatorB = await reader(B, { role: 'moderator' });
    const author = await createClusterUser(cluster, { name: 'Zanele Canaryname', organisation: 'Canary Hidden Org', stakeholderGroup: 'business' });
    const writer = await open(A, author.cookie);

    const named = await writer.emit('post:create', { threadId: thread, clientId: clientId(), attribution: 'named', body: doc('Named, through node A.') });
    expect(named.ok).toBe(true);
    const chatham = await writer.emit('post:create', { threadId: thread, clientId: clientId(), attribution: 'chatham', body: doc('Off the record, through node A.') });
    expect(chatham.ok).toBe(true);

    const ofPost = (id: number) => (p: any) => p.post?.id === id;
    for (const c of [participantB.client, anonymousB, participantC.client]) {
      expect((await c.next('post:created', ofPost(chatham.post.id))).post).toMatchObject({
        html: '<p>Off the record, through node A.</p>',
        author: { attribution: 'chatham', stakeholderGroup: 'business' },
      });
      expect((await c.next('post:created', ofPost(named.post.id))).post.author).toMatchObject({ attribution: 'named', name: 'Zanele Canaryname' });
    }
    for (const c of [moderatorB.client, moderatorC.client]) {
      expect((await c.next('post:created', ofPost(chatham.post.id))).post).toMatchObject({ author: { attribution: 'chatham' }, realAuthor: { id: author.id, name: 'Zanele Canaryname' } });
    }
    // Once each: every node emits a post to its own sockets only (a node relaying to the others'
    // sockets as well would double it on B and C).
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const c of [participantB.client, anonymousB, participantC.client, moderatorB.client, moderatorC.client]) {
      expect(c.all('post:created', ofPost(chatham.post.id))).toHaveLength(1);
    }

    // Everything that crossed the wire to a participant or an anonymous reader on B, raw: the
    // named post names its author (that is the point of it), so look at everything else.
    for (const c of [participantB.client, anonymousB]) {
      const raw = c.frames.filter((f) => !f.includes('Named, through node A.')).join('\n');
      expect(raw).toContain('Off the record, through node A.');
      for (const secret of ['Canaryname', 'Canary Hidden Org', author.id, author.email]) expect(raw).not.toContain(secret);
    }
  });

  it('a plain form post through node A’s page reaches clients on B and C, without its Chatham House author’s name for participants', async () => {
    const [A, B, C] = cluster.nodes.map((n) => n.url) as [string, string, string];
    const participantB = await reader(B);
    const participantC = await reader(C);
    const moderatorC = await reader(C, { role: 'moderator' });
    const author = await createClusterUser(cluster, { name: 'Ximena Formcanary', organisation: 'Form Canary Collective' });
    const page = new Client(A, { cookie: author.cookie, origin: A, 'accept-language': 'en' });
    const res = await page.post(THREAD_PATH, { intent: 'create', clientId: clientId(), text: 'Sent with a plain form through node A.', attribution: 'chatham', language: '' });
    expect(res.status).toBe(302);
    const id = Number(/#post-(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);

    const ofPost = (p: any) => p.post?.id === id;
    for (const c of [participantB.client, participantC.client]) {
      const { post } = await c.next('post:created', ofPost);
      expect(post).toMatchObject({ html: '<p>Sent with a plain form through node A.</p>', author: { attribution: 'chatham' } });
      expect(post.realAuthor).toBeUndefined();
    }
    expect((await moderatorC.client.next('post:created', ofPost)).post.realAuthor).toMatchObject({ id: author.id, name: 'Ximena Formcanary' });
    const raw = participantB.client.frames.join('\n');
    for (const secret of ['Formcanary', 'Form Canary Collective', author.id]) expect(raw).not.toContain(secret);
  });

  it('typing on node A shows on B and C without a name; readers present are counted across the three nodes, in the join’s answer and in presence announcements', async () => {
    const [A, B, C] = cluster.nodes.map((n) => n.url) as [string, string, string];
    // A thread of its own: the other cases' readers are not counted in it.
    const quiet = await threadIdOf(cluster, '1.1');
    const typist = await createClusterUser(cluster, { name: 'Tomas Typingcanary', organisation: 'Typing Canary Org', stakeholderGroup: 'academia' });
    const a = await open(A, typist.cookie);
    const joinedA = await a.emit('thread:join', { threadId: quiet });
    expect(joinedA).toMatchObject({ ok: true, readers: 1 });

    const b = await reader(B, {}, quiet);
    expect(b.ack.readers).toBe(2);
    await a.next('thread:presence', (p: any) => p.threadId === quiet && p.readers === 2, 5_000);

    const c = await reader(C, {}, quiet);
    expect(c.ack.readers).toBe(3);
    for (const client of [a, b.client]) await client.next('thread:presence', (p: any) => p.threadId === quiet && p.readers === 3, 5_000);

    expect((await a.emit('thread:typing', { threadId: quiet, typing: true })).ok).toBe(true);
    for (const client of [b.client, c.client]) {
      const typing = await client.next('thread:typing', (p: any) => p.threadId === quiet && p.typing === true);
      expect(typing.author).toMatchObject({ attribution: 'chatham', stakeholderGroup: 'academia' });
      expect(JSON.stringify(typing)).not.toMatch(/Typingcanary|Typing Canary Org/);
    }
    expect((await a.emit('thread:typing', { threadId: quiet, typing: false })).ok).toBe(true);
    for (const client of [b.client, c.client]) await client.next('thread:typing', (p: any) => p.threadId === quiet && p.typing === false);
    // The typist's own node does not echo it back.
    expect(a.all('thread:typing')).toEqual([]);

    // A reader on C goes: A and B count two again.
    c.client.close();
    const last = (client: LiveClient) => client.all('thread:presence', (p: any) => p.threadId === quiet).at(-1)?.readers;
    await a.waitFor(() => last(a) === 2 && last(b.client) === 2, 5_000, 'presence back to 2 on A and B');
  });

  it('signing out through node A closes the user’s socket on node B', async () => {
    const [A, B] = cluster.nodes.map((n) => n.url) as [string, string];
    const { user, client } = await reader(B, { role: 'moderator' });
    const ended = client.next('session:ended');
    const disconnected = new Promise((resolve) => client.socket.once('disconnect', resolve));
    expect((await new Client(A, { cookie: user.cookie, origin: A }).post('/sign-out', {})).status).toBe(302);
    await ended;
    await disconnected;
  });

  it('a moderator demoted through node A’s admin page gets the public payload on node B for the very next post', async () => {
    const [A, B] = cluster.nodes.map((n) => n.url) as [string, string];
    const admin = await createClusterUser(cluster, { siteRole: 'admin' });
    const moderator = await reader(B, { role: 'moderator', name: 'Moussa Demotedmod' });
    const author = await createClusterUser(cluster, { name: 'Canary Demotionauthor', organisation: 'Demotion Canary Org' });
    const writer = await open(A, author.cookie);
    const post = async (text: string) => {
      const ack = await writer.emit('post:create', { threadId: thread, clientId: clientId(), attribution: 'chatham', body: doc(text) });
      expect(ack.ok).toBe(true);
      return (await moderator.client.next('post:created', (p: any) => p.post?.id === ack.post.id)).post;
    };
    expect((await post('Before the demotion.')).realAuthor).toMatchObject({ name: 'Canary Demotionauthor' });

    const adminPage = new Client(A, { cookie: admin.cookie, origin: A, 'accept-language': 'en' });
    const res = await adminPage.post('/admin/users', { userId: moderator.user.id, role: 'participant' });
    expect(res.status).toBe(200);
    expect(await cluster.services.accounts.roleIn(moderator.user.id, consultationId)).toBe('participant');

    const after = await post('Right after the demotion.');
    expect(JSON.stringify(after)).not.toMatch(/realAuthor|Demotionauthor|Demotion Canary Org/);
    expect(JSON.stringify(after)).not.toContain(author.id);
  });

  it('a person’s limits count on every node: a fourth post in a minute, and a sign-in after five failures spread over the nodes, are refused', async () => {
    const urls = cluster.nodes.map((n) => n.url);
    const user = await createClusterUser(cluster);
    const sockets = await Promise.all(urls.map((url) => open(url, user.cookie)));
    const acks = [];
    for (let i = 0; i < 4; i++) acks.push(await sockets[i % 3]!.emit('post:create', { threadId: thread, clientId: clientId(), body: doc(`Limited post ${i}.`) }));
    expect(acks.slice(0, 3).map((a) => a.ok)).toEqual([true, true, true]);
    expect(acks[3]).toMatchObject({ ok: false, error: { code: 'rate_limited', messageKey: 'errors.rateLimitedPosts' } });

    for (let i = 0; i < 5; i++) {
      expect((await new Client(urls[i % 3]!, { 'accept-language': 'en' }).post('/sign-in', { email: user.email, password: `wrong password ${i}` })).status).toBe(401);
    }
    const limited = await new Client(urls[2]!, { 'accept-language': 'en' }).post('/sign-in', { email: user.email, password: user.password });
    expect(limited.status).toBe(429);
  });

  // Last: closes the consultation to posts.
  it('a phase moved through node A’s page reaches node B’s cached anonymous page and node C’s open sockets, which refuse typing at once', async () => {
    const [A, B, C] = cluster.nodes.map((n) => n.url) as [string, string, string];
    const anonymous = new Client(B, { 'accept-language': 'en' });
    const phaseOf = async () => /data-testid="phase-bar"[\s\S]*?data-phase="([a-z]+)"/.exec(await (await anonymous.get(THREAD_PATH)).text())?.[1];
    expect(await phaseOf()).toBe('open');
    expect(await phaseOf()).toBe('open'); // served from B's cache now
    const { client } = await reader(C);
    expect((await client.emit('thread:typing', { threadId: thread, typing: true })).ok).toBe(true);

    const admin = await createClusterUser(cluster, { siteRole: 'admin' });
    const moved = await new Client(A, { cookie: admin.cookie, origin: A, 'accept-language': 'en' }).post(`/c/${CONSULTATION_SLUG}`, { intent: 'phase', from: 'open', move: 'forward' });
    expect(moved.status).toBe(302);
    const { phase } = (await cluster.db.db.selectFrom('consultations').select('phase').where('id', '=', consultationId).executeTakeFirstOrThrow());
    expect(phase).not.toBe('open');

    expect(await client.next('consultation:phase', (p: any) => p.consultationId === consultationId)).toEqual({ consultationId, phase });
    expect(await client.emit('thread:typing', { threadId: thread, typing: true })).toMatchObject({ ok: false, error: { messageKey: 'errors.phaseClosed' } });
    await expect.poll(phaseOf, { timeout: 5_000, interval: 100 }).toBe(phase);
  });

  // After the phase move above: the consultation is in synthesis, compilations are open.
  it('a key point written through node A’s compilation page reaches the compilation room on node C', async () => {
    const [A, , C] = cluster.nodes.map((n) => n.url) as [string, string, string];
    const question = await cluster.db.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '1').executeTakeFirstOrThrow();
    const watcher = await open(C, (await createClusterUser(cluster, { role: 'rapporteur' })).cookie);
    expect(await watcher.emit('compilation:join', { questionId: question.id })).toMatchObject({ ok: true });
    const writer = await createClusterUser(cluster, { role: 'moderator' });
    const res = await new Client(A, { cookie: writer.cookie, origin: A, 'accept-language': 'en' }).post(`/c/${CONSULTATION_SLUG}/q/1/compilation`, {
      intent: 'create',
      clientId: clientId(),
      heading: 'Written on A, seen on C',
      formKey: clientId() + clientId(),
    });
    expect(res.status).toBe(302);
    expect(await watcher.next('compilation:changed', (p: any) => p.questionId === question.id)).toMatchObject({ questionId: question.id });
  });
});
