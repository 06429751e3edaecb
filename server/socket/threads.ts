/**
 * Live threads: one room per thread (and a second one for its moderators, who may see more),
 * posts, edits, deletions, endorsements, typing and readers present. Every write goes through
 * the posts service, which commits before it answers; the broadcast comes from its events,
 * whatever the write came through (a socket or a page's form), via the Socket.io adapter.
 */
import crypto from 'node:crypto';
import type { Server } from 'socket.io';
import { can, type Role } from '../../app/accounts/roles';
import type { SessionUser } from '../../app/auth/auth.server';
import { authorAs } from '../../app/contributions/attribution';
import { catchUpSchema, createPostSchema, editPostSchema, endorseSchema, joinSchema, postIdSchema, typingSchema } from '../../app/posts/post.schema';
import { DomainError } from '../../app/utils/errors';
import type { Language } from '../../app/consultations/content.schema';
import { canContribute, type Phase } from '../../app/consultations/phases';
import type { Cluster } from '../cluster';
import type { Services } from '../services';
import { createHandlerFactory, type AppSocket, type SocketData } from './handler';
import { localSocketsIn, userRoom } from './identity';

export const threadRoom = (threadId: number) => `thread:${threadId}`;

/** Sent to a socket reading a thread of a consultation whose phase changed: `{ consultationId, phase }`. */
export const PHASE_CHANGED = 'consultation:phase';
export const moderatorRoom = (threadId: number) => `thread:${threadId}:mod`;

const PRESENCE_INTERVAL_MS = 1_000;

