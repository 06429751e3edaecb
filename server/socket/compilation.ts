/**
 * The live room of a question's compilation (issue 12): `compilation:<questionId>`. Joining
 * needs the right to read that compilation now (moderators, rapporteurs and admins; participants
 * once the consultation is in `synthesis` or `final`: app/compilation/access.ts, through the
 * compilation service). After any committed write, from a page's form or a fetcher alike, the
 * room hears `compilation:changed { questionId, version }` and each page refetches its own data
 * through its loader, which applies that reader's rights: the event itself carries no words, no
 * names and no ids of sources, so nobody hears through it what they may not read.
 *
 * A role change re-checks every open membership of that user in that consultation at once, a
 * phase change every membership in that consultation; a reader who may no longer read leaves
 * the room (and is told `compilation:closed`).
 */
import type { Server } from 'socket.io';
import { z } from 'zod';
import type { SessionUser } from '../../app/auth/auth.server';
import type { Services } from '../services';
import { createHandlerFactory, type AppSocket, type SocketData } from './handler';
import { localSocketsIn, userRoom } from './identity';

export const compilationRoom = (questionId: number) => `compilation:${questionId}`;

export const COMPILATION_EVENTS = { join: 'compilation:join', leave: 'compilation:leave', changed: 'compilation:changed', closed: 'compilation:closed' } as const;

const questionIdSchema = z.object({ questionId: z.coerce.number({ error: 'compilation.questionNotFound' }).int().positive().max(2_147_483_647) });

export function registerCompilationHandlers(io: Server<any, any, any, SocketData>, services: Services, options: { eventsPer10s: number }) {
  const on = createHandlerFactory(services, options.eventsPer10s);
  /** socket → the compilations it joined (question id → consultation id). */
  const memberships = new WeakMap<AppSocket, Map<number, number>>();
  const joinedBy = (socket: AppSocket) => {
    let map = memberships.get(socket);
    if (!map) memberships.set(socket, (map = new Map()));
    return map;
  };

  services.compilationEvents.subscribe(({ questionId, version }) => {
    io.local.to(compilationRoom(questionId)).emit(COMPILATION_EVENTS.changed, { questionId, version });
  });

  /** Out of the room, when the user may no longer read it (or that could not be read: hear nothing). */
  async function recheck(socket: AppSocket, questionId: number) {
    try {
      await services.compilation.access(socket.data.user?.id ?? null, questionId);
    } catch (error) {
      if (!(error instanceof Error && error.name === 'DomainError')) console.error('[socket] re-reading a compilation right failed:', (error as Error).message);
      joinedBy(socket).delete(questionId);
      await socket.leave(compilationRoom(questionId));
      socket.emit(COMPILATION_EVENTS.closed, { questionId });
    }
  }

  services.accessEvents.subscribe((event) => {
    if (event.type === 'role.changed') {
      for (const socket of localSocketsIn(io, userRoom(event.userId))) {
        for (const [questionId, consultationId] of joinedBy(socket)) {
          if (consultationId === event.consultationId) void recheck(socket, questionId);
        }
      }
    } else if (event.type === 'phase.changed') {
      // A step back from `synthesis` closes the compilations to participants: every member, again;
      // the pages that stay reload their own data (their loader applies the new phase: forms go).
      const questions = new Set<number>();
      const rechecks: Promise<void>[] = [];
      for (const socket of io.of('/').sockets.values()) {
        for (const [questionId, consultationId] of joinedBy(socket)) {
          if (consultationId !== event.consultationId) continue;
          questions.add(questionId);
          rechecks.push(recheck(socket, questionId));
        }
      }
      void Promise.all(rechecks).then(() => {
        for (const questionId of questions) io.local.to(compilationRoom(questionId)).emit(COMPILATION_EVENTS.changed, { questionId, version: Date.now() });
      });
    }
  });

  io.on('connection', (socket: AppSocket) => {
    on(socket, COMPILATION_EVENTS.join, questionIdSchema, { signedIn: true }, async ({ questionId }, user: SessionUser | null) => {
      // The role and the phase as they are now; a refusal leaves the socket out of the room.
      const { consultationId, canEdit } = await services.compilation.access(user!.id, questionId);
      joinedBy(socket).set(questionId, consultationId);
      await socket.join(compilationRoom(questionId));
      return { canEdit };
    });

    on(socket, COMPILATION_EVENTS.leave, questionIdSchema, { signedIn: false }, async ({ questionId }) => {
      joinedBy(socket).delete(questionId);
      await socket.leave(compilationRoom(questionId));
    });
  });
}
