/**
 * The search's totals and facet counts against a brute-force oracle, on a real database (SQLite or
 * PostgreSQL).
 *
 * Why: the facets are counted in SQL from three summaries of the hits (app/search/search.server.ts
 * `countAndPage`: `c` per combination of kind, thread, question, group, language and month, `a`
 * per author, `t` the tags of the case studies found), each facet summing one of them; a facet
 * summed from the wrong summary, or a summary that loses rows, still gives plausible numbers. So
 * this file seeds a small consultation through the real services (posts in threads of three
 * questions, in three languages, under the three attributions, by authors of four stakeholder
 * groups; a hidden and a withdrawn post; case studies published public, published restricted,
 * submitted, rejected and a draft, with themes, countries and sub-questions of several questions; key
 * points, one merged; notes of a group, of every group, of no question), remembers what it wrote,
 * and computes in plain TypeScript, for each viewer, query and filter combination:
 * - which items the viewer finds: those holding every word of the query and none it excludes, or
 *   written by an author whose attribution shows the words (name and organisation when named, the
 *   organisation alone; a Chatham House author by nothing), among what the viewer may see (the
 *   header of search.server.ts: posts a thread shows, moderators hidden ones too; case studies
 *   that are sources, restricted ones for reviewers, submitted and rejected ones for moderators,
 *   drafts for no one; key points for whoever reads the compilation: staff while it is open;
 *   notes for whoever is signed in);
 * - under the filters (app/search/search-types.ts: a case study counts once under each
 *   sub-question it informs, once under each question, once per country of origin or
 *   destination; `group` is a post's or case study's author's group, a note's own group);
 * and compares the total and every facet's counts with `search(...)`, then pages through every
 * page (two hits a page) and checks each hit comes exactly once, `total` of them.
 *
 * The fixed cases cover every viewer (a participant, a moderator, a rapporteur, an anonymous
 * reader) and query unfiltered, and, for the participant and the moderator, every single filter a
 * facet offers and one value nothing has; fast-check (fixed seed) draws two or three filters at once.
 * Would the service drop the authors' groups from the `group` facet, count a case study once per
 * sub-question under its question, or a country of origin and destination twice, the comparisons
 * fail (checked by making the oracle do so).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRole, createAccountService } from '../../app/accounts/accounts.server';
import type { Role } from '../../app/accounts/roles';
import { createCaseStudyService } from '../../app/case-studies/case-studies.server';
import type { TransitionAction } from '../../app/case-studies/lifecycle';
import type { Attribution } from '../../app/contributions/attribution';
import { createPostService } from '../../app/posts/posts.server';
import { createSearchService } from '../../app/search/search.server';
import { SEARCH_FACETS, type SearchFacet, type SearchFilters, type SearchKind, type SearchResults } from '../../app/search/search-types';
import { seedConsultation } from '../../db/seeds/consultation';
import { openTestDatabase } from '../support/database';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let consultationId: number;
let search: ReturnType<typeof createSearchService>;

// ---------------------------------------------------------------------------------------------
// What is seeded: plain data the oracle reads back.
// ---------------------------------------------------------------------------------------------

type Language = 'fr' | 'en' | 'es';
type AuthorKey = 'amara' | 'bruno' | 'chen' | 'dolores' | 'moderator' | 'rapporteur';

/**
 * The people. Amara is the participant who searches: she also wrote a hidden post and a submitted
 * case study, which a participant's search must not give back even to her. Her name and her
 * organisation hold two of the query words (okonkwo, kestrel).
 */
const PEOPLE: Record<AuthorKey, { name: string; organisation: string; group: string; role: Role | null }> = {
  amara: { name: 'Amara Okonkwo', organisation: 'Kestrel Alliance', group: 'civil-society', role: null },
  bruno: { name: 'Bruno Lindqvist', organisation: 'Lindqvist Freight', group: 'business', role: null },
  chen: { name: 'Chen Wairimu', organisation: 'Municipal Office', group: 'local-government', role: null },
  dolores: { name: 'Dolores Ibarra', organisation: 'Ministerio de Trabajo', group: 'government', role: null },
  moderator: { name: 'Mona Moderator', organisation: 'GFMD Support Unit', group: 'government', role: 'moderator' },
  rapporteur: { name: 'Rita Rapporteur', organisation: 'GFMD Support Unit', group: 'government', role: 'rapporteur' },
};

