/**
 * Where contributions went, over HTTP (issue 12): a post's thread page and a case study's page
 * show "reflected in key point N of question Q" and "cited in …" only to readers who may follow
 * the link (compilations: staff, participants from `synthesis`; notes: anyone signed in), the
 * survivor of a merge, and nothing about a Chatham House author on the page or in `.data`; and a
 * note's footnote says when its post was edited since it was cited, or hidden, on the page and
 * from the sources route, keeping the first-cited time across saves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { reviewedCaseStudy } from '../support/case-studies';
import { clientId, createUser, threadId } from '../support/sockets';

let app: TestServer;
const BASE = '/c/gfmd-2020-partnerships';
const THREAD = `${BASE}/q/2/2.4`;
type User = Awaited<ReturnType<typeof createUser>>;
let consultationId: number;
let questionId: number;
let moderator: User;
let participant: User;
let author: User;
let secret: User;
const ids = {} as Record<'chatham' | 'named' | 'caseStudy' | 'first' | 'second' | 'merged' | 'groupNote' | 'questionNote', number>;

const http = (user?: User) => new Client(app.url, { 'accept-language': 'en', ...(user ? { cookie: user.cookie } : {}) });
const page = async (user: User | undefined, path: string) => {
  const res = await http(user).get(path);
  expect(res.status).toBe(200);
  return res.text();
};
/** The backlinks list rendered under contribution `anchor` (`post-17`, `case-study-4`), or null. */
const backlinksUnder = (html: string, anchor: string) => {
  const start = html.indexOf(`id="${anchor}"`);
  expect(start).toBeGreaterThan(-1);
  const list = /<ul class="backlinks"[^>]*>([\s\S]*?)<\/ul>/.exec(html.slice(start, html.indexOf('</article>', start)));
  return list ? list[1]! : null;
};
const setPhase = (phase: 'open' | 'synthesis') => app.server.database.db.updateTable('consultations').set({ phase }).where('id', '=', consultationId).execute();

const citation = (kind: 'post' | 'case_study', id: number) => ({ type: 'citation', text: `[${kind}]`, kind, targetId: id, format: 0, detail: 0, mode: 'token', style: '', version: 1 });
const words = (text: string) => ({ type: 'text', text, format: 0, detail: 0, mode: 'normal', style: '', version: 1 });
const noteText = (...children: object[]) =>
  JSON.stringify({
    root: {
      type: 'root', direction: 'ltr', format: '', indent: 0, version: 1,
      children: [{ type: 'paragraph', direction: 'ltr', format: '', indent: 0, version: 1, textFormat: 0, textStyle: '', children }],
    },
  });
async function writeNote(noteId: number, content: string) {
  const { services } = app.server;
  await services.noteDocs.replace(noteId, content);
  await services.noteDocs.save(noteId);
}

async function post(by: User, text: string, attribution: 'named' | 'chatham') {
  return (await app.server.services.posts.create(by.id, { threadId: await threadId(app, '2.4'), clientId: clientId(), text, attribution }, 'en')).id;
}

