/**
 * The search page over HTTP (issue 15), on a real server: the page and its `.data` JSON as a
 * participant never carry a Chatham House author's name, organisation or country, whatever is
 * searched (their name, their words); hidden posts stay with moderators; odd and hostile
 * queries and parameters answer a page with words, never a 500; too many searches answer 429
 * with a message in the reader's language; the citation dialog's list comes from the search.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../app/i18n/locales/en.json';
import fr from '../../app/i18n/locales/fr.json';
import { LANGUAGE_COOKIE } from '../../app/i18n/config';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, threadId } from '../support/sockets';

let app: TestServer;
let limited: TestServer;
const SLUG = 'gfmd-2020-partnerships';
const CANARY = { name: 'Quillon Vantablack', organisation: 'Oxyrhynque Partners', country: 'IS' };
let participant: Awaited<ReturnType<typeof createUser>>;
let moderator: Awaited<ReturnType<typeof createUser>>;
const ids: Record<string, number> = {};

beforeAll(async () => {
  [app, limited] = await Promise.all([startTestServer({ POSTS_PER_MINUTE: '1000' }), startTestServer({ SEARCHES_PER_MINUTE: '3' })]);
  const canary = await createUser(app, { ...CANARY, stakeholderGroup: 'business' });
  participant = await createUser(app);
  moderator = await createUser(app, { role: 'moderator' });
  const { posts } = app.server.services;
  const thread = await threadId(app, '2.4');
  const post = async (author: string, text: string, attribution: 'named' | 'chatham') =>
    (await posts.create(author, { threadId: thread, clientId: clientId(), text, attribution, language: 'fr' }, 'fr')).id;
  ids.chatham = await post(canary.id, 'Les corridors de mobilité zyxolithiques protègent les saisonniers.', 'chatham');
  ids.hidden = await post(participant.id, 'Un texte zyxolithique que la modération masque.', 'named');
  await posts.moderate(moderator.id, ids.hidden, true, 'Hors sujet');
});
afterAll(async () => {
  await Promise.all([app?.close(), limited?.close()]);
});

const get = (server: TestServer, path: string, cookie?: string, language = 'en') =>
  fetch(new URL(path, server.url), { headers: { cookie: [cookie, `${LANGUAGE_COOKIE}=${language}`].filter(Boolean).join('; ') }, redirect: 'manual' });
const search = (q: string, extra = '') => `/c/${SLUG}/search?q=${encodeURIComponent(q)}${extra}`;

describe('the search page', () => {
  it('finds the Chatham House post by its words, never by its author, and never names them, on the page or in .data', async () => {
    for (const who of [participant.cookie, undefined]) {
      for (const path of [search('zyxolithiques'), search('zyxolithique corridors'), search('zyxolithiques').replace('/search?', '/search.data?')]) {
        const res = await get(app, path, who);
        expect(res.status, path).toBe(200);
        const body = await res.text();
        expect(body).toContain(`C-${ids.chatham}`);
        for (const secret of [CANARY.name, 'Quillon', 'Vantablack', CANARY.organisation, 'Oxyrhynque', 'Iceland', '"IS"']) expect(body, `${path} ${secret}`).not.toContain(secret);
        expect(body).not.toContain(`C-${ids.hidden}`);
      }
      for (const q of [CANARY.name, 'Vantablack', 'Oxyrhynque', 'Oxyrhynque Partners', 'vanta*']) {
        const body = await (await get(app, search(q).replace('/search?', '/search.data?'), who)).text();
        expect(body, q).not.toContain(`C-${ids.chatham}`);
        expect(body, q).not.toContain('zyxolithiques');
      }
    }
  });

  it('shows hidden posts to moderators, marked', async () => {
    const body = await (await get(app, search('zyxolithique'), moderator.cookie)).text();
    expect(body).toContain(`C-${ids.hidden}`);
    expect(body).toContain(en.search.status.hidden);
  });

  it('answers odd and hostile queries and parameters with a page, never an error', async () => {
    const odd = [
      search(''),
      search('   '),
      search('x'.repeat(10_000)),
      search('- * " «» ()'),
      search('-zyxolithique'),
      search('"unclosed zyxolithique'),
      search("'; drop table posts; --"),
      search('\u202ezyxolithique\u202c \u200b'),
      search('zyxolithique', '&page=-1&page=abc&kind=nonsense&question=%00&month=2026-13&group=%F0%9F%99%82'),
      search('zyxolithique', `&theme=${'t'.repeat(5000)}`),
      search('zyxolithique', '&page=0x10'),
      search('zyxolithique', '&page=1e308'),
      `/c/${SLUG}/search?q=%ff%fe`,
      `/c/${SLUG}/search?q[]=a&q[]=b`,
      `/c/${SLUG}/search`,
    ];
    for (const path of odd) {
      const res = await get(app, path, participant.cookie);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).not.toMatch(/Unexpected Server Error|stack|at [a-zA-Z]+ \(/);
    }
    const long = await (await get(app, search('x'.repeat(10_000)), participant.cookie, 'fr')).text();
    expect(long).toContain(fr.search.problem.tooLong.replace('{{max}}', '256').replace(/'/g, '&#x27;').slice(0, 30));
  });

  it('answers too many searches with 429 and words in the reader’s language', async () => {
    const statuses: number[] = [];
    let last = '';
    for (let i = 0; i < 5; i++) {
      const res = await get(limited, search(`mobilité ${i}`), undefined, 'fr');
      statuses.push(res.status);
      last = await res.text();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(last).toContain(fr.search.problem.busy.slice(0, 20));
    const limitedAgain = await get(limited, search('mobilité'));
    expect(Number(limitedAgain.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('limits the dialogs that search as one types too (five times the page limit), and the compilation’s search', async () => {
    const { services } = limited.server;
    const editor = await createUser(limited, { role: 'moderator', stakeholderGroup: 'government' });
    const consultation = (await services.consultations.getDefault())!;
    const question = (await services.consultations.getQuestion(consultation.id, '2'))!;
    const noteId = await services.notes.open(editor.id, consultation.id, { questionId: question.id, stakeholderGroup: 'government', title: 'Question 2: government input' });
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) statuses.push((await get(limited, `/c/${SLUG}/notes/${noteId}/sources?q=mob${'i'.repeat(i % 3)}`, editor.cookie)).status);
    expect(statuses.slice(0, 15).every((s) => s === 200)).toBe(true);
    const refused = await get(limited, `/c/${SLUG}/notes/${noteId}/key-points?q=mobilité`, editor.cookie);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ error: 'search.problem.busy' });
    expect(statuses[15]).toBe(429);
    // Listing without words is no search: not counted, not refused.
    expect((await get(limited, `/c/${SLUG}/notes/${noteId}/sources?q=`, editor.cookie)).status).toBe(200);
    // The compilation's search, limited per person: the page answers, with the message.
    for (let i = 0; i < 3; i++) await get(limited, `/c/${SLUG}/q/2/compilation?q=visa`, editor.cookie);
    const page = await get(limited, `/c/${SLUG}/q/2/compilation?q=visa`, editor.cookie);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(en.search.problem.busy.slice(0, 20));
  });
});

describe('the citation dialog', () => {
  it('lists what the search finds, as typed, attribution applied', async () => {
    const { services } = app.server;
    const consultation = (await services.consultations.getDefault())!;
    const question = (await services.consultations.getQuestion(consultation.id, '2'))!;
    const noteId = await services.notes.open(moderator.id, consultation.id, { questionId: question.id, stakeholderGroup: 'business', title: 'Question 2: business input' });
    const sources = async (q: string) =>
      ((await (await get(app, `/c/${SLUG}/notes/${noteId}/sources?q=${encodeURIComponent(q)}`, moderator.cookie)).json()) as { sources: { id: number }[] }).sources;
    // The last word as typed is a prefix; the hidden post is no source, even to a moderator.
    const found = await sources('zyxolith');
    expect(found.map((s) => s.id)).toEqual([ids.chatham]);
    expect(JSON.stringify(found)).not.toMatch(/Vantablack|Oxyrhynque/);
    expect((await sources('corridors zyxolithiques')).map((s) => s.id)).toEqual([ids.chatham]);
    expect(await sources('Vantablack')).toEqual([]);
  });
});

describe('the compilation’s sources', () => {
  it('lists the question’s sources the search finds, with their clip tools, attribution applied', async () => {
    const page = async (q: string, language = 'en') => {
      const res = await get(app, `/c/${SLUG}/q/2/compilation?q=${encodeURIComponent(q)}`, moderator.cookie, language);
      expect(res.status).toBe(200);
      return res.text();
    };
    const found = await page('zyxolithiques');
    expect(found).toContain(`id="source-post-${ids.chatham}"`);
    expect(found).not.toContain(`id="source-post-${ids.hidden}"`);
    expect(found).not.toMatch(/Vantablack|Oxyrhynque/);
    expect(found).toContain('1 source holds “zyxolithiques”');
    // Another question's compilation does not find it.
    const elsewhere = await (await get(app, `/c/${SLUG}/q/3/compilation?q=zyxolithiques`, moderator.cookie)).text();
    expect(elsewhere).not.toContain(`id="source-post-${ids.chatham}"`);
    expect(await page('-zyxolithiques', 'fr')).toContain(fr.search.problem.onlyExclusions.slice(0, 25));
    expect(await page('x'.repeat(3000))).toContain('256');
  });
});