/** A post: where, by whom, under which attribution, which query words its text holds, when. */
interface PostSeed {
  key: string;
  thread: string;
  language: Language;
  author: AuthorKey;
  attribution: Attribution;
  words: string[];
  month: string;
  fate?: 'hidden' | 'deleted';
}

const POSTS: PostSeed[] = [
  { key: 'p1', thread: '1.2', language: 'fr', author: 'amara', attribution: 'named', words: ['zorblat'], month: '2026-08' },
  { key: 'p2', thread: '1.2', language: 'en', author: 'bruno', attribution: 'named', words: ['zorblat', 'quimbel'], month: '2026-09' },
  { key: 'p3', thread: '1', language: 'es', author: 'chen', attribution: 'organisation', words: ['zorblat'], month: '2026-09' },
  { key: 'p4', thread: '2.1', language: 'fr', author: 'dolores', attribution: 'chatham', words: ['zorblat', 'quimbel'], month: '2026-10' },
  { key: 'p5', thread: '2.1', language: 'es', author: 'amara', attribution: 'organisation', words: ['quimbel'], month: '2026-10' },
  { key: 'p6', thread: '2.4', language: 'en', author: 'bruno', attribution: 'chatham', words: ['zorblat', 'kestrel'], month: '2026-11' },
  { key: 'p7', thread: '2.4', language: 'fr', author: 'chen', attribution: 'named', words: ['kestrel', 'quimbel'], month: '2026-11' },
  { key: 'p8', thread: '3.2', language: 'es', author: 'dolores', attribution: 'named', words: ['zorblat'], month: '2026-08' },
  { key: 'p9', thread: '3', language: 'fr', author: 'amara', attribution: 'named', words: ['zorblat'], month: '2026-11', fate: 'hidden' },
  { key: 'p10', thread: '3.2', language: 'en', author: 'bruno', attribution: 'named', words: ['zorblat', 'quimbel'], month: '2026-10', fate: 'deleted' },
  { key: 'p11', thread: '1.3', language: 'fr', author: 'amara', attribution: 'chatham', words: ['zorblat'], month: '2026-10' },
  { key: 'p12', thread: '1.3', language: 'en', author: 'amara', attribution: 'named', words: [], month: '2026-09' },
  { key: 'p13', thread: '2.4', language: 'es', author: 'amara', attribution: 'organisation', words: [], month: '2026-08' },
  { key: 'p14', thread: '2.1', language: 'en', author: 'amara', attribution: 'named', words: ['quimbel'], month: '2026-11' },
  { key: 'p15', thread: '1.2', language: 'fr', author: 'chen', attribution: 'named', words: ['okonkwo', 'zorblat'], month: '2026-09' },
  { key: 'p16', thread: '3.2', language: 'fr', author: 'dolores', attribution: 'named', words: ['zorblat'], month: '2026-10', fate: 'hidden' },
  { key: 'p17', thread: '2', language: 'en', author: 'moderator', attribution: 'named', words: ['zorblat'], month: '2026-11' },
];

type StudyFate = 'published' | 'submitted' | 'rejected' | 'draft';
type StudyField = 'title' | 'summary' | 'text' | 'results' | 'worked';

/** A case study: its lifecycle's end, which field holds the query words, its tags, when. */
interface StudySeed {
  key: string;
  author: AuthorKey;
  attribution: Attribution;
  visibility: 'public' | 'restricted';
  fate: StudyFate;
  field: StudyField;
  words: string[];
  subQuestions: string[];
  themes: string[];
  origin: string[];
  destination: string[];
  /** Countries of implementation: a tag the country facet must not count. */
  implementation: string[];
  /** Partners' stakeholder groups: tags the group facet must not count (it counts the author's). */
  partnerGroup: string;
  language: Language;
  month: string;
}

