/**
 * Live state of one thread in the browser: joins its room, applies posts, edits, deletions
 * and endorsements as they arrive, catches up after a reconnection from the last change seen
 * (a since-cursor), and tracks the contribution count, readers present, who is typing and the
 * connection state (offline as soon as the browser says so: a socket can look connected for
 * the better part of a minute after the network went).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type { PublicAuthor } from '../contributions/attribution';
import type { PostView } from '../posts/post-view';
import { connectionProblem, getSocket, isReconnecting, onConnectionProblem, type ConnectionProblem } from './socket.client';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** Pages of missed changes (up to 500 each) fetched after a reconnection before asking for a reload. */
export const MAX_CATCH_UP_PAGES = 20;
/** A page refused as too fast is asked again after this long. */
const RATE_LIMITED_PAUSE_MS = 2_000;
const ACK_TIMEOUT_MS = 10_000;
/** Join answers worth asking again while connected (anything else is final: not found, …). */
const RETRYABLE_JOIN = new Set(['internal', 'rate_limited']);
const REJOIN_BASE_MS = 1_000;
const REJOIN_MAX_MS = 30_000;
/** A resync ('live:resync') waits up to this long, at random, so that readers do not all ask at once. */
const RESYNC_SPREAD_MS = 3_000;

interface ThreadEventPayload {
  threadId: number;
  seq: number;
  post: PostView;
  /** The thread's contributions as this socket's room counts them, once this change committed. */
  count?: number;
}

/** A contribution count and the thread's seq it is exact at: the newest one wins. */
export interface Counted {
  count: number;
  seq: number;
}

/** The answer to 'thread:join' (with `since`) and 'thread:catchup'. */
interface MissedAnswer {
  ok: boolean;
  error?: { code: string; messageKey: string };
  missed?: PostView[];
  seq?: number;
  truncated?: boolean;
}

export type CatchUpOutcome = 'complete' | 'too_far_behind' | 'failed' | 'stale';

/**
 * Asks 'thread:catchup' for the changes after `since`, page after page, until the server says
 * none is left ('complete'), or after `maxPages` ('too_far_behind': the reader should reload).
 * Each page goes to `onPage` in order with the cursor it is complete up to, so a caller that
 * stops half-way (a new disconnection: 'failed'; `isCurrent` false: 'stale') resumes from there.
 * The join's own answer is the first page: call this only if it was truncated.
 */
export async function catchUp(
  socket: Pick<Socket, 'timeout'>,
  threadId: number,
  since: number,
  onPage: (posts: PostView[], seq: number) => void,
  options: { maxPages?: number; isCurrent?: () => boolean } = {},
): Promise<CatchUpOutcome> {
  const { maxPages = MAX_CATCH_UP_PAGES, isCurrent = () => true } = options;
  let cursor = since;
  for (let page = 0; page < maxPages; page++) {
    let answer: MissedAnswer;
    try {
      answer = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('thread:catchup', { threadId, since: cursor })) as MissedAnswer;
    } catch {
      return isCurrent() ? 'failed' : 'stale'; // no answer: the next connection joins again from `cursor`
    }
    if (!isCurrent()) return 'stale';
    if (!answer?.ok) {
      if (answer?.error?.code !== 'rate_limited') return 'failed';
      await new Promise((resolve) => setTimeout(resolve, RATE_LIMITED_PAUSE_MS));
      if (!isCurrent()) return 'stale';
      continue;
    }
    const seq = typeof answer.seq === 'number' ? answer.seq : cursor;
    onPage(answer.missed ?? [], seq);
    if (!answer.truncated) return 'complete';
    // A truncated page ends at its last post; a cursor that did not move would loop for nothing.
    if (seq <= cursor) return 'failed';
    cursor = seq;
  }
  return 'too_far_behind';
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

const browserOffline = () => typeof navigator !== 'undefined' && navigator.onLine === false;

