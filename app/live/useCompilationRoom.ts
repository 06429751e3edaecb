/**
 * Follows a question's compilation live (server/socket/compilation.ts): joins its room on every
 * connection and, when another write is committed (`compilation:changed`), reloads the page's
 * data through its loader, so that each reader sees the change as their own rights allow. Changes
 * arriving while a reload runs are folded into one more reload; a reconnection (a server restart)
 * and being put out of the room reload once too. Also says how the connection is.
 */
import { useRevalidator } from '@remix-run/react';
import { useEffect, useRef, useState } from 'react';
import { connectionProblem, getSocket, isReconnecting, onConnectionProblem, type ConnectionProblem } from './socket.client';
import type { ConnectionState } from './useThread';

const ACK_TIMEOUT_MS = 10_000;

export function useCompilationRoom(questionId: number) {
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [problem, setProblem] = useState<string | null>(null);
  const revalidator = useRevalidator();
  const state = useRef({ revalidator, pending: false, version: 0 });
  state.current.revalidator = revalidator;

  // A change told while a reload was running: one more reload once it is done.
  useEffect(() => {
    if (revalidator.state === 'idle' && state.current.pending) {
      state.current.pending = false;
      revalidator.revalidate();
    }
  }, [revalidator.state, revalidator]);

  useEffect(() => {
    const socket = getSocket();
    let alive = true;
    let joinedBefore = false;
    const reload = () => {
      const current = state.current.revalidator;
      if (current.state === 'idle') current.revalidate();
      else state.current.pending = true;
    };
    const join = async () => {
      try {
        await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('compilation:join', { questionId });
      } catch {
        // No answer: the next connection joins again.
      }
      if (!alive) return;
      setConnection('connected');
      // Back after a lost connection (a server restart): writes committed meanwhile were told to
      // nobody on this page, so it catches up once through its loader.
      if (joinedBefore) reload();
      joinedBefore = true;
    };
    // Out of the room (a demotion, a step back from synthesis): the loader says what is left to read.
    const onClosed = (payload: { questionId: number }) => {
      if (payload.questionId === questionId) reload();
    };
    const onChanged = (payload: { questionId: number; version: number }) => {
      if (payload.questionId !== questionId || payload.version <= state.current.version) return;
      state.current.version = payload.version;
      reload();
    };
    const onDisconnect = () => queueMicrotask(() => alive && !socket.connected && setConnection(isReconnecting(socket) ? 'reconnecting' : 'offline'));
    const showProblem = (next: ConnectionProblem | null) => setProblem(next?.messageKey?.startsWith('errors.') ? next.messageKey : null);
    showProblem(connectionProblem());
    const stopProblems = onConnectionProblem(showProblem);
    // The server may have missed another node's change (its Redis was away): read the page again,
    // after a moment of this page's own so that every open page does not ask at once.
    let resyncTimer: ReturnType<typeof setTimeout> | undefined;
    const onResync = () => {
      clearTimeout(resyncTimer);
      resyncTimer = setTimeout(() => alive && reload(), Math.random() * 3_000);
    };
    socket.on('connect', join);
    socket.on('live:resync', onResync);
    socket.on('disconnect', onDisconnect);
    socket.on('compilation:changed', onChanged);
    socket.on('compilation:closed', onClosed);
    if (socket.connected) void join();
    return () => {
      alive = false;
      clearTimeout(resyncTimer);
      socket.off('connect', join);
      socket.off('live:resync', onResync);
      socket.off('disconnect', onDisconnect);
      socket.off('compilation:changed', onChanged);
      socket.off('compilation:closed', onClosed);
      stopProblems();
      socket.emit('compilation:leave', { questionId });
    };
  }, [questionId]);

  return { connection, problem };
}
