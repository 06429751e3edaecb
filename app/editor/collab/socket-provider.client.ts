/**
 * A Yjs provider over the app's Socket.io connection, for Lexical's CollaborationPlugin
 * (the `Provider` contract of @lexical/yjs 0.52) and the note protocol of
 * docs/decisions/0008 (app/notes/protocol.ts); that ADR lists the traps it avoids.
 *
 * - `connect()` is synchronous and idempotent; `connect()` after `disconnect()` works again
 *   (React StrictMode runs the plugin's effect twice).
 * - `sync(true)` fires only once the server's sync step 2 has been applied, after every join.
 * - Never emits `reload` (0.52 does not rebuild its binding): to switch documents, or after a
 *   refusal, the UI remounts the editor with a new React key and a fresh doc and provider.
 * - Local document changes are merged per short window (`Y.mergeUpdates`) and sent only while
 *   joined as an editor; after a reconnection the server's sync step 1 pulls what it lacks.
 * - Awareness: only this client's own state is ever sent (the server clears what a socket
 *   announced when it leaves, so relaying others' states would get them cleared too).
 *
 * Besides `sync`, `status`, `update` (the Lexical contract), it emits for the UI:
 * `connection` (ConnectionState), `note-status` ({ status, canEdit }), `refused` (reason),
 * `saving` (saved: boolean: false while the server fails to store the note's edits),
 * `error` (an i18n key, when the server refuses the join).
 */
import * as decoding from 'lib0/decoding';
import type { Socket } from 'socket.io-client';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { NoteStatus } from '../../notes/note-status';
import { isReconnecting } from '../../live/socket.client';
import { relabelAwarenessUpdate } from '../../notes/awareness';
import type { PublicAuthor } from '../../contributions/attribution';
import {
  awarenessMessage,
  MESSAGE_AWARENESS,
  MESSAGE_SYNC,
  NOTE_EVENTS,
  NOTE_LIMITS,
  noteMessage,
  toBytes,
  type JoinAck,
  type Refused,
  type RefusalReason,
  type SaveState,
  type StatusChange,
} from '../../notes/protocol';

/** What the page shows: joined and in sync, (re)joining, or no network at all. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface NoteAccess {
  status: NoteStatus;
  canEdit: boolean;
}

type Listener = (...args: any[]) => void;

/** Local updates accumulated for this long are sent as one merged message. */
const UPDATE_WINDOW_MS = 20;
/** Own awareness changes (caret moves) at most this often. */
const AWARENESS_WINDOW_MS = 40;
/** A merged update is sent early once it grows past this (well below the server's limit). */
const FLUSH_BYTES = Math.floor(NOTE_LIMITS.messageBytes / 4);
const JOIN_TIMEOUT_MS = 10_000;
/** While connected, pull what may have been missed (a dropped relay) this often. */
const RESYNC_MS = 60_000;
/** Join failures worth retrying (anything else is final: not found, forbidden, signed out). */
const RETRYABLE = new Set(['rate_limited', 'internal', 'timeout']);

export class SocketProvider {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly noteId: number;
  private readonly socket: Socket;
  private listeners = new Map<string, Set<Listener>>();

  /** connect() was called and disconnect() not since */
  private wanted = false;
  private joining = false;
  private joined = false;
  private synced = false;
  private destroyed = false;
  /** bumped on every (re)join and disconnect: late acks of an older attempt are ignored */
  private generation = 0;
  private access: NoteAccess | null = null;
  /** What the page is told: the link's state, or 'offline' whenever the browser has no network. */
  private connection: ConnectionState = 'connecting';
  /** The state of the link itself, as the socket and the join say. */
  private link: ConnectionState = 'connecting';
  private everConnected = false;
  /** a local change was made while it could not be sent as an editor (a reader's normalisation) */
  private unsent = false;

  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private updateTimer: ReturnType<typeof setTimeout> | null = null;
  private awarenessTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private resyncTimer: ReturnType<typeof setInterval> | null = null;
  private retries = 0;
  /** messages that arrived before the join's acknowledgement */
  private early: Uint8Array[] = [];

  /** Co-editors' names in the reader's language, from what the server lets them be shown as. */
  private readonly label: ((author: PublicAuthor) => string) | undefined;

  constructor(socket: Socket, noteId: number, doc: Y.Doc, initialAccess?: NoteAccess, label?: (author: PublicAuthor) => string) {
    this.socket = socket;
    this.label = label;
    this.noteId = noteId;
    this.doc = doc;
    this.access = initialAccess ?? null;
    // On the same doc: our own caret must not come back as a remote one.
    this.awareness = new awarenessProtocol.Awareness(doc);
    this.awareness.setLocalState(null); // the plugin sets name and colour before connecting
    doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
  }