const STUDIES: StudySeed[] = [
  // Informs sub-questions of two questions; MA is both origin and destination (one country, counted once).
  { key: 'cs1', author: 'bruno', attribution: 'named', visibility: 'public', fate: 'published', field: 'summary', words: ['zorblat'], subQuestions: ['1.2', '2.1', '2.3'], themes: ['skills', 'technology'], origin: ['SN', 'MA'], destination: ['ES', 'MA'], implementation: ['FR'], partnerGroup: 'government', language: 'en', month: '2026-09' },
  { key: 'cs2', author: 'dolores', attribution: 'named', visibility: 'restricted', fate: 'published', field: 'text', words: ['zorblat', 'quimbel'], subQuestions: ['2.4'], themes: ['labour-governance'], origin: ['MX'], destination: ['US'], implementation: ['MX'], partnerGroup: 'business', language: 'es', month: '2026-10' },
  { key: 'cs3', author: 'amara', attribution: 'organisation', visibility: 'public', fate: 'submitted', field: 'title', words: ['zorblat'], subQuestions: ['3.1', '3.2'], themes: ['protection', 'skills'], origin: ['NG'], destination: ['IT'], implementation: ['NG'], partnerGroup: 'local-government', language: 'fr', month: '2026-11' },
  { key: 'cs4', author: 'chen', attribution: 'chatham', visibility: 'public', fate: 'published', field: 'results', words: ['zorblat', 'kestrel'], subQuestions: ['2.4'], themes: ['protection'], origin: ['PH'], destination: ['AE'], implementation: ['PH'], partnerGroup: 'civil-society', language: 'fr', month: '2026-08' },
  { key: 'cs5', author: 'amara', attribution: 'named', visibility: 'public', fate: 'published', field: 'worked', words: ['quimbel'], subQuestions: ['1.3'], themes: ['technology'], origin: ['SN'], destination: ['SN'], implementation: ['SN'], partnerGroup: 'business', language: 'en', month: '2026-10' },
  { key: 'cs6', author: 'moderator', attribution: 'named', visibility: 'public', fate: 'draft', field: 'summary', words: ['zorblat', 'quimbel'], subQuestions: ['1.2'], themes: ['skills'], origin: ['SN'], destination: ['ES'], implementation: ['SN'], partnerGroup: 'government', language: 'fr', month: '2026-11' },
  { key: 'cs7', author: 'bruno', attribution: 'named', visibility: 'public', fate: 'rejected', field: 'summary', words: ['zorblat'], subQuestions: ['3.2'], themes: ['irregular-migration'], origin: ['LY'], destination: ['IT'], implementation: ['LY'], partnerGroup: 'government', language: 'es', month: '2026-09' },
];

interface KeyPointSeed {
  key: string;
  question: string;
  language: Language;
  field: 'heading' | 'summary';
  words: string[];
  month: string;
  mergedInto?: string;
}

const KEY_POINTS: KeyPointSeed[] = [
  { key: 'kp1', question: '1', language: 'fr', field: 'heading', words: ['zorblat'], month: '2026-09' },
  { key: 'kp2', question: '2', language: 'en', field: 'summary', words: ['zorblat', 'quimbel'], month: '2026-10' },
  { key: 'kp3', question: '2', language: 'es', field: 'heading', words: ['zorblat'], month: '2026-11', mergedInto: 'kp2' },
];

interface NoteSeed {
  key: string;
  question: string | null;
  group: string | null;
  field: 'title' | 'text';
  words: string[];
  month: string;
}

const NOTES: NoteSeed[] = [
  { key: 'n1', question: '3', group: 'business', field: 'text', words: ['zorblat'], month: '2026-11' },
  { key: 'n2', question: null, group: null, field: 'title', words: ['zorblat', 'quimbel'], month: '2026-10' },
  { key: 'n3', question: '1', group: 'civil-society', field: 'text', words: ['quimbel'], month: '2026-09' },
];

const FILLER: Record<Language, string> = {
  fr: 'Une contribution sur la mobilité régionale',
  en: 'A contribution on regional mobility',
  es: 'Una contribución sobre la movilidad regional',
};
const sentence = (language: Language, words: string[]) => (words.length ? `${FILLER[language]}, ${words.join(', ')}.` : `${FILLER[language]}.`);
const dateIn = (month: string) => `${month}-15T12:00:00.000Z`;

// ---------------------------------------------------------------------------------------------
// The oracle: every item as the facets see it, who may find it, and the words it is found by.
// ---------------------------------------------------------------------------------------------

type ViewerKey = 'participant' | 'moderator' | 'rapporteur' | 'anonymous';
const VIEWERS: ViewerKey[] = ['participant', 'moderator', 'rapporteur', 'anonymous'];
const STAFF: ViewerKey[] = ['moderator', 'rapporteur'];
const SIGNED_IN: ViewerKey[] = ['participant', 'moderator', 'rapporteur'];