export function registerThreadHandlers(io: Server<any, any, any, SocketData>, services: Services, cluster: Cluster, options: { eventsPer10s: number }) {
  const on = createHandlerFactory(services, options.eventsPer10s);

  // Every node hears every thread event (server/cluster/) and tells its own sockets: `io.local`.
  services.events.subscribe((event) => {
    const payload = { threadId: event.threadId, seq: event.seq };
    // Each room hears the count its readers may see (ThreadCounts), when the change moved it.
    io.local.to(threadRoom(event.threadId)).emit(event.type, { ...payload, post: event.public, ...(event.counts ? { count: event.counts.public } : {}) });
    io.local.to(moderatorRoom(event.threadId)).emit(event.type, { ...payload, post: event.moderator, ...(event.counts ? { count: event.counts.moderator } : {}) });
  });

  // Readers present, announced at most once a second per thread: a crowd joining at once
  // would otherwise cost (joins × readers) messages. Each node counts its own readers, records
  // the count for the others (server/cluster/readers.ts) and announces the total to its own.
  const pendingPresence = new Map<number, NodeJS.Timeout>();
  const localReaders = (threadId: number) =>
    (io.sockets.adapter.rooms.get(threadRoom(threadId))?.size ?? 0) +
    (io.sockets.adapter.rooms.get(moderatorRoom(threadId))?.size ?? 0);
  const readers = async (threadId: number) => cluster.readers.total(threadId, localReaders(threadId));
  const announcePresence = (threadId: number) => {
    if (pendingPresence.has(threadId)) return;
    pendingPresence.set(
      threadId,
      setTimeout(() => {
        pendingPresence.delete(threadId);
        if (localReaders(threadId) === 0) return;
        void readers(threadId).then((total) => io.local.to([threadRoom(threadId), moderatorRoom(threadId)]).emit('thread:presence', { threadId, readers: total }));
      }, PRESENCE_INTERVAL_MS).unref(),
    );
  };
  /** This node's readers of the thread changed: recorded, then every node announces the total. */
  const readersChanged = async (threadId: number) => {
    await cluster.readers.set(threadId, localReaders(threadId));
    cluster.publishPresence(threadId);
    announcePresence(threadId);
  };
  cluster.onPresence(announcePresence);

  /** Read at every join, never cached: a role change applies from the next join on, whoever made it. */
  async function roleIn(user: SessionUser | null, consultationId: number): Promise<Role | null> {
    return user ? services.accounts.roleIn(user.id, consultationId) : null;
  }

  const viewerOf = (user: SessionUser | null, role: Role | null) => (user ? { id: user.id, moderator: can(role, 'moderation.act') } : null);

  /** Puts the socket in the room it hears a thread in: moderators' (real authors) or everyone's, never both. */
  async function placeIn(socket: AppSocket, threadId: number, moderator: boolean) {
    await socket.leave(moderator ? threadRoom(threadId) : moderatorRoom(threadId));
    await socket.join(moderator ? moderatorRoom(threadId) : threadRoom(threadId));
  }

  /** The same, for the user's role as it is now (after a role change). */
  async function enterThread(socket: AppSocket, threadId: number, consultationId: number) {
    const role = await roleIn(socket.data.user, consultationId);
    await placeIn(socket, threadId, viewerOf(socket.data.user, role)?.moderator ?? false);
  }

  // A role change takes effect on open sockets at once: a demoted moderator leaves the
  // moderators' room of every thread it has open.
  services.accessEvents.subscribe((event) => {
    if (event.type !== 'role.changed') return;
    for (const socket of localSocketsIn(io, userRoom(event.userId))) {
      for (const [threadId, consultationId] of socket.data.threads) {
        if (consultationId !== event.consultationId) continue;
        enterThread(socket, threadId, consultationId).catch((error) => {
          // The role could not be read: hear nothing rather than more than allowed.
          console.error('[socket] re-reading a role failed:', (error as Error).message);
          void socket.leave(moderatorRoom(threadId));
        });
      }
    }
  });

  // Each consultation's phase as last read (at a join) or published: the typing indicator is
  // refused outside `open` without a query per keystroke burst. Posts are checked by the service.
  const phases = new Map<number, Phase>();

  // A phase change reaches open threads at once: their pages reload what they offer (the
  // composer gives way to a read-only notice); every write is refused by the service anyway.
  services.accessEvents.subscribe((event) => {
    if (event.type !== 'phase.changed') return;
    phases.set(event.consultationId, event.phase);
    for (const socket of io.sockets.sockets.values() as Iterable<AppSocket>) {
      if ([...socket.data.threads.values()].includes(event.consultationId)) {
        socket.emit(PHASE_CHANGED, { consultationId: event.consultationId, phase: event.phase });
      }
    }
  });

  io.on('connection', (socket: AppSocket) => {
    const joined = socket.data.threads;
    /**
     * Threads where this socket is typing → the token of this burst of typing. A new token for
     * each burst: a token stable for the connection would link every post it precedes.
     */
    const typingIn = new Map<number, string>();

    on(socket, 'thread:join', joinSchema, { signedIn: false }, async ({ threadId, since }, user) => {
      const thread = await services.consultations.threadContext(threadId);
      if (!thread) throw new DomainError('not_found', 'errors.notFoundTitle', 'threadId');
      const role = await roleIn(user, thread.consultationId);
      // A draft consultation is not published: as its pages, its threads answer "not found".
      if (thread.phase === 'draft' && role !== 'admin') throw new DomainError('not_found', 'errors.notFoundTitle', 'threadId');
      const viewer = viewerOf(user, role);
      phases.set(thread.consultationId, thread.phase);
      joined.set(threadId, thread.consultationId);
      await placeIn(socket, threadId, viewer?.moderator ?? false);
      await readersChanged(threadId);
      const [missed, contributions] = await Promise.all([
        since !== undefined ? services.posts.since(threadId, since, viewer) : null,
        // After the room join: a change committed later reaches the client live, with its count.
        services.posts.contributions(threadId, viewer),
      ]);
      return { readers: await readers(threadId), seq: missed?.seq, missed: missed?.posts ?? [], truncated: missed?.truncated ?? false, contributions };
    });

    // The next page of what a rejoining reader missed, when the join's answer was truncated:
    // the client asks again from the answer's `seq` until it is not (useThread's catch-up).
    on(socket, 'thread:catchup', catchUpSchema, { signedIn: false }, async ({ threadId, since }, user) => {
      // Only a thread the join let this socket read (its consultation noted then), seen as the join would show it.
      const consultationId = joined.get(threadId);
      if (consultationId === undefined) throw new DomainError('forbidden', 'errors.forbidden', 'threadId');
      const missed = await services.posts.since(threadId, since, viewerOf(user, await roleIn(user, consultationId)));
      return { seq: missed.seq, missed: missed.posts, truncated: missed.truncated };
    });

    on(socket, 'thread:leave', joinSchema, { signedIn: false }, async ({ threadId }) => {
      await socket.leave(threadRoom(threadId));
      await socket.leave(moderatorRoom(threadId));
      joined.delete(threadId);
      stopTyping(threadId);
      await readersChanged(threadId);
    });

    on(socket, 'post:create', createPostSchema, { signedIn: true }, async (input, user) => {
      const thread = await services.consultations.threadContext(input.threadId);
      if (!thread) throw new DomainError('not_found', 'errors.notFoundTitle', 'threadId');
      const post = await services.posts.create(user!.id, input, (user!.locale ?? thread.sourceLanguage) as Language);
      return { post };
    });

    on(socket, 'post:edit', editPostSchema, { signedIn: true }, async (input, user) => ({ post: await services.posts.edit(user!.id, input) }));

    on(socket, 'post:delete', postIdSchema, { signedIn: true }, async ({ postId }, user) => ({
      post: await services.posts.remove(user!.id, postId),
    }));

    on(socket, 'post:endorse', endorseSchema, { signedIn: true }, async ({ postId, endorse }, user) => ({
      post: await services.posts.endorse(user!.id, postId, endorse),
    }));

    on(socket, 'thread:typing', typingSchema, { signedIn: true }, async ({ threadId, typing }, user) => {
      const consultationId = joined.get(threadId);
      if (consultationId === undefined) throw new DomainError('forbidden', 'errors.forbidden');
      const phase = phases.get(consultationId);
      if (typing && phase && !canContribute(phase)) throw new DomainError('forbidden', 'errors.phaseClosed');
      // Shown as a Chatham House post would be (stakeholder group only), whatever attribution the
      // composer shows: it can still change before posting, and a named "typing" followed by a
      // Chatham House post would name its author (docs/decisions/0010).
      const author = authorAs('chatham', user!);
      let token = typingIn.get(threadId);
      if (typing) {
        if (!token) typingIn.set(threadId, (token = crypto.randomBytes(9).toString('base64url')));
      } else {
        typingIn.delete(threadId);
        if (!token) return; // was not typing: nothing to announce
      }
      socket.to([threadRoom(threadId), moderatorRoom(threadId)]).emit('thread:typing', { threadId, token, author, typing });
    });

    // A reader leaving costs nothing but the presence count: announcing "stopped typing" to the
    // whole room for every departure would cost (leavers × readers) messages.
    function stopTyping(threadId: number) {
      const token = typingIn.get(threadId);
      if (!token) return;
      typingIn.delete(threadId);
      socket.to([threadRoom(threadId), moderatorRoom(threadId)]).emit('thread:typing', { threadId, token, typing: false });
    }
    socket.on('disconnecting', () => {
      for (const threadId of [...typingIn.keys()]) stopTyping(threadId);
    });
    socket.on('disconnect', () => {
      for (const threadId of joined.keys()) void readersChanged(threadId);
    });
  });
}
