/**
 * The transport floor for the fan-out benchmark: a bare Socket.io server with the same events
 * and payload shapes as Palabre's threads, and nothing else (no database, no auth, no
 * validation, no rendering beyond a one-line paragraph). Started as a child process by the
 * benchmark; prints `[bare] listening on http://127.0.0.1:<port>`; stops on SIGTERM.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const httpServer = http.createServer();
const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 1_000_000 });

const room = (threadId: number) => `thread:${threadId}`;
const seqs = new Map<number, number>();
let lastId = 0;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The text of a one-paragraph Lexical document, as the benchmark sends it. */
function firstText(body: unknown): string {
  const root = (body as { root?: { children?: { children?: { text?: unknown }[] }[] } } | undefined)?.root;
  const text = root?.children?.[0]?.children?.[0]?.text;
  return typeof text === 'string' ? text : '';
}

type Ack = (answer: object) => void;

io.on('connection', (socket) => {
  socket.on('thread:join', (payload: { threadId: number }, ack?: Ack) => {
    void socket.join(room(payload.threadId));
    ack?.({ ok: true, readers: io.sockets.adapter.rooms.get(room(payload.threadId))?.size ?? 0, missed: [], truncated: false });
  });

  socket.on('post:create', (payload: { threadId: number; clientId: string; body: unknown }, ack?: Ack) => {
    const seq = (seqs.get(payload.threadId) ?? 0) + 1;
    seqs.set(payload.threadId, seq);
    const now = new Date().toISOString();
    // The same shape (and about the same size) as Palabre's public PostView.
    const post = {
      id: ++lastId,
      threadId: payload.threadId,
      clientId: payload.clientId,
      parentId: null,
      rootId: null,
      seq,
      status: 'visible',
      html: `<p>${escapeHtml(firstText(payload.body))}</p>`,
      language: 'en',
      author: { attribution: 'named', name: 'Bench Person 1', organisation: 'Bench Organisation 1', stakeholderGroup: 'civil-society' },
      endorsements: 0,
      createdAt: now,
      editedAt: null,
    };
    io.to(room(payload.threadId)).emit('post:created', { threadId: payload.threadId, seq, post });
    ack?.({ ok: true, post: { ...post, mine: true } });
  });
});

httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as AddressInfo;
  console.log(`[bare] listening on http://127.0.0.1:${port}`);
});

const stop = () => {
  io.disconnectSockets(true);
  void io.close();
  httpServer.closeAllConnections();
  setTimeout(() => process.exit(0), 200).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
