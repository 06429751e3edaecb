/**
 * Consultation phases (docs/decisions/0015-phases.md) in the domain, on a real database: who may
 * move the phase and where, the audit entry, what each phase refuses (posts, case studies, note
 * writes) with nothing stored, and the notes locked on `final`. The rules themselves
 * (app/consultations/phases.ts) are checked as a table first.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../app/accounts/roles';
import type { AccessEvent } from '../../app/auth/access-events';
import {
  canContribute,
  canSubmitCaseStudy,
  compilationAccess,
  noteStatusChangeAllowed,
  notesWritable,
  phaseMoveEffects,
  phaseMoveTarget,
  PHASES,
  type Phase,
} from '../../app/consultations/phases';
import { seedConsultation } from '../../db/seeds/consultation';
import { createServices, type Services } from '../../server/services';
import { openTestDatabase } from '../support/database';
import { clientId, createUser, doc } from '../support/sockets';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let services: Services;
let consultationId: number;
let threadId: number;
const users = {} as Record<Role, string>;
const events: AccessEvent[] = [];

/** The consultation put straight into `phase` (what a test starts from). */
const setPhase = (phase: Phase) => handle.db.updateTable('consultations').set({ phase }).where('id', '=', consultationId).execute();
const phaseNow = async () => (await handle.db.selectFrom('consultations').select('phase').where('id', '=', consultationId).executeTakeFirstOrThrow()).phase;
const phaseAudit = () =>
  handle.db.selectFrom('auditLog').selectAll().where('action', '=', 'consultation.phase').where('consultationId', '=', consultationId).orderBy('id').execute();