async function caseStudy(title: string) {
  return reviewedCaseStudy(app, { authorId: author.id, moderatorId: moderator.id }, title);
}

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
  const { services, database } = app.server;
  consultationId = (await services.consultations.getDefault())!.id;
  questionId = (await database.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '2').executeTakeFirstOrThrow()).id;
  moderator = await createUser(app, { role: 'moderator', name: 'Mona Moderator' });
  participant = await createUser(app, { name: 'Paula Participant', stakeholderGroup: 'business' });
  author = await createUser(app, { name: 'Mariama Sow', organisation: 'Ville de Dakar', stakeholderGroup: 'local-government' });
  secret = await createUser(app, { name: 'Chatham Person', organisation: 'Secret Org', stakeholderGroup: 'business' });
  ids.chatham = await post(secret, 'Skills are recognised regionally but applied by local offices.', 'chatham');
  ids.caseStudy = await caseStudy('A municipal desk for diplomas');

  // Key points 1 and 2 of question 2; the chatham post clipped into the second; the case study
  // clipped into a third, merged into the first (its clip moves to the survivor).
  const { compilation } = services;
  ids.first = await compilation.createKeyPoint(moderator.id, questionId, { heading: 'Cities lead' });
  ids.second = await compilation.createKeyPoint(moderator.id, questionId, { heading: 'Local offices apply' });
  ids.merged = await compilation.createKeyPoint(moderator.id, questionId, { heading: 'One desk' });
  await compilation.clip(moderator.id, { keyPointId: ids.second, sourceKind: 'post', sourceId: ids.chatham, field: 'body', start: 0, end: 6, quote: 'Skills' });
  await compilation.clipWhole(moderator.id, { keyPointId: ids.merged, sourceKind: 'case_study', sourceId: ids.caseStudy, field: 'title' });
  await compilation.merge(moderator.id, { survivorId: ids.first, mergedId: ids.merged });

  // The question's synthesis note and a note drafted by civil society, both citing the chatham post.
  ids.questionNote = await services.notes.open(moderator.id, consultationId, { questionId, stakeholderGroup: null, title: 'Question 2 synthesis' });
  ids.groupNote = await services.notes.open(moderator.id, consultationId, { questionId, stakeholderGroup: 'civil-society', title: 'Civil society on question 2' });
  await writeNote(ids.questionNote, noteText(words('Offices apply '), citation('post', ids.chatham)));
  await writeNote(ids.groupNote, noteText(words('As said '), citation('post', ids.chatham), citation('case_study', ids.caseStudy)));
});
afterAll(() => app?.close());

describe('backlinks', () => {
  it('a moderator sees the key points and the notes, on the thread page and the case study page, the merge followed to its survivor', async () => {
    const thread = await page(moderator, THREAD);
    const links = backlinksUnder(thread, `post-${ids.chatham}`)!;
    expect(links).toContain(`<a href="${BASE}/q/2/compilation#key-point-${ids.second}">Reflected in key point 2 of question 2</a>`);
    expect(links).toContain(`<a href="${BASE}/notes/${ids.questionNote}">Cited in the synthesis note of question 2</a>`);
    expect(links).toContain(`<a href="${BASE}/notes/${ids.groupNote}">Cited in <bdi class="user-text">Civil society on question 2</bdi></a>`);
    // Nothing of the Chatham House author in what the backlinks say.
    for (const leak of ['Chatham Person', 'Secret Org', secret.id]) expect(links).not.toContain(leak);

    const study = await page(moderator, `${BASE}/case-studies/${ids.caseStudy}`);
    const studyLinks = backlinksUnder(study, `case-study-${ids.caseStudy}`)!;
    // Clipped into the merged point: it now points at the survivor, first of the list.
    expect(studyLinks).toContain(`<a href="${BASE}/q/2/compilation#key-point-${ids.first}">Reflected in key point 1 of question 2</a>`);
    expect(studyLinks).not.toContain(`key-point-${ids.merged}`);
    expect(studyLinks).toContain(`Civil society on question 2`);
  });

  it('a participant follows key points only once the consultation is in synthesis; notes as soon as signed in', async () => {
    const before = backlinksUnder(await page(participant, THREAD), `post-${ids.chatham}`)!;
    expect(before).not.toContain('key point');
    expect(before).toContain('Cited in the synthesis note of question 2');
    expect(backlinksUnder(await page(participant, `${BASE}/case-studies/${ids.caseStudy}`), `case-study-${ids.caseStudy}`)).not.toContain('key point');

    await setPhase('synthesis');
    try {
      const html = await page(participant, THREAD);
      expect(backlinksUnder(html, `post-${ids.chatham}`)).toContain(`Reflected in key point 2 of question 2`);
      expect(backlinksUnder(await page(participant, `${BASE}/case-studies/${ids.caseStudy}`), `case-study-${ids.caseStudy}`)).toContain('Reflected in key point 1 of question 2');
      // The page and its data name the chatham post's group only, backlinks included.
      const data = await (await http(participant).get(`${THREAD}.data`)).text();
      expect(data).toContain(`/q/2/compilation#key-point-${ids.second}`);
      expect(data).toContain('Civil society on question 2');
      for (const text of [html, data]) for (const leak of ['Chatham Person', 'Secret Org', secret.id]) expect(text).not.toContain(leak);
    } finally {
      await setPhase('open');
    }
  });

  it('an anonymous reader sees no backlink, not even to a group note', async () => {
    const html = await page(undefined, THREAD);
    expect(backlinksUnder(html, `post-${ids.chatham}`)).toBeNull();
    expect(html).not.toContain('Civil society on question 2');
    expect(await (await http().get(`${THREAD}.data`)).text()).not.toContain('Civil society on question 2');
    expect(backlinksUnder(await page(undefined, `${BASE}/case-studies/${ids.caseStudy}`), `case-study-${ids.caseStudy}`)).toBeNull();
  });
});

