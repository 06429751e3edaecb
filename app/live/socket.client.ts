/**
 * The browser's one Socket.io connection, opened on first use. The session cookie rides on
 * the handshake; the server decides who the socket is.
 *
 * It always comes back. Socket.io's manager retries on its own only when the transport drops;
 * two other endings are final for it and would leave every open page "Offline" for good:
 * - the server disconnects us ('io server disconnect': a graceful restart, SIGTERM);
 * - the server refuses the handshake (a middleware `connect_error`: the database is down).
 * After either we call `socket.connect()` again ourselves, with the same kind of backoff
 * (jittered, doubling, capped), until it connects. Pages re-join and catch up on 'connect'.
 */
import type { FormEvent } from 'react';
import { io, type Socket } from 'socket.io-client';

/** First retry after about this long, doubling per failure... */
const RETRY_BASE_MS = 500;
/** ...up to this: a crowd of readers must not hammer a server that is coming back. */
const RETRY_MAX_MS = 30_000;

/**
 * Why the connection is down, for the page to say so in the reader's language: `code` as the
 * server or the transport gave it, `messageKey` an i18n key when the server gave one (e.g.
 * 'errors.serviceUnavailable'), `retrying` false only if the server said not to retry.
 */
export interface ConnectionProblem {
  code: string;
  messageKey: string | null;
  retrying: boolean;
}

let socket: Socket | undefined;
const sessionEndedListeners = new Set<() => void>();

/**
 * Calls `listener` when the page's idea of who is signed in is stale: the server ended this
 * socket's session, or refused a handshake because the cookie is now someone else's. The page
 * then reloads its data (useLiveSession). Returns the unsubscribe.
 */
export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}
const sessionEnded = () => {
  for (const listener of [...sessionEndedListeners]) listener();
};

const phaseListeners = new Set<() => void>();

/**
 * Calls `listener` when the consultation of a thread this socket reads moved to another phase
 * (server/socket/threads.ts): what the page offers (a composer, or a read-only notice) is stale.
 * Returns the unsubscribe.
 */
export function onPhaseChanged(listener: () => void): () => void {
  phaseListeners.add(listener);
  return () => phaseListeners.delete(listener);
}
const phaseChanged = () => {
  for (const listener of [...phaseListeners]) listener();
};

/** The user the page shows (null: nobody; undefined: not said yet), sent with every handshake. */
let expectedUser: string | null | undefined;
/** A handshake was refused as another user's: connect again once the page says who it shows. */
let identityStale = false;

/**
 * Says which user the page shows. Every handshake carries it and the server refuses a connection
 * for anyone else (server/socket/identity.ts), so a stale tab never acts under the name of whoever
 * signed in since in another tab. A change of user opens a new connection (renewSocket).
 */
export function setExpectedUser(userId: string | null) {
  if (expectedUser === userId && !identityStale) return;
  const changed = expectedUser !== undefined && expectedUser !== userId;
  expectedUser = userId;
  if (changed || identityStale) {
    identityStale = false;
    renewSocket();
  }
}

/** A reconnection we scheduled ourselves (Socket.io would not), and how many failed in a row. */
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let failures = 0;
let problem: ConnectionProblem | null = null;
const problemListeners = new Set<(problem: ConnectionProblem | null) => void>();

export function getSocket(): Socket {
  if (!socket) {
    // The manager's own retries (dropped transport, server unreachable) use the same backoff.
    socket = io({
      // A function: read at every (re)connection, so it always names the page's current user.
      auth: (cb) => cb(expectedUser === undefined ? {} : { expect: expectedUser }),
      transports: ['websocket', 'polling'],
      reconnectionDelay: RETRY_BASE_MS,
      reconnectionDelayMax: RETRY_MAX_MS,
      randomizationFactor: 0.5,
    });
    keepAlive(socket);
  }
  return socket;
}

function keepAlive(s: Socket) {
  // The server closes the connection of a session that ended (signed out here or elsewhere,
  // password changed): the page's data is stale too (server/socket/identity.ts).
  s.on('session:ended', sessionEnded);
  // The same string as PHASE_CHANGED in server/socket/threads.ts (kept out of the browser's bundle).
  s.on('consultation:phase', phaseChanged);
  s.on('connect', () => {
    failures = 0;
    clearRetry();
    setProblem(null);
  });
  s.on('disconnect', (reason) => {
    // Any other reason is the manager's to retry ('transport close', 'ping timeout', …), or
    // our own decision ('io client disconnect').
    if (reason === 'io server disconnect') scheduleConnect();
  });
  s.on('connect_error', (error: Error & { data?: unknown }) => {
    const data = (typeof error.data === 'object' && error.data !== null ? error.data : {}) as { retryable?: unknown; messageKey?: unknown };
    const retrying = data.retryable !== false;
    setProblem({ code: error.message, messageKey: typeof data.messageKey === 'string' ? data.messageKey : null, retrying });
    if (error.message === 'user_changed') {
      identityStale = true;
      sessionEnded();
      return;
    }
    // `active` is still true when the manager is retrying the transport itself; false after a
    // refused handshake, which Socket.io never retries.
    if (!s.active && retrying) scheduleConnect();
  });
  if (typeof window !== 'undefined') {
    // Back on the network: no reason to sit out the rest of a long backoff.
    window.addEventListener('online', () => {
      if (retryTimer !== undefined) connectNow();
    });
  }
}