  // ------------------------------------------------------------------------------------------
  // Provider contract
  // ------------------------------------------------------------------------------------------

  connect(): void {
    if (this.destroyed || this.wanted) return;
    this.wanted = true;
    this.socket.on('connect', this.onSocketConnect);
    this.socket.on('disconnect', this.onSocketDisconnect);
    this.socket.on(NOTE_EVENTS.message, this.onMessage);
    this.socket.on(NOTE_EVENTS.refused, this.onRefused);
    this.socket.on(NOTE_EVENTS.status, this.onStatus);
    this.socket.on(NOTE_EVENTS.saving, this.onSaving);
    this.socket.io.on('reconnect_attempt', this.onReconnectAttempt);
    if (typeof window !== 'undefined') {
      window.addEventListener('offline', this.onBrowserOffline);
      window.addEventListener('online', this.onBrowserOnline);
    }
    this.emit('status', [{ status: 'connecting' }]);
    if (this.socket.connected) this.join();
    else {
      // Opened lazily elsewhere (getSocket); make sure it is on its way, unless a retry is
      // already scheduled (its backoff is kept).
      if (!isReconnecting(this.socket)) this.socket.connect();
      this.setConnection(this.socketOffline() ? 'offline' : this.everConnected ? 'reconnecting' : 'connecting');
    }
  }

  disconnect(): void {
    if (!this.wanted) return;
    this.wanted = false;
    this.generation++;
    this.socket.off('connect', this.onSocketConnect);
    this.socket.off('disconnect', this.onSocketDisconnect);
    this.socket.off(NOTE_EVENTS.message, this.onMessage);
    this.socket.off(NOTE_EVENTS.refused, this.onRefused);
    this.socket.off(NOTE_EVENTS.status, this.onStatus);
    this.socket.off(NOTE_EVENTS.saving, this.onSaving);
    this.socket.io.off('reconnect_attempt', this.onReconnectAttempt);
    if (typeof window !== 'undefined') {
      window.removeEventListener('offline', this.onBrowserOffline);
      window.removeEventListener('online', this.onBrowserOnline);
    }
    if (this.joined || this.joining) {
      // Send what is still queued before leaving; the server clears our awareness on leave.
      this.flushUpdates();
      if (this.socket.connected) this.socket.emit(NOTE_EVENTS.leave, { noteId: this.noteId });
    }
    this.resetSession();
    this.emit('status', [{ status: 'disconnected' }]);
  }

