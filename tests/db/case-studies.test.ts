/**
 * Case studies in the domain layer, on a real database: validation, the review lifecycle per
 * role, who may read what, the catalogue's filters and counts, featuring, and the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRole, createAccountService } from '../../app/accounts/accounts.server';
import type { Role } from '../../app/accounts/roles';
import { createAuditService } from '../../app/audit/audit.server';
import { createCaseStudyService, type CatalogueFilters } from '../../app/case-studies/case-studies.server';
import { TRANSITION_ACTIONS, TRANSITIONS, type TransitionAction } from '../../app/case-studies/lifecycle';
import { createModerationService } from '../../app/moderation/moderation.server';
import { createNotificationService } from '../../app/notifications/notifications.server';
import type { CaseStudyStatus } from '../../db/schema';
import { seedConsultation } from '../../db/seeds/consultation';
import { openTestDatabase } from '../support/database';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let consultationId: number;
let subQuestion: { id: number; other: number };
const users: Record<'author' | 'other' | 'moderator' | 'moderator2' | 'rapporteur' | 'admin', string> = {} as never;
let studies: ReturnType<typeof createCaseStudyService>;

/** A complete case study, ready to submit. */
const completeCaseStudy = (overrides: Record<string, unknown> = {}) => ({
  title: 'Circular labour mobility between Senegal and Spain',
  summary: 'Seasonal workers recruited through a joint office, with pre-departure training.',
  text: 'The partnership pairs a public employment service with farmers’ associations.\n\nIt runs every season.',
  partners: [
    { name: 'National employment agency', group: 'government' },
    { name: 'Farmers’ association of Huelva', group: 'business' },
  ],
  origin: ['SN'],
  destination: ['ES'],
  implementation: ['SN', 'ES'],
  level: 'regional',
  themes: ['labour-governance', 'skills'],
  sdgTargets: ['10.7', '8.8'],
  stage: 'implementing',
  funding: [{ source: 'European Union', amount: '1200000', currency: 'EUR' }],
  results: '1,450 workers placed over three seasons; 96 % returned as planned.',
  indicators: 'Placements; return rate; complaints received',
  worked: 'A single recruitment office trusted by both sides.',
  didNotWork: 'Housing remained the employers’ responsibility and was uneven.',
  subQuestions: [String(subQuestion.id)],
  contact: 'programme@example.org',
  attribution: 'named',
  visibility: 'public',
  language: 'en',
  ...overrides,
});

async function user(name: string, role: Role | null, group = 'civil-society') {
  const accounts = createAccountService(handle.db);
  const id = await accounts.register({
    email: `${name}@example.org`,
    name: `${name[0]!.toUpperCase()}${name.slice(1)} Example`,
    organisation: `${name} organisation`,
    stakeholderGroup: group,
    country: 'SN',
    password: 'a long enough password',
  });
  if (role) await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: id, consultationId, from: 'participant', to: role }));
  return id;
}

/** A case study by `author`, brought to `status` by the rightful hands. */
async function inState(status: CaseStudyStatus, overrides: Record<string, unknown> = {}): Promise<number> {
  const id = await studies.save(users.author, consultationId, completeCaseStudy(overrides), { submit: false });
  const path: Partial<Record<CaseStudyStatus, [TransitionAction, string][]>> = {
    draft: [],
    submitted: [['submit', users.author]],
    in_review: [['submit', users.author], ['review', users.moderator]],
    changes_requested: [['submit', users.author], ['review', users.moderator], ['request_changes', users.moderator]],
    verified: [['submit', users.author], ['review', users.moderator], ['verify', users.moderator]],
    published: [['submit', users.author], ['review', users.moderator], ['verify', users.moderator], ['publish', users.moderator]],
    rejected: [['submit', users.author], ['reject', users.moderator]],
  };
  for (const [action, by] of path[status]!) await studies.transition(by, id, action, 'A note for the author');
  return id;
}