describe('footnotes of sources that changed since they were cited', () => {
  const footnote = (html: string, id: number) => new RegExp(`<li id="source-post-${id}"[^>]*data-state="(\\w+)" data-standing="(\\w+)"[^>]*>([\\s\\S]*?)</li>`).exec(html);
  const sources = async (user: User, noteId: number, refs: string) =>
    ((await (await http(user).get(`${BASE}/notes/${noteId}/sources?refs=${refs}`)).json()) as { sources: { id: number; state: string; standing: string }[] }).sources;

  it('say a post was edited since it was cited, keep saying it across saves, then that it was hidden', async () => {
    const { services } = app.server;
    const cited = await post(author, 'Diplomas are recognised at one municipal desk.', 'named');
    const noteId = ids.questionNote;
    await writeNote(noteId, noteText(words('Offices apply '), citation('post', ids.chatham), words(' at one desk '), citation('post', cited)));
    const fresh = footnote(await page(participant, `${BASE}/notes/${noteId}`), cited)!;
    expect(fresh.slice(1, 3)).toEqual(['available', 'fresh']);
    expect(fresh[3]).not.toContain('edited since it was cited');

    await new Promise((r) => setTimeout(r, 5)); // the edit comes strictly after the citation
    await services.posts.edit(author.id, { postId: cited, text: 'Diplomas were once recognised at one municipal desk.' });
    const edited = footnote(await page(participant, `${BASE}/notes/${noteId}`), cited)!;
    expect(edited.slice(1, 3)).toEqual(['available', 'changed']);
    expect(edited[3]).toContain('(edited since it was cited)');
    expect(await sources(participant, noteId, `post:${cited},post:${ids.chatham}`)).toMatchObject([
      { id: cited, state: 'available', standing: 'changed' },
      { id: ids.chatham, state: 'available', standing: 'fresh' },
    ]);

    // Saved again with more text: the citation keeps the time it was first cited.
    await writeNote(noteId, noteText(words('Offices apply '), citation('post', ids.chatham), words(' at one desk, as before '), citation('post', cited)));
    expect(footnote(await page(participant, `${BASE}/notes/${noteId}`), cited)![2]).toBe('changed');

    await services.posts.moderate(moderator.id, cited, true, 'Off topic');
    const hidden = footnote(await page(participant, `${BASE}/notes/${noteId}`), cited)!;
    expect(hidden.slice(1, 3)).toEqual(['hidden', 'hidden']);
    expect(hidden[3]).toContain(`[C-${cited}, hidden by a moderator]`);
    expect(hidden[3]).not.toContain('once recognised');
    expect((await sources(participant, noteId, `post:${cited}`))[0]).toMatchObject({ state: 'hidden', standing: 'hidden' });
  });

  it('tell staff who may still read it that a cited case study was rejected; others find it missing', async () => {
    const { services } = app.server;
    const rejected = await caseStudy('A desk that did not last');
    const noteId = ids.groupNote;
    await writeNote(noteId, noteText(words('As said '), citation('case_study', rejected)));
    await services.caseStudies.transition(moderator.id, rejected, 'unpublish', 'Figures to check');
    await services.caseStudies.transition(moderator.id, rejected, 'reject', 'The figures do not hold');
    const staff = await page(moderator, `${BASE}/notes/${noteId}`);
    expect(staff).toMatch(new RegExp(`<li id="source-case_study-${rejected}"[^>]*data-state="withdrawn" data-standing="rejected"`));
    expect(staff).toContain(`[CS-${rejected}, case study rejected since it was cited]`);
    expect(staff).not.toContain('A desk that did not last'); // still no words of it in a shared document
    const others = await page(participant, `${BASE}/notes/${noteId}`);
    expect(others).toMatch(new RegExp(`<li id="source-case_study-${rejected}"[^>]*data-state="missing" data-standing="missing"`));
  });
});
