/**
 * Clips of the compilation cited in synthesis notes, over HTTP (issue 12): the footnote of a clip
 * citation quotes the clipped words and names the source exactly as a citation of it would
 * (Chatham House: the group only, for every reader, moderators included), on the page without
 * JavaScript, in its `.data` JSON and from the sources route; a reader who may not read the
 * compilation (a participant before the `synthesis` phase), or the source, gets the unavailable
 * states and never the words; a source edited since it was clipped is flagged; note_citations
 * records the clip's source (coverage and backlinks count it); the key-points route lists what
 * an editor may insert, with role and phase checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, threadId } from '../support/sockets';

let app: TestServer;
const BASE = '/c/gfmd-2020-partnerships';
type User = Awaited<ReturnType<typeof createUser>>;
let consultationId: number;
let questionId: number;
let moderator: User;
let editor: User;
let secret: User;
let noteId: number;
let keyPointId: number;
const posts = {} as Record<'chatham' | 'hidden' | 'edited', number>;
const clips = {} as Record<'chatham' | 'hidden' | 'edited', number>;
const QUOTE = 'recognised regionally';
const LEAKS = ['Chatham Person', 'Secret Org'];

const http = (user?: User) => new Client(app.url, { 'accept-language': 'en', ...(user ? { cookie: user.cookie } : {}) });
const getJson = async (user: User | undefined, path: string) => {
  const res = await http(user).get(path);
  return { status: res.status, text: await res.text() };
};
const setPhase = (phase: string) => app.server.database.db.updateTable('consultations').set({ phase: phase as never }).where('id', '=', consultationId).execute();

async function post(author: User, text: string) {
  return (await app.server.services.posts.create(author.id, { threadId: await threadId(app, '2.4'), clientId: clientId(), text, attribution: 'chatham' }, 'en')).id;
}
async function clipOf(postId: number, text: string, quote: string) {
  const start = text.indexOf(quote);
  return (await app.server.services.compilation.clip(moderator.id, { keyPointId, sourceKind: 'post', sourceId: postId, field: 'body', start, end: start + quote.length, quote })).clipId;
}

const citation = (kind: string, id: number) => ({ type: 'citation', text: `[${kind}]`, kind, targetId: id, format: 0, detail: 0, mode: 'token', style: '', version: 1 });
const paragraph = (...children: object[]) => ({ type: 'paragraph', direction: 'ltr', format: '', indent: 0, version: 1, textFormat: 0, textStyle: '', children });
const words = (text: string) => ({ type: 'text', text, format: 0, detail: 0, mode: 'normal', style: '', version: 1 });
/** A boolean of the page's loader data, from its `.data` (turbo-stream: keys and values by index into one array). */
function loaderFlag(data: string, key: string): unknown {
  const values = JSON.parse(data.split('\n')[0]!) as unknown[];
  const index = values.indexOf(key);
  const holder = values.find((v): v is Record<string, number> => typeof v === 'object' && v !== null && !Array.isArray(v) && `_${index}` in v);
  return holder ? values[holder[`_${index}`]!] : undefined;
}
const footnotesOf = (html: string) => [...html.matchAll(/<li id="(source-[a-z_]+-\d+)"[^>]*data-state="(\w+)"/g)].map((m) => `${m[1]} ${m[2]}`);

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
  const { services, database } = app.server;
  consultationId = (await services.consultations.getDefault())!.id;
  await setPhase('open');
  moderator = await createUser(app, { role: 'moderator', name: 'Mona Moderator' });
  editor = await createUser(app, { name: 'Eddie Editor', stakeholderGroup: 'civil-society' });
  secret = await createUser(app, { name: 'Chatham Person', organisation: 'Secret Org', stakeholderGroup: 'business' });
  const chathamText = 'Skills are recognised regionally but applied by local offices.';
  posts.chatham = await post(secret, chathamText);
  posts.hidden = await post(secret, 'Diplomas wait months at the border offices.');
  posts.edited = await post(secret, 'Employers prefer short programmes.');
  questionId = (await database.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '2').executeTakeFirstOrThrow()).id;
  keyPointId = await services.compilation.createKeyPoint(moderator.id, questionId, { heading: 'Recognition is regional', summary: 'Skills are recognised at regional level; local offices apply the rules.' });
  clips.chatham = await clipOf(posts.chatham, chathamText, QUOTE);
  clips.hidden = await clipOf(posts.hidden, 'Diplomas wait months at the border offices.', 'wait months');
  clips.edited = await clipOf(posts.edited, 'Employers prefer short programmes.', 'short programmes');
  await services.posts.moderate(moderator.id, posts.hidden, true, 'Off topic');
  await services.posts.edit(secret.id, { postId: posts.edited, text: 'Employers prefer long programmes.' } as never);
  noteId = await services.notes.open(moderator.id, consultationId, { questionId, stakeholderGroup: null, title: 'Question 2: synthesis' });
  const content = JSON.stringify({
    root: {
      type: 'root', direction: 'ltr', format: '', indent: 0, version: 1,
      children: [
        paragraph(words('Recognition is regional '), citation('clip', clips.chatham), words(' '), citation('clip', clips.hidden)),
        paragraph(citation('clip', clips.edited), citation('clip', 987654)),
      ],
    },
  });
  expect(await services.noteDocs.replace(noteId, content)).toBe(true);
  await services.noteDocs.save(noteId);
});
afterAll(() => app?.close());