/** `initial`: the page's own count and the seq it was read at (the loader's). */
export function useThread(threadId: number, initialSeq: number, initial: Counted) {
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [offline, setOffline] = useState(false);
  const [counted, setCounted] = useState<Counted | null>(null);
  /** Keeps the newest count, whichever way it came (a change, a join's answer). */
  const count = useCallback((next: Counted) => setCounted((current) => (current && current.seq >= next.seq ? current : next)), []);
  const [readers, setReaders] = useState<number | null>(null);
  const [typing, setTyping] = useState<Map<string, PublicAuthor>>(new Map());
  const [live, setLive] = useState<Map<number, PostView>>(new Map());
  /** An i18n key saying why the connection is down, when the server gave one. */
  const [problem, setProblem] = useState<string | null>(null);
  /** More was missed than catching up may fetch: the reader should reload the page. */
  const [behind, setBehind] = useState(false);
  /**
   * Every change up to this seq has been applied: the cursor a (re)join sends. While catching
   * up, live events (which may be ahead of the missing pages) must not move it, or the pages
   * between would be skipped on the next reconnection.
   */
  const seq = useRef(initialSeq);
  /** The highest seq applied, live events included; the cursor joins it once caught up. */
  const seen = useRef(initialSeq);
  const catchingUp = useRef(false);
  /** Bumped on every join and disconnection: answers to an older join are ignored. */
  const joins = useRef(0);
  const typingTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  // A fresher page (revalidation) moves the cursor forward.
  useEffect(() => {
    if (initialSeq > seq.current && !catchingUp.current) seq.current = initialSeq;
    if (initialSeq > seen.current) seen.current = initialSeq;
  }, [initialSeq]);

  const apply = useCallback((posts: PostView[]) => {
    if (posts.length === 0) return;
    for (const post of posts) {
      if (post.seq > seen.current) seen.current = post.seq;
      if (!catchingUp.current && post.seq > seq.current) seq.current = post.seq;
    }
    setLive((current) => {
      const next = new Map(current);
      for (const post of posts) next.set(post.id, mergePost(next.get(post.id), post));
      return next;
    });
  }, []);

  useEffect(() => {
    const socket = getSocket();
    /** A page of missed changes, complete up to `upTo`. */
    const takePage = (posts: PostView[], upTo: number) => {
      apply(posts);
      if (upTo > seq.current) seq.current = upTo;
    };
    let rejoinTimer: ReturnType<typeof setTimeout> | undefined;
    let rejoins = 0;
    /**
     * The socket is connected but the join (or a catch-up page) got no usable answer: the
     * database blinked, or the server was busy. No 'connect' will come to retry it, so ask again
     * after a backoff; the rejoin resumes from the cursor, where the pages were complete.
     */
    const rejoinLater = () => {
      if (!socket.connected || rejoinTimer !== undefined) return;
      const ceiling = Math.min(REJOIN_MAX_MS, REJOIN_BASE_MS * 2 ** rejoins++);
      rejoinTimer = setTimeout(() => {
        rejoinTimer = undefined;
        if (socket.connected) void join();
      }, ceiling / 2 + Math.random() * (ceiling / 2));
    };
    const join = async () => {
      clearTimeout(rejoinTimer);
      rejoinTimer = undefined;
      const generation = ++joins.current;
      const isCurrent = () => generation === joins.current;
      // From the room join on, live events may arrive before the missed pages.
      catchingUp.current = true;
      let ack: (MissedAnswer & { readers?: number; contributions?: Counted }) | undefined;
      try {
        ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('thread:join', { threadId, since: seq.current });
      } catch {
        if (isCurrent()) rejoinLater(); // else a disconnection: the next 'connect' joins again
        return;
      }
      if (!isCurrent()) return;
      if (!ack?.ok) {
        if (RETRYABLE_JOIN.has(ack?.error?.code ?? '')) return rejoinLater();
        // Not this thread's to follow (e.g. not found): the connection itself is fine.
        setConnection('connected');
        return;
      }
      rejoins = 0;
      setConnection('connected');
      if (typeof ack.readers === 'number') setReaders(ack.readers);
      if (ack.contributions) count(ack.contributions);
      takePage(ack.missed ?? [], typeof ack.seq === 'number' ? ack.seq : seq.current);
      const outcome = ack.truncated ? await catchUp(socket, threadId, seq.current, takePage, { isCurrent }) : 'complete';
      if (!isCurrent()) return;
      if (outcome === 'failed') return rejoinLater();
      if (outcome === 'too_far_behind') setBehind(true);
      if (outcome !== 'complete') return; // the cursor stays where the pages are complete
      catchingUp.current = false;
      // Everything live since the room join was applied too.
      if (seen.current > seq.current) seq.current = seen.current;
    };
    const onEvent = (payload: ThreadEventPayload) => {
      if (payload.threadId !== threadId) return;
      apply([payload.post]);
      if (typeof payload.count === 'number') count({ count: payload.count, seq: payload.seq });
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
    // The socket comes back by itself (socket.client.ts): "offline" only without a network, or
    // if the server said not to retry.
    const downState = (): ConnectionState => (browserOffline() || !isReconnecting(socket) ? 'offline' : 'reconnecting');
    const onDisconnect = () => {
      joins.current++;
      // A renewal (disconnect, then connect at once) is not offline; let the socket settle first.
      queueMicrotask(() => {
        if (!socket.connected) setConnection(downState());
      });
    };
    const onReconnecting = () => {
      if (!socket.connected) setConnection(browserOffline() ? 'offline' : 'reconnecting');
    };
    const onConnectError = () => {
      if (!socket.connected) setConnection((current) => (current === 'connecting' ? current : downState()));
    };

    // The server may have missed other nodes' events (its Redis was away): catch up from the
    // cursor, after a moment of this page's own, so that a whole crowd does not ask at once.
    let resyncTimer: ReturnType<typeof setTimeout> | undefined;
    const onResync = () => {
      clearTimeout(resyncTimer);
      resyncTimer = setTimeout(() => socket.connected && void join(), Math.random() * RESYNC_SPREAD_MS);
    };

    const subscriptions: [string, (...args: any[]) => void][] = [
      ['connect', join],
      ['live:resync', onResync],
      ['disconnect', onDisconnect],
      ['connect_error', onConnectError],
      ['post:created', onEvent],
      ['post:updated', onEvent],
      ['post:endorsed', onEvent],
      ['thread:presence', onPresence],
      ['thread:typing', onTyping],
    ];
    for (const [event, handler] of subscriptions) socket.on(event, handler);
    socket.io.on('reconnect_attempt', onReconnecting);
    // The browser lost the network: say so at once, whatever the socket still believes. Back
    // online on a socket that never noticed, join again: its answer brings what was missed.
    const onOffline = () => setOffline(true);
    const onOnline = () => {
      setOffline(false);
      if (socket.connected) void join();
    };
    setOffline(browserOffline());
    window.addEventListener('offline', onOffline);
    window.addEventListener('online', onOnline);
    // Only the server's own i18n keys are shown; a transport error says nothing worth translating.
    const showProblem = (next: ConnectionProblem | null) => setProblem(next?.messageKey?.startsWith('errors.') ? next.messageKey : null);
    showProblem(connectionProblem());
    const stopProblems = onConnectionProblem(showProblem);
    if (socket.connected) void join();
    return () => {
      joins.current++;
      clearTimeout(rejoinTimer);
      clearTimeout(resyncTimer);
      for (const [event, handler] of subscriptions) socket.off(event, handler);
      socket.io.off('reconnect_attempt', onReconnecting);
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('online', onOnline);
      stopProblems();
      socket.emit('thread:leave', { threadId });
      for (const timer of typingTimers.current.values()) clearTimeout(timer);
    };
  }, [threadId, apply, count]);

  const contributions = counted && counted.seq > initial.seq ? counted.count : initial.count;
  return { connection: offline ? ('offline' as const) : connection, problem, behind, readers, typing, live, apply, contributions };
}
