/**
 * A headless co-editor for notes (docs/decisions/0008): a socket.io client carrying a session
 * cookie, a Y.Doc and a y-protocols Awareness, speaking the note protocol as the browser's
 * provider does: join (with an acknowledgement), send sync step 1, answer the server's step 1
 * with step 2, apply step 2 and updates, send local updates, announce a name through awareness.
 * `synced` resolves once the server's step 2 has been applied. Refusals and status changes are
 * recorded, not acted on (a test decides what a client does next).
 *
 * Edits are made with plain Yjs in the shapes Lexical's binding uses (docs/decisions/0008), as
 * the server's `initialUpdate` produces them: the root is `doc.get('root', Y.XmlText)`; each
 * block is an embedded XmlText with `__type` and the element's other properties as attributes;
 * a text node is a Y.Map embed (`__type: 'text'`, format, style, mode, detail) followed by its
 * characters. Used by the socket tests and by the notes benchmark's load generator.
 */
import { io as connect, type Socket } from 'socket.io-client';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { awarenessMessage, MESSAGE_AWARENESS, MESSAGE_SYNC, NOTE_EVENTS, noteMessage, toBytes, type JoinAck, type Refused, type StatusChange } from '../../app/notes/protocol';

/** Transaction origin of everything that came from the server. */
export const REMOTE = Symbol('remote');

export interface ReceivedMessage {
  /** MESSAGE_SYNC or MESSAGE_AWARENESS (or whatever arrived) */
  type: number;
  /** for sync messages: step 1, step 2 or update */
  syncType?: number;
  bytes: number;
}

export interface CoEditorOptions {
  /** Session cookie (`name=value`); none: an anonymous socket (may not join). */
  cookie?: string;
  /** Shown to the others through awareness (the server replaces it by what it allows). */
  name?: string;
  /** How to be shown to co-editors (the note's presence choice); the user's default if unset. */
  presenceAs?: 'named' | 'organisation' | 'chatham';
  /** Keep a log of every message received (tests); off for the benchmark's many clients. */
  log?: boolean;
  /** Yjs client id (the benchmark makes them predictable); random by default. */
  clientID?: number;
  timeoutMs?: number;
}

/** Lexical's properties of a paragraph and of a plain text node, as initialUpdate writes them. */
const PARAGRAPH_ATTRIBUTES = { __type: 'paragraph', __format: 0, __style: '', __indent: 0, __dir: null, __textFormat: 0, __textStyle: '' } as const;
const TEXT_PROPERTIES = { __type: 'text', __format: 0, __style: '', __mode: 0, __detail: 0 } as const;

export class CoEditor {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly root: Y.XmlText;
  ack: JoinAck | null = null;
  canEdit = false;
  readonly refused: Refused[] = [];
  readonly statuses: StatusChange[] = [];
  readonly messages: ReceivedMessage[] = [];
  /** Remote transactions that changed the doc. */
  remoteChanges = 0;
  /** Resolves once the server's sync step 2 has been applied (after `join`). */
  synced: Promise<void>;
  private resolveSynced!: () => void;
  private waiters = new Set<() => void>();