interface Item {
  kind: SearchKind;
  key: string;
  id: number;
  /** The query words its own text holds. */
  words: Set<string>;
  /** The words its attribution shows of its author (none for Chatham House, key points, notes). */
  shownAuthor: Set<string>;
  seenBy: Set<ViewerKey>;
  questions: string[];
  subQuestions: string[];
  themes: string[];
  countries: string[];
  group: string | null;
  language: string | null;
  month: string;
}

const wordsOf = (text: string) => new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean));
const questionOf = (number: string) => number.split('.')[0]!;
const unique = <T>(list: T[]) => [...new Set(list)];

function shownAuthor(author: AuthorKey, attribution: Attribution): Set<string> {
  const person = PEOPLE[author];
  if (attribution === 'named') return wordsOf(`${person.name} ${person.organisation}`);
  if (attribution === 'organisation') return wordsOf(person.organisation);
  return new Set();
}

function postItem(p: PostSeed, id: number): Item {
  const seenBy: ViewerKey[] = p.fate === 'deleted' ? [] : p.fate === 'hidden' ? ['moderator'] : VIEWERS;
  return {
    kind: 'post',
    key: p.key,
    id,
    words: new Set(p.words),
    shownAuthor: shownAuthor(p.author, p.attribution),
    seenBy: new Set(seenBy),
    questions: [questionOf(p.thread)],
    subQuestions: p.thread.includes('.') ? [p.thread] : [],
    themes: [],
    countries: [],
    group: PEOPLE[p.author].group,
    language: p.language,
    month: p.month,
  };
}

function studyItem(s: StudySeed, id: number): Item {
  const seenBy: ViewerKey[] =
    s.fate === 'draft' ? [] : s.fate !== 'published' ? ['moderator'] : s.visibility === 'restricted' ? STAFF : VIEWERS;
  return {
    kind: 'case_study',
    key: s.key,
    id,
    words: new Set(s.words),
    shownAuthor: shownAuthor(s.author, s.attribution),
    seenBy: new Set(seenBy),
    questions: unique(s.subQuestions.map(questionOf)),
    subQuestions: s.subQuestions,
    themes: s.themes,
    countries: unique([...s.origin, ...s.destination]),
    group: PEOPLE[s.author].group,
    language: s.language,
    month: s.month,
  };
}

function keyPointItem(k: KeyPointSeed, id: number): Item {
  return {
    kind: 'key_point',
    key: k.key,
    id,
    words: new Set(k.words),
    shownAuthor: new Set(),
    // The compilation, while the consultation is open, is read by its staff alone.
    seenBy: new Set(k.mergedInto ? [] : STAFF),
    questions: [k.question],
    subQuestions: [],
    themes: [],
    countries: [],
    group: null,
    language: k.language,
    month: k.month,
  };
}

function noteItem(n: NoteSeed, id: number): Item {
  return {
    kind: 'note',
    key: n.key,
    id,
    words: new Set(n.words),
    shownAuthor: new Set(),
    seenBy: new Set(SIGNED_IN),
    questions: n.question ? [n.question] : [],
    subQuestions: [],
    themes: [],
    countries: [],
    group: n.group,
    language: null,
    month: n.month,
  };
}

const items: Item[] = [];

/** A query as typed, and its terms as predicates on a word: all of `words` must match, none of `without`. */
interface QueryCase {
  q: string;
  words: ((w: string) => boolean)[];
  without: ((w: string) => boolean)[];
}
const is = (word: string) => (w: string) => w === word;
const QUERIES: QueryCase[] = [
  { q: 'zorblat', words: [is('zorblat')], without: [] },
  { q: 'quimbel', words: [is('quimbel')], without: [] },
  { q: 'zorblat quimbel', words: [is('zorblat'), is('quimbel')], without: [] },
  { q: 'zorblat -quimbel', words: [is('zorblat')], without: [is('quimbel')] },
  { q: 'zorb*', words: [(w) => w.startsWith('zorb')], without: [] },
  // Amara's organisation, and a word of two texts: found by text, and by what her attribution shows.
  { q: 'kestrel', words: [is('kestrel')], without: [] },
  { q: 'kestrel -quimbel', words: [is('kestrel')], without: [is('quimbel')] },
  // Amara's name (shown by a named attribution only), and a word of one text of someone else.
  { q: 'Okonkwo', words: [is('okonkwo')], without: [] },
];

