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
import { authorAs } from '../../app/posts/post-view';
import { createPostSchema, editPostSchema, endorseSchema, joinSchema, postIdSchema, typingSchema } from '../../app/posts/post.schema';
import { DomainError } from '../../app/utils/errors';
import type { Language } from '../../app/consultations/content.schema';
import type { Services } from '../services';
import { createHandlerFactory, type AppSocket, type SocketData } from './handler';

export const threadRoom = (threadId: number) => `thread:${threadId}`;
export const moderatorRoom = (threadId: number) => `thread:${threadId}:mod`;

const PRESENCE_INTERVAL_MS = 1_000;

export function registerThreadHandlers(io: Server<any, any, any, SocketData>, services: Services, options: { eventsPer10s: number }) {
  const on = createHandlerFactory(options.eventsPer10s);

  services.events.subscribe((event) => {
    const payload = { threadId: event.threadId, seq: event.seq };
    io.to(threadRoom(event.threadId)).emit(event.type, { ...payload, post: event.public });
    io.to(moderatorRoom(event.threadId)).emit(event.type, { ...payload, post: event.moderator });
  });

  // Readers present, announced at most once a second per thread: a crowd joining at once
  // would otherwise cost (joins × readers) messages.
  const pendingPresence = new Map<number, NodeJS.Timeout>();
  const readers = (threadId: number) =>
    (io.sockets.adapter.rooms.get(threadRoom(threadId))?.size ?? 0) +
    (io.sockets.adapter.rooms.get(moderatorRoom(threadId))?.size ?? 0);
  const announcePresence = (threadId: number) => {
    if (pendingPresence.has(threadId)) return;
    pendingPresence.set(
      threadId,
      setTimeout(() => {
        pendingPresence.delete(threadId);
        io.to([threadRoom(threadId), moderatorRoom(threadId)]).emit('thread:presence', { threadId, readers: readers(threadId) });
      }, PRESENCE_INTERVAL_MS).unref(),
    );
  };

  async function roleIn(socket: AppSocket, user: SessionUser | null, consultationId: number): Promise<Role | null> {
    if (!user) return null;
    let role = socket.data.roles.get(consultationId);
    if (!role) {
      role = await services.accounts.roleIn(user.id, consultationId);
      socket.data.roles.set(consultationId, role);
    }
    return role;
  }

  const viewerOf = (user: SessionUser | null, role: Role | null) => (user ? { id: user.id, moderator: can(role, 'moderation.act') } : null);

  io.on('connection', (socket: AppSocket) => {
    const typingToken = crypto.randomBytes(6).toString('base64url');
    const joined = new Set<number>();
    /** Threads where this socket last said it was typing: only those hear that it stopped. */
    const typingIn = new Set<number>();

    on(socket, 'thread:join', joinSchema, { signedIn: false }, async ({ threadId, since }, user) => {
      const thread = await services.consultations.threadContext(threadId);
      if (!thread) throw new DomainError('not_found', 'errors.notFoundTitle', 'threadId');
      const role = await roleIn(socket, user, thread.consultationId);
      // A draft consultation is not published: as its pages, its threads answer "not found".
      if (thread.phase === 'draft' && role !== 'admin') throw new DomainError('not_found', 'errors.notFoundTitle', 'threadId');
      const viewer = viewerOf(user, role);
      await socket.join(viewer?.moderator ? moderatorRoom(threadId) : threadRoom(threadId));
      joined.add(threadId);
      announcePresence(threadId);
      const missed = since !== undefined ? await services.posts.since(threadId, since, viewer) : null;
      return { readers: readers(threadId), seq: missed?.seq, missed: missed?.posts ?? [], truncated: missed?.truncated ?? false };
    });

    on(socket, 'thread:leave', joinSchema, { signedIn: false }, async ({ threadId }) => {
      await socket.leave(threadRoom(threadId));
      await socket.leave(moderatorRoom(threadId));
      joined.delete(threadId);
      announcePresence(threadId);
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

    on(socket, 'thread:typing', typingSchema, { signedIn: true }, async ({ threadId, typing, attribution }, user) => {
      if (!joined.has(threadId)) throw new DomainError('forbidden', 'errors.forbidden');
      // Shown as the post being written will be (else as the user's default), never with an id.
      const author = authorAs(attribution ?? user!.defaultAttribution, user!);
      if (typing) typingIn.add(threadId);
      else typingIn.delete(threadId);
      socket.to([threadRoom(threadId), moderatorRoom(threadId)]).emit('thread:typing', { threadId, token: typingToken, author, typing });
    });

    // A reader leaving costs nothing but the presence count: announcing "stopped typing" to the
    // whole room for every departure would cost (leavers × readers) messages.
    socket.on('disconnecting', () => {
      for (const threadId of typingIn) {
        socket.to([threadRoom(threadId), moderatorRoom(threadId)]).emit('thread:typing', { threadId, token: typingToken, typing: false });
      }
    });
    socket.on('disconnect', () => {
      for (const threadId of joined) announcePresence(threadId);
    });
  });
}
