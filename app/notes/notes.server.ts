/**
 * Synthesis notes: opening them, who may read and edit them (access.ts), their status
 * (drafting → in_review → final), and named versions. The live document itself is in
 * note-docs.server.ts; this service reads and changes it through `docs`.
 * Every method works out the caller's role itself (accounts.roleOf).
 */
import type { Kysely } from 'kysely';
import * as Y from 'yjs';
import type { Database, NoteRow, NoteStatus, Phase } from '../../db/schema';
import { roleOf } from '../accounts/accounts.server';
import { can, type Role } from '../accounts/roles';
import { recordAudit } from '../audit/audit.server';
import { noteStatusChangeAllowed, notesWritable } from '../consultations/phases';
import { shortTextValue } from '../text/policy';
import { DomainError } from '../utils/errors';
import { canEditNote, canNameVersion, NOTE_TRANSITIONS, noteActions, type NoteAction } from './access';
import { isNoteFrozen, type NoteDocs } from './note-docs.server';
import { diffText, initialUpdate, readDocument } from './note-document.server';
import { NOTE_TITLE_MAX } from './note.schema';
import { loadNoteState, lockNoteRow, writeDerivedIn } from './note-store.server';

export interface NoteView {
  id: number;
  consultationId: number;
  questionId: number | null;
  questionNumber: string | null;
  stakeholderGroup: string | null;
  title: string;
  status: NoteStatus;
  updatedAt: string;
  statusChangedAt: string | null;
  canEdit: boolean;
  actions: NoteAction[];
}

export interface StatusEvent {
  noteId: number;
  status: NoteStatus;
}

export interface Access {
  /** The note, and its consultation's phase. */
  note: NoteRow & { phase: Phase };
  role: Role;
  stakeholderGroup: string;
  canEdit: boolean;
}