  on(type: string, listener: Listener): void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
  }

  off(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }

  // ------------------------------------------------------------------------------------------
  // For the UI
  // ------------------------------------------------------------------------------------------

  get connectionState(): ConnectionState {
    return this.connection;
  }

  /** The server's last word on the note (join or status change), null before the first join. */
  get noteAccess(): NoteAccess | null {
    return this.access;
  }

  /** True if local changes were made that the server never got (then remount to resync). */
  get hasUnsentChanges(): boolean {
    return this.unsent;
  }

  get isSynced(): boolean {
    return this.synced;
  }

  /** Leaves the note for good: disconnects, stops the awareness timer, destroys the doc. */
  destroy(): void {
    if (this.destroyed) return;
    this.disconnect();
    this.destroyed = true;
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.doc.destroy();
    this.listeners.clear();
  }

  // ------------------------------------------------------------------------------------------
  // Session
  // ------------------------------------------------------------------------------------------

  private join(): void {
    if (!this.wanted || this.joining || this.joined) return;
    this.joining = true;
    const generation = ++this.generation;
    this.setConnection(this.everConnected ? 'reconnecting' : 'connecting');
    this.socket.timeout(JOIN_TIMEOUT_MS).emit(NOTE_EVENTS.join, { noteId: this.noteId }, (error: Error | null, ack: JoinAck) => {
      if (generation !== this.generation || !this.wanted) return;
      this.joining = false;
      if (error || !ack) return this.joinFailed('timeout', 'errors.serverErrorText');
      if (!ack.ok) {
        const failure = ack.error as unknown;
        const code = typeof failure === 'object' && failure !== null ? String((failure as { code?: unknown }).code ?? 'internal') : 'internal';
        const key =
          typeof failure === 'string'
            ? failure
            : typeof failure === 'object' && failure !== null && typeof (failure as { messageKey?: unknown }).messageKey === 'string'
              ? (failure as { messageKey: string }).messageKey
              : 'errors.serverErrorText';
        return this.joinFailed(code, key);
      }
      this.joined = true;
      this.retries = 0;
      this.everConnected = true;
      this.setAccess({ status: ack.status, canEdit: ack.canEdit });
      // Pull what we lack; `sync(true)` waits for the answer (step 2).
      this.send(noteMessage(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep1(e, this.doc)));
      // What was typed while joining (the server's step 1 would also pull it; Yjs ignores repeats).
      this.flushUpdates();
      if (this.awareness.getLocalState() !== null) this.sendAwareness();
      const early = this.early;
      this.early = [];
      for (const payload of early) this.handleMessage(payload);
      if (this.resyncTimer) clearInterval(this.resyncTimer);
      this.resyncTimer = setInterval(() => {
        if (this.joined) this.send(noteMessage(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep1(e, this.doc)));
      }, RESYNC_MS);
    });
  }

  private joinFailed(code: string, messageKey: string) {
    if (RETRYABLE.has(code) && this.wanted) {
      const delay = Math.min(30_000, 1_000 * 2 ** this.retries++);
      this.setConnection(this.socketOffline() ? 'offline' : 'reconnecting');
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (this.socket.connected) this.join();
      }, delay);
      return;
    }
    this.setConnection('offline');
    this.emit('error', [messageKey]);
  }

  /** Forgets the session (not the document): after a disconnect, before a rejoin. */
  private resetSession() {
    this.joining = false;
    this.joined = false;
    const wasSynced = this.synced;
    this.synced = false;
    this.early = [];
    this.pending = [];
    this.pendingBytes = 0;
    for (const timer of [this.updateTimer, this.awarenessTimer, this.retryTimer]) if (timer) clearTimeout(timer);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.updateTimer = this.awarenessTimer = this.retryTimer = this.resyncTimer = null;
    // Other people's carets are stale now; the server sends the room's states on the next join.
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
    if (others.length) awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
    if (wasSynced) this.emit('sync', [false]);
  }

  private onSocketConnect = () => {
    this.emit('status', [{ status: 'connecting' }]);
    this.join();
  };

  private onSocketDisconnect = () => {
    this.generation++;
    this.resetSession();
    this.setConnection(this.socketOffline() ? 'offline' : 'reconnecting');
    // A renewal (renewSocket: disconnect, then connect at once) is on its way back by now.
    queueMicrotask(() => {
      if (this.wanted && !this.socket.connected && this.link === 'offline' && !this.socketOffline()) this.setConnection('reconnecting');
    });
    this.emit('status', [{ status: 'disconnected' }]);
  };

  private onReconnectAttempt = () => {
    if (!this.socket.connected) this.setConnection(this.socketOffline() ? 'offline' : 'reconnecting');
  };

  // The browser knows at once; a socket whose network went may look connected for the better
  // part of a minute (until its pings time out), so 'offline' follows the browser.
  private onBrowserOffline = () => this.announce();

  private onBrowserOnline = () => {
    if (!this.socket.connected) {
      this.setConnection('reconnecting');
      if (!this.socket.active) this.socket.connect();
      return;
    }
    this.announce();
    // The socket never noticed: pull whatever may have been missed meanwhile (edits sent while
    // offline were kept in the doc, and the server's step 1 in answer pulls them).
    if (this.joined) this.send(noteMessage(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep1(e, this.doc)));
    else this.join();
  };

  /**
   * No network, or a socket that will not come back by itself. The app's socket always does
   * (socket.client.ts retries even after the server disconnected it or refused its handshake),
   * so after a restart or during a database outage this is false and the note says
   * "reconnecting"; its edits wait in the doc and the server's sync step 1 pulls them on rejoin.
   */
  private socketOffline(): boolean {
    if (typeof navigator !== 'undefined' && navigator.onLine === false) return true;
    return !this.socket.connected && !isReconnecting(this.socket);
  }

  private setConnection(state: ConnectionState) {
    this.link = state;
    this.announce();
  }

  private announce() {
    const state = typeof navigator !== 'undefined' && navigator.onLine === false ? 'offline' : this.link;
    if (this.connection === state) return;
    this.connection = state;
    this.emit('connection', [state]);
  }

  private setAccess(access: NoteAccess) {
    this.access = access;
    this.emit('note-status', [access]);
  }

  // ------------------------------------------------------------------------------------------
  // Incoming
  // ------------------------------------------------------------------------------------------

  private onMessage = (noteId: unknown, payload: unknown) => {
    if (noteId !== this.noteId || !this.wanted) return;
    const bytes = toBytes(payload);
    if (!bytes) return;
    if (!this.joined) {
      if (this.joining) this.early.push(bytes);
      return;
    }
    this.handleMessage(bytes);
  };

  private handleMessage(bytes: Uint8Array) {
    try {
      const decoder = decoding.createDecoder(bytes);
      const type = decoding.readVarUint(decoder);
      if (type === MESSAGE_SYNC) {
        const syncType = decoding.readVarUint(decoder);
        const data = decoding.readVarUint8Array(decoder);
        if (syncType === syncProtocol.messageYjsSyncStep1) {
          // The server asks what it lacks. A reader has nothing to give (and anything it would
          // give is an edit the server refuses), so only editors answer.
          if (this.access?.canEdit) {
            this.send(noteMessage(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep2(e, this.doc, data)));
          }
        } else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
          Y.applyUpdate(this.doc, data, this);
          this.emit('update', [data]);
          if (syncType === syncProtocol.messageYjsSyncStep2 && !this.synced) {
            this.synced = true;
            this.setConnection('connected');
            this.emit('status', [{ status: 'connected' }]);
            this.emit('sync', [true]);
          }
        }
      } else if (type === MESSAGE_AWARENESS) {
        const update = decoding.readVarUint8Array(decoder);
        awarenessProtocol.applyAwarenessUpdate(this.awareness, this.label ? relabelAwarenessUpdate(update, this.label) : update, this);
      }
    } catch (error) {
      console.warn('[palabre] note: ignoring an unreadable message', error);
    }
  }

  private onRefused = (refused: Refused) => {
    if (!refused || refused.noteId !== this.noteId || !this.wanted) return;
    if (refused.reason === 'not_joined') {
      // The server forgot us (a restart, a race with a leave): join again; its step 1 pulls our changes.
      this.generation++;
      this.joining = false;
      this.joined = false;
      if (this.socket.connected) this.join();
      return;
    }
    this.emit('refused', [refused.reason satisfies RefusalReason]);
  };

  /** The server's saves of this note failing or working again: the page says so. */
  private onSaving = (state: SaveState) => {
    if (!state || state.noteId !== this.noteId || !this.wanted) return;
    this.emit('saving', [state.saved === true]);
  };

  private onStatus = (change: StatusChange) => {
    if (!change || change.noteId !== this.noteId || !this.wanted) return;
    this.setAccess({ status: change.status, canEdit: change.canEdit });
  };

  // ------------------------------------------------------------------------------------------
  // Outgoing
  // ------------------------------------------------------------------------------------------

  private onDocUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this) return; // from the server
    if (this.access && !this.access.canEdit) {
      // Lexical may normalise what it receives; a reader never sends it (the server would refuse).
      this.unsent = true;
      return;
    }
    if (!this.wanted || (!this.joined && !this.joining)) return; // the server's next step 1 pulls it
    this.pending.push(update);
    this.pendingBytes += update.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flushUpdates();
    else this.updateTimer ??= setTimeout(() => this.flushUpdates(), UPDATE_WINDOW_MS);
  };

  private flushUpdates() {
    if (this.updateTimer) clearTimeout(this.updateTimer);
    this.updateTimer = null;
    if (!this.joined || this.pending.length === 0) return;
    const update = this.pending.length === 1 ? this.pending[0] : Y.mergeUpdates(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.access?.canEdit) {
      this.unsent = true;
      return;
    }
    this.send(noteMessage(MESSAGE_SYNC, (e) => syncProtocol.writeUpdate(e, update)));
  }

  private onAwarenessUpdate = ({ added, updated, removed }: Record<'added' | 'updated' | 'removed', number[]>, origin: unknown) => {
    if (origin === this) return;
    const own = this.doc.clientID;
    if (![...added, ...updated, ...removed].includes(own)) return;
    if (!this.joined) return; // sent after the join
    this.awarenessTimer ??= setTimeout(() => {
      this.awarenessTimer = null;
      this.sendAwareness();
    }, AWARENESS_WINDOW_MS);
  };

  private sendAwareness() {
    if (!this.joined) return;
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]);
    this.send(awarenessMessage(update));
  }

  private send(payload: Uint8Array) {
    if (!this.socket.connected) return;
    this.socket.emit(NOTE_EVENTS.message, this.noteId, payload);
  }

  private emit(type: string, args: unknown[]) {
    for (const listener of [...(this.listeners.get(type) ?? [])]) {
      try {
        listener(...args);
      } catch (error) {
        console.error(`[palabre] note provider: a "${type}" listener failed`, error);
      }
    }
  }
}