function found(item: Item, query: QueryCase): boolean {
  const holds = (set: Set<string>, term: (w: string) => boolean) => [...set].some(term);
  if (query.without.some((term) => holds(item.words, term))) return false;
  return query.words.every((term) => holds(item.words, term)) || query.words.every((term) => holds(item.shownAuthor, term));
}

/** The facet values an item holds (several for a case study's questions, sub-questions, themes, countries). */
function valuesOf(item: Item, facet: SearchFacet): string[] {
  switch (facet) {
    case 'kind':
      return [item.kind];
    case 'question':
      return item.questions;
    case 'subQuestion':
      return item.subQuestions;
    case 'theme':
      return item.themes;
    case 'country':
      return item.countries;
    case 'group':
      return item.group === null ? [] : [item.group];
    case 'language':
      return item.language === null ? [] : [item.language];
    case 'month':
      return [item.month];
  }
}

function expectedHits(viewer: ViewerKey, query: QueryCase, filters: SearchFilters): Item[] {
  return items.filter(
    (item) =>
      item.seenBy.has(viewer) &&
      found(item, query) &&
      SEARCH_FACETS.every((facet) => filters[facet] === undefined || valuesOf(item, facet).includes(filters[facet]!)),
  );
}

type Counts = Record<SearchFacet, Record<string, number>>;

function expectedCounts(hits: Item[]): Counts {
  const counts = Object.fromEntries(SEARCH_FACETS.map((f) => [f, {}])) as Counts;
  for (const item of hits) {
    for (const facet of SEARCH_FACETS) {
      for (const value of valuesOf(item, facet)) counts[facet][value] = (counts[facet][value] ?? 0) + 1;
    }
  }
  return counts;
}

/** The service's facets as counts per value (the order they are shown in is not this file's concern). */
function actualCounts(results: SearchResults): Counts {
  return Object.fromEntries(SEARCH_FACETS.map((f) => [f, Object.fromEntries(results.facets[f].map((v) => [v.value, v.count]))])) as Counts;
}

// ---------------------------------------------------------------------------------------------
// Seeding, through the real services.
// ---------------------------------------------------------------------------------------------

const users = {} as Record<AuthorKey, string>;
const viewerId = (viewer: ViewerKey) =>
  viewer === 'anonymous' ? null : users[viewer === 'participant' ? 'amara' : viewer];

