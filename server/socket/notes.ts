/**
 * Co-editing notes over Socket.io (docs/decisions/0008): y-protocols sync and awareness
 * messages, one room per note. The server answers sync step 1 from its own document, checks
 * every update (who sends it, message and document size, the editor's vocabulary: node types,
 * properties, values) before the document takes it, and relays only
 * what note-docs has stored, merged per short window. Awareness (names, colours, cursors) is
 * merged the same way, spoken for only by the socket that announced it, under the name the server
 * knows (../../app/notes/awareness.server.ts), and cleared when a socket leaves.
 */
import type { Server } from 'socket.io';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { z } from 'zod';
import type { NoteStatus, Phase } from '../../db/schema';
import { canEditNote } from '../../app/notes/access';
import { decodeAwarenessUpdate, encodeAwarenessUpdate, isRelayedPresenceState, newPresenceKey, sanitiseAwarenessUpdate } from '../../app/notes/awareness.server';
import { changesDocument, checkUpdate } from '../../app/notes/note-document.server';
import { exceedsDocumentLimit } from '../../app/notes/update-check.server';
import { isNoteFrozen } from '../../app/notes/note-docs.server';
import { awarenessMessage, MESSAGE_AWARENESS, MESSAGE_SYNC, NOTE_EVENTS, NOTE_LIMITS, noteMessage, noteRoom, toBytes, type RefusalReason, type SaveState } from '../../app/notes/protocol';
import type { Cluster } from '../cluster';
import type { Services } from '../services';
import { createHandlerFactory, type AppSocket, type SocketData } from './handler';
import { currentUser, endSocket, localSocketsIn, sessionMayHaveExpired, userRoom } from './identity';
import { PHASE_CHANGED } from './threads';

const noteIdSchema = z.object({ noteId: z.coerce.number().int().positive() });

/** What one socket is doing in one note. */
interface Membership {
  canEdit: boolean;
  role: string;
  stakeholderGroup: string;
  /** The note's consultation and its phase as last heard (a phase change recomputes canEdit). */
  consultationId: number;
  phase: Phase;
  status: NoteStatus;
}

/** A note's room: its awareness, and the awareness changes waiting to be relayed. */
interface Room {
  awareness: awarenessProtocol.Awareness;
  /** awareness client id → the socket that announced it, the only one that may speak for it */
  owners: Map<number, string>;
  /**
   * awareness client id → the user who first announced it, kept for the room's life: once its
   * socket leaves, the id is free again for that user's return only, never for another user
   * (who could otherwise take it over and make its owner invisible on return).
   */
  announcedBy: Map<number, string>;
  /** and the other way round: socket id → the awareness ids it speaks for */
  spokenFor: Map<string, Set<number>>;
  /** socket id → its presence keys in this note, one per attribution it showed itself under */
  presenceKeys: Map<string, Map<string, string>>;
  changed: Set<number>;
  /** Of those, the ones this node's sockets changed: relayed to the other nodes. */
  changedHere: Set<number>;
  timer: NodeJS.Timeout | null;
  scope: string | null;
}

const AWARENESS_FLUSH_MS = 30;
/** The origin of awareness changes that came from another node. */
const REMOTE = Symbol('another node');

/** Who stands behind an awareness id announced on another node: nobody here may speak for it. */
const ANOTHER_NODE = '\u0000another-node';

