/**
 * Live state of one thread in the browser: joins its room, applies posts, edits, deletions
 * and endorsements as they arrive, catches up after a reconnection from the last change seen
 * (a since-cursor), and tracks readers present, who is typing and the connection state.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PostView, PublicAuthor } from '../posts/post-view';
import { getSocket } from './socket.client';

export type ConnectionState = 'connecting' | 'connected' | 'offline';

interface ThreadEventPayload {
  threadId: number;
  seq: number;
  post: PostView;
}

/** Merges a newer view of a post over an older one, keeping what only its author's copy had. */
export function mergePost(old: PostView | undefined, incoming: PostView): PostView {
  if (old && old.seq > incoming.seq) return old;
  if (!old) return incoming;
  return {
    ...old,
    ...incoming,
    mine: incoming.mine ?? old.mine,
    body: incoming.body ?? (incoming.seq === old.seq ? old.body : incoming.html === old.html ? old.body : undefined),
    endorsedByMe: incoming.endorsedByMe ?? old.endorsedByMe,
  };
}

export function useThread(threadId: number, initialSeq: number) {
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [readers, setReaders] = useState<number | null>(null);
  const [typing, setTyping] = useState<Map<string, PublicAuthor>>(new Map());
  const [live, setLive] = useState<Map<number, PostView>>(new Map());
  const seq = useRef(initialSeq);
  const typingTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  // A fresher page (revalidation) moves the cursor forward.
  useEffect(() => {
    if (initialSeq > seq.current) seq.current = initialSeq;
  }, [initialSeq]);

  const apply = useCallback((posts: PostView[]) => {
    if (posts.length === 0) return;
    setLive((current) => {
      const next = new Map(current);
      for (const post of posts) {
        next.set(post.id, mergePost(next.get(post.id), post));
        if (post.seq > seq.current) seq.current = post.seq;
      }
      return next;
    });
  }, []);

  useEffect(() => {
    const socket = getSocket();
    const join = async () => {
      setConnection('connected');
      try {
        const ack = await socket.timeout(10_000).emitWithAck('thread:join', { threadId, since: seq.current });
        if (!ack?.ok) return;
        setReaders(ack.readers);
        apply(ack.missed ?? []);
        if (typeof ack.seq === 'number' && ack.seq > seq.current) seq.current = ack.seq;
      } catch {
        /* the next connect joins again */
      }
    };
    const onEvent = (payload: ThreadEventPayload) => {
      if (payload.threadId === threadId) apply([payload.post]);
    };
    const onPresence = (payload: { threadId: number; readers: number }) => {
      if (payload.threadId === threadId) setReaders(payload.readers);
    };
    const onTyping = (payload: { threadId: number; token: string; author?: PublicAuthor; typing: boolean }) => {
      if (payload.threadId !== threadId) return;
      const timers = typingTimers.current;
      clearTimeout(timers.get(payload.token));
      setTyping((current) => {
        const next = new Map(current);
        if (payload.typing && payload.author) next.set(payload.token, payload.author);
        else next.delete(payload.token);
        return next;
      });
      if (payload.typing) {
        // A writer who goes silent stops "typing" after a while, even if their "stop" is lost.
        timers.set(
          payload.token,
          setTimeout(() => setTyping((current) => {
            const next = new Map(current);
            next.delete(payload.token);
            return next;
          }), 6_000),
        );
      }
    };
    const onDisconnect = () => setConnection('offline');
    const onReconnecting = () => setConnection('connecting');

    const subscriptions: [string, (...args: any[]) => void][] = [
      ['connect', join],
      ['disconnect', onDisconnect],
      ['post:created', onEvent],
      ['post:updated', onEvent],
      ['post:endorsed', onEvent],
      ['thread:presence', onPresence],
      ['thread:typing', onTyping],
    ];
    for (const [event, handler] of subscriptions) socket.on(event, handler);
    socket.io.on('reconnect_attempt', onReconnecting);
    if (socket.connected) void join();
    return () => {
      for (const [event, handler] of subscriptions) socket.off(event, handler);
      socket.io.off('reconnect_attempt', onReconnecting);
      socket.emit('thread:leave', { threadId });
      for (const timer of typingTimers.current.values()) clearTimeout(timer);
    };
  }, [threadId, apply]);

  return { connection, readers, typing, live, apply };
}