export function createNoteService(db: Kysely<Database>, docs: NoteDocs, options: { publishStatus: (event: StatusEvent) => void }) {
  async function rowOf(trx: Kysely<Database>, noteId: number): Promise<NoteRow & { phase: Phase }> {
    const note = await trx
      .selectFrom('notes')
      .innerJoin('consultations', 'consultations.id', 'notes.consultationId')
      .selectAll('notes')
      .select('consultations.phase')
      .where('notes.id', '=', noteId)
      .where('consultations.phase', '!=', 'draft')
      .executeTakeFirst();
    if (!note) throw new DomainError('not_found', 'errors.noteNotFound');
    return note;
  }

  /** Who the user is for this note; everyone signed in reads, access.ts says who edits. */
  async function access(noteId: number, userId: string, trx: Kysely<Database> = db): Promise<Access> {
    const note = await rowOf(trx, noteId);
    const [role, user] = await Promise.all([
      roleOf(trx, userId, note.consultationId),
      trx.selectFrom('users').select('stakeholderGroup').where('id', '=', userId).executeTakeFirstOrThrow(),
    ]);
    return { note, role, stakeholderGroup: user.stakeholderGroup, canEdit: canEditNote(note, { role, stakeholderGroup: user.stakeholderGroup }) };
  }

  function view(note: NoteRow & { phase: Phase }, questionNumber: string | null, role: Role, stakeholderGroup: string): NoteView {
    return {
      id: note.id,
      consultationId: note.consultationId,
      questionId: note.questionId,
      questionNumber,
      stakeholderGroup: note.stakeholderGroup,
      title: note.title,
      status: note.status,
      updatedAt: note.updatedAt,
      statusChangedAt: note.statusChangedAt,
      canEdit: canEditNote(note, { role, stakeholderGroup }),
      actions: noteActions(note.status, role, note.phase),
    };
  }

  return {
    access: (noteId: number, userId: string) => access(noteId, userId),

    /**
     * A moderator opens a note: for a question or the whole consultation (`questionId` null),
     * optionally drafted by one stakeholder group. Its first content is made here, on the
     * server, so no browser ever bootstraps it.
     */
    async open(
      userId: string,
      consultationId: number,
      input: { questionId: number | null; stakeholderGroup: string | null; title: string },
    ): Promise<number> {
      const checked = shortTextValue(input.title, NOTE_TITLE_MAX);
      if (!checked.ok) throw new DomainError('invalid', checked.error, 'title');
      const title = checked.value;
      return db.transaction().execute(async (trx) => {
        if (!can(await roleOf(trx, userId, consultationId), 'moderation.act')) throw new DomainError('forbidden', 'errors.forbidden');
        const consultation = await trx.selectFrom('consultations').select(['stakeholderGroups', 'phase']).where('id', '=', consultationId).executeTakeFirst();
        if (!consultation || consultation.phase === 'draft') throw new DomainError('not_found', 'errors.notFoundTitle');
        if (!notesWritable(consultation.phase)) throw new DomainError('forbidden', 'phases.errors.final');
        if (input.questionId !== null) {
          const question = await trx.selectFrom('questions').select('id').where('id', '=', input.questionId).where('consultationId', '=', consultationId).executeTakeFirst();
          if (!question) throw new DomainError('invalid', 'errors.choice', 'questionId');
        }
        if (input.stakeholderGroup !== null && !(JSON.parse(consultation.stakeholderGroups) as { id: string }[]).some((g) => g.id === input.stakeholderGroup)) {
          throw new DomainError('invalid', 'errors.choice', 'stakeholderGroup');
        }
        let existing = trx.selectFrom('notes').select('id').where('consultationId', '=', consultationId);
        existing = input.questionId === null ? existing.where('questionId', 'is', null) : existing.where('questionId', '=', input.questionId);
        existing = input.stakeholderGroup === null ? existing.where('stakeholderGroup', 'is', null) : existing.where('stakeholderGroup', '=', input.stakeholderGroup);
        if (await existing.executeTakeFirst()) throw new DomainError('conflict', 'errors.noteExists', 'questionId');

        const now = new Date().toISOString();
        const first = initialUpdate(title);
        const seeded = new Y.Doc();
        Y.applyUpdate(seeded, first);
        const derived = readDocument(seeded);
        seeded.destroy();
        const { id } = await trx
          .insertInto('notes')
          .values({ consultationId, questionId: input.questionId, stakeholderGroup: input.stakeholderGroup, title, ...derived, createdBy: userId, createdAt: now, updatedAt: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        const { id: updateId } = await trx.insertInto('noteUpdates').values({ noteId: id, data: Buffer.from(first), createdAt: now }).returning('id').executeTakeFirstOrThrow();
        await trx.insertInto('noteSnapshots').values({ noteId: id, data: Buffer.from(first), lastUpdateId: updateId, createdAt: now }).execute();
        await trx.deleteFrom('noteUpdates').where('id', '=', updateId).execute();
        await recordAudit(trx, { actorId: userId, consultationId, action: 'note.open', subjectType: 'note', subjectId: String(id), details: { ...input, title } });
        return id;
      });
    },

    /** The notes of a consultation, as the user may act on them. */
    async list(consultationId: number, userId: string): Promise<NoteView[]> {
      const [role, user] = await Promise.all([
        roleOf(db, userId, consultationId),
        db.selectFrom('users').select('stakeholderGroup').where('id', '=', userId).executeTakeFirstOrThrow(),
      ]);
      const rows = await db
        .selectFrom('notes')
        .leftJoin('questions', 'questions.id', 'notes.questionId')
        .innerJoin('consultations', 'consultations.id', 'notes.consultationId')
        .selectAll('notes')
        .select(['questions.number as questionNumber', 'consultations.phase'])
        .where('notes.consultationId', '=', consultationId)
        .orderBy('questions.position')
        .orderBy('notes.id')
        .execute();
      return rows.map(({ questionNumber, ...note }) => view(note, questionNumber, role, user.stakeholderGroup));
    },

    async get(noteId: number, userId: string): Promise<NoteView & { content: string; html: string; text: string }> {
      await access(noteId, userId); // who may not read it learns nothing, not even by timing a load
      // The derived copy (the no-JavaScript view, "Sources cited") may lag the stored document
      // after a crash: loading the note rebuilds it. If the document cannot be loaded now, the
      // stored copy is still the best there is to show.
      await docs
        .open(noteId)
        .then(() => docs.idle(noteId))
        .catch((error) => console.error(`[notes] loading note ${noteId} for its page failed:`, (error as Error).message));
      const { note, role, stakeholderGroup } = await access(noteId, userId);
      const question = note.questionId
        ? await db.selectFrom('questions').select('number').where('id', '=', note.questionId).executeTakeFirst()
        : null;
      return { ...view(note, question?.number ?? null, role, stakeholderGroup), content: note.content, html: note.html, text: note.text };
    },

    /**
     * Lock for review, reopen, or sign off; everyone in the note hears of it at once.
     *
     * The derived copy (the text a rapporteur signs off, the no-JavaScript view, "Sources cited")
     * is rebuilt from the stored document first, whether or not anyone has the note open: its
     * periodic refresh may lag, or a crash may have left it behind. If the note cannot be stored
     * and derived now, the change is refused and nothing changes. A sign-off freezes the note
     * from before that derivation to the status commit, so the signed-off text is exactly the
     * stored document; it stays frozen afterwards (final is final), or thaws if the commit fails.
     */
    async setStatus(userId: string, noteId: number, action: NoteAction): Promise<NoteStatus> {
      const transition = NOTE_TRANSITIONS[action];
      if (!transition) throw new DomainError('invalid', 'errors.noteTransition');
      // Checked before loading anything (and again in the transaction): refusals stay cheap.
      const checked = await access(noteId, userId);
      if (!transition.by.includes(checked.role)) throw new DomainError('forbidden', 'errors.forbidden');
      if (!noteStatusChangeAllowed(checked.note.phase, action)) throw new DomainError('forbidden', 'phases.errors.final');
      if (checked.note.status !== transition.from) throw new DomainError('conflict', 'errors.noteTransition');

      const signOff = transition.to === 'final';
      let frozen: Awaited<ReturnType<NoteDocs['freeze']>> | null = null;
      try {
        if (signOff) frozen = await docs.freeze(noteId);
        await docs.settle(noteId);
      } catch (error) {
        frozen?.thaw();
        console.error(`[notes] note ${noteId} could not be stored and derived before "${action}"; refused:`, (error as Error).message);
        throw new DomainError('conflict', 'errors.noteNotSaved');
      }

      let status: NoteStatus;
      try {
        status = await db.transaction().execute(async (trx) => {
          // The note's row, exclusively: appends (on any node) wait, and refuse once this commits.
          if (signOff) await lockNoteRow(trx, noteId, 'update');
          const { note, role } = await access(noteId, userId, trx);
          if (!transition.by.includes(role)) throw new DomainError('forbidden', 'errors.forbidden');
          if (!noteStatusChangeAllowed(note.phase, action)) throw new DomainError('forbidden', 'phases.errors.final');
          if (note.status !== transition.from) throw new DomainError('conflict', 'errors.noteTransition');
          // What is signed off is the stored document as it is under the lock: another node's
          // editors may have stored an edit after this node settled, which its copy may lack.
          if (signOff) await writeDerivedIn(trx, noteId, storedDocument((await loadNoteState(trx, noteId)).state));
          const now = new Date().toISOString();
          await trx.updateTable('notes').set({ status: transition.to, statusChangedBy: userId, statusChangedAt: now }).where('id', '=', noteId).execute();
          await recordAudit(trx, {
            actorId: userId,
            consultationId: note.consultationId,
            action: `note.${action}`,
            subjectType: 'note',
            subjectId: String(noteId),
            details: { from: note.status, to: transition.to },
          });
          return transition.to;
        });
      } catch (error) {
        frozen?.thaw();
        throw error;
      }
      // Editors become readers here, synchronously, in the same run as the seal below: an update
      // checked before this line meets the freeze, one checked after it meets canEdit false.
      options.publishStatus({ noteId, status });
      frozen?.seal();
      return status;
    },

    /** Names the current state (moderators, rapporteurs, admins). */
    async saveVersion(userId: string, noteId: number, name: string): Promise<number> {
      const checked = shortTextValue(name, NOTE_TITLE_MAX);
      if (!checked.ok) throw new DomainError('invalid', checked.error, 'name');
      const trimmed = checked.value;
      const { note, role } = await access(noteId, userId);
      if (!can(role, 'content.review')) throw new DomainError('forbidden', 'errors.forbidden');
      if (!notesWritable(note.phase)) throw new DomainError('forbidden', 'phases.errors.final');
      if (!canNameVersion(note.status, role, note.phase)) throw new DomainError('conflict', 'errors.noteFinal');
      const snapshot = await docs.snapshot(noteId);
      return db.transaction().execute(async (trx) => {
        const { id } = await trx
          .insertInto('noteVersions')
          .values({ noteId, name: trimmed, data: Buffer.from(snapshot.state), content: snapshot.content, text: snapshot.text, createdBy: userId, createdAt: new Date().toISOString() })
          .returning('id')
          .executeTakeFirstOrThrow();
        await recordAudit(trx, { actorId: userId, consultationId: note.consultationId, action: 'note.version', subjectType: 'note', subjectId: String(noteId), details: { versionId: id, name: trimmed } });
        return id;
      });
    },

    async versions(noteId: number, userId: string) {
      await access(noteId, userId);
      return db
        .selectFrom('noteVersions')
        .leftJoin('users', 'users.id', 'noteVersions.createdBy')
        .select(['noteVersions.id', 'noteVersions.name', 'noteVersions.createdAt', 'users.name as createdByName'])
        .where('noteVersions.noteId', '=', noteId)
        .orderBy('noteVersions.id', 'desc')
        .execute();
    },

    /** A version, read-only, with its diff against the current text. */
    async version(noteId: number, versionId: number, userId: string) {
      await access(noteId, userId);
      const version = await db
        .selectFrom('noteVersions')
        .leftJoin('users', 'users.id', 'noteVersions.createdBy')
        .select(['noteVersions.id', 'noteVersions.name', 'noteVersions.createdAt', 'noteVersions.data', 'noteVersions.content', 'noteVersions.text', 'users.name as createdByName'])
        .where('noteVersions.id', '=', versionId)
        .where('noteVersions.noteId', '=', noteId)
        .executeTakeFirst();
      if (!version) throw new DomainError('not_found', 'errors.noteNotFound');
      const current = await docs.snapshot(noteId);
      const { data, ...rest } = version;
      return { ...rest, html: versionHtml(data), diff: diffText(version.text, current.text) };
    },

    /** Restores a version as a new change: co-editors see it live, and nothing is lost. */
    async restore(userId: string, noteId: number, versionId: number): Promise<boolean> {
      const { note, role, canEdit } = await access(noteId, userId);
      if (!notesWritable(note.phase)) throw new DomainError('forbidden', 'phases.errors.final');
      if (!can(role, 'content.review') || !canEdit) throw new DomainError('forbidden', 'errors.forbidden');
      const version = await db.selectFrom('noteVersions').select(['content', 'name']).where('id', '=', versionId).where('noteId', '=', noteId).executeTakeFirst();
      if (!version) throw new DomainError('not_found', 'errors.noteNotFound');
      const changed = await docs.replace(noteId, version.content).catch((error: unknown) => {
        // Signed off between the check above and the change: refused like any edit of a final note.
        if (isNoteFrozen(error)) throw new DomainError('forbidden', 'errors.forbidden');
        throw error;
      });
      await recordAudit(db, { actorId: userId, consultationId: note.consultationId, action: 'note.restore', subjectType: 'note', subjectId: String(noteId), details: { versionId, name: version.name, changed } });
      return changed;
    },
  };
}

/** The derived copies of a stored Yjs state (null: a note never edited). */
function storedDocument(state: Uint8Array | null) {
  const doc = new Y.Doc();
  try {
    if (state) Y.applyUpdate(doc, state);
    return readDocument(doc);
  } finally {
    doc.destroy();
  }
}

/** A version's HTML, rendered from its own Yjs state by the same code as the live note's. */
const versionHtml = (state: Uint8Array): string => storedDocument(new Uint8Array(state)).html;

export type NoteService = ReturnType<typeof createNoteService>;