const count = async (table: 'posts' | 'caseStudies' | 'noteVersions') =>
  Number((await handle.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

beforeAll(async () => {
  handle = await openTestDatabase();
  ({ consultationId } = await seedConsultation(handle.db));
  services = createServices(handle.db, {
    secureCookies: false,
    signInAttemptsPerAddress: 1000,
    registrationsPerAddress: 1000,
    postsPerMinute: 1000,
    noteDocs: { flushMs: 2, deriveMs: 20 },
  });
  services.accessEvents.subscribe((event) => events.push(event));
  const app = { server: { services } } as never; // createUser needs only the services
  for (const role of ['participant', 'moderator', 'rapporteur', 'admin'] as const) users[role] = (await createUser(app, { role, name: `Phase ${role}` })).id;
  threadId = (await handle.db.selectFrom('threads').select('id').where('consultationId', '=', consultationId).where('number', '=', '2.4').executeTakeFirstOrThrow()).id;
});
afterAll(async () => {
  await services?.noteDocs.close();
  await handle?.drop();
});
beforeEach(async () => {
  await setPhase('open');
  events.length = 0;
});

describe('the phase rules (phases.ts)', () => {
  it('moves one step forward or back, never back from open to draft nor past final', () => {
    expect(PHASES.map((p) => phaseMoveTarget(p, 'forward'))).toEqual(['open', 'compiling', 'synthesis', 'final', null]);
    expect(PHASES.map((p) => phaseMoveTarget(p, 'back'))).toEqual([null, null, 'open', 'compiling', 'synthesis']);
    expect(phaseMoveTarget('synthesis', 'sideways' as never)).toBeNull(); // a direction from outside the schema
  });

  it('takes contributions, case studies and note writes only in their phases', () => {
    expect(PHASES.filter(canContribute)).toEqual(['open']);
    expect(PHASES.filter(canSubmitCaseStudy)).toEqual(['open']);
    expect(PHASES.filter(notesWritable)).toEqual(['open', 'compiling', 'synthesis']);
    expect(noteStatusChangeAllowed('final', 'finalise')).toBe(true);
    expect(noteStatusChangeAllowed('final', 'reopen')).toBe(false);
    expect(noteStatusChangeAllowed('final', 'lock')).toBe(false);
  });

  it('opens the compilation to moderators from open, to participants from synthesis, to writing by nobody in final', () => {
    const table = Object.fromEntries(
      (['participant', 'moderator', 'rapporteur', 'admin'] as const).map((role) => [role, PHASES.map((phase) => compilationAccess(phase, role))]),
    );
    expect(table).toEqual({
      participant: ['none', 'none', 'none', 'read', 'read'],
      moderator: ['none', 'write', 'write', 'write', 'read'],
      rapporteur: ['none', 'read', 'read', 'read', 'read'],
      admin: ['read', 'write', 'write', 'write', 'read'],
    });
    expect(compilationAccess('synthesis', null)).toBe('none'); // signed-in readers only
  });

  it('says what a move closes and opens', () => {
    expect(phaseMoveEffects('open', 'compiling')).toEqual(['phases.effects.threadsClose', 'phases.effects.caseStudiesClose']);
    expect(phaseMoveEffects('compiling', 'open')).toEqual(['phases.effects.threadsOpen', 'phases.effects.caseStudiesOpen']);
    expect(phaseMoveEffects('synthesis', 'final')).toEqual(['phases.effects.compilationCloses', 'phases.effects.notesLock']);
  });
});

describe('moving the phase', () => {
  it('is refused to participants, moderators and rapporteurs, and changes nothing', async () => {
    for (const role of ['participant', 'moderator', 'rapporteur'] as const) {
      await expect(services.phases.move(users[role], consultationId, 'open', 'forward')).rejects.toMatchObject({ code: 'forbidden', messageKey: 'errors.forbidden' });
    }
    expect(await phaseNow()).toBe('open');
    expect(await phaseAudit()).toHaveLength(0);
    expect(events).toEqual([]);
  });

  it('takes an admin through every phase and back, each move audited (who, from, to) and published', async () => {
    const before = (await phaseAudit()).length;
    for (const [from, to] of [['open', 'compiling'], ['compiling', 'synthesis'], ['synthesis', 'final']] as const) {
      expect(await services.phases.move(users.admin, consultationId, from, 'forward')).toMatchObject({ from, to });
      expect(await phaseNow()).toBe(to);
    }
    await expect(services.phases.move(users.admin, consultationId, 'final', 'forward')).rejects.toMatchObject({ code: 'invalid', messageKey: 'phases.errors.noMove' });
    for (const [from, to] of [['final', 'synthesis'], ['synthesis', 'compiling'], ['compiling', 'open']] as const) {
      expect(await services.phases.move(users.admin, consultationId, from, 'back')).toMatchObject({ from, to });
    }
    await expect(services.phases.move(users.admin, consultationId, 'open', 'back')).rejects.toMatchObject({ code: 'invalid', messageKey: 'phases.errors.noMove' });
    expect(await phaseNow()).toBe('open');

    const entries = (await phaseAudit()).slice(before);
    expect(entries.map((e) => [e.actorId, e.subjectType, e.subjectId, JSON.parse(e.details).from, JSON.parse(e.details).to])).toEqual([
      [users.admin, 'consultation', String(consultationId), 'open', 'compiling'],
      [users.admin, 'consultation', String(consultationId), 'compiling', 'synthesis'],
      [users.admin, 'consultation', String(consultationId), 'synthesis', 'final'],
      [users.admin, 'consultation', String(consultationId), 'final', 'synthesis'],
      [users.admin, 'consultation', String(consultationId), 'synthesis', 'compiling'],
      [users.admin, 'consultation', String(consultationId), 'compiling', 'open'],
    ]);
    expect(events.filter((e) => e.type === 'phase.changed').map((e) => (e as { phase: Phase }).phase)).toEqual([
      'compiling',
      'synthesis',
      'final',
      'synthesis',
      'compiling',
      'open',
    ]);
  });

  it('refuses a move from a phase the consultation has left (a second admin, a form sent again): it moves once', async () => {
    await services.phases.move(users.admin, consultationId, 'open', 'forward');
    await expect(services.phases.move(users.admin, consultationId, 'open', 'forward')).rejects.toMatchObject({ code: 'conflict', messageKey: 'phases.errors.stale' });
    expect(await phaseNow()).toBe('compiling');
    // Two at once: one wins.
    await setPhase('open');
    const results = await Promise.allSettled([
      services.phases.move(users.admin, consultationId, 'open', 'forward'),
      services.phases.move(users.admin, consultationId, 'open', 'forward'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await phaseNow()).toBe('compiling');
  });
});

describe('what each phase refuses', () => {
  it('compiling: posts, replies, edits, endorsements and deletions are refused with errors.phaseClosed, nothing stored', async () => {
    const post = await services.posts.create(users.participant, { threadId, clientId: clientId(), body: doc('Written while open.') }, 'fr');
    await setPhase('compiling');
    const postsBefore = await count('posts');
    const refused = { code: 'forbidden', messageKey: 'errors.phaseClosed' };
    await expect(services.posts.create(users.participant, { threadId, clientId: clientId(), body: doc('Too late.') }, 'fr')).rejects.toMatchObject(refused);
    await expect(services.posts.create(users.moderator, { threadId, clientId: clientId(), parentId: post.id, body: doc('A reply.') }, 'fr')).rejects.toMatchObject(refused);
    await expect(services.posts.edit(users.participant, { postId: post.id, body: doc('Changed.') })).rejects.toMatchObject(refused);
    await expect(services.posts.edit(users.participant, { postId: post.id, body: doc('Written while open.'), attribution: 'chatham' })).rejects.toMatchObject(refused);
    await expect(services.posts.endorse(users.moderator, post.id, true)).rejects.toMatchObject(refused);
    await expect(services.posts.remove(users.participant, post.id)).rejects.toMatchObject(refused);
    expect(await count('posts')).toBe(postsBefore);
    const stored = await handle.db.selectFrom('posts').select(['status', 'editedAt', 'attribution', 'endorsementCount']).where('id', '=', post.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: 'visible', editedAt: null, endorsementCount: 0 });
    // Moderation stays possible.
    await services.posts.moderate(users.moderator, post.id, true, 'Off-topic');
    expect((await handle.db.selectFrom('posts').select('status').where('id', '=', post.id).executeTakeFirstOrThrow()).status).toBe('hidden');
  });

  it('compiling: a case study is neither created, saved nor submitted', async () => {
    const draft = await services.caseStudies.save(users.participant, consultationId, { title: 'Written while open', attribution: 'named', language: 'en' }, { submit: false });
    await setPhase('compiling');
    const before = await count('caseStudies');
    const refused = { code: 'forbidden', messageKey: 'errors.phaseClosed' };
    await expect(services.caseStudies.save(users.participant, consultationId, { title: 'Too late', attribution: 'named', language: 'en' }, { submit: false })).rejects.toMatchObject(refused);
    await expect(
      services.caseStudies.save(users.participant, consultationId, { title: 'Renamed', attribution: 'chatham', language: 'en' }, { id: draft, submit: false }),
    ).rejects.toMatchObject(refused);
    await expect(services.caseStudies.transition(users.participant, draft, 'submit')).rejects.toMatchObject({ code: 'forbidden' });
    expect(await count('caseStudies')).toBe(before);
    expect(await handle.db.selectFrom('caseStudies').select(['title', 'attribution', 'status']).where('id', '=', draft).executeTakeFirstOrThrow()).toEqual({
      title: 'Written while open',
      attribution: 'named',
      status: 'draft',
    });
  });

  it('final: notes not yet final are locked in the move, and nobody writes to any note', async () => {
    const drafting = await services.notes.open(users.moderator, consultationId, { questionId: null, stakeholderGroup: null, title: 'Whole consultation' });
    const questionId = (await handle.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).orderBy('position').executeTakeFirstOrThrow()).id;
    const inReview = await services.notes.open(users.moderator, consultationId, { questionId, stakeholderGroup: null, title: 'Question 1' });
    await services.notes.setStatus(users.moderator, inReview, 'lock');
    events.length = 0;

    await setPhase('synthesis');
    const { lockedNotes } = await services.phases.move(users.admin, consultationId, 'synthesis', 'forward');
    expect(lockedNotes).toEqual([drafting]);
    const statuses = await handle.db.selectFrom('notes').select(['id', 'status']).where('id', 'in', [drafting, inReview]).orderBy('id').execute();
    expect(statuses).toEqual([
      { id: drafting, status: 'in_review' },
      { id: inReview, status: 'in_review' },
    ]);
    // Published after the commit: the phase first, then each locked note's status.
    expect(events).toEqual([
      { type: 'phase.changed', consultationId, phase: 'final' },
      { type: 'note.status', noteId: drafting, status: 'in_review' },
    ]);
    const lockEntry = await handle.db.selectFrom('auditLog').selectAll().where('action', '=', 'note.lock').where('subjectId', '=', String(drafting)).executeTakeFirstOrThrow();
    expect(JSON.parse(lockEntry.details)).toEqual({ from: 'drafting', to: 'in_review', phase: 'final' });
    expect(JSON.parse((await phaseAudit()).at(-1)!.details)).toEqual({ from: 'synthesis', to: 'final', lockedNotes: 1 });

    // Nobody edits, names a version, reopens, opens a note; a rapporteur may still sign off.
    for (const role of ['participant', 'moderator', 'rapporteur', 'admin'] as const) expect((await services.notes.access(drafting, users[role])).canEdit).toBe(false);
    const versions = await count('noteVersions');
    await expect(services.notes.saveVersion(users.moderator, drafting, 'After the end')).rejects.toMatchObject({ messageKey: 'phases.errors.final' });
    await expect(services.notes.setStatus(users.moderator, drafting, 'reopen')).rejects.toMatchObject({ messageKey: 'phases.errors.final' });
    await expect(
      services.notes.open(users.moderator, consultationId, { questionId, stakeholderGroup: 'business', title: 'Too late' }),
    ).rejects.toMatchObject({ messageKey: 'phases.errors.final' });
    expect(await count('noteVersions')).toBe(versions);
    expect((await services.notes.get(drafting, users.moderator)).actions).toEqual([]);
    expect((await services.notes.get(drafting, users.rapporteur)).actions).toEqual(['finalise']);
    expect(await services.notes.setStatus(users.rapporteur, inReview, 'finalise')).toBe('final');

    // Back to synthesis: the locked note stays locked until a moderator reopens it.
    await services.phases.move(users.admin, consultationId, 'final', 'back');
    expect((await services.notes.access(drafting, users.moderator)).note.status).toBe('in_review');
    expect(await services.notes.setStatus(users.moderator, drafting, 'reopen')).toBe('drafting');
  });
});