beforeAll(async () => {
  handle = await openTestDatabase();
  ({ consultationId } = await seedConsultation(handle.db));
  const subs = await handle.db
    .selectFrom('subQuestions')
    .innerJoin('questions', 'questions.id', 'subQuestions.questionId')
    .select(['subQuestions.id', 'subQuestions.number'])
    .where('questions.consultationId', '=', consultationId)
    .where('subQuestions.number', 'in', ['2.4', '3.1'])
    .orderBy('subQuestions.number')
    .execute();
  subQuestion = { id: subs[0]!.id, other: subs[1]!.id };
  studies = createCaseStudyService(handle.db);
  users.author = await user('author', null);
  users.other = await user('other', null, 'business');
  users.moderator = await user('moderator', 'moderator');
  users.moderator2 = await user('moderatortwo', 'moderator');
  users.rapporteur = await user('rapporteur', 'rapporteur', 'government');
  users.admin = await user('admin', 'admin', 'government');
});
afterAll(() => handle?.drop());

describe('case studies: input', () => {
  it('saves a draft with only a title, and lists every missing field when it is submitted', async () => {
    const id = await studies.save(users.author, consultationId, { title: 'Half-written', attribution: 'named', language: 'fr' }, { submit: false });
    const draft = await studies.get(id, users.author);
    expect(draft.status).toBe('draft');
    expect(draft.actions).toEqual(['submit']);
    const error = await studies.transition(users.author, id, 'submit').catch((e) => e);
    expect(error).toMatchObject({ name: 'DomainError', code: 'invalid' });
    expect(Object.keys(error.fields).sort()).toEqual(
      ['body', 'didNotWork', 'implementation', 'level', 'partners', 'results', 'stage', 'subQuestions', 'summary', 'themes', 'worked'].sort(),
    );
    expect((await studies.get(id, users.author)).status).toBe('draft');
  });

  it('refuses unknown countries, themes, SDG targets, groups, currencies and sub-questions, field by field, storing nothing', async () => {
    const before = await handle.db.selectFrom('caseStudies').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const error = await studies
      .save(
        users.author,
        consultationId,
        completeCaseStudy({
          origin: ['XX'],
          themes: ['skills', 'astrology'],
          sdgTargets: ['99.9'],
          partners: [{ name: 'A partner', group: 'aliens' }, { name: '', group: 'business' }],
          funding: [{ source: 'Donor', amount: '-5', currency: 'ZZZ' }],
          subQuestions: ['999999'],
          level: 'planetary',
        }),
        { submit: true },
      )
      .catch((e) => e);
    expect(error).toMatchObject({ name: 'DomainError', code: 'invalid' });
    expect(error.fields).toMatchObject({
      'origin.0': 'errors.country',
      'themes.1': 'errors.unknownTheme',
      'sdgTargets.0': 'errors.unknownSdg',
      'partners.0.group': 'errors.choice',
      'partners.1.name': 'errors.required',
      'funding.0.amount': 'errors.amount',
      'funding.0.currency': 'errors.currency',
      'subQuestions.0': 'errors.choice',
      level: 'errors.choice',
    });
    const after = await handle.db.selectFrom('caseStudies').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses unknown rich-text nodes and never stores client HTML', async () => {
    const paragraph = (text: string) => ({
      type: 'paragraph', version: 1, direction: null, format: '', indent: 0, textFormat: 0, textStyle: '',
      children: [{ type: 'text', text, format: 0, detail: 0, mode: 'normal', style: '', version: 1 }],
    });
    const document = (...children: unknown[]) => JSON.stringify({ root: { type: 'root', version: 1, direction: null, format: '', indent: 0, children } });
    const refused = await studies
      .save(users.author, consultationId, completeCaseStudy({ text: undefined, body: document(paragraph('Fine'), { type: 'html-embed', version: 1, html: '<img src=x onerror=alert(1)>' }) }), { submit: false })
      .catch((e) => e);
    expect(refused.fields).toEqual({ body: 'errors.postInvalid' });
    const id = await studies.save(users.author, consultationId, completeCaseStudy({ text: undefined, body: document(paragraph('Safe <script>alert(1)</script>')) }), { submit: false });
    const view = await studies.get(id, users.author);
    expect(view.html).toContain('&lt;script&gt;');
    expect(view.html).not.toMatch(/<script|onerror/);
  });
});

