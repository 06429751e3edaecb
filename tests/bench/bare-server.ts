/**
 * The transport floor for the fan-out and notes benchmarks: a bare Socket.io server with the same
 * events and payload shapes as Palabre's threads and notes, and nothing else (no database, no
 * auth, no validation, no rendering beyond a one-line paragraph, no Yjs document). Started as a
 * child process by the benchmark; prints `[bare] listening on http://127.0.0.1:<port>`; stops on
 * SIGTERM.
 *
 * Notes: `note:join` puts the socket in the note's room and says it may edit, unless its cookie
 * holds `bench-role=viewer` (the benchmark's viewers, so that its checks keep their meaning); a
 * sync step 1 is answered with the step 2 of an empty document (there is no stored state: every
 * replica starts empty), and every other message (updates, awareness) is relayed as it came to
 * the rest of the room, one message per message.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as encoding from 'lib0/encoding';
import { Server } from 'socket.io';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

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

/** `note:message` of y-protocols' sync type (the first varUint of the payload, then its sync type). */
const MESSAGE_SYNC = 0;
const SYNC_STEP_1 = 0;
const noteRoom = (noteId: number) => `note:${noteId}`;
const emptyStep2 = (() => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep2(encoder, new Y.Doc());
  return encoding.toUint8Array(encoder);
})();

io.on('connection', (socket) => {
  const viewer = /(?:^|;\s*)bench-role=viewer(?:;|$)/.test(socket.handshake.headers.cookie ?? '');

  socket.on('note:join', (payload: { noteId: number }, ack?: Ack) => {
    void socket.join(noteRoom(payload.noteId));
    ack?.({ ok: true, noteId: payload.noteId, canEdit: !viewer, status: 'drafting' });
  });

  socket.on('note:message', (noteId: number, payload: Uint8Array) => {
    if (!(payload instanceof Uint8Array)) return;
    if (payload[0] === MESSAGE_SYNC && payload[1] === SYNC_STEP_1) socket.emit('note:message', noteId, emptyStep2);
    else socket.to(noteRoom(noteId)).emit('note:message', noteId, payload);
  });

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
