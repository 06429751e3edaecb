/**
 * The contributions module (app/contributions/, docs/decisions/0014) on a real database: what
 * `readSources` gives each viewer class (anonymous, participant, author, moderator) for each
 * attribution (named, organisation, Chatham House), unavailable sources (hidden, withdrawn,
 * missing, restricted), and that the SQL filters select exactly what the row rules allow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRole, createAccountService } from '../../app/accounts/accounts.server';
import type { Role } from '../../app/accounts/roles';
import { createCaseStudyService } from '../../app/case-studies/case-studies.server';
import type { TransitionAction } from '../../app/case-studies/lifecycle';
import type { Attribution } from '../../app/contributions/attribution';
import { readableCaseStudies, readablePosts, sourceCaseStudies, sourcePosts } from '../../app/contributions/filters.server';
import type { CitationRef } from '../../app/contributions/refs';
import { readSources, viewerIn, type AvailableSource, type Source } from '../../app/contributions/sources.server';
import { caseStudySourceState, mayReadCaseStudy, mayReadPost, postSourceState, type ContributionViewer } from '../../app/contributions/visibility';
import { createPostService } from '../../app/posts/posts.server';
import { seedConsultation } from '../../db/seeds/consultation';
import { openTestDatabase } from '../support/database';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let consultationId: number;
let subQuestionId: number;
let threadId: number;
const ATTRIBUTIONS: Attribution[] = ['named', 'organisation', 'chatham'];
const users = {} as Record<'author' | 'reader' | 'moderator' | 'rapporteur', string>;
const posts = {} as Record<Attribution | 'hidden' | 'deleted', number>;
const studies = {} as Record<Attribution | 'restricted' | 'rejected' | 'draft', number>;
const viewers = {} as Record<'anonymous' | 'participant' | 'author' | 'moderator' | 'rapporteur', ContributionViewer>;
const VIEWER_CLASSES = ['anonymous', 'participant', 'author', 'moderator'] as const;
const AUTHOR = { name: 'Aminata Diallo', organisation: 'Collectif des migrants de Thiès', stakeholderGroup: 'civil-society' };

async function user(key: string, name: string, organisation: string, group: string, role: Role | null) {
  const id = await createAccountService(handle.db).register({
    email: `${key}@example.org`,
    name,
    organisation,
    stakeholderGroup: group,
    country: 'SN',
    password: 'a long enough password',
  });
  if (role) await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: id, consultationId, from: 'participant', to: role }));
  return id;
}

const caseStudy = (attribution: Attribution, visibility: 'public' | 'restricted', title: string) => ({
  title,
  summary: `Summary of ${title}.`,
  text: `Body of ${title}.`,
  partners: [{ name: 'Employment agency', group: 'government' }],
  origin: ['SN'],
  destination: ['ES'],
  implementation: ['SN'],
  level: 'regional',
  themes: ['labour-governance'],
  sdgTargets: ['10.7'],
  stage: 'implementing',
  funding: [],
  results: `Results of ${title}.`,
  indicators: `Indicators of ${title}.`,
  worked: `What worked in ${title}.`,
  didNotWork: `What did not work in ${title}.`,
  subQuestions: [String(subQuestionId)],
  contact: 'someone@example.org',
  attribution,
  visibility,
  language: 'en',
});

beforeAll(async () => {
  handle = await openTestDatabase();
  ({ consultationId } = await seedConsultation(handle.db));
  const thread = await handle.db
    .selectFrom('threads')
    .select(['id', 'subQuestionId'])
    .where('consultationId', '=', consultationId)
    .where('number', '=', '2.4')
    .executeTakeFirstOrThrow();
  threadId = thread.id;
  subQuestionId = thread.subQuestionId!;
  users.author = await user('author', AUTHOR.name, AUTHOR.organisation, AUTHOR.stakeholderGroup, null);
  users.reader = await user('reader', 'Bruno Keller', 'Keller AG', 'business', null);
  users.moderator = await user('moderator', 'Mona Moderator', 'GFMD Support Unit', 'government', 'moderator');
  users.rapporteur = await user('rapporteur', 'Rita Rapporteur', 'GFMD Support Unit', 'government', 'rapporteur');

  const service = createPostService(handle.db, { publish: () => {}, postsPerMinute: 100 });
  const post = async (attribution: Attribution, text: string) =>
    (await service.create(users.author, { threadId, clientId: `c-${text.length}-${attribution}-${Math.random()}`, text, attribution, language: 'en' }, 'en')).id;
  for (const attribution of ATTRIBUTIONS) posts[attribution] = await post(attribution, `A ${attribution} contribution about seasonal work.`);
  posts.hidden = await post('chatham', 'A contribution a moderator hides.');
  await service.moderate(users.moderator, posts.hidden, true, 'Off topic');
  posts.deleted = await post('named', 'A contribution its author withdraws.');
  await service.remove(users.author, posts.deleted);

  const cs = createCaseStudyService(handle.db);
  const bring = async (input: ReturnType<typeof caseStudy>, path: TransitionAction[]) => {
    const id = await cs.save(users.author, consultationId, input, { submit: false });
    for (const action of path) await cs.transition(action === 'submit' ? users.author : users.moderator, id, action, 'A note');
    return id;
  };
  const publish: TransitionAction[] = ['submit', 'review', 'verify', 'publish'];
  for (const attribution of ATTRIBUTIONS) studies[attribution] = await bring(caseStudy(attribution, 'public', `A ${attribution} partnership`), publish);
  studies.restricted = await bring(caseStudy('named', 'restricted', 'A restricted partnership'), publish);
  studies.rejected = await bring(caseStudy('named', 'public', 'A rejected partnership'), ['submit', 'reject']);
  studies.draft = await bring(caseStudy('named', 'public', 'A draft partnership'), []);

  viewers.anonymous = await viewerIn(handle.db, null, consultationId);
  viewers.participant = await viewerIn(handle.db, users.reader, consultationId);
  viewers.author = await viewerIn(handle.db, users.author, consultationId);
  viewers.moderator = await viewerIn(handle.db, users.moderator, consultationId);
  viewers.rapporteur = await viewerIn(handle.db, users.rapporteur, consultationId);
});
afterAll(() => handle?.drop());

const ref = (kind: CitationRef['kind'], id: number): CitationRef => ({ kind, id });
const allRefs = () => [
  ...Object.values(posts).map((id) => ref('post', id)),
  ...Object.values(studies).map((id) => ref('case_study', id)),
];
const one = async (viewer: ContributionViewer, r: CitationRef): Promise<Source> => (await readSources(handle.db, viewer, [r])).get(`${r.kind}:${r.id}`)!;
const expectedAuthor = (attribution: Attribution) =>
  attribution === 'named'
    ? { attribution, ...AUTHOR }
    : attribution === 'organisation'
      ? { attribution, organisation: AUTHOR.organisation, stakeholderGroup: AUTHOR.stakeholderGroup }
      : { attribution, stakeholderGroup: AUTHOR.stakeholderGroup };

describe('readSources: attribution per viewer', () => {
  for (const attribution of ATTRIBUTIONS) {
    for (const who of VIEWER_CLASSES) {
      it(`a ${attribution} post and case study, read by ${who === 'anonymous' ? 'an anonymous reader' : `the ${who}`}`, async () => {
        const viewer = viewers[who];
        const post = (await one(viewer, ref('post', posts[attribution]))) as AvailableSource;
        const study = (await one(viewer, ref('case_study', studies[attribution]))) as AvailableSource;
        for (const source of [post, study]) {
          expect(source.state).toBe('available');
          expect(source.author).toEqual(expectedAuthor(attribution));
          expect(source.stakeholderGroup).toBe('civil-society');
          expect(source.consultationId).toBe(consultationId);
          expect(source.language).toBe('en');
          if (who === 'moderator') {
            expect(source.realAuthor).toEqual({ id: users.author, ...AUTHOR });
          } else {
            expect(source).not.toHaveProperty('realAuthor');
            const json = JSON.stringify(source);
            expect(json).not.toContain(users.author);
            if (attribution === 'chatham') {
              expect(json).not.toContain(AUTHOR.name);
              expect(json).not.toContain(AUTHOR.organisation);
            }
            if (attribution === 'organisation') expect(json).not.toContain(AUTHOR.name);
          }
        }
        expect(post).toMatchObject({
          kind: 'post',
          id: posts[attribution],
          key: `post:${posts[attribution]}`,
          marker: `C-${posts[attribution]}`,
          question: '2',
          thread: '2.4',
          subQuestionId,
          fields: { body: `A ${attribution} contribution about seasonal work.` },
          href: `/c/gfmd-2020-partnerships/q/2/2.4#post-${posts[attribution]}`,
        });
        const title = `A ${attribution} partnership`;
        expect(study).toMatchObject({
          kind: 'case_study',
          marker: `CS-${studies[attribution]}`,
          subQuestionIds: [subQuestionId],
          href: `/c/gfmd-2020-partnerships/case-studies/${studies[attribution]}`,
          fields: {
            title,
            summary: `Summary of ${title}.`,
            body: `Body of ${title}.`,
            results: `Results of ${title}.`,
            indicators: `Indicators of ${title}.`,
            worked: `What worked in ${title}.`,
            didNotWork: `What did not work in ${title}.`,
          },
        });
        // The contact could name the author: it is never part of a source.
        expect(JSON.stringify(study)).not.toContain('someone@example.org');
      });
    }
  }
});

describe('readSources: unavailable sources', () => {
  const states = async (r: CitationRef) => Object.fromEntries(await Promise.all(Object.entries(viewers).map(async ([who, v]) => [who, (await one(v, r)).state])));

  it('a hidden post is "hidden" and a withdrawn one "withdrawn" to everyone, their author and moderators included, with no text or author', async () => {
    expect(await states(ref('post', posts.hidden))).toEqual({ anonymous: 'hidden', participant: 'hidden', author: 'hidden', moderator: 'hidden', rapporteur: 'hidden' });
    expect(await states(ref('post', posts.deleted))).toEqual({ anonymous: 'withdrawn', participant: 'withdrawn', author: 'withdrawn', moderator: 'withdrawn', rapporteur: 'withdrawn' });
    expect(await one(viewers.moderator, ref('post', posts.hidden))).toEqual({ kind: 'post', id: posts.hidden, key: `post:${posts.hidden}`, marker: `C-${posts.hidden}`, state: 'hidden' });
  });

  it('a restricted case study is a source for reviewers only; "missing" to others, its author included, as if it did not exist', async () => {
    expect(await states(ref('case_study', studies.restricted))).toEqual({
      anonymous: 'missing',
      participant: 'missing',
      author: 'missing',
      moderator: 'available',
      rapporteur: 'available',
    });
  });

  it('a rejected or draft case study is "withdrawn" to reviewers and "missing" to everyone else', async () => {
    for (const id of [studies.rejected, studies.draft]) {
      expect(await states(ref('case_study', id))).toEqual({ anonymous: 'missing', participant: 'missing', author: 'missing', moderator: 'withdrawn', rapporteur: 'withdrawn' });
    }
  });

  it('with `readable`, tells those who may still read it what became of it, and no one else', async () => {
    const readable = async (viewer: ContributionViewer, r: CitationRef) => (await readSources(handle.db, viewer, [r], { readable: true })).get(`${r.kind}:${r.id}`)!;
    // Moderators read a hidden post and a rejected case study on their pages: staff tools see their status.
    expect(await readable(viewers.moderator, ref('post', posts.hidden))).toMatchObject({ state: 'hidden', readable: { kind: 'post', status: 'hidden', author: expectedAuthor('chatham') } });
    expect(await readable(viewers.moderator, ref('case_study', studies.rejected))).toMatchObject({ state: 'withdrawn', readable: { kind: 'case_study', status: 'rejected' } });
    // A rapporteur may not read either; a draft is its author's alone; a deleted post is read by no one.
    expect(await readable(viewers.rapporteur, ref('post', posts.hidden))).not.toHaveProperty('readable');
    expect(await readable(viewers.rapporteur, ref('case_study', studies.rejected))).not.toHaveProperty('readable');
    expect(await readable(viewers.moderator, ref('case_study', studies.draft))).not.toHaveProperty('readable');
    expect(await readable(viewers.moderator, ref('post', posts.deleted))).not.toHaveProperty('readable');
    for (const who of ['anonymous', 'participant'] as const) {
      for (const r of [ref('post', posts.hidden), ref('case_study', studies.rejected), ref('case_study', studies.restricted)]) {
        expect(await readable(viewers[who], r), `${who} ${r.kind}:${r.id}`).not.toHaveProperty('readable');
      }
    }
    // Available case studies say their reach: restricted ones reach reviewers only.
    expect(await readable(viewers.rapporteur, ref('case_study', studies.restricted))).toMatchObject({ state: 'available', status: 'published', visibility: 'restricted' });
  });

  it('an unknown id, or a contribution of another consultation, is "missing", whatever the role', async () => {
    const elsewhere: ContributionViewer = { consultationId: consultationId + 1000, userId: users.moderator, role: 'moderator' };
    expect((await one(elsewhere, ref('post', posts.named))).state).toBe('missing');
    expect((await one(elsewhere, ref('case_study', studies.named))).state).toBe('missing');
    expect((await one(viewers.moderator, ref('post', 999_999))).state).toBe('missing');
  });

  it('answers every ref once, keyed by its key, in one batch', async () => {
    const refs = [...allRefs(), ref('post', posts.named), ref('case_study', 999_998)];
    const sources = await readSources(handle.db, viewers.participant, refs);
    expect([...sources.keys()].sort()).toEqual([...new Set(refs.map((r) => `${r.kind}:${r.id}`))].sort());
    expect(await readSources(handle.db, viewers.participant, [])).toEqual(new Map());
  });
});

const COUNTS = {
  anonymous: [3, 3, 3, 3],
  participant: [3, 3, 3, 3],
  author: [4, 3, 6, 3],
  moderator: [4, 3, 5, 4],
  rapporteur: [3, 3, 4, 4],
};

describe('SQL filters agree with the row rules', () => {
  for (const who of ['anonymous', 'participant', 'author', 'moderator', 'rapporteur'] as const) {
    it(`selects for ${who === 'anonymous' ? 'an anonymous reader' : `the ${who}`} exactly what the rules allow, in one query per table`, async () => {
      const viewer = viewers[who];
      const postRows = await handle.db.selectFrom('posts').select(['id', 'status', 'authorId']).execute();
      const studyRows = await handle.db.selectFrom('caseStudies').select(['id', 'status', 'visibility', 'authorId']).execute();
      const ids = (rows: { id: number }[]) => rows.map((r) => r.id).sort((a, b) => a - b);
      const [readable, source, readableStudies, sourceStudies] = await Promise.all([
        handle.db.selectFrom('posts').select('posts.id').where(readablePosts(viewer)).execute(),
        handle.db.selectFrom('posts').innerJoin('threads', 'threads.id', 'posts.threadId').select('posts.id').where(sourcePosts(viewer)).execute(),
        handle.db.selectFrom('caseStudies').select('caseStudies.id').where(readableCaseStudies(viewer)).execute(),
        handle.db.selectFrom('caseStudies').innerJoin('users', 'users.id', 'caseStudies.authorId').select('caseStudies.id').where(sourceCaseStudies(viewer)).execute(),
      ]);
      expect(ids(readable)).toEqual(ids(postRows.filter((r) => mayReadPost(r, viewer))));
      expect(ids(source)).toEqual(ids(postRows.filter((r) => postSourceState(r.status) === 'available')));
      expect(ids(readableStudies)).toEqual(ids(studyRows.filter((r) => mayReadCaseStudy(r, viewer))));
      expect(ids(sourceStudies)).toEqual(ids(studyRows.filter((r) => caseStudySourceState(r, viewer) === 'available')));
      // What the fixtures hold for each viewer (5 posts: 3 visible, 1 hidden, 1 deleted; 6 case
      // studies: 3 published public, 1 published restricted, 1 rejected, 1 draft, all by the author).
      expect([readable.length, source.length, readableStudies.length, sourceStudies.length]).toEqual(COUNTS[who]);
    });
  }

  it('keeps to the viewer’s consultation', async () => {
    const elsewhere: ContributionViewer = { consultationId: consultationId + 1000, userId: users.moderator, role: 'moderator' };
    expect(await handle.db.selectFrom('posts').select('id').where(readablePosts(elsewhere)).execute()).toEqual([]);
    expect(await handle.db.selectFrom('caseStudies').select('id').where(readableCaseStudies(elsewhere)).execute()).toEqual([]);
  });
});