beforeAll(async () => {
  handle = await openTestDatabase();
  ({ consultationId } = await seedConsultation(handle.db));
  const db = handle.db;
  const threads = new Map<string, number>();
  for (const row of await db.selectFrom('threads').select(['id', 'number']).where('consultationId', '=', consultationId).execute()) threads.set(row.number, row.id);
  const questions = new Map<string, number>();
  for (const row of await db.selectFrom('questions').select(['id', 'number']).where('consultationId', '=', consultationId).execute()) questions.set(row.number, row.id);
  const subQuestions = new Map<string, number>();
  for (const row of await db
    .selectFrom('subQuestions')
    .innerJoin('questions', 'questions.id', 'subQuestions.questionId')
    .select(['subQuestions.id', 'subQuestions.number'])
    .where('questions.consultationId', '=', consultationId)
    .execute())
    subQuestions.set(row.number, row.id);

  const accounts = createAccountService(db);
  for (const [key, person] of Object.entries(PEOPLE) as [AuthorKey, (typeof PEOPLE)[AuthorKey]][]) {
    users[key] = await accounts.register({ email: `${key}@example.org`, name: person.name, organisation: person.organisation, stakeholderGroup: person.group, country: 'SN', password: 'a long enough password' });
    if (person.role) await db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: users[key], consultationId, from: 'participant', to: person.role! }));
  }

  const posts = createPostService(db, { publish: () => {}, postsPerMinute: 1000 });
  for (const p of POSTS) {
    const view = await posts.create(users[p.author], { threadId: threads.get(p.thread)!, clientId: `oracle-${p.key}`, text: sentence(p.language, p.words), attribution: p.attribution, language: p.language }, 'en');
    if (p.fate === 'hidden') await posts.moderate(users.moderator, view.id, true, 'Hors sujet');
    if (p.fate === 'deleted') await posts.remove(users[p.author], view.id);
    await db.updateTable('posts').set({ createdAt: dateIn(p.month) }).where('id', '=', view.id).execute();
    items.push(postItem(p, view.id));
  }

  const studies = createCaseStudyService(db);
  const paths: Record<StudyFate, TransitionAction[]> = {
    published: ['submit', 'review', 'verify', 'publish'],
    submitted: ['submit'],
    rejected: ['submit', 'reject'],
    draft: [],
  };
  for (const s of STUDIES) {
    const text = (field: StudyField, fallback: string) => (s.field === field ? sentence(s.language, s.words) : fallback);
    const input = {
      title: s.field === 'title' ? `Étude ${s.words.join(' ')}` : `Étude ${s.key}`,
      summary: text('summary', sentence(s.language, [])),
      text: text('text', 'Le corps du cas.'),
      partners: [{ name: 'Un partenaire', group: s.partnerGroup }],
      origin: s.origin,
      destination: s.destination,
      implementation: s.implementation,
      level: 'regional',
      themes: s.themes,
      sdgTargets: ['10.7'],
      stage: 'implementing',
      funding: [],
      results: text('results', 'Des résultats.'),
      indicators: 'Des indicateurs.',
      worked: text('worked', 'Ce qui a marché.'),
      didNotWork: 'Ce qui n’a pas marché.',
      subQuestions: s.subQuestions.map((n) => String(subQuestions.get(n)!)),
      contact: 'someone@example.org',
      attribution: s.attribution,
      visibility: s.visibility,
      language: s.language,
    };
    const id = await studies.save(users[s.author], consultationId, input, { submit: false });
    for (const action of paths[s.fate]) await studies.transition(action === 'submit' ? users[s.author] : users.moderator, id, action, 'Une note');
    await db.updateTable('caseStudies').set({ createdAt: dateIn(s.month) }).where('id', '=', id).execute();
    items.push(studyItem(s, id));
  }

  const keyPointIds = new Map<string, number>();
  for (const [i, k] of KEY_POINTS.entries()) {
    const at = dateIn(k.month);
    const row = await db
      .insertInto('keyPoints')
      .values({
        consultationId,
        questionId: questions.get(k.question)!,
        heading: k.field === 'heading' ? `Point ${k.words.join(' ')}` : `Point ${k.key}`,
        summary: k.field === 'summary' ? sentence(k.language, k.words) : sentence(k.language, []),
        position: i + 1,
        language: k.language,
        authorId: users.moderator,
        clientId: null,
        createdAt: at,
        updatedAt: at,
        mergedIntoId: k.mergedInto ? keyPointIds.get(k.mergedInto)! : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    keyPointIds.set(k.key, row.id);
    items.push(keyPointItem(k, row.id));
  }

  for (const n of NOTES) {
    const row = await db
      .insertInto('notes')
      .values({
        consultationId,
        questionId: n.question ? questions.get(n.question)! : null,
        stakeholderGroup: n.group,
        title: n.field === 'title' ? `Note ${n.words.join(' ')}` : `Note ${n.key}`,
        text: n.field === 'text' ? sentence('fr', n.words) : sentence('fr', []),
        createdBy: users.moderator,
        createdAt: dateIn('2026-01'),
        updatedAt: dateIn(n.month),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    items.push(noteItem(n, row.id));
  }

  search = createSearchService(db);
});
afterAll(() => handle?.drop());

// ---------------------------------------------------------------------------------------------
// The comparisons.
// ---------------------------------------------------------------------------------------------

const PAGE_SIZE = 2;
const itemKey = (i: { kind: string; id: number }) => `${i.kind}:${i.id}`;
const describeCase = (viewer: ViewerKey, query: QueryCase, filters: SearchFilters) => `${viewer} searching ${JSON.stringify(query.q)} under ${JSON.stringify(filters)}`;

/** The first page's total and facets against the oracle; returns the service's answer. */
async function checkCounts(viewer: ViewerKey, query: QueryCase, filters: SearchFilters) {
  const label = describeCase(viewer, query, filters);
  const hits = expectedHits(viewer, query, filters);
  const results = await search.search({ userId: viewerId(viewer), consultationId }, { q: query.q, filters, page: 1 });
  expect(results.problem, label).toBeNull();
  expect(results.total, `${label}: total (expected ${hits.map((h) => h.key).join(' ')})`).toBe(hits.length);
  for (const facet of SEARCH_FACETS) {
    const values = results.facets[facet].map((v) => v.value);
    expect(new Set(values).size, `${label}: ${facet} values once each`).toBe(values.length);
    expect(results.facets[facet].every((v) => v.count > 0), `${label}: ${facet} counts are positive`).toBe(true);
  }
  expect(actualCounts(results), label).toEqual(expectedCounts(hits));
  return { hits, results };
}

/** Every page of `PAGE_SIZE` hits: each expected hit exactly once, as many as `total`, and nothing past the last page. */
async function checkPages(viewer: ViewerKey, query: QueryCase, filters: SearchFilters) {
  const label = describeCase(viewer, query, filters);
  const expected = expectedHits(viewer, query, filters).map(itemKey).sort();
  const seen: string[] = [];
  const pages = Math.max(1, Math.ceil(expected.length / PAGE_SIZE));
  for (let page = 1; page <= pages + 1; page++) {
    const r = await search.search({ userId: viewerId(viewer), consultationId }, { q: query.q, filters, page }, { pageSize: PAGE_SIZE });
    expect(r.total, `${label}, page ${page}: total`).toBe(expected.length);
    expect(r.pageSize, label).toBe(PAGE_SIZE);
    const want = page <= pages ? Math.min(PAGE_SIZE, expected.length - (page - 1) * PAGE_SIZE) : 0;
    expect(r.hits, `${label}, page ${page}: hits on the page`).toHaveLength(Math.max(want, 0));
    seen.push(...r.hits.map(itemKey));
  }
  expect(seen.length, `${label}: hits over all pages`).toBe(new Set(seen).size);
  expect([...seen].sort(), `${label}: hits over all pages`).toEqual(expected);
}

/** The values worth filtering on: every value a facet shows unfiltered, and one nothing has. */
function filterChoices(viewer: ViewerKey, query: QueryCase): SearchFilters[] {
  const counts = expectedCounts(expectedHits(viewer, query, {}));
  const unknown: Partial<Record<SearchFacet, string>> = { question: '9', subQuestion: '1.9', theme: 'no-such-theme', group: 'no-such-group', language: 'de', country: 'ZZ', month: '2025-01' };
  return SEARCH_FACETS.flatMap((facet) => [...Object.keys(counts[facet]), ...(unknown[facet] ? [unknown[facet]!] : [])].map((value) => ({ [facet]: value })));
}

const queryNamed = (q: string) => QUERIES.find((c) => c.q === q)!;

describe('the oracle itself', () => {
  it('is fed a dataset where the cases differ: by viewer, by attribution, by summary the facets come from', () => {
    const zorblat = queryNamed('zorblat');
    const moderator = expectedCounts(expectedHits('moderator', zorblat, {}));
    const participant = expectedCounts(expectedHits('participant', zorblat, {}));
    // Groups come from authors (posts, case studies) and from notes: both kinds of source present.
    expect(Object.keys(moderator.group).sort()).toEqual(['business', 'civil-society', 'government', 'local-government']);
    // Bruno's posts and case studies (one rejected), and the business group's note.
    expect(expectedHits('moderator', zorblat, { group: 'business' }).map((i) => i.key).sort()).toEqual(['cs1', 'cs7', 'n1', 'p2', 'p6']);
    // A case study counted under two questions and three sub-questions; a country of origin and destination once.
    expect(moderator.question['2']).toBeGreaterThan(expectedHits('moderator', zorblat, { question: '2' }).filter((i) => i.kind !== 'case_study').length);
    expect(moderator.country.MA).toBe(1);
    expect(moderator.country.FR).toBeUndefined();
    // Each viewer sees something the others do not.
    const totals = VIEWERS.map((v) => expectedHits(v, zorblat, {}).length);
    expect(new Set(totals).size).toBe(VIEWERS.length);
    expect(participant.kind.key_point).toBeUndefined();
    // Found by attribution alone: Amara's named post with none of the words, by her name and her organisation.
    const p12 = items.find((i) => i.key === 'p12')!;
    expect(found(p12, queryNamed('Okonkwo')) && found(p12, queryNamed('kestrel'))).toBe(true);
    const p13 = items.find((i) => i.key === 'p13')!;
    expect(found(p13, queryNamed('Okonkwo'))).toBe(false);
    expect(found(p13, queryNamed('kestrel'))).toBe(true);
    expect(found(items.find((i) => i.key === 'p11')!, queryNamed('kestrel'))).toBe(false);
  });
});

describe('totals and facet counts against the oracle', () => {
  it('counts what each viewer finds for each query, unfiltered, and pages through it exactly once', async () => {
    for (const viewer of VIEWERS) {
      for (const query of QUERIES) {
        await checkCounts(viewer, query, {});
        await checkPages(viewer, query, {});
      }
    }
  });

  it('counts under every single filter a facet offers, and under values nothing has', async () => {
    // A common word, another, an exclusion with an organisation's word, a name: the other queries'
    // hits are these sets again or subsets of them (and are drawn with filters below).
    const swept = ['zorblat', 'quimbel', 'kestrel -quimbel', 'Okonkwo'].map(queryNamed);
    for (const viewer of ['participant', 'moderator'] as const) {
      for (const query of swept) {
        for (const filters of filterChoices(viewer, query)) await checkCounts(viewer, query, filters);
      }
    }
  });

  it('counts and pages under combinations of filters (fast-check, fixed seed)', async () => {
    const pool: Record<SearchFacet, string[]> = {
      kind: ['post', 'case_study', 'key_point', 'note'],
      question: ['1', '2', '3', '9'],
      subQuestion: ['1.2', '1.3', '2.1', '2.3', '2.4', '3.1', '3.2', '1.9'],
      theme: ['skills', 'technology', 'protection', 'labour-governance', 'no-such-theme'],
      group: ['civil-society', 'business', 'government', 'local-government', 'no-such-group'],
      language: ['fr', 'en', 'es', 'de'],
      country: ['SN', 'MA', 'ES', 'FR', 'IT', 'ZZ'],
      month: [...unique(items.map((i) => i.month)), '2025-01'],
    };
    // Two or three filters at once (one alone is swept above), their values mostly those of one
    // item the viewer finds (drawn values alone would match nothing almost always), now and then
    // one drawn from every value there is.
    const drawn = fc.record({
      viewer: fc.constantFrom(...VIEWERS),
      query: fc.constantFrom(...QUERIES),
      anchor: fc.nat(),
      facets: fc.shuffledSubarray([...SEARCH_FACETS], { minLength: 2, maxLength: 3 }),
      picks: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
      stray: fc.boolean(),
    });
    let runs = 0;
    let runsFindingSomething = 0;
    await fc.assert(
      fc.asyncProperty(drawn, async ({ viewer, query, anchor, facets, picks, stray }) => {
        runs++;
        const candidates = expectedHits(viewer, query, {});
        const item = candidates.length ? candidates[anchor % candidates.length]! : null;
        const chosen: SearchFilters = {};
        facets.forEach((facet, i) => {
          const own = item && !(stray && i === facets.length - 1) ? valuesOf(item, facet) : [];
          const values = own.length ? own : pool[facet];
          chosen[facet] = values[picks[i]! % values.length]!;
        });
        const { hits } = await checkCounts(viewer, query, chosen);
        if (hits.length > 0) runsFindingSomething++;
        await checkPages(viewer, query, chosen);
      }),
      { seed: 20261201, numRuns: 40 },
    );
    // Not a sweep of empty answers: a good share of the combinations drawn find something.
    expect(runsFindingSomething, `${runsFindingSomething} of ${runs} runs found something`).toBeGreaterThanOrEqual(runs / 3);
  });

  it('counts the same inside a caller’s transaction (PostgreSQL: the search sets its planner option there)', async () => {
    const query = queryNamed('zorblat');
    const inside = await handle.db.transaction().execute((trx) =>
      createSearchService(trx).search({ userId: users.moderator, consultationId }, { q: query.q, filters: { kind: 'post' }, page: 1 }, { pageSize: PAGE_SIZE }),
    );
    const hits = expectedHits('moderator', query, { kind: 'post' });
    expect(inside.total).toBe(hits.length);
    expect(actualCounts(inside)).toEqual(expectedCounts(hits));
    // And after it, outside any transaction, as before.
    await checkCounts('moderator', query, {});
  });
});