describe('the footnote of a clip citation', () => {
  it('before the synthesis phase: a participant gets the unavailable state and no words; moderators read it', async () => {
    const page = await getJson(editor, `${BASE}/notes/${noteId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<a class="citation" href="#source-clip-${clips.chatham}" data-citation="clip:${clips.chatham}">[CL-${clips.chatham}]</a>`);
    expect(footnotesOf(page.text)).toEqual([`source-clip-${clips.chatham} missing`, `source-clip-${clips.hidden} missing`, `source-clip-${clips.edited} missing`, 'source-clip-987654 missing']);
    expect(page.text).toContain(`[CL-${clips.chatham}, not found]`);
    for (const what of [QUOTE, `C-${posts.chatham}`, 'Business]']) expect(page.text).not.toContain(what);
    const data = await getJson(editor, `${BASE}/notes/${noteId}.data`);
    expect(data.text).not.toContain(QUOTE);
    expect(loaderFlag(data.text, 'canInsertKeyPoints')).toBe(false); // the editor's toolbar offers no key points yet
    const refs = JSON.parse((await getJson(editor, `${BASE}/notes/${noteId}/sources?refs=clip:${clips.chatham}`)).text) as { sources: object[] };
    expect(refs.sources).toEqual([{ kind: 'clip', id: clips.chatham, marker: `CL-${clips.chatham}`, state: 'missing', standing: 'missing', author: null, excerpt: null, thread: null, href: null }]);

    const staff = await getJson(moderator, `${BASE}/notes/${noteId}`);
    expect(staff.text).toContain(`[CL-${clips.chatham}]`);
    expect(staff.text).toContain(`“${QUOTE}”`);
    expect(staff.text).toContain(`[C-${posts.chatham}, Business]`);
    for (const leak of LEAKS) expect(staff.text).not.toContain(leak); // not even moderators: a note is a shared document
  });

  it('in the synthesis phase: the clipped words, then the source as its own citation shows it, for every reader', async () => {
    await setPhase('synthesis');
    try {
      for (const reader of [editor, moderator]) {
        const page = await getJson(reader, `${BASE}/notes/${noteId}`);
        expect(footnotesOf(page.text)).toEqual([
          `source-clip-${clips.chatham} available`,
          `source-clip-${clips.hidden} hidden`,
          `source-clip-${clips.edited} available`,
          'source-clip-987654 missing',
        ]);
        expect(page.text).toContain(`“${QUOTE}”`);
        expect(page.text).toContain(`[C-${posts.chatham}, Business]`);
        expect(page.text).toContain(`href="${BASE}/q/2/2.4#post-${posts.chatham}"`);
        // Hidden by a moderator: its state only, never the words.
        expect(page.text).toContain(`[CL-${clips.hidden}, hidden by a moderator]`);
        expect(page.text).not.toContain('wait months');
        // Edited since it was clipped: the clipped words, flagged.
        expect(page.text).toContain('“short programmes”');
        expect(page.text).toMatch(/data-clip-state="changed"[^>]*>\(Changed since/);
        for (const leak of [...LEAKS, secret.id]) expect(page.text).not.toContain(leak);

        const data = await getJson(reader, `${BASE}/notes/${noteId}.data`);
        expect(data.text).toContain(QUOTE);
        expect(loaderFlag(data.text, 'canInsertKeyPoints')).toBe(true);
        for (const leak of [...LEAKS, secret.id, 'wait months']) expect(data.text).not.toContain(leak);

        const refs = JSON.parse((await getJson(reader, `${BASE}/notes/${noteId}/sources?refs=clip:${clips.chatham},clip:${clips.hidden}`)).text) as { sources: Record<string, unknown>[] };
        expect(refs.sources[0]).toEqual({
          kind: 'clip',
          id: clips.chatham,
          marker: `CL-${clips.chatham}`,
          state: 'available',
          standing: 'fresh',
          author: { attribution: 'chatham', stakeholderGroup: 'business' },
          excerpt: QUOTE,
          thread: '2.4',
          href: `${BASE}/q/2/2.4#post-${posts.chatham}`,
          clip: { source: { kind: 'post', id: posts.chatham, marker: `C-${posts.chatham}` }, state: 'fresh' },
        });
        expect(refs.sources[1]).toMatchObject({ state: 'hidden', excerpt: null, author: null });
      }
    } finally {
      await setPhase('open');
    }
  });

  it('note_citations records each clip’s source, so coverage and backlinks count it as cited', async () => {
    const rows = await app.server.database.db.selectFrom('noteCitations').select(['sourceKind', 'sourceId']).where('noteId', '=', noteId).orderBy('sourceId').execute();
    expect(rows).toEqual([posts.chatham, posts.hidden, posts.edited].sort((a, b) => a - b).map((id) => ({ sourceKind: 'post', sourceId: id })));
  });
});

describe('the key points an editor may insert', () => {
  const keyPoints = (user: User | undefined, q = '') => getJson(user, `${BASE}/notes/${noteId}/key-points?q=${encodeURIComponent(q)}`);

  it('are refused while the compilation is closed to the editor, and to those who may not edit the note', async () => {
    expect(await keyPoints(editor)).toEqual({ status: 403, text: JSON.stringify({ error: 'compilation.forbiddenRead' }) });
    expect((await keyPoints(undefined)).status).toBe(401);
    expect((await keyPoints(editor, 'x'.repeat(201))).status).toBe(400);
    const staff = JSON.parse((await keyPoints(moderator)).text) as { keyPoints: { id: number }[] };
    expect(staff.keyPoints.map((p) => p.id)).toEqual([keyPointId]);
  });

  it('in the synthesis phase: the question’s key points with the clips one may cite, as their footnotes', async () => {
    await setPhase('synthesis');
    try {
      const { status, text } = await keyPoints(editor);
      expect(status).toBe(200);
      const body = JSON.parse(text) as { keyPoints: { id: number; question: string; heading: string; summary: string; clips: { id: number; excerpt: string; author: unknown }[] }[] };
      expect(body.keyPoints).toHaveLength(1);
      expect(body.keyPoints[0]).toMatchObject({ id: keyPointId, question: '2', heading: 'Recognition is regional' });
      // The hidden post's clip is left out; the others quote their words under the source's attribution.
      expect(body.keyPoints[0]!.clips.map((c) => [c.id, c.excerpt, c.author])).toEqual([
        [clips.chatham, QUOTE, { attribution: 'chatham', stakeholderGroup: 'business' }],
        [clips.edited, 'short programmes', { attribution: 'chatham', stakeholderGroup: 'business' }],
      ]);
      for (const leak of [...LEAKS, secret.id]) expect(text).not.toContain(leak);
      expect(JSON.parse((await keyPoints(editor, 'REGIONAL')).text).keyPoints).toHaveLength(1);
      expect(JSON.parse((await keyPoints(editor, 'nothing like it')).text).keyPoints).toEqual([]);
      expect(JSON.parse((await keyPoints(editor, '%')).text).keyPoints).toEqual([]); // a LIKE wildcard is a plain character
    } finally {
      await setPhase('open');
    }
  });
});