  constructor(
    readonly socket: Socket,
    readonly noteId: number,
    private readonly options: CoEditorOptions,
  ) {
    this.doc = new Y.Doc();
    if (options.clientID !== undefined) this.doc.clientID = options.clientID;
    this.root = this.doc.get('root', Y.XmlText);
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.synced = new Promise((resolve) => (this.resolveSynced = resolve));

    socket.on(NOTE_EVENTS.message, (noteId: number, payload: unknown) => {
      if (noteId === this.noteId) this.receive(payload);
    });
    socket.on(NOTE_EVENTS.refused, (refusal: Refused) => {
      if (refusal.noteId !== this.noteId) return;
      this.refused.push(refusal);
      this.wake();
    });
    socket.on(NOTE_EVENTS.status, (change: StatusChange) => {
      if (change.noteId !== this.noteId) return;
      this.statuses.push(change);
      this.canEdit = change.canEdit;
      this.wake();
    });
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) this.sendRaw(noteMessage(MESSAGE_SYNC, (e) => syncProtocol.writeUpdate(e, update)));
    });
    this.doc.on('afterTransaction', (transaction: Y.Transaction) => {
      if (transaction.origin === REMOTE && (transaction.changed.size > 0 || transaction.deleteSet.clients.size > 0)) this.remoteChanges++;
      this.wake();
    });
    this.awareness.on('update', ({ added, updated, removed }: Record<'added' | 'updated' | 'removed', number[]>, origin: unknown) => {
      if (origin !== 'local') return;
      const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed]);
      this.sendRaw(awarenessMessage(update));
    });
  }

  /** Joins the note; on success sends sync step 1 and the local awareness state. */
  async join(): Promise<JoinAck> {
    const timeout = this.options.timeoutMs ?? 10_000;
    this.ack = (await this.socket.timeout(timeout).emitWithAck(NOTE_EVENTS.join, { noteId: this.noteId })) as JoinAck;
    if (!this.ack.ok) return this.ack;
    this.canEdit = this.ack.canEdit;
    this.sendRaw(noteMessage(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep1(e, this.doc)));
    // As Lexical's CollaborationPlugin does; the server replaces the name with the account's.
    if (this.options.presenceAs) this.awareness.setLocalStateField('awarenessData', { presenceAs: this.options.presenceAs });
    this.awareness.setLocalStateField('name', this.options.name ?? 'Headless co-editor');
    return this.ack;
  }

  leave(): void {
    this.socket.emit(NOTE_EVENTS.leave, { noteId: this.noteId });
  }

  /** Sends a payload as a note message; tests also send malformed ones (anything at all). */
  sendRaw(payload: unknown): void {
    this.socket.emit(NOTE_EVENTS.message, this.noteId, payload);
  }

  private receive(payload: unknown): void {
    const bytes = toBytes(payload); // Node: a Buffer, used as is
    if (!bytes) return;
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_SYNC) {
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, MESSAGE_SYNC);
      const syncType = syncProtocol.readSyncMessage(decoder, reply, this.doc, REMOTE);
      if (this.options.log) this.messages.push({ type, syncType, bytes: bytes.length });
      // Step 1 from the server: answer with step 2 (what it lacks).
      if (encoding.length(reply) > 1) this.socket.emit(NOTE_EVENTS.message, this.noteId, encoding.toUint8Array(reply));
      if (syncType === syncProtocol.messageYjsSyncStep2) this.resolveSynced();
    } else if (type === MESSAGE_AWARENESS) {
      if (this.options.log) this.messages.push({ type, bytes: bytes.length });
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), REMOTE);
    } else if (this.options.log) {
      this.messages.push({ type, bytes: bytes.length });
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolves when `condition()` holds (checked on every message, change, refusal or status, and every 20 ms). */
  waitFor(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      };
      const poll = setInterval(check, 20); // for conditions on something else than this client
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        clearInterval(poll);
        reject(new Error(`${what} not reached within ${timeoutMs} ms (text: ${JSON.stringify(this.text())})`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  waitForText(expected: string, timeoutMs = 5_000): Promise<void> {
    return this.waitFor(() => this.text() === expected, timeoutMs, `text ${JSON.stringify(expected)}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Editing like Lexical's binding (the functions below, on this client's doc)
  // ---------------------------------------------------------------------------------------------

  /** The blocks of the note (heading, paragraphs…), in order. */
  blocks(): Y.XmlText[] {
    return blocksOf(this.doc);
  }

  /** Adds a paragraph at the end of the note holding `text` (none: an empty paragraph). */
  appendParagraph(text = ''): Y.XmlText {
    return appendParagraph(this.doc, text);
  }

  /** Types `text` at the end of block `index` (0 is the title heading). */
  typeAt(index: number, text: string): void {
    typeAt(this.doc, index, text);
  }

  /** Types `text` at the end of `block`, in one transaction (one update). */
  typeInto(block: Y.XmlText, text: string): void {
    typeInto(block, text);
  }

  /** The visible text, as the server's derived copy has it (see noteText). */
  text(): string {
    return noteText(this.doc);
  }

  /** Stops listening and disconnects (the awareness timer too, or Node would not exit). */
  close(): void {
    this.awareness.destroy();
    this.socket.close();
    this.doc.destroy();
  }
}

/** Connects a socket (with the cookie, like openClient) and makes a co-editor of `noteId`. */
export async function connectCoEditor(server: { url: string }, noteId: number, options: CoEditorOptions = {}): Promise<CoEditor> {
  const timeout = options.timeoutMs ?? 10_000;
  const socket = connect(server.url, {
    transports: ['websocket'],
    extraHeaders: options.cookie ? { cookie: options.cookie } : {},
    forceNew: true,
    reconnection: false,
    timeout,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket did not connect within ${timeout} ms`)), timeout);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error: Error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
  });
  return new CoEditor(socket, noteId, options);
}

