/**
 * The tabular exports (app/exports/data.server.ts) on a real database: which contributions and
 * case studies each viewer's CSV and JSON hold (no hidden, deleted, restricted or unpublished
 * item for a participant; hidden posts for moderators, restricted case studies for reviewers,
 * marked), and that a Chatham House author's name and organisation appear in no export for any
 * viewer, moderators and the author included. The CSV is parsed back.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRole, createAccountService } from '../../app/accounts/accounts.server';
import type { Role } from '../../app/accounts/roles';
import { createCaseStudyService } from '../../app/case-studies/case-studies.server';
import type { TransitionAction } from '../../app/case-studies/lifecycle';
import type { Attribution } from '../../app/contributions/attribution';
import { viewerIn } from '../../app/contributions/sources.server';
import type { ContributionViewer } from '../../app/contributions/visibility';
import { caseStudyCatalogue, questionContributions } from '../../app/exports/data.server';
import { renderCsv, renderJson } from '../../app/exports/render/csv';
import { createPostService } from '../../app/posts/posts.server';
import { seedConsultation } from '../../db/seeds/consultation';
import { openTestDatabase } from '../support/database';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let consultationId: number;
let subQuestionId: number;
const CANARY = { name: 'Zephyrine Canarywood', organisation: 'Canaryfold Collective' };
const users = {} as Record<'named' | 'canary' | 'reader' | 'moderator' | 'rapporteur' | 'admin', string>;
const posts = {} as Record<'named' | 'organisation' | 'chatham' | 'reply' | 'general' | 'hidden' | 'deleted' | 'otherQuestion', number>;
const studies = {} as Record<'public' | 'chatham' | 'restricted' | 'unpublished' | 'rejected' | 'draft', number>;
const viewers = {} as Record<'anonymous' | 'participant' | 'canary' | 'moderator' | 'rapporteur' | 'admin', ContributionViewer>;
const VIEWERS = ['anonymous', 'participant', 'canary', 'moderator', 'rapporteur', 'admin'] as const;

async function user(key: string, name: string, organisation: string, group: string, role: Role | 'admin' | null) {
  const id = await createAccountService(handle.db).register({ email: `${key}@example.org`, name, organisation, stakeholderGroup: group, country: 'SN', password: 'a long enough password' });
  if (role === 'admin') await handle.db.updateTable('users').set({ siteRole: 'admin' }).where('id', '=', id).execute();
  else if (role) await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: id, consultationId, from: 'participant', to: role }));
  return id;
}

const caseStudy = (attribution: Attribution, visibility: 'public' | 'restricted', title: string) => ({
  title,
  summary: `Summary of ${title}.`,
  text: `Body of ${title}.`,
  partners: [{ name: 'Employment agency', group: 'government' }],
  origin: ['SN'],
  destination: ['ES'],
  implementation: ['SN', 'MA'],
  level: 'regional',
  themes: ['labour-governance'],
  sdgTargets: ['10.7'],
  stage: 'implementing',
  funding: [{ source: 'EU trust fund', amount: '5000', currency: 'EUR' }],
  results: `=Results of ${title}.`,
  indicators: `Indicators of ${title}.`,
  worked: `What worked in ${title}.`,
  didNotWork: `What did not work in ${title}.`,
  subQuestions: [String(subQuestionId)],
  contact: `${attribution}@example.org`,
  attribution,
  visibility,
  language: 'en',
});

beforeAll(async () => {
  handle = await openTestDatabase();
  ({ consultationId } = await seedConsultation(handle.db));
  const threads = await handle.db.selectFrom('threads').select(['id', 'number', 'subQuestionId']).where('consultationId', '=', consultationId).execute();
  const thread = (n: string) => threads.find((t) => t.number === n)!;
  subQuestionId = thread('2.4').subQuestionId!;
  users.named = await user('named', 'Aminata Diallo', 'Collectif des migrants de Thiès', 'civil-society', null);
  users.canary = await user('canary', CANARY.name, CANARY.organisation, 'business', null);
  users.reader = await user('reader', 'Bruno Keller', 'Keller AG', 'business', null);
  users.moderator = await user('moderator', 'Mona Moderator', 'GFMD Support Unit', 'government', 'moderator');
  users.rapporteur = await user('rapporteur', 'Rita Rapporteur', 'GFMD Support Unit', 'government', 'rapporteur');
  users.admin = await user('admin', 'Ada Admin', 'Palabre', 'government', 'admin');

  const service = createPostService(handle.db, { publish: () => {}, postsPerMinute: 100 });
  let n = 0;
  const post = async (author: string, threadNumber: string, attribution: Attribution, text: string, parentId?: number) =>
    (await service.create(author, { threadId: thread(threadNumber).id, clientId: `c-${n++}`, text, attribution, language: 'en', ...(parentId ? { parentId } : {}) }, 'en')).id;
  posts.named = await post(users.named, '2.4', 'named', 'A named contribution, "quoted", with a comma.\nAnd a second line.');
  posts.organisation = await post(users.named, '2.4', 'organisation', '=HYPERLINK("http://evil.example","click")');
  posts.chatham = await post(users.canary, '2.4', 'chatham', 'A Chatham House contribution: « accents » 🎉');
  posts.reply = await post(users.canary, '2.4', 'chatham', 'A reply under the rule.', posts.named);
  posts.general = await post(users.named, '2', 'named', 'On question 2 as a whole.');
  posts.hidden = await post(users.canary, '2.4', 'chatham', 'A contribution a moderator hides.');
  await service.moderate(users.moderator, posts.hidden, true, 'Off topic');
  posts.deleted = await post(users.named, '2.4', 'named', 'A contribution its author withdraws.');
  await service.remove(users.named, posts.deleted);
  posts.otherQuestion = await post(users.named, '1.1', 'named', 'On another question.');

  const cs = createCaseStudyService(handle.db);
  const bring = async (author: string, input: ReturnType<typeof caseStudy>, path: TransitionAction[]) => {
    const id = await cs.save(author, consultationId, input, { submit: false });
    for (const action of path) await cs.transition(action === 'submit' ? author : users.moderator, id, action, 'A note');
    return id;
  };
  const publish: TransitionAction[] = ['submit', 'review', 'verify', 'publish'];
  studies.public = await bring(users.named, caseStudy('named', 'public', 'A named partnership'), publish);
  studies.chatham = await bring(users.canary, caseStudy('chatham', 'public', 'A Chatham House partnership'), publish);
  studies.restricted = await bring(users.named, caseStudy('organisation', 'restricted', 'A restricted partnership'), publish);
  studies.unpublished = await bring(users.named, caseStudy('named', 'public', 'An unpublished partnership'), [...publish, 'unpublish']);
  studies.rejected = await bring(users.named, caseStudy('named', 'public', 'A rejected partnership'), ['submit', 'reject']);
  studies.draft = await bring(users.canary, caseStudy('named', 'public', 'A draft partnership'), []);

  viewers.anonymous = await viewerIn(handle.db, null, consultationId);
  viewers.participant = await viewerIn(handle.db, users.reader, consultationId);
  viewers.canary = await viewerIn(handle.db, users.canary, consultationId);
  viewers.moderator = await viewerIn(handle.db, users.moderator, consultationId);
  viewers.rapporteur = await viewerIn(handle.db, users.rapporteur, consultationId);
  viewers.admin = await viewerIn(handle.db, users.admin, consultationId);
});
afterAll(() => handle?.drop());

const contributions = (viewer: keyof typeof viewers, language: 'fr' | 'en' | 'es' = 'en') => questionContributions(handle.db, viewers[viewer], consultationId, '2', language);
const catalogue = (viewer: keyof typeof viewers, language: 'fr' | 'en' | 'es' = 'en') => caseStudyCatalogue(handle.db, viewers[viewer], consultationId, language);
const readBack = (csv: string): Record<string, string>[] => parse(csv, { bom: true, columns: true });

describe('a question’s contributions', () => {
  it('gives participants, anonymous readers, authors and rapporteurs the visible posts of the question only', async () => {
    for (const viewer of ['anonymous', 'participant', 'canary', 'rapporteur'] as const) {
      const result = await contributions(viewer);
      expect(result.records.map((r) => r.id), viewer).toEqual([posts.named, posts.organisation, posts.chatham, posts.reply, posts.general]);
      expect(result.records.every((r) => r.status === 'visible')).toBe(true);
      expect(result.restricted).toBe(false);
    }
  });

  it('gives moderators the hidden posts too, marked hidden, and never a deleted one', async () => {
    for (const viewer of ['moderator', 'admin'] as const) {
      const result = await contributions(viewer);
      const hidden = result.records.find((r) => r.id === posts.hidden);
      expect(hidden?.status).toBe('hidden');
      expect(result.records.some((r) => r.id === posts.deleted)).toBe(false);
      expect(result.restricted).toBe(true);
    }
  });

  it('fills every column, with the public author only', async () => {
    const { records, rows, columns } = await contributions('moderator', 'fr');
    const named = records.find((r) => r.id === posts.named)!;
    expect(named).toMatchObject({
      marker: `C-${posts.named}`,
      thread: '2.4',
      subQuestion: { number: '2.4', text: 'Les partenariats sont-ils plus efficaces au niveau local, régional ou mondial ?' },
      parent: null,
      editedAt: null,
      language: 'en',
      stakeholderGroup: { id: 'civil-society' },
      author: { attribution: 'named', name: 'Aminata Diallo', organisation: 'Collectif des migrants de Thiès', stakeholderGroup: 'civil-society' },
      endorsements: 0,
      status: 'visible',
      url: `/c/gfmd-2020-partnerships/q/2/2.4#post-${posts.named}`,
    });
    expect(named.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(records.find((r) => r.id === posts.reply)!.parent).toBe(`C-${posts.named}`);
    expect(records.find((r) => r.id === posts.general)).toMatchObject({ thread: '2', subQuestion: null, url: `/c/gfmd-2020-partnerships/q/2/general#post-${posts.general}` });
    expect(records.find((r) => r.id === posts.chatham)!.author).toEqual({ attribution: 'chatham', stakeholderGroup: 'business' });
    expect(records.find((r) => r.id === posts.organisation)!.author).toEqual({ attribution: 'organisation', organisation: 'Collectif des migrants de Thiès', stakeholderGroup: 'civil-society' });
    const row = rows.find((r) => r.id === posts.organisation)!;
    expect(row).toMatchObject({ attribution: 'organisation', authorName: null, authorOrganisation: 'Collectif des migrants de Thiès', thread: '2.4' });
    expect(columns.find((c) => c.key === 'group')!.header).toBe('Groupe de parties prenantes');
    expect(JSON.stringify(records)).not.toMatch(/country|realAuthor|authorId|"SN"/);
  });

  it('writes a CSV that parses back, formulas neutralised', async () => {
    const { columns, rows } = await contributions('participant');
    const csv = renderCsv(columns, rows);
    const read = readBack(csv);
    expect(read).toHaveLength(rows.length);
    const byMarker = new Map(read.map((r) => [r.Marker, r]));
    expect(byMarker.get(`C-${posts.named}`)!.Text).toBe('A named contribution, "quoted", with a comma.\nAnd a second line.');
    expect(byMarker.get(`C-${posts.organisation}`)!.Text).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(byMarker.get(`C-${posts.chatham}`)!.Text).toBe('A Chatham House contribution: « accents » 🎉');
    expect(byMarker.get(`C-${posts.chatham}`)!['Author']).toBe('');
  });
});

describe('the case-study catalogue', () => {
  it('gives participants and anonymous readers the published public case studies only', async () => {
    for (const viewer of ['anonymous', 'participant', 'canary'] as const) {
      const result = await catalogue(viewer);
      expect(result.records.map((r) => r.id), viewer).toEqual([studies.public, studies.chatham]);
      expect(result.restricted).toBe(false);
    }
  });

  it('gives reviewers the restricted ones too, marked restricted, and never an unpublished one', async () => {
    for (const viewer of ['moderator', 'rapporteur', 'admin'] as const) {
      const result = await catalogue(viewer);
      expect(result.records.map((r) => r.id), viewer).toEqual([studies.public, studies.chatham, studies.restricted]);
      expect(result.records.map((r) => r.visibility)).toEqual(['public', 'public', 'restricted']);
      expect(result.rows.map((r) => r.visibility)).toEqual(['public', 'public', 'restricted']);
      expect(result.restricted).toBe(true);
    }
  });

  it('describes each case study in the chosen language', async () => {
    const { records, rows } = await catalogue('participant', 'es');
    const study = records[0]!;
    expect(study).toMatchObject({
      marker: `CS-${studies.public}`,
      title: 'A named partnership',
      author: { attribution: 'named', name: 'Aminata Diallo' },
      countries: { origin: [{ code: 'SN', name: 'Senegal' }], destination: [{ code: 'ES', name: 'España' }] },
      level: { id: 'regional' },
      stage: { id: 'implementing' },
      subQuestions: ['2.4'],
      visibility: 'public',
      url: `/c/gfmd-2020-partnerships/case-studies/${studies.public}`,
    });
    expect(study.publishedAt).toMatch(/Z$/);
    expect(rows[0]).toMatchObject({ implementation: 'MA; SN', destinationNames: 'España', sdgTargets: '10.7', funding: 'EU trust fund 5000 EUR', subQuestions: '2.4' });
    expect(rows[1]).toMatchObject({ attribution: 'chatham', authorName: null, authorOrganisation: null });
    const read = readBack(renderCsv((await catalogue('participant', 'es')).columns, rows));
    expect(read[0]!['Resultados']).toBe("'=Results of A named partnership.");
    expect(read[0]!['Marcador']).toBe(`CS-${studies.public}`);
  });
});

describe('a consultation in draft', () => {
  it('exports nothing of it, except to its admins (as readSources)', async () => {
    await handle.db.updateTable('consultations').set({ phase: 'draft' }).where('id', '=', consultationId).execute();
    try {
      for (const viewer of ['participant', 'moderator', 'rapporteur'] as const) {
        expect((await contributions(viewer)).rows, viewer).toEqual([]);
        expect((await catalogue(viewer)).rows, viewer).toEqual([]);
      }
      expect((await contributions('admin')).rows.length).toBeGreaterThan(0);
      expect((await catalogue('admin')).rows.length).toBe(3);
    } finally {
      await handle.db.updateTable('consultations').set({ phase: 'open' }).where('id', '=', consultationId).execute();
    }
  });
});

describe('the Chatham House rule', () => {
  it('keeps the canary’s name and organisation out of every export, for every viewer and language', async () => {
    for (const viewer of VIEWERS) {
      for (const language of ['fr', 'en', 'es'] as const) {
        for (const result of [await contributions(viewer, language), await catalogue(viewer, language)]) {
          const outputs = [renderCsv(result.columns, result.rows), renderJson(result.records), renderJson(result.rows)];
          for (const output of outputs) {
            expect(output, `${viewer} ${language}`).not.toContain(CANARY.name);
            expect(output).not.toContain(CANARY.organisation);
            expect(output).not.toContain('Canary');
            expect(output).not.toContain(users.canary);
          }
        }
      }
    }
  });
});