describe('case studies: lifecycle', () => {
  const statuses: CaseStudyStatus[] = ['draft', 'submitted', 'in_review', 'changes_requested', 'verified', 'published', 'rejected'];
  const roles = ['author', 'other', 'rapporteur', 'moderator'] as const;

  it('allows exactly the transitions of the lifecycle table, per role and state, and changes nothing otherwise', async () => {
    for (const status of statuses) {
      for (const action of TRANSITION_ACTIONS) {
        for (const role of roles) {
          const id = await inState(status);
          const t = TRANSITIONS[action];
          const allowed = t.from.includes(status) && (t.by === 'author' ? role === 'author' : role === 'moderator');
          const outcome = await studies.transition(users[role], id, action, 'Because').then(
            (v) => v.status,
            (e) => e,
          );
          const label = `${role} ${action} on ${status}`;
          if (allowed) {
            expect(outcome, label).toBe(t.to);
          } else {
            expect(outcome, label).toMatchObject({ name: 'DomainError' });
            expect(['forbidden', 'conflict', 'not_found'], label).toContain(outcome.code);
            const row = await handle.db.selectFrom('caseStudies').select('status').where('id', '=', id).executeTakeFirstOrThrow();
            expect(row.status, label).toBe(status);
          }
        }
      }
    }
  }, 120_000);

  it('walks a case study to publication, auditing every step and telling the author of each decision', async () => {
    const id = await inState('draft');
    await studies.transition(users.author, id, 'submit');
    await studies.transition(users.moderator, id, 'review');
    await studies.transition(users.moderator, id, 'request_changes', 'Please add the indicators used.');
    const back = await studies.get(id, users.author);
    expect(back.status).toBe('changes_requested');
    expect(back.reviewNote).toBe('Please add the indicators used.');
    expect(back.actions).toEqual(['submit']);
    await studies.save(users.author, consultationId, completeCaseStudy({ indicators: 'Placements per season' }), { id, submit: true });
    await studies.transition(users.moderator2, id, 'review');
    await studies.transition(users.moderator2, id, 'verify');
    const published = await studies.transition(users.moderator2, id, 'publish');
    expect(published.status).toBe('published');
    expect(published.publishedAt).toBeTruthy();

    const history = await studies.history(id, users.author);
    expect(history.map((h) => h.action)).toEqual(['submit', 'review', 'request_changes', 'submit', 'review', 'verify', 'publish']);
    expect(history[2]).toMatchObject({ note: 'Please add the indicators used.', by: 'moderator', actorName: null, from: 'in_review', to: 'changes_requested' });
    const audit = await createAuditService(handle.db).list({ subjectType: 'case_study', subjectId: String(id) });
    expect(audit).toHaveLength(7);
    expect(audit.every((a) => a.at && a.actor)).toBe(true);

    const notices = await createNotificationService(handle.db).list(users.author);
    const mine = notices.filter((n) => n.subjectId === String(id)).map((n) => n.kind);
    expect(mine).toEqual(['case_study.publish', 'case_study.verify', 'case_study.review', 'case_study.request_changes', 'case_study.review']);
  });

  it('requires a note to request changes, reject or unpublish', async () => {
    const id = await inState('in_review');
    for (const action of ['request_changes', 'reject'] as const) {
      await expect(studies.transition(users.moderator, id, action, '  ')).rejects.toMatchObject({ code: 'invalid', messageKey: 'errors.noteRequired' });
    }
    expect((await studies.get(id, users.moderator)).status).toBe('in_review');
  });

  it('does not let a moderator review their own case study, and locks the text once submitted', async () => {
    const id = await studies.save(users.moderator, consultationId, completeCaseStudy(), { submit: true });
    await expect(studies.transition(users.moderator, id, 'review')).rejects.toMatchObject({ code: 'forbidden', messageKey: 'errors.ownCaseStudy' });
    await studies.transition(users.moderator2, id, 'review');
    await expect(studies.save(users.moderator, consultationId, completeCaseStudy({ title: 'Changed' }), { id, submit: false })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(studies.save(users.other, consultationId, completeCaseStudy(), { id, submit: false })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lets authors submit only while the consultation is open; moderators review after it closes', async () => {
    const draft = await inState('draft');
    const submitted = await inState('submitted');
    await handle.db.updateTable('consultations').set({ phase: 'compiling' }).where('id', '=', consultationId).execute();
    try {
      await expect(studies.transition(users.author, draft, 'submit')).rejects.toMatchObject({ code: 'forbidden', messageKey: 'errors.phaseClosed' });
      expect((await studies.transition(users.moderator, submitted, 'review')).status).toBe('in_review');
    } finally {
      await handle.db.updateTable('consultations').set({ phase: 'open' }).where('id', '=', consultationId).execute();
    }
  });

  it('keeps the history to the lifecycle: a dismissal of flags stays with the moderators', async () => {
    const id = await inState('published');
    const moderation = createModerationService(handle.db);
    await moderation.flag(users.other, { subjectType: 'case_study', subjectId: id, reason: 'other' });
    await moderation.dismiss(users.moderator, 'case_study', id, 'Internal: the reporter is a competitor');
    for (const reader of [users.author, users.moderator]) {
      const history = await studies.history(id, reader);
      expect(history.map((h) => h.action)).toEqual(['submit', 'review', 'verify', 'publish']);
    }
  });
});

describe('case studies: who reads what', () => {
  it('keeps a restricted case study from participants and anonymous readers, everywhere, but not from moderators and rapporteurs', async () => {
    const id = await inState('published', { title: 'Restricted practice', visibility: 'restricted' });
    for (const reader of [null, users.other]) {
      await expect(studies.get(id, reader)).rejects.toMatchObject({ code: 'not_found' });
      const catalogue = await studies.catalogue(consultationId, reader, {});
      expect(catalogue.items.map((i) => i.id)).not.toContain(id);
      expect(JSON.stringify(catalogue)).not.toContain('Restricted practice');
      const linked = await studies.forSubQuestion(consultationId, subQuestion.id, reader);
      expect(linked.map((i) => i.id)).not.toContain(id);
    }
    for (const reader of [users.rapporteur, users.moderator, users.admin, users.author]) {
      expect((await studies.get(id, reader)).visibility).toBe('restricted');
    }
    expect((await studies.catalogue(consultationId, users.rapporteur, {})).items.map((i) => i.id)).toContain(id);
  });

  it('shows unpublished case studies only to their author and moderators', async () => {
    const id = await inState('in_review', { title: 'Under review' });
    await expect(studies.get(id, users.other)).rejects.toMatchObject({ code: 'not_found' });
    await expect(studies.get(id, users.rapporteur)).rejects.toMatchObject({ code: 'not_found' });
    await expect(studies.get(id, null)).rejects.toMatchObject({ code: 'not_found' });
    expect((await studies.get(id, users.moderator)).realAuthor?.id).toBe(users.author);
  });

  it('honours Chatham House attribution: no name, organisation, id or contact for others', async () => {
    const id = await inState('published', { title: 'Chatham practice', attribution: 'chatham', contact: 'secret-contact@example.org' });
    for (const reader of [null, users.other, users.rapporteur]) {
      const view = await studies.get(id, reader);
      expect(view.author).toEqual({ attribution: 'chatham', stakeholderGroup: 'civil-society' });
      const listed = [
        ...(await studies.catalogue(consultationId, reader, {})).items,
        ...(await studies.forSubQuestion(consultationId, subQuestion.id, reader)),
      ].filter((item) => item.id === id);
      expect(listed).toHaveLength(2);
      const everything = JSON.stringify([view, listed]);
      for (const secret of ['Author Example', 'author organisation', users.author, 'secret-contact@example.org', 'author@example.org']) {
        expect(everything, `${secret} for ${reader}`).not.toContain(secret);
      }
    }
    const forModerator = await studies.get(id, users.moderator);
    expect(forModerator.realAuthor?.name).toBe('Author Example');
    expect(forModerator.contact).toBe('secret-contact@example.org');
  });
});

describe('case studies: catalogue and featuring', () => {
  it('filters by every facet (OR within a facet, AND across) and counts each value', async () => {
    const c = { consultationId, reader: users.other };
    const local = await inState('published', { title: 'Local skills', level: 'local', themes: ['skills'], implementation: ['CA'], sdgTargets: ['16.9'], partners: [{ name: 'City', group: 'local-government' }], subQuestions: [String(subQuestion.other)] });
    const global = await inState('published', { title: 'Global protection', level: 'global', themes: ['protection'], implementation: ['PH'], origin: ['PH'], destination: ['SA'] });
    const all = await studies.catalogue(c.consultationId, c.reader, {});
    expect(all.facets.level).toMatchObject({ local: 1, global: 1 });
    expect(all.facets.theme!.skills).toBeGreaterThanOrEqual(2);

    const byLevel = await studies.catalogue(c.consultationId, c.reader, { level: ['local', 'global'] });
    expect(byLevel.items.map((i) => i.id).sort()).toEqual([local, global].sort());
    const skillsInCanada = await studies.catalogue(c.consultationId, c.reader, { theme: ['skills'], implementation: ['CA'] });
    expect(skillsInCanada.items.map((i) => i.id)).toEqual([local]);
    expect(skillsInCanada.facets.implementation).toEqual({ CA: 1 });
    for (const [filter, expected] of [
      [{ sdg: ['16.9'] }, [local]],
      [{ group: ['local-government'] }, [local]],
      [{ subQuestion: [String(subQuestion.other)] }, [local]],
      [{ origin: ['PH'] }, [global]],
      [{ destination: ['SA'] }, [global]],
    ] as [CatalogueFilters, number[]][]) {
      expect((await studies.catalogue(c.consultationId, c.reader, filter)).items.map((i) => i.id), JSON.stringify(filter)).toEqual(expected);
    }
    expect((await studies.catalogue(c.consultationId, c.reader, { theme: ['no-such-theme'] })).total).toBe(0);
  });

  it('lets moderators feature a published case study on a sub-question it informs, listed first there, with an audit entry', async () => {
    const older = await inState('published', { title: 'Featured one' });
    await inState('published', { title: 'Newer one' });
    await expect(studies.feature(users.other, older, subQuestion.id, true)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(studies.feature(users.moderator, older, subQuestion.other, true)).rejects.toMatchObject({ code: 'invalid' });
    await studies.feature(users.moderator, older, subQuestion.id, true);
    const linked = await studies.forSubQuestion(consultationId, subQuestion.id, null);
    expect(linked[0]!.id).toBe(older);
    expect(linked[0]!.featuredOn).toEqual([subQuestion.id]);
    const audit = await createAuditService(handle.db).list({ action: 'case_study.feature', subjectId: String(older) });
    expect(audit).toHaveLength(1);
    const draft = await inState('verified');
    await expect(studies.feature(users.moderator, draft, subQuestion.id, true)).rejects.toMatchObject({ code: 'conflict' });
  });
});