export function registerNoteHandlers(io: Server<any, any, any, SocketData>, services: Services, cluster: Cluster, options: { eventsPer10s: number; messagesPer10s: number }) {
  const on = createHandlerFactory(services, options.eventsPer10s);
  const messageLimiter = services.limits.make('note-messages', options.messagesPer10s, 10_000, 'connection');
  const memberships = new WeakMap<AppSocket, Map<number, Membership>>();
  const rooms = new Map<number, Room>();
  /** `${socket.id}:${noteId}` of joins waiting for the doc. */
  const joining = new Set<string>();
  const { noteDocs: docs } = services;

  const membershipsOf = (socket: AppSocket) => {
    let map = memberships.get(socket);
    if (!map) memberships.set(socket, (map = new Map()));
    return map;
  };

  // Stored updates, merged per window by note-docs, go to everyone in the room at once: this
  // node's sockets; the other nodes hear of it from the cluster and tell theirs (server/cluster/).
  docs.onFlush((noteId, update) => {
    io.local.to(noteRoom(noteId)).emit(NOTE_EVENTS.message, noteId, noteMessage(MESSAGE_SYNC, (e) => syncProtocol.writeUpdate(e, update)));
  });

  // Saves failing or working again: editors see "not saved, retrying" rather than "connected".
  docs.onSaveState((noteId, saved) => {
    io.local.to(noteRoom(noteId)).emit(NOTE_EVENTS.saving, { noteId, saved } satisfies SaveState);
  });

  // Co-editors on other nodes: their awareness (already checked by their node) joins this
  // node's room, under ids nobody here may speak for, and goes to this node's sockets.
  cluster.onAwareness((noteId, update) => {
    const room = rooms.get(noteId);
    if (!room) return;
    try {
      const entries = decodeAwarenessUpdate(update);
      if (!entries.every((entry) => isRelayedPresenceState(entry.state))) throw new Error('a state is not one a node would relay');
      for (const entry of entries) {
        if (room.owners.has(entry.clientId)) continue; // one of this node's own: never from elsewhere
        room.announcedBy.set(entry.clientId, ANOTHER_NODE);
      }
      awarenessProtocol.applyAwarenessUpdate(room.awareness, encodeAwarenessUpdate(entries.filter((e) => !room.owners.has(e.clientId))), REMOTE);
    } catch (error) {
      console.warn(`[notes] dropped another node's awareness for note ${noteId}:`, (error as Error).message);
    }
  });
  // Another node opened this note's room: it hears who is here.
  cluster.onAwarenessQuery((noteId) => {
    const room = rooms.get(noteId);
    const ours = room ? [...room.owners.keys()] : [];
    if (room && ours.length > 0) cluster.publishAwareness(noteId, awarenessProtocol.encodeAwarenessUpdate(room.awareness, ours));
  });

  /** Editing rights from what the socket last heard of the note's status and phase. */
  const recompute = (noteId: number, membership: Membership) => {
    const scope = { status: membership.status, phase: membership.phase, stakeholderGroup: rooms.get(noteId)?.scope ?? null };
    membership.canEdit = canEditNote(scope, { role: membership.role as never, stakeholderGroup: membership.stakeholderGroup });
  };

  services.accessEvents.subscribe((event) => {
    if (event.type !== 'note.status') return;
    const { noteId, status } = event;
    for (const socket of localSocketsIn(io, noteRoom(noteId))) {
      const membership = memberships.get(socket)?.get(noteId);
      if (!membership) continue;
      membership.status = status;
      recompute(noteId, membership);
      socket.emit(NOTE_EVENTS.status, { noteId, status, canEdit: membership.canEdit });
    }
  });

  // A phase change (final: nothing is written) takes effect at once, synchronously, like a
  // status change: an update checked after this meets canEdit false.
  services.accessEvents.subscribe((event) => {
    if (event.type !== 'phase.changed') return;
    const told = new Set<AppSocket>();
    for (const [noteId] of rooms) {
      for (const socket of localSocketsIn(io, noteRoom(noteId))) {
        const membership = memberships.get(socket)?.get(noteId);
        if (!membership || membership.consultationId !== event.consultationId) continue;
        membership.phase = event.phase;
        recompute(noteId, membership);
        socket.emit(NOTE_EVENTS.status, { noteId, status: membership.status, canEdit: membership.canEdit, phase: event.phase });
        told.add(socket);
      }
    }
    // And the page itself (its phase badge, its notices and forms), once per socket, as threads.ts does.
    for (const socket of told) socket.emit(PHASE_CHANGED, { consultationId: event.consultationId, phase: event.phase });
  });

  // A role change takes effect on open sockets at once: editing rights are recomputed and the
  // client told, as for a status change.
  services.accessEvents.subscribe((event) => {
    if (event.type !== 'role.changed') return;
    for (const socket of localSocketsIn(io, userRoom(event.userId))) {
      for (const [noteId, membership] of memberships.get(socket) ?? []) {
        services.notes.access(noteId, event.userId).then(
          (fresh) => {
            if (fresh.note.consultationId !== event.consultationId) return;
            membership.role = fresh.role;
            membership.phase = fresh.note.phase;
            membership.status = fresh.note.status;
            membership.canEdit = fresh.canEdit;
            socket.emit(NOTE_EVENTS.status, { noteId, status: fresh.note.status, canEdit: fresh.canEdit });
          },
          (error) => {
            // The role could not be read: edit nothing rather than more than allowed.
            membership.canEdit = false;
            console.error('[notes] re-reading a role failed:', (error as Error).message);
          },
        );
      }
    }
  });

  function roomOf(noteId: number, doc: Y.Doc, scope: string | null): Room {
    let room = rooms.get(noteId);
    if (!room) {
      const awareness = new awarenessProtocol.Awareness(doc);
      awareness.setLocalState(null); // the server is not a participant
      room = { awareness, owners: new Map(), announcedBy: new Map(), spokenFor: new Map(), presenceKeys: new Map(), changed: new Set(), changedHere: new Set(), timer: null, scope };
      const r = room;
      awareness.on('update', ({ added, updated, removed }: Record<'added' | 'updated' | 'removed', number[]>, origin: unknown) => {
        for (const id of [...added, ...updated, ...removed]) {
          r.changed.add(id);
          // Only what this node's sockets said (or the server removed for them) goes to the other
          // nodes; not another node's state timing out here.
          if (origin !== REMOTE && r.announcedBy.get(id) !== ANOTHER_NODE) r.changedHere.add(id);
        }
        for (const id of removed) {
          // Left, or timed out: free again.
          const owner = r.owners.get(id);
          r.owners.delete(id);
          if (owner !== undefined) r.spokenFor.get(owner)?.delete(id);
        }
        if (!r.timer) r.timer = setTimeout(() => flushAwareness(noteId, r), AWARENESS_FLUSH_MS);
      });
      rooms.set(noteId, room);
      cluster.askAwareness(noteId);
    }
    return room;
  }

  function flushAwareness(noteId: number, room: Room) {
    room.timer = null;
    if (room.changed.size === 0) return;
    const update = awarenessProtocol.encodeAwarenessUpdate(room.awareness, [...room.changed]);
    if (room.changedHere.size > 0) cluster.publishAwareness(noteId, awarenessProtocol.encodeAwarenessUpdate(room.awareness, [...room.changedHere]));
    room.changed.clear();
    room.changedHere.clear();
    io.local.to(noteRoom(noteId)).emit(NOTE_EVENTS.message, noteId, awarenessMessage(update));
  }

  async function leave(socket: AppSocket, noteId: number) {
    const membership = membershipsOf(socket).get(noteId);
    if (!membership) return;
    membershipsOf(socket).delete(noteId);
    void socket.leave(noteRoom(noteId));
    const room = rooms.get(noteId);
    const spokenFor = room?.spokenFor.get(socket.id);
    if (room && spokenFor?.size) awarenessProtocol.removeAwarenessStates(room.awareness, [...spokenFor], 'server');
    room?.spokenFor.delete(socket.id);
    room?.presenceKeys.delete(socket.id);
    if (room && !io.sockets.adapter.rooms.get(noteRoom(noteId))?.size) {
      // The last one here: what is waiting (their removal, at least) still goes to the other
      // nodes, whose clients would otherwise keep a ghost caret until the awareness timeout.
      if (room.timer) {
        clearTimeout(room.timer);
        flushAwareness(noteId, room);
      }
      room.awareness.destroy();
      rooms.delete(noteId);
    }
    await docs.release(noteId);
  }

  io.on('connection', (socket: AppSocket) => {
    const refuse = (noteId: number, reason: RefusalReason) => socket.emit(NOTE_EVENTS.refused, { noteId, reason });

    on(socket, NOTE_EVENTS.join, noteIdSchema, { signedIn: true }, async ({ noteId }, user) => {
      const { note, role, stakeholderGroup, canEdit } = await services.notes.access(noteId, user!.id);
      // A second join while the first is still holding the doc (a retry) must not hold it twice:
      // the note would never be released, compacted or unloaded.
      const key = `${socket.id}:${noteId}`;
      if (membershipsOf(socket).has(noteId) || joining.has(key)) return { noteId, canEdit, status: note.status };
      joining.add(key);
      const doc = await docs.hold(noteId).finally(() => joining.delete(key));
      if (socket.disconnected) {
        await docs.release(noteId); // gone while we loaded: its 'disconnect' found nothing to leave
        return { noteId, canEdit, status: note.status };
      }
      const room = roomOf(noteId, doc, note.stakeholderGroup);
      membershipsOf(socket).set(noteId, { canEdit, role, stakeholderGroup, consultationId: note.consultationId, phase: note.phase, status: note.status });
      await socket.join(noteRoom(noteId));
      // A status change between the access check above and entering the room would be missed:
      // read it again now that the room hears of any later one.
      const fresh = await services.notes.access(noteId, user!.id);
      const membership = membershipsOf(socket).get(noteId);
      if (membership) Object.assign(membership, { canEdit: fresh.canEdit, phase: fresh.note.phase, status: fresh.note.status });
      // After the acknowledgement: the server's state vector (the client answers with what the
      // server lacks), then who is already there.
      setImmediate(() => {
        socket.emit(NOTE_EVENTS.message, noteId, noteMessage(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep1(e, doc)));
        const states = [...room.awareness.getStates().keys()];
        if (states.length) {
          const update = awarenessProtocol.encodeAwarenessUpdate(room.awareness, states);
          socket.emit(NOTE_EVENTS.message, noteId, awarenessMessage(update));
        }
      });
      return { noteId, canEdit: fresh.canEdit, status: fresh.note.status };
    });

    on(socket, NOTE_EVENTS.leave, noteIdSchema, { signedIn: false }, async ({ noteId }) => {
      await leave(socket, noteId);
    });

    socket.on(NOTE_EVENTS.message, async (rawNoteId: unknown, payload: unknown) => {
      const noteId = typeof rawNoteId === 'number' && Number.isInteger(rawNoteId) ? rawNoteId : null;
      if (noteId === null) return;
      const membership = membershipsOf(socket).get(noteId);
      if (!membership) return refuse(noteId, 'not_joined');
      // An expired session edits nothing: read it again (Lucia extends an active one) or end the socket.
      if (sessionMayHaveExpired(socket)) {
        const current = await currentUser(services, socket).catch(() => null);
        if (!current) return endSocket(socket);
      }
      if (!(await messageLimiter.consume(socket.id)).ok) return; // a flood is dropped; the client resyncs on its next step 1
      const bytes = toBytes(payload);
      if (!bytes) return refuse(noteId, 'invalid');
      if (bytes.length > NOTE_LIMITS.messageBytes) return refuse(noteId, 'too_large');
      try {
        const doc = await docs.open(noteId);
        const decoder = decoding.createDecoder(bytes);
        const type = decoding.readVarUint(decoder);
        if (type === MESSAGE_SYNC) {
          const syncType = decoding.readVarUint(decoder);
          const data = decoding.readVarUint8Array(decoder);
          if (syncType === syncProtocol.messageYjsSyncStep1) {
            const reply = noteMessage(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep2(e, doc, data));
            socket.emit(NOTE_EVENTS.message, noteId, reply);
            // And ask back, as y-websocket does: the client answers with whatever the server lacks
            // (e.g. a message it dropped), so a periodic step 1 from the client heals both ways.
            if (membership.canEdit) socket.emit(NOTE_EVENTS.message, noteId, noteMessage(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep1(e, doc)));
          } else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
            if (!membership.canEdit) {
              // A reader's empty answer to our step 1 is harmless; anything else is an edit.
              if (changesDocument(doc, data)) refuse(noteId, 'read_only');
              return;
            }
            // An editor's answer to our step 1 usually brings nothing new: storing and relaying
            // it would cost a row in note_updates and a message to the whole room per join.
            if (syncType === syncProtocol.messageYjsSyncStep2 && !changesDocument(doc, data)) return;
            // Checked against the editor's vocabulary before the document takes it (never after:
            // Yjs cannot take a change back), then against the document's size limit. Either
            // refusal goes to the sender alone; the others go on editing.
            const check = checkUpdate(data, doc);
            if (!check.ok) {
              console.warn(`[notes] refused an update to note ${noteId}: ${check.reason}`);
              return refuse(noteId, 'invalid');
            }
            if (check.grows && exceedsDocumentLimit(doc, data)) return refuse(noteId, 'document_too_large');
            await docs.apply(noteId, data, socket.id);
          } else {
            refuse(noteId, 'invalid');
          }
        } else if (type === MESSAGE_AWARENESS) {
          const update = decoding.readVarUint8Array(decoder);
          const room = rooms.get(noteId);
          const user = socket.data.user;
          if (!room || !user) return;
          // Only for ids this socket announced first, under the name the server knows.
          let spokenFor = room.spokenFor.get(socket.id);
          if (!spokenFor) room.spokenFor.set(socket.id, (spokenFor = new Set()));
          let keys = room.presenceKeys.get(socket.id);
          if (!keys) room.presenceKeys.set(socket.id, (keys = new Map()));
          const socketKeys = keys;
          const entries = sanitiseAwarenessUpdate(update, {
            user,
            announced: spokenFor.size,
            keyFor: (attribution) => {
              let key = socketKeys.get(attribution);
              if (!key) socketKeys.set(attribution, (key = newPresenceKey()));
              return key;
            },
            ownerOf: (id) => {
              const owner = room.owners.get(id);
              if (owner === undefined) return (room.announcedBy.get(id) ?? user.id) === user.id ? 'none' : 'other';
              return owner === socket.id ? 'self' : 'other';
            },
          });
          if (entries.length === 0) return;
          for (const entry of entries) {
            if (entry.state === null) continue;
            room.owners.set(entry.clientId, socket.id);
            room.announcedBy.set(entry.clientId, user.id);
            spokenFor.add(entry.clientId);
          }
          awarenessProtocol.applyAwarenessUpdate(room.awareness, encodeAwarenessUpdate(entries), socket.id);
        } else {
          refuse(noteId, 'invalid');
        }
      } catch (error) {
        // An edit that raced the note's sign-off (note-docs refuses it): refused like any edit of a final note.
        if (isNoteFrozen(error)) return refuse(noteId, 'status');
        // A malformed message hurts no one else: refuse it, the client resyncs.
        console.warn(`[notes] refused a malformed message for note ${noteId}:`, (error as Error).message);
        refuse(noteId, 'invalid');
      }
    });

    socket.on('disconnect', () => {
      for (const noteId of [...membershipsOf(socket).keys()]) void leave(socket, noteId);
    });
  });
}
