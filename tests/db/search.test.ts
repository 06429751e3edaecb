/**
 * The search (issue 15) on a real database, SQLite or PostgreSQL: accents and case in French and
 * Spanish, plurals, phrases, exclusion, prefixes, facet counts, pagination, who finds what
 * (hidden, withdrawn, restricted, unpublished; key points and notes), attribution inside the
 * query (a Chatham House author's name or organisation finds nothing), the index kept in step by
 * the database itself (an edit, a rename), and queries that cannot be searched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRole, createAccountService } from '../../app/accounts/accounts.server';
import type { Role } from '../../app/accounts/roles';
import { createCaseStudyService } from '../../app/case-studies/case-studies.server';
import type { TransitionAction } from '../../app/case-studies/lifecycle';
import type { Attribution } from '../../app/contributions/attribution';
import { createPostService } from '../../app/posts/posts.server';
import { createSearchService, type SearchScope } from '../../app/search/search.server';
import type { SearchFilters, SearchResults } from '../../app/search/search-types';
import { seedConsultation } from '../../db/seeds/consultation';
import { openTestDatabase } from '../support/database';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let consultationId: number;
let search: ReturnType<typeof createSearchService>;
let posts: ReturnType<typeof createPostService>;
const users = {} as Record<'author' | 'canary' | 'reader' | 'moderator' | 'rapporteur', string>;
const ids = {} as Record<string, number>;
const threads = {} as Record<string, number>;
let subQuestionId: number;

const CANARY = { name: 'Zéphyrine Quetzalcoatl', organisation: 'Canarinho Fundación' };

async function user(key: string, name: string, organisation: string, group: string, role: Role | null) {
  const id = await createAccountService(handle.db).register({ email: `${key}@example.org`, name, organisation, stakeholderGroup: group, country: 'SN', password: 'a long enough password' });
  if (role) await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: id, consultationId, from: 'participant', to: role }));
  return id;
}

let n = 0;
async function post(key: string, text: string, language: 'fr' | 'en' | 'es', options: { thread?: string; author?: string; attribution?: Attribution } = {}) {
  const view = await posts.create(
    options.author ?? users.author,
    { threadId: threads[options.thread ?? '2.4']!, clientId: `search-${++n}`, text, attribution: options.attribution ?? 'named', language },
    'en',
  );
  ids[key] = view.id;
  return view.id;
}

const caseStudy = (title: string, summary: string, attribution: Attribution, visibility: 'public' | 'restricted') => ({
  title,
  summary,
  text: `Le corps du cas ${title}.`,
  partners: [{ name: 'Agence pour l’emploi', group: 'government' }],
  origin: ['SN'],
  destination: ['ES'],
  implementation: ['SN'],
  level: 'regional',
  themes: ['labour-governance'],
  sdgTargets: ['10.7'],
  stage: 'implementing',
  funding: [],
  results: 'Des résultats.',
  indicators: 'Des indicateurs.',
  worked: 'Ce qui a marché.',
  didNotWork: 'Ce qui n’a pas marché.',
  subQuestions: [String(subQuestionId)],
  contact: 'someone@example.org',
  attribution,
  visibility,
  language: 'fr',
});

beforeAll(async () => {
  handle = await openTestDatabase();
  ({ consultationId } = await seedConsultation(handle.db));
  for (const row of await handle.db.selectFrom('threads').select(['id', 'number', 'subQuestionId']).where('consultationId', '=', consultationId).execute()) {
    threads[row.number] = row.id;
    if (row.number === '2.4') subQuestionId = row.subQuestionId!;
  }
  users.author = await user('author', 'Aminata Diallo', 'Collectif des migrants de Thiès', 'civil-society', null);
  users.canary = await user('canary', CANARY.name, CANARY.organisation, 'business', null);
  users.reader = await user('reader', 'Bruno Keller', 'Keller AG', 'business', null);
  users.moderator = await user('moderator', 'Mona Moderator', 'GFMD Support Unit', 'government', 'moderator');
  users.rapporteur = await user('rapporteur', 'Rita Rapporteur', 'GFMD Support Unit', 'government', 'rapporteur');
  posts = createPostService(handle.db, { publish: () => {}, postsPerMinute: 1000 });
  search = createSearchService(handle.db);

  await post('digital', 'Les compétences numériques des travailleuses migrantes sont reconnues par les employeurs.', 'fr');
  await post('digitalOne', 'Une compétence numérique reconnue vaut mieux qu’un diplôme ignoré.', 'fr', { thread: '3.2' });
  await post('ninos', 'Los niños migrantes necesitan políticas de protección en cada ciudad.', 'es');
  await post('ciudades', 'Las ciudades fronterizas aplican una política común.', 'es', { thread: '3.2' });
  await post('phrase', 'Le recrutement équitable protège les travailleurs.', 'fr');
  await post('apart', 'Un accord équitable pour le recrutement des saisonniers.', 'fr');
  await post('english', 'Fair recruitment policies for seasonal workers.', 'en');
  await post('hyphen', 'An AI job-matching platform for pre-departure orientation.', 'en', { thread: '1.1' });
  await post('canary', 'Une contribution sous la règle de Chatham House sur le recrutement.', 'fr', { author: users.canary, attribution: 'chatham' });
  await post('canaryNamed', 'Ce message signé parle de gouvernance locale.', 'fr', { author: users.canary, attribution: 'named' });
  await post('orgOnly', 'Un message attribué à une organisation sur la gouvernance.', 'fr', { attribution: 'organisation' });
  await post('hidden', 'Un message masqué sur la xénophobie.', 'fr');
  await posts.moderate(users.moderator, ids.hidden!, true, 'Hors sujet');
  await post('deleted', 'Un message retiré sur la xénophobie.', 'fr');
  await posts.remove(users.author, ids.deleted!);
  await post('visibleRare', 'La xénophobie recule quand les villes accueillent.', 'fr');

  const cs = createCaseStudyService(handle.db);
  const bring = async (key: string, input: ReturnType<typeof caseStudy>, path: TransitionAction[]) => {
    const id = await cs.save(users.author, consultationId, input, { submit: false });
    for (const action of path) await cs.transition(action === 'submit' ? users.author : users.moderator, id, action, 'Une note');
    ids[key] = id;
  };
  const publish: TransitionAction[] = ['submit', 'review', 'verify', 'publish'];
  await bring('study', caseStudy('Passerelles de compétences', 'Un partenariat pour les compétences numériques des jeunes.', 'named', 'public'), publish);
  await bring('restricted', caseStudy('Accord confidentiel', 'Un accord restreint sur la xénophobie.', 'named', 'restricted'), publish);
  await bring('rejected', caseStudy('Projet refusé', 'Un projet refusé sur la xénophobie.', 'named', 'public'), ['submit', 'reject']);
  await bring('canaryStudy', caseStudy('Étude discrète', 'Une étude sous la règle de Chatham House.', 'chatham', 'public'), publish);

  const question3 = await handle.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '3').executeTakeFirstOrThrow();
  const now = new Date().toISOString();
  const point = await handle.db
    .insertInto('keyPoints')
    .values({ consultationId, questionId: question3.id, heading: 'Reconnaître les compétences acquises', summary: 'Les employeurs reconnaissent les compétences numériques.', position: 1, language: 'fr', authorId: users.moderator, clientId: null, createdAt: now, updatedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  ids.keyPoint = point.id;
  const note = await handle.db
    .insertInto('notes')
    .values({ consultationId, questionId: question3.id, stakeholderGroup: null, title: 'Note de synthèse', text: 'La synthèse retient que les compétences numériques ouvrent des voies régulières.', createdBy: users.moderator, createdAt: now, updatedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  ids.note = note.id;
});
afterAll(() => handle?.drop());

const as = (who: keyof typeof users | 'anonymous') => ({ userId: who === 'anonymous' ? null : users[who], consultationId });
const find = (who: keyof typeof users | 'anonymous', q: string, filters: SearchFilters = {}, page = 1, scope: SearchScope = {}) =>
  search.search(as(who), { q, filters, page }, scope);
const keys = (r: SearchResults) => r.hits.map((h) => `${h.kind}:${h.id}`).sort();
const postKeys = (...names: string[]) => names.map((k) => `post:${ids[k]}`).sort();
const postsOf = (r: SearchResults) => r.hits.filter((h) => h.kind === 'post').map((h) => `post:${h.id}`).sort();

describe('words, accents, case and plurals', () => {
  it('finds French words without their accents and in capitals', async () => {
    for (const q of ['competences numeriques', 'COMPÉTENCES NUMÉRIQUES', 'Compétences Numériques']) {
      const r = await find('reader', q);
      expect(postsOf(r), q).toEqual(postKeys('digital', 'digitalOne'));
    }
  });

  it('finds the singular from the plural and the plural from the singular, in French and Spanish', async () => {
    expect(postsOf(await find('reader', 'compétence'))).toEqual(postKeys('digital', 'digitalOne'));
    expect(postsOf(await find('reader', 'ciudad'))).toEqual(postKeys('ninos', 'ciudades'));
    expect(postsOf(await find('reader', 'ciudades'))).toEqual(postKeys('ninos', 'ciudades'));
    expect(postsOf(await find('reader', 'politica'))).toEqual(postKeys('ninos', 'ciudades'));
    expect(postsOf(await find('reader', 'ninos'))).toEqual(postKeys('ninos'));
    expect(postsOf(await find('reader', 'NIÑO'))).toEqual(postKeys('ninos'));
  });

  it('takes short common words as they are written (PostgreSQL drops them as stop words, with their plural forms)', async () => {
    // SQLite keeps every word; PostgreSQL drops "une", and finds the other post on compétences too.
    expect(postsOf(await find('reader', 'une compétence'))).toEqual(handle.kind === 'postgres' ? postKeys('digital', 'digitalOne') : postKeys('digitalOne'));
    expect(postsOf(await find('reader', 'for seasonal workers'))).toEqual(postKeys('english'));
    expect(postsOf(await find('reader', '"for seasonal workers"'))).toEqual(postKeys('english'));
    expect(postsOf(await find('reader', 'las ciudades'))).toEqual(handle.kind === 'postgres' ? postKeys('ninos', 'ciudades') : postKeys('ciudades'));
    expect(postsOf(await find('reader', 'for seasonal -workers'))).toEqual([]);
  });

  it('ANDs words', async () => {
    expect(postsOf(await find('reader', 'recrutement travailleurs'))).toEqual(postKeys('phrase'));
  });

  it('matches an exact phrase only where its words follow each other', async () => {
    expect(postsOf(await find('reader', '"recrutement équitable"'))).toEqual(postKeys('phrase'));
    expect(postsOf(await find('reader', '«recrutement equitable»'))).toEqual(postKeys('phrase'));
    expect(postsOf(await find('reader', 'recrutement équitable'))).toEqual(postKeys('phrase', 'apart'));
  });

  it('matches a phrase across a hyphenated compound, as its parts (PostgreSQL indexed the compound too)', async () => {
    for (const q of ['"AI job matching platform"', '"ai job-matching"', '"job matching"', '"pre departure orientation"', 'job-matching']) {
      expect(postsOf(await find('reader', q)), q).toEqual(postKeys('hyphen'));
    }
  });

  it('excludes a word', async () => {
    expect(postsOf(await find('reader', 'recrutement -saisonniers'))).toEqual(postKeys('phrase', 'canary'));
    expect(postsOf(await find('reader', 'équitable -"recrutement des saisonniers"'))).toEqual(postKeys('phrase'));
  });

  it('matches a prefix', async () => {
    expect(postsOf(await find('reader', 'numéri*'))).toEqual(postKeys('digital', 'digitalOne'));
    expect(postsOf(await find('reader', 'numeri*'))).toEqual(postKeys('digital', 'digitalOne'));
  });

  it('highlights the matched words in a snippet of plain text', async () => {
    const hit = (await find('reader', 'competences')).hits.find((h) => h.id === ids.digital && h.kind === 'post')!;
    expect(hit.snippet.filter((p) => p.match).map((p) => p.text.toLowerCase())).toContain('compétences');
    expect(hit.snippet.map((p) => p.text).join('')).toContain('numériques');
    expect(hit.href).toMatch(new RegExp(`#post-${ids.digital}$`));
    expect(hit.marker).toBe(`C-${ids.digital}`);
    expect(hit.question).toBe('2');
    expect(hit.subQuestion).toBe('2.4');
  });
});

describe('who finds what', () => {
  it('never gives a participant or an anonymous reader hidden, withdrawn, restricted or unpublished items', async () => {
    for (const who of ['reader', 'anonymous', 'author'] as const) {
      const r = await find(who, 'xénophobie');
      expect(keys(r), who).toEqual([`post:${ids.visibleRare}`]);
      expect(r.total).toBe(1);
      expect(r.facets.kind).toEqual([{ value: 'post', count: 1 }]);
    }
  });

  it('gives moderators hidden posts and submitted case studies, marked; reviewers restricted ones', async () => {
    const moderator = await find('moderator', 'xénophobie');
    expect(keys(moderator)).toEqual([`case_study:${ids.rejected}`, `case_study:${ids.restricted}`, `post:${ids.hidden}`, `post:${ids.visibleRare}`].sort());
    expect(moderator.hits.find((h) => h.id === ids.hidden && h.kind === 'post')!.status).toBe('hidden');
    expect(moderator.hits.find((h) => h.id === ids.rejected && h.kind === 'case_study')!.status).toBe('rejected');
    const rapporteur = await find('rapporteur', 'xénophobie');
    expect(keys(rapporteur)).toEqual([`case_study:${ids.restricted}`, `post:${ids.visibleRare}`].sort());
    expect(rapporteur.hits.find((h) => h.kind === 'case_study')!.restricted).toBe(true);
  });

  it('finds key points for whoever reads the compilation, notes for whoever is signed in', async () => {
    const reader = await find('reader', 'compétences numériques');
    expect(reader.hits.map((h) => h.kind).sort()).toEqual(['case_study', 'note', 'post', 'post']);
    const anonymous = await find('anonymous', 'compétences numériques');
    expect(anonymous.hits.map((h) => h.kind).sort()).toEqual(['case_study', 'post', 'post']);
    const rapporteur = await find('rapporteur', 'compétences numériques');
    expect(rapporteur.hits.map((h) => h.kind).sort()).toEqual(['case_study', 'key_point', 'note', 'post', 'post']);
    const note = rapporteur.hits.find((h) => h.kind === 'note')!;
    // The passage: the matched words between the words around them, each part percent-encoded.
    expect(note.href).toBe(`/c/gfmd-2020-partnerships/notes/${ids.note}#:~:text=retient%20que%20les-,comp%C3%A9tences%20num%C3%A9riques,-ouvrent%20des%20voies`);
    const point = rapporteur.hits.find((h) => h.kind === 'key_point')!;
    expect(point.href).toMatch(new RegExp(`/q/3/compilation#key-point-${ids.keyPoint}$`));
  });

  it('finds an author by what their attribution shows, and a Chatham House author by nothing', async () => {
    for (const who of ['reader', 'moderator', 'anonymous'] as const) {
      for (const q of ['Zéphyrine', 'zephyrine quetzalcoatl', 'Quetzalcoatl', 'Canarinho', 'Canarinho Fundación', 'quetzal*']) {
        const r = await find(who, q);
        const found = r.hits.map((h) => `${h.kind}:${h.id}`);
        expect(found, `${who} ${q}`).not.toContain(`post:${ids.canary}`);
        expect(found, `${who} ${q}`).not.toContain(`case_study:${ids.canaryStudy}`);
      }
      // Found by name only where the attribution names them: their named post.
      expect(postsOf(await find(who, 'Quetzalcoatl')), who).toEqual(postKeys('canaryNamed'));
      // Their Chatham House post, found by its words, names no one but to moderators.
      const byWords = await find(who, 'Chatham recrutement');
      expect(postsOf(byWords)).toEqual(postKeys('canary'));
      const shown = JSON.stringify(byWords.hits.map(({ realAuthor: _real, ...hit }) => hit));
      expect(shown).not.toMatch(/Quetzalcoatl|Zéphyrine|Canarinho|SN/);
      expect(byWords.hits[0]!.author).toEqual({ attribution: 'chatham', stakeholderGroup: 'business' });
      expect(byWords.hits[0]!.realAuthor?.name).toBe(who === 'moderator' ? CANARY.name : undefined);
    }
    // An organisation attribution is found by its organisation, not by its author's name.
    expect(postsOf(await find('reader', 'Collectif Thiès gouvernance'))).toEqual([]);
    const byOrganisation = postsOf(await find('reader', 'Collectif migrants Thiès'));
    expect(byOrganisation).toContain(`post:${ids.orgOnly}`);
    expect(postsOf(await find('reader', 'Aminata Diallo'))).not.toContain(`post:${ids.orgOnly}`);
  });
});

describe('facets and pages', () => {
  it('counts every facet over everything found, under the filters chosen', async () => {
    const r = await find('rapporteur', 'compétences numériques');
    expect(r.total).toBe(5);
    expect(r.facets.kind).toEqual([
      { value: 'post', count: 2 },
      { value: 'case_study', count: 1 },
      { value: 'key_point', count: 1 },
      { value: 'note', count: 1 },
    ]);
    expect(r.facets.question).toEqual([
      { value: '2', count: 2 },
      { value: '3', count: 3 },
    ]);
    expect(r.facets.subQuestion).toEqual([
      { value: '2.4', count: 2 },
      { value: '3.2', count: 1 },
    ]);
    expect(r.facets.language).toEqual([{ value: 'fr', count: 4 }]);
    expect(r.facets.group).toEqual([{ value: 'civil-society', count: 3 }]);
    expect(r.facets.theme).toEqual([{ value: 'labour-governance', count: 1 }]);
    expect(r.facets.country.map((c) => c.value).sort()).toEqual(['ES', 'SN']);
    const month = new Date().toISOString().slice(0, 7);
    expect(r.facets.month).toEqual([{ value: month, count: 5 }]);

    const narrowed = await find('rapporteur', 'compétences numériques', { question: '2' });
    expect(narrowed.total).toBe(2);
    expect(keys(narrowed)).toEqual([`case_study:${ids.study}`, `post:${ids.digital}`].sort());
    expect((await find('rapporteur', 'compétences numériques', { subQuestion: '3.2' })).total).toBe(1);
    expect((await find('rapporteur', 'compétences numériques', { kind: 'case_study' })).total).toBe(1);
    expect((await find('rapporteur', 'compétences numériques', { theme: 'labour-governance' })).total).toBe(1);
    expect((await find('rapporteur', 'compétences numériques', { country: 'SN' })).total).toBe(1);
    expect((await find('rapporteur', 'compétences numériques', { group: 'civil-society', kind: 'post' })).total).toBe(2);
    expect((await find('rapporteur', 'compétences numériques', { language: 'es' })).total).toBe(0);
    expect((await find('rapporteur', 'compétences numériques', { month })).total).toBe(5);
    // Unknown values filter everything out, and say nothing else.
    expect((await find('rapporteur', 'compétences numériques', { kind: 'nonsense' })).total).toBe(5);
    expect((await find('rapporteur', 'compétences numériques', { group: "x' or 1=1 --" })).total).toBe(0);
  });

  it('pages through results without overlap, with the same total', async () => {
    for (let i = 0; i < 25; i++) await post(`page${i}`, `Mobilité régionale numéro ${i} : la mobilité des étudiants ${'et encore '.repeat(i)}.`, 'fr', { thread: '1.1' });
    const first = await find('reader', 'mobilité');
    const second = await find('reader', 'mobilité', {}, 2);
    const third = await find('reader', 'mobilité', {}, 3);
    expect(first.total).toBe(25);
    expect(second.total).toBe(25);
    expect(first.hits).toHaveLength(20);
    expect(second.hits).toHaveLength(5);
    expect(third.hits).toHaveLength(0);
    const all = [...first.hits, ...second.hits].map((h) => h.id);
    expect(new Set(all).size).toBe(25);
    expect((await find('reader', 'mobilité', {}, 99999)).page).toBe(50);
    expect((await find('reader', 'mobilité', {}, -3)).page).toBe(1);
  });

  it('narrows to sources of one question for the citation and compilation tools', async () => {
    const question2 = await handle.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '2').executeTakeFirstOrThrow();
    const r = await find('moderator', 'xénophobie compétences', {}, 1, { kinds: ['post', 'case_study'], questionId: question2.id, sourcesOnly: true });
    expect(r.total).toBe(0);
    // Citable: visible posts, published case studies (restricted ones for reviewers); not the hidden post, nor the rejected study.
    const s = await find('moderator', 'xénophobie', {}, 1, { kinds: ['post', 'case_study'], questionId: question2.id, sourcesOnly: true });
    expect(keys(s)).toEqual([`case_study:${ids.restricted}`, `post:${ids.visibleRare}`].sort());
    const r3 = await find('reader', 'xénophobie', {}, 1, { kinds: ['post', 'case_study'], questionId: question2.id, sourcesOnly: true });
    expect(keys(r3)).toEqual([`post:${ids.visibleRare}`]);
  });
});

describe('the index follows the data', () => {
  it('an edited post is found by its new words only; a renamed author by their new name', async () => {
    const id = await post('edited', 'Un texte sur les corridors humanitaires.', 'fr');
    expect(postsOf(await find('reader', 'corridors'))).toEqual([`post:${id}`]);
    await posts.edit(users.author, { postId: id, text: 'Un texte sur les visas de travail.' } as never);
    expect(postsOf(await find('reader', 'corridors'))).toEqual([]);
    expect(postsOf(await find('reader', 'visas'))).toEqual([`post:${id}`]);
    await handle.db.updateTable('users').set({ name: 'Aminata Renamed' }).where('id', '=', users.author).execute();
    expect(postsOf(await find('reader', 'Aminata Renamed visas'))).toEqual([]);
    const renamed = await find('reader', 'Renamed');
    expect(postsOf(renamed)).toContain(`post:${id}`);
    expect(postsOf(await find('reader', 'Diallo'))).not.toContain(`post:${id}`);
    await handle.db.updateTable('users').set({ name: 'Aminata Diallo' }).where('id', '=', users.author).execute();
    expect(postsOf(await find('reader', 'Renamed'))).toEqual([]);
  });

  it('no row the application reads carries the index', async () => {
    const row = await handle.db.selectFrom('posts').selectAll().where('id', '=', ids.digital!).executeTakeFirstOrThrow();
    expect(Object.keys(row).some((k) => /vector/i.test(k))).toBe(false);
    const user = await handle.db.selectFrom('users').selectAll().where('id', '=', users.author).executeTakeFirstOrThrow();
    expect(Object.keys(user).some((k) => /vector/i.test(k))).toBe(false);
  });
});

describe('queries that cannot be searched, and hostile ones', () => {
  it('answers a clear problem for an empty, a 10,000-character or an operators-only query', async () => {
    expect((await find('reader', '')).problem).toBe('empty');
    expect((await find('reader', '   \u200b ')).problem).toBe('empty');
    expect((await find('reader', 'a'.repeat(10_000))).problem).toBe('tooLong');
    expect((await find('reader', '- * " " -- ** ()')).problem).toBe('operatorsOnly');
    expect((await find('reader', '-recrutement')).problem).toBe('onlyExclusions');
  });

  it('falls back to plain words on bad syntax, never an error', async () => {
    const r = await find('reader', '"recrutement équitable');
    expect(r.problem).toBeNull();
    expect(r.fellBack).toBe(true);
    expect(postsOf(r)).toEqual(postKeys('phrase', 'apart'));
    for (const q of [
      'recrutement OR 1=1',
      "'; drop table posts; --",
      'NEAR(recrutement équitable)',
      'body_text:recrutement',
      '{body_text} : recrutement',
      'recrutement & | ! <-> :* \\',
      'recrutement AND NOT',
      '^recrutement',
      '*recrutement',
      'recru**',
      '"" recrutement ""',
      '\u202erecrutement\u202c',
      '🙂 recrutement 🙂',
      'x'.repeat(256),
      '\ud800 recrutement',
      'NOT',
    ]) {
      const result = await find('moderator', q);
      expect(result.problem === null || ['operatorsOnly', 'empty'].includes(result.problem), q).toBe(true);
    }
    expect(await handle.db.selectFrom('posts').select('id').where('id', '=', ids.digital!).executeTakeFirst()).toBeDefined();
    expect(postsOf(await find('reader', 'recrutement OR 1=1'))).toEqual([]);
  });
});