function scheduleConnect() {
  if (retryTimer !== undefined) return;
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** failures++);
  // "Equal jitter": between half the ceiling and the ceiling, so clients spread out but none
  // comes back much sooner than the backoff says.
  const delay = ceiling / 2 + Math.random() * (ceiling / 2);
  retryTimer = setTimeout(connectNow, delay);
}

function connectNow() {
  clearRetry();
  if (socket && !socket.active) socket.connect();
}

function clearRetry() {
  if (retryTimer !== undefined) clearTimeout(retryTimer);
  retryTimer = undefined;
}

const sameProblem = (a: ConnectionProblem | null, b: ConnectionProblem | null) =>
  a === b || (a !== null && b !== null && a.code === b.code && a.messageKey === b.messageKey && a.retrying === b.retrying);

function setProblem(next: ConnectionProblem | null) {
  // Every failed retry reports again; listeners hear only of a change.
  if (sameProblem(problem, next)) return;
  problem = next;
  for (const listener of [...problemListeners]) listener(next);
}

/** Why the socket is not connected, or null once it is (and before anything went wrong). */
export function connectionProblem(): ConnectionProblem | null {
  return problem;
}

/** Calls `listener` whenever the problem changes (null: connected again). Returns the unsubscribe. */
export function onConnectionProblem(listener: (problem: ConnectionProblem | null) => void): () => void {
  problemListeners.add(listener);
  return () => problemListeners.delete(listener);
}

/**
 * True while this socket is on its way back: the manager is retrying, or a retry is scheduled.
 * False once connected, or if the server said not to retry.
 */
export function isReconnecting(s: Socket): boolean {
  if (s.connected) return false;
  return s.active || (s === socket && retryTimer !== undefined);
}

/**
 * Replaces the server-side connection with a fresh one on the same Socket object (listeners
 * kept, pages re-join on 'connect'). The handshake is a new HTTP request, so it carries the
 * cookie as it is now: call it when the signed-in user changes.
 */
export function renewSocket(): void {
  if (!socket) return; // the first getSocket() will send the current cookie anyway
  clearRetry();
  failures = 0;
  // The only socket of its manager: disconnecting it closes the engine (the old handshake),
  // and connecting opens a new one.
  socket.disconnect();
  socket.connect();
}

export interface Ack<T = Record<string, unknown>> {
  ok: boolean;
  error?: { code: string; messageKey: string; field?: string };
  [key: string]: unknown;
  post?: T;
}

/**
 * Emits with an acknowledgement, retrying on time-outs (a dropped connection): events that
 * carry a client id are idempotent on the server, so a retry never duplicates.
 */
export async function emitReliably<T = Record<string, unknown>>(event: string, payload: unknown, attempts = 5): Promise<Ack<T>> {
  const s = getSocket();
  for (let attempt = 1; ; attempt++) {
    try {
      return (await s.timeout(10_000).emitWithAck(event, payload)) as Ack<T>;
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

/**
 * For a plain POST form (it works without JavaScript): with a live socket, sends the same
 * action as `event` instead and returns the answer; with none, or if the socket does not
 * answer, lets the form post the ordinary way and returns null. Retries are idempotent either way.
 */
export async function sendInsteadOfForm<T = Record<string, unknown>>(
  e: FormEvent<HTMLFormElement>,
  event: string,
  payload: unknown,
  attempts?: number,
): Promise<Ack<T> | null> {
  const form = e.currentTarget;
  const s = getSocket();
  // Offline or reconnecting: a form post would land on the browser's error page and lose what
  // was written. Wait for the connection instead, and say so if it does not come back.
  const waiting = !s.connected && (isReconnecting(s) || browserOffline());
  if (!s.connected && !waiting) return null; // no live connection at all: the ordinary form post
  e.preventDefault();
  if (waiting && !(await connected(s, OFFLINE_WAIT_MS))) return notSent<T>();
  try {
    return await emitReliably<T>(event, payload, attempts);
  } catch {
    if (browserOffline() || isReconnecting(s)) return notSent<T>();
    form.submit();
    return null;
  }
}

/** How long a contribution written offline waits for the connection before the writer is told. */
const OFFLINE_WAIT_MS = 30_000;

const browserOffline = () => typeof navigator !== 'undefined' && navigator.onLine === false;

/** The answer shown when the connection did not come back: the text stays in the editor. */
const notSent = <T,>(): Ack<T> => ({ ok: false, error: { code: 'offline', messageKey: 'errors.notSentOffline' } });

/** Resolves true once `s` is connected, false after `timeoutMs`. */
function connected(s: Socket, timeoutMs: number): Promise<boolean> {
  if (s.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.off('connect', onConnect);
      resolve(ok);
    };
    const onConnect = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    s.on('connect', onConnect);
  });
}