/** Connects, joins and waits for the first sync: a co-editor holding the note's current state. */
export async function openCoEditor(server: { url: string }, noteId: number, options: CoEditorOptions = {}): Promise<CoEditor> {
  const editor = await connectCoEditor(server, noteId, options);
  const ack = await editor.join();
  if (!ack.ok) {
    editor.close();
    throw new Error(`joining note ${noteId} refused: ${JSON.stringify(ack.error)}`);
  }
  await withTimeout(editor.synced, options.timeoutMs ?? 10_000, `sync of note ${noteId}`);
  return editor;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} not done within ${ms} ms`)), ms);
    }),
  ]);
}

// -------------------------------------------------------------------------------------------------
// Lexical-shaped edits with plain Yjs, on any doc holding a note
// -------------------------------------------------------------------------------------------------

const rootOf = (doc: Y.Doc) => doc.get('root', Y.XmlText);

/** The blocks of the note (heading, paragraphs…), in order. */
export function blocksOf(doc: Y.Doc): Y.XmlText[] {
  return (rootOf(doc).toDelta() as { insert: unknown }[]).flatMap((d) => (d.insert instanceof Y.XmlText ? [d.insert] : []));
}

/** Adds a paragraph at the end of the note holding `text` (none: an empty paragraph), in one transaction. */
export function appendParagraph(doc: Y.Doc, text = ''): Y.XmlText {
  const root = rootOf(doc);
  const paragraph = new Y.XmlText();
  doc.transact(() => {
    root.insertEmbed(root.length, paragraph);
    for (const [key, value] of Object.entries(PARAGRAPH_ATTRIBUTES)) paragraph.setAttribute(key, value as never);
    if (text) insertText(paragraph, text);
  });
  return paragraph;
}

/** Types `text` at the end of block `index` (0 is the title heading). */
export function typeAt(doc: Y.Doc, index: number, text: string): void {
  const block = blocksOf(doc)[index];
  if (!block) throw new Error(`no block ${index} in the note (it has ${blocksOf(doc).length})`);
  typeInto(block, text);
}

/** Types `text` at the end of `block` (a block of a doc), in one transaction (one update). */
export function typeInto(block: Y.XmlText, text: string): void {
  block.doc!.transact(() => insertText(block, text));
}

function insertText(block: Y.XmlText, text: string): void {
  const delta = block.toDelta() as { insert: unknown }[];
  const last = delta.at(-1)?.insert;
  const inText = typeof last === 'string' || (last instanceof Y.Map && last.get('__type') === 'text');
  if (!inText) {
    // An empty block (or one ending with a line break…): a new text node first.
    const node = new Y.Map<unknown>();
    block.insertEmbed(block.length, node);
    for (const [key, value] of Object.entries(TEXT_PROPERTIES)) node.set(key, value);
  }
  block.insert(block.length, text);
}

/**
 * The visible text, as the server's derived copy (readDocument) has it: each block's text
 * (line breaks and tabs included), blank blocks left out, blocks separated by a blank line.
 */
export function noteText(doc: Y.Doc): string {
  const blockText = (block: Y.XmlText): string =>
    (block.toDelta() as { insert: unknown }[])
      .map(({ insert }) => {
        if (typeof insert === 'string') return insert;
        if (insert instanceof Y.Map) return insert.get('__type') === 'linebreak' ? '\n' : insert.get('__type') === 'tab' ? '\t' : '';
        if (insert instanceof Y.XmlText) return blockText(insert);
        return '';
      })
      .join('');
  return blocksOf(doc)
    .map(blockText)
    .filter((t) => t.trim() !== '')
    .join('\n\n');
}
