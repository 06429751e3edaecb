/**
 * Exports over HTTP (issue 13), against a real server, database and render worker threads: a
 * synthesis note as DOCX, PDF and Markdown (unzipped, pdftotext'd, pdffonts'd), with footnotes
 * worded through each source's attribution; a Chatham House canary that no export of any
 * requester carries; restricted sources kept from participants and bannered for rapporteurs; a
 * final note's version and SHA-256; a malformed stored note and withdrawn sources printing what
 * can be read; the refusals (401, 403 in the reader's language, 404), never a 500; one audit row
 * per export; the data as CSV (BOM, formulas neutralised) and JSON; the background report job;
 * and the server answering while a report renders.
 *
 * One server and one seeded consultation for the whole file (it must stay fast).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_POPPLER } from '../support/env';
import { applyRole } from '../../app/accounts/accounts.server';
import { groupLabels } from '../../app/consultations/localize';
import { i18nFor } from '../../app/i18n/i18n.server';
import { reviewedCaseStudy } from '../support/case-studies';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, threadId } from '../support/sockets';

const run = promisify(execFile);

let app: TestServer;
let dir: string;
const SLUG = 'gfmd-2020-partnerships';
const BASE = `/c/${SLUG}`;
const OTHER_SLUG = 'another-forum';
type User = Awaited<ReturnType<typeof createUser>>;
let moderator: User;
let rapporteur: User;
let participant: User;
let named: User;
let canary: User;
const CANARY_NAME = 'Quentin Canarywood';
const CANARY_ORG = 'Canary Holdings Zxq';
const ids = {} as Record<'named' | 'chatham' | 'clip' | 'hidden' | 'formula' | 'deleted' | 'caseStudy' | 'restricted' | 'rejected' | 'note' | 'finalNote' | 'brokenNote', number>;
let consultationId: number;
/** The site's own Chatham House label for a business participant, per language. */
const chathamLabel = {} as Record<'fr' | 'en' | 'es', string>;

const TITLE = 'Question 2 : synthèse des échanges';
const ACCENTED = 'Les élèves reçoivent leurs diplômes à Thiès';
const CHATHAM_TEXT = 'Skills are recognised regionally but applied by local offices.';
const RESTRICTED_TITLE = 'A restricted municipal agreement';

/** A client for `user` (or nobody) reading the site in `language` (the language cookie). */
const http = (user: User | undefined, language: 'fr' | 'en' | 'es' = 'en') =>
  new Client(app.url, { cookie: [user?.cookie, `palabre_lng=${language}`].filter(Boolean).join('; ') });

async function download(user: User | undefined, url: string, language: 'fr' | 'en' | 'es' = 'en') {
  const res = await http(user, language).get(url);
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** Markdown as read: its backslash escapes (the renderer escapes ASCII punctuation) undone. */
const markdownText = (bytes: Uint8Array) => new TextDecoder().decode(bytes).replace(/\\([!-/:-@[-`{-~])/g, '$1');

/** Every XML part of a DOCX, by path. */
async function unzip(bytes: Uint8Array): Promise<Record<string, string>> {
  const zip = await JSZip.loadAsync(bytes);
  const parts: Record<string, string> = {};
  for (const name of Object.keys(zip.files).filter((n) => n.endsWith('.xml') || n.endsWith('.rels'))) parts[name] = await zip.file(name)!.async('string');
  return parts;
}

/** The text of the XML's `w:t` runs, joined: what Word shows, without markup. */
const wordText = (xml: string) => [...xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'");

let pdfCount = 0;
async function pdfFile(bytes: Uint8Array) {
  const file = path.join(dir, `export-${++pdfCount}.pdf`);
  await writeFile(file, bytes);
  return file;
}
const pdfText = async (bytes: Uint8Array) => (await run('pdftotext', ['-enc', 'UTF-8', await pdfFile(bytes), '-'])).stdout;
const pdfFonts = async (bytes: Uint8Array) => (await run('pdffonts', [await pdfFile(bytes)])).stdout;

/** Everything a person could read in an export: the XML of a DOCX, the text of a PDF, else the bytes as UTF-8. */
async function readable(bytes: Uint8Array, mediaType: string): Promise<string> {
  if (mediaType.includes('wordprocessingml')) return Object.values(await unzip(bytes)).join('\n');
  if (mediaType.includes('pdf')) return pdfText(bytes);
  if (mediaType.includes('markdown')) return markdownText(bytes);
  return new TextDecoder().decode(bytes);
}

const element = { direction: 'ltr', format: '', indent: 0, version: 1 };
const words = (text: string) => ({ type: 'text', text, format: 0, detail: 0, mode: 'normal', style: '', version: 1 });
const citation = (kind: 'post' | 'case_study' | 'clip', id: number) => ({ type: 'citation', text: `[${kind}]`, kind, targetId: id, format: 0, detail: 0, mode: 'token', style: '', version: 1 });
const paragraph = (...children: object[]) => ({ ...element, type: 'paragraph', textFormat: 0, textStyle: '', children });
const heading = (tag: 'h2' | 'h3', text: string) => ({ ...element, type: 'heading', tag, children: [words(text)] });
const documentOf = (...children: object[]) => JSON.stringify({ root: { ...element, type: 'root', children } });

async function questionId(number: string) {
  return (await app.server.database.db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', number).executeTakeFirstOrThrow()).id;
}

async function writeNote(noteId: number, content: string) {
  const { services } = app.server;
  expect(await services.noteDocs.replace(noteId, content)).toBe(true);
  await services.noteDocs.save(noteId);
}

async function lastAuditId() {
  const row = await app.server.database.db.selectFrom('auditLog').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return Number(row?.id ?? 0);
}
async function exportAudits(after: number) {
  const rows = await app.server.database.db.selectFrom('auditLog').selectAll().where('id', '>', after).where('action', 'like', 'export.%').orderBy('id').execute();
  return rows.map((r) => ({ ...r, details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown> }));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'palabre-exports-'));
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
  const { services, database } = app.server;
  const consultation = (await services.consultations.getDefault())!;
  consultationId = consultation.id;
  for (const language of ['fr', 'en', 'es'] as const) {
    chathamLabel[language] = i18nFor(language).getFixedT(language)('posts.chathamLabel', { group: groupLabels(consultation, language).business });
  }

  moderator = await createUser(app, { role: 'moderator', name: 'Mona Moderator' });
  rapporteur = await createUser(app, { role: 'rapporteur', name: 'Rita Rapporteur' });
  participant = await createUser(app, { name: 'Paul Participant', stakeholderGroup: 'civil-society' });
  named = await createUser(app, { name: 'Aïssatou Ndiaye', organisation: 'Mairie de Thiès', stakeholderGroup: 'local-government' });
  canary = await createUser(app, { name: CANARY_NAME, organisation: CANARY_ORG, stakeholderGroup: 'business' });

  const thread = await threadId(app, '2.4');
  const post = async (author: User, text: string, attribution: 'named' | 'chatham') =>
    (await services.posts.create(author.id, { threadId: thread, clientId: clientId(), text, attribution }, 'en')).id;
  ids.named = await post(named, 'Les villes ont été à la table dès le début.', 'named');
  ids.chatham = await post(canary, CHATHAM_TEXT, 'chatham');
  ids.formula = await post(named, '=1+1 is what a spreadsheet would compute.', 'named');
  ids.deleted = await post(named, 'A remark its author later deleted.', 'named');
  await services.posts.remove(named.id, ids.deleted);
  ids.hidden = await post(named, 'Buy cheap watches, municipal discount.', 'named');
  await services.posts.moderate(moderator.id, ids.hidden, true, 'Advertising');

  const people = { authorId: named.id, moderatorId: moderator.id };
  ids.caseStudy = await reviewedCaseStudy(app, people, 'A municipal desk for diplomas', { visibility: 'public' });
  ids.restricted = await reviewedCaseStudy(app, people, RESTRICTED_TITLE, { visibility: 'restricted' });
  ids.rejected = await reviewedCaseStudy(app, people, 'A case study the moderators rejected', { steps: ['review'] });
  await services.caseStudies.transition(moderator.id, ids.rejected, 'reject', 'Not a practice');

  // A key point of question 2 clipping the Chatham House post (the report prints it with its source).
  const keyPointId = await services.compilation.createKeyPoint(moderator.id, await questionId('2'), { heading: 'Les bureaux appliquent les règles' });
  ids.clip = (await services.compilation.clip(moderator.id, { keyPointId, sourceKind: 'post', sourceId: ids.chatham, field: 'body', start: 0, end: 21, quote: 'Skills are recognised' })).clipId;

  // Question 2's note, citing every kind of source.
  ids.note = await services.notes.open(moderator.id, consultationId, { questionId: await questionId('2'), stakeholderGroup: null, title: TITLE });
  await writeNote(
    ids.note,
    documentOf(
      heading('h2', TITLE),
      heading('h3', 'Synthèse régionale'),
      paragraph(words(`${ACCENTED} `), citation('post', ids.named), words(', et les bureaux appliquent '), citation('post', ids.chatham), words(' '), citation('clip', ids.clip), words('.')),
      paragraph(words('Études de cas : '), citation('case_study', ids.caseStudy), citation('case_study', ids.restricted), words(' ; retirées : '), citation('post', ids.deleted), citation('case_study', ids.rejected), citation('post', ids.hidden)),
    ),
  );

  // Question 3's note, signed off through the note status flow (named version, lock, sign-off).
  ids.finalNote = await services.notes.open(moderator.id, consultationId, { questionId: await questionId('3'), stakeholderGroup: null, title: 'Question 3: synthesis' });
  await writeNote(ids.finalNote, documentOf(heading('h2', 'Question 3: synthesis'), paragraph(words('The final text, as the forum discussed it.'))));
  await services.notes.saveVersion(moderator.id, ids.finalNote, 'Before review');
  await services.notes.setStatus(moderator.id, ids.finalNote, 'lock');
  await services.notes.setStatus(rapporteur.id, ids.finalNote, 'finalise');

  // Question 1's note, never opened by anyone, whose stored document is damaged: its Yjs
  // snapshot cannot be loaded (so nothing re-derives it) and its derived content is cut off.
  ids.brokenNote = await services.notes.open(moderator.id, consultationId, { questionId: await questionId('1'), stakeholderGroup: null, title: 'Question 1: synthesis' });
  await database.db.updateTable('noteSnapshots').set({ data: Buffer.from([0xff, 0xff, 0xff, 0xff]) }).where('noteId', '=', ids.brokenNote).execute();
  await database.db.deleteFrom('noteUpdates').where('noteId', '=', ids.brokenNote).execute();
  await database.db
    .updateTable('notes')
    .set({ content: '{"root":{"type":"root","children":[{"type":"paragraph","children":[{"type":"text","text":"Premi', text: 'Première ligne lisible.\n\nSeconde partie, après la panne.' })
    .where('id', '=', ids.brokenNote)
    .execute();

  // Another consultation, for a note asked for under the wrong one.
  const row = await database.db.selectFrom('consultations').selectAll().where('id', '=', consultationId).executeTakeFirstOrThrow();
  const { id: _id, ...copy } = row;
  await database.db.insertInto('consultations').values({ ...copy, slug: OTHER_SLUG }).execute();
}, 60_000);

afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Tests that read a PDF back need poppler-utils (skipped with a message without it; CI has it). */
const itReadingPdfs = it.skipIf(!HAS_POPPLER);

describe('a synthesis note as a file', () => {
  it('downloads as DOCX with real footnotes worded through attribution, and no person in its properties', async () => {
    const { res, bytes } = await download(rapporteur, `${BASE}/notes/${ids.note}/export/docx?lang=fr`, 'fr');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="palabre-q2-synthesis-fr.docx"; filename*=UTF-8''palabre-q2-synthesis-fr.docx`);
    expect(res.headers.get('x-palabre-restricted')).toBe('1'); // the rapporteur's copy holds the restricted case study

    const parts = await unzip(bytes);
    const document = parts['word/document.xml']!;
    expect(document).toMatch(/<w:pStyle w:val="Heading\d"\/>/);
    expect(wordText(document)).toContain('Synthèse régionale');
    expect(wordText(document)).toContain(ACCENTED);
    expect(document).toContain('<w:footnoteReference');
    const footnotes = wordText(parts['word/footnotes.xml']!);
    expect(footnotes).toContain(`C-${ids.chatham} ${chathamLabel.fr}, sous-question 2.4`);
    expect(footnotes).toContain(CHATHAM_TEXT);
    expect(footnotes).toContain(`CL-${ids.clip} «\u00a0Skills are recognised\u00a0» — ${chathamLabel.fr}, C-${ids.chatham}, sous-question 2.4`); // a clip: its words, then its source
    expect(footnotes).toContain(`C-${ids.named} Aïssatou Ndiaye (Mairie de Thiès)`);
    expect(footnotes).toContain('[source retirée]');

    const core = parts['docProps/core.xml']!;
    expect(core).toContain('<dc:creator>Palabre</dc:creator>');
    expect(core).toContain('<cp:lastModifiedBy>Palabre</cp:lastModifiedBy>');
    const properties = Object.entries(parts).filter(([name]) => name.startsWith('docProps/'));
    expect(properties.length).toBeGreaterThan(0);
    for (const [name, xml] of properties) {
      for (const person of ['Rita Rapporteur', 'Mona Moderator', 'Aïssatou Ndiaye', CANARY_NAME, rapporteur.email]) expect(xml, name).not.toContain(person);
    }
  });

  itReadingPdfs('downloads as PDF with the footnotes and accents as text, and its fonts embedded', async () => {
    const { res, bytes } = await download(rapporteur, `${BASE}/notes/${ids.note}/export/pdf?lang=fr`, 'fr');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toContain(`filename="palabre-q2-synthesis-fr.pdf"; filename*=UTF-8''palabre-q2-synthesis-fr.pdf`);
    const text = (await pdfText(bytes)).replace(/\s+/g, ' ');
    expect(text).toContain(ACCENTED);
    expect(text).toContain('Synthèse régionale');
    expect(text).toContain(`${chathamLabel.fr}, sous-question 2.4`);
    expect(text).toContain('[source retirée]');
    const fonts = (await pdfFonts(bytes)).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThan(0);
    // Columns: name type encoding emb sub uni object ID; every font embedded.
    for (const line of fonts) expect(line).toMatch(/\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/);
  });

  it('downloads as Markdown with numbered footnotes, in the language asked for', async () => {
    const { res, bytes } = await download(rapporteur, `${BASE}/notes/${ids.note}/export/md?lang=es`, 'fr');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(res.headers.get('content-disposition')).toContain('filename="palabre-q2-synthesis-es.md"');
    const md = markdownText(bytes);
    expect(md).toContain(ACCENTED);
    expect(md).toMatch(/\[\^1\]/);
    expect(md).toContain(chathamLabel.es);
    expect(md).toContain('Nota de síntesis');
  });
});

describe('confidentiality', () => {
  it('no export, for anyone, carries the name or organisation of a Chatham House author', async () => {
    const urls = [
      ...['docx', 'pdf', 'md'].map((f) => `${BASE}/notes/${ids.note}/export/${f}?lang=en`),
      ...['csv', 'json'].flatMap((f) => [`${BASE}/q/2/contributions/${f}?lang=en`, `${BASE}/case-studies/catalogue/${f}?lang=en`]),
      `${BASE}/report/md?lang=fr`,
      `${BASE}/report/docx?lang=en`,
    ];
    let files = 0;
    for (const user of [participant, moderator, rapporteur]) {
      for (const url of urls) {
        const { res, bytes } = await download(user, url);
        expect([200, 403]).toContain(res.status);
        if (res.status === 200) files++;
        const text = await readable(bytes, res.headers.get('content-type') ?? '');
        expect(text, url).not.toContain(CANARY_NAME);
        expect(text, url).not.toContain(CANARY_ORG);
        expect(text, url).not.toContain(canary.id);
        if (res.status === 200 && (url.includes('/notes/') || url.includes('/contributions/') || url.includes('/report/'))) expect(text.replace(/\s+/g, ' '), url).toContain('Skills are recognised');
      }
    }
    expect(files).toBe(3 + 2 * urls.length); // a participant has the note only
  });

  itReadingPdfs('a participant gets a restricted case study as withdrawn and no banner; a rapporteur gets it, bannered', async () => {
    const docx = await download(participant, `${BASE}/notes/${ids.note}/export/docx?lang=en`);
    expect(docx.res.status).toBe(200);
    expect(docx.res.headers.get('x-palabre-restricted')).toBeNull();
    const parts = await unzip(docx.bytes);
    const all = Object.values(parts).join('\n');
    expect(all).not.toContain(RESTRICTED_TITLE);
    expect(all).not.toContain('Buy cheap watches'); // hidden by a moderator
    expect(all).not.toContain('RESTRICTED');
    expect(Object.keys(parts).filter((p) => /^word\/header\d*\.xml$/.test(p)).map((p) => wordText(parts[p]!)).join('')).toBe('');
    expect(wordText(parts['word/footnotes.xml']!)).toContain(`CS-${ids.restricted} [source withdrawn]`);
    const pdf = (await pdfText((await download(participant, `${BASE}/notes/${ids.note}/export/pdf?lang=en`)).bytes)).replace(/\s+/g, ' ');
    expect(pdf).not.toContain('RESTRICTED');
    expect(pdf).not.toContain(RESTRICTED_TITLE);
    expect(pdf).toContain('[source withdrawn]');

    const staff = await unzip((await download(rapporteur, `${BASE}/notes/${ids.note}/export/docx?lang=en`)).bytes);
    const headers = Object.keys(staff).filter((p) => /^word\/header\d*\.xml$/.test(p));
    expect(headers.length).toBeGreaterThan(0);
    for (const header of headers) expect(wordText(staff[header]!)).toContain('RESTRICTED: for moderators and rapporteurs only.');
    expect(wordText(staff['word/footnotes.xml']!)).toContain(RESTRICTED_TITLE);
    const staffPdf = (await pdfText((await download(rapporteur, `${BASE}/notes/${ids.note}/export/pdf?lang=en`)).bytes)).replace(/\s+/g, ' ');
    expect(staffPdf).toContain('RESTRICTED: for moderators and rapporteurs only.');
    expect(staffPdf).toContain(RESTRICTED_TITLE);
  });

  it('a citation whose source is gone (deleted post, rejected case study, hidden post) exports as "[source withdrawn]"', async () => {
    for (const user of [participant, moderator, rapporteur]) {
      const md = markdownText((await download(user, `${BASE}/notes/${ids.note}/export/md?lang=en`)).bytes);
      expect(md).not.toContain('Buy cheap watches');
      for (const marker of [`C-${ids.deleted}`, `CS-${ids.rejected}`, `C-${ids.hidden}`]) {
        expect(md).toContain(`[${marker}](#source-${marker.toLowerCase()}) [source withdrawn]`); // its footnote
        expect(md).toContain(`**${marker}** [source withdrawn]`); // its entry in the sources annex
      }
      expect(md).not.toContain('A remark its author later deleted');
      expect(md).not.toContain('A case study the moderators rejected');
    }
  });
});

describe('refusals', () => {
  it('answers 401, 403 in the reader’s language and 404 with a message, never a 500', async () => {
    const expectRefusal = async (user: User | undefined, url: string, status: number, message: string, language: 'fr' | 'en' | 'es' = 'en') => {
      const res = await http(user, language).get(url);
      expect(res.status, url).toBe(status);
      expect(res.headers.get('content-type'), url).toMatch(/^text\/html/);
      expect(res.headers.get('content-disposition'), url).toBeNull();
      expect(await res.text(), url).toContain(message);
    };
    const forbiddenFr = 'Vous ne pouvez pas télécharger cet export.';
    await expectRefusal(participant, `${BASE}/report/docx`, 403, forbiddenFr, 'fr');
    await expectRefusal(participant, `${BASE}/report/pdf?question=2`, 403, 'No puede descargar esta exportación.', 'es');
    await expectRefusal(participant, `${BASE}/q/2/contributions/csv`, 403, forbiddenFr, 'fr');
    await expectRefusal(participant, `${BASE}/case-studies/catalogue/json`, 403, 'You may not download this export.');
    // Accept-Language works too when no language was chosen.
    const accept = await new Client(app.url, { cookie: participant.cookie, 'accept-language': 'es' }).get(`${BASE}/q/2/contributions/json`);
    expect(accept.status).toBe(403);
    expect(await accept.text()).toContain('No puede descargar esta exportación.');

    const signIn = 'Sign in to download exports.';
    for (const url of [`${BASE}/notes/${ids.note}/export/docx`, `${BASE}/report/pdf`, `${BASE}/q/2/contributions/csv`, `${BASE}/case-studies/catalogue/csv`, `${BASE}/exports/nothing/file`]) {
      await expectRefusal(undefined, url, 401, signIn);
    }

    const notFound = 'There is nothing to export here.';
    await expectRefusal(rapporteur, `${BASE}/notes/999999/export/docx`, 404, notFound);
    await expectRefusal(rapporteur, `${BASE}/notes/abc/export/docx`, 404, notFound);
    await expectRefusal(rapporteur, `${BASE}/notes/99999999999999999999/export/md`, 404, notFound);
    await expectRefusal(rapporteur, `/c/${OTHER_SLUG}/notes/${ids.note}/export/md`, 404, notFound); // a note of another consultation
    await expectRefusal(rapporteur, `${BASE}/q/99/contributions/csv`, 404, notFound);
    await expectRefusal(rapporteur, `${BASE}/report/md?question=99`, 404, notFound);
    await expectRefusal(rapporteur, `${BASE}/exports/not-a-job/file`, 404, notFound);
    expect((await http(rapporteur).get(`/c/no-such-forum/notes/${ids.note}/export/md`)).status).toBe(404);

    const format = 'This export format does not exist.';
    await expectRefusal(rapporteur, `${BASE}/notes/${ids.note}/export/exe`, 404, format);
    await expectRefusal(rapporteur, `${BASE}/report/exe`, 404, format);
    await expectRefusal(rapporteur, `${BASE}/q/2/contributions/docx`, 404, format);
    await expectRefusal(rapporteur, `${BASE}/case-studies/catalogue/pdf`, 404, 'Ce format d’export n’existe pas.', 'fr');
  });

  // `question=` (empty) answered 404 "nothing to export", while the background job reads it as
  // the whole report; odd question numbers are refused, never a 500.
  it('reads an empty question as the whole report, and refuses odd ones with 404', async () => {
    const whole = await download(rapporteur, `${BASE}/report/md?question=`);
    expect(whole.res.status).toBe(200);
    expect(whole.res.headers.get('content-disposition')).toContain(`palabre-${SLUG}-report-en.md`);
    for (const odd of ['../1', '%E2%80%AE2', '2.4', '9'.repeat(3000), '2%00']) expect((await http(rapporteur).get(`${BASE}/report/md?question=${odd}`)).status).toBe(404);
    // A NUL reached PostgreSQL, which refuses it in text: 500 there. Same for the other routes' numbers and slugs.
    for (const url of [`${BASE}/q/2%00/contributions/csv`, `${BASE}/q/2%00`, `${BASE}/q/2/2.4%00`, `/c/gfmd%00/report/md`, `/c/gfmd%00`]) expect((await http(rapporteur).get(url)).status, url).toBe(404);
  });
});

describe('what a final note and a damaged note export', () => {
  // The derived copy an export reads followed the live document only every 2 s (deriveMs): a
  // note exported right after a co-editor typed lacked their words (the browser test saw it).
  it('a note exported right after an edit holds that edit, and so does the report', async () => {
    const { services } = app.server;
    const noteId = await services.notes.open(moderator.id, consultationId, { questionId: await questionId('5'), stakeholderGroup: null, title: 'Question 5: a fresh draft' });
    await writeNote(noteId, documentOf(heading('h2', 'Question 5: a fresh draft'), paragraph(words('First words.'))));
    // An edit applied to the live document, not yet derived (no save, well within deriveMs).
    expect(await services.noteDocs.replace(noteId, documentOf(heading('h2', 'Question 5: a fresh draft'), paragraph(words('Words typed a moment ago.'))))).toBe(true);
    const md = markdownText((await download(rapporteur, `${BASE}/notes/${noteId}/export/md?lang=en`)).bytes);
    expect(md).toContain('Words typed a moment ago.');
    expect(md).not.toContain('First words.');
    expect(await services.noteDocs.replace(noteId, documentOf(heading('h2', 'Question 5: a fresh draft'), paragraph(words('Then more words, just now.'))))).toBe(true);
    const report = markdownText((await download(rapporteur, `${BASE}/report/md?lang=en&question=5`)).bytes);
    expect(report).toContain('Then more words, just now.');
  });

  it('a final note carries its version and the SHA-256 of its stored content', async () => {
    const { db } = app.server.database;
    const stored = await db.selectFrom('notes').select(['content', 'status']).where('id', '=', ids.finalNote).executeTakeFirstOrThrow();
    expect(stored.status).toBe('final');
    const sha256 = createHash('sha256').update(stored.content, 'utf8').digest('hex');

    const md = markdownText((await download(participant, `${BASE}/notes/${ids.finalNote}/export/md?lang=en`)).bytes);
    expect(md).toContain('Final text, version 2, signed off on');
    expect(md).toContain(`SHA-256 of its content: ${sha256}`);
    const docx = await download(rapporteur, `${BASE}/notes/${ids.finalNote}/export/docx?lang=en`);
    expect(docx.res.headers.get('content-disposition')).toContain('filename="palabre-q3-synthesis-en.docx"');
    const parts = await unzip(docx.bytes);
    expect(wordText(parts['word/document.xml']!)).toContain(`SHA-256 of its content: ${sha256}`);
    expect(wordText(parts['word/document.xml']!)).toContain('version 2');

    const audit = await db.selectFrom('auditLog').select('details').where('action', '=', 'export.note').where('subjectId', '=', String(ids.finalNote)).orderBy('id', 'desc').executeTakeFirstOrThrow();
    const details = (typeof audit.details === 'string' ? JSON.parse(audit.details) : audit.details) as Record<string, unknown>;
    expect(details).toMatchObject({ version: 2, sha256, status: 'final' });
  });

  itReadingPdfs('a note whose stored document cannot be read exports its text and says so, never a 500', async () => {
    const md = await download(rapporteur, `${BASE}/notes/${ids.brokenNote}/export/md?lang=en`);
    expect(md.res.status).toBe(200);
    const text = markdownText(md.bytes);
    expect(text).toContain('stored document could not be read');
    expect(text).toContain('Première ligne lisible.');
    expect(text).toContain('Seconde partie, après la panne.');
    const docx = await download(participant, `${BASE}/notes/${ids.brokenNote}/export/docx?lang=fr`);
    expect(docx.res.status).toBe(200);
    const document = wordText((await unzip(docx.bytes))['word/document.xml']!);
    expect(document).toContain('Première ligne lisible.');
    expect(document).toContain('Le document enregistré de cette note n’a pas pu être lu');
    const pdf = await download(rapporteur, `${BASE}/notes/${ids.brokenNote}/export/pdf?lang=en`);
    expect(pdf.res.status).toBe(200);
    expect((await pdfText(pdf.bytes)).replace(/\s+/g, ' ')).toContain('Seconde partie, après la panne.');
  });
});

describe('the audit log', () => {
  it('records one row per export: what, who, which format and language', async () => {
    const cases = [
      { user: participant, url: `${BASE}/notes/${ids.note}/export/md?lang=fr`, action: 'export.note', subjectId: String(ids.note), format: 'md', language: 'fr' },
      { user: rapporteur, url: `${BASE}/report/md?lang=es&question=2`, action: 'export.report', subjectId: '2', format: 'md', language: 'es' },
      { user: moderator, url: `${BASE}/q/2/contributions/json?lang=en`, action: 'export.contributions', subjectId: '2', format: 'json', language: 'en' },
      { user: moderator, url: `${BASE}/case-studies/catalogue/csv?lang=fr`, action: 'export.case_studies', subjectId: String(consultationId), format: 'csv', language: 'fr' },
    ];
    for (const c of cases) {
      const before = await lastAuditId();
      expect((await http(c.user).get(c.url)).status).toBe(200);
      const rows = await exportAudits(before);
      expect(rows, c.url).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: c.action, actorId: c.user.id, consultationId, subjectId: c.subjectId });
      expect(rows[0]!.details).toMatchObject({ format: c.format, language: c.language });
    }
    // A refusal is not an export.
    const before = await lastAuditId();
    expect((await http(participant).get(`${BASE}/report/md`)).status).toBe(403);
    expect(await exportAudits(before)).toHaveLength(0);
  });
});

describe('the data as CSV and JSON', () => {
  it('CSV is UTF-8 with a BOM, parses back, and neutralises a formula', async () => {
    const { res, bytes } = await download(moderator, `${BASE}/q/2/contributions/csv?lang=fr`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain('filename="palabre-q2-contributions-fr.csv"');
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse(Buffer.from(bytes), { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];
    const bodies = records.map((r) => r.Texte);
    expect(bodies).toContain("'=1+1 is what a spreadsheet would compute.");
    expect(bodies).toContain('Les villes ont été à la table dès le début.');
    expect(bodies).toContain(CHATHAM_TEXT);
    expect(bodies.some((b) => b?.includes('later deleted'))).toBe(false);
    const chatham = records.find((r) => r.Texte === CHATHAM_TEXT)!;
    expect(Object.values(chatham).join('|')).not.toMatch(/Canary/);

    const json = await download(moderator, `${BASE}/q/2/contributions/json?lang=fr`);
    expect(json.res.headers.get('content-type')).toMatch(/^application\/json/);
    const parsed = JSON.parse(new TextDecoder().decode(json.bytes)) as unknown;
    expect(JSON.stringify(parsed)).toContain('=1+1 is what a spreadsheet would compute.'); // JSON is data: as written

    const catalogue = await download(rapporteur, `${BASE}/case-studies/catalogue/csv?lang=en`);
    expect(catalogue.res.status).toBe(200);
    const rows = parse(Buffer.from(catalogue.bytes), { bom: true, columns: true }) as Record<string, string>[];
    const titles = rows.map((r) => r.Title);
    expect(titles).toEqual(expect.arrayContaining(['A municipal desk for diplomas', RESTRICTED_TITLE]));
    expect(titles).not.toContain('A case study the moderators rejected');
  });
});

describe('the report as a background job', () => {
  itReadingPdfs('starts, shows progress, hands its owner the PDF and nobody else', async () => {
    const owner = http(rapporteur);
    const started = await owner.post(`${BASE}/exports`, { format: 'pdf', lang: 'es' }, { origin: app.url });
    expect(started.status).toBe(200);
    const { job } = (await started.json()) as { job: { id: string; state: string } };
    expect(job.id).toMatch(/\S/);
    let status = job;
    for (let i = 0; i < 300 && status.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const res = await owner.get(`${BASE}/exports/${job.id}`);
      expect(res.status).toBe(200);
      status = ((await res.json()) as { job: typeof job }).job;
    }
    expect(status).toMatchObject({ state: 'ready', fileName: `palabre-${SLUG}-report-es.pdf` });

    const file = await owner.get(`${BASE}/exports/${job.id}/file`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toContain(`filename="palabre-${SLUG}-report-es.pdf"`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
    const text = await pdfText(bytes);
    expect(text).not.toContain(CANARY_NAME);
    expect(text).not.toContain(CANARY_ORG);

    // Another user knows nothing of it.
    expect((await http(moderator).get(`${BASE}/exports/${job.id}`)).status).toBe(404);
    expect((await http(moderator).get(`${BASE}/exports/${job.id}/file`)).status).toBe(404);
    // A participant may not start one.
    const refused = await http(participant).post(`${BASE}/exports`, { format: 'pdf', lang: 'es' }, { origin: app.url });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'exports.errors.forbidden' });
    // Nor may another site, a visitor, or a format that does not exist.
    expect((await owner.post(`${BASE}/exports`, { format: 'pdf' }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await http(undefined).post(`${BASE}/exports`, { format: 'pdf' }, { origin: app.url })).status).toBe(401);
    expect((await owner.post(`${BASE}/exports`, { format: 'exe' }, { origin: app.url })).status).toBe(400);
    expect((await owner.get(`${BASE}/exports`)).status).toBe(405);

    // A job that cannot be made fails with a reason, not a 500.
    const missing = await owner.post(`${BASE}/exports`, { format: 'md', question: '99' }, { origin: app.url });
    const failing = ((await missing.json()) as { job: { id: string } }).job;
    let failed: { state: string; errorKey: string | null } = { state: 'running', errorKey: null };
    for (let i = 0; i < 100 && failed.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      failed = ((await (await owner.get(`${BASE}/exports/${failing.id}`)).json()) as { job: typeof failed }).job;
    }
    expect(failed).toMatchObject({ state: 'failed', errorKey: 'exports.errors.notFound' });
    expect((await owner.get(`${BASE}/exports/${failing.id}/file`)).status).toBe(404);
  });

  // A finished job's file was handed to its owner for ten minutes whatever became of them: a
  // rapporteur whose role was taken away could still download the report (restricted items
  // included) they started before.
  it('hands the file only to an owner who may still have the report', async () => {
    const { services } = app.server;
    const former = await createUser(app, { name: 'Fiona Former' });
    const setRole = (from: 'participant' | 'rapporteur', to: 'participant' | 'rapporteur') =>
      services.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: former.id, consultationId, from, to }));
    await setRole('participant', 'rapporteur');
    const owner = http(former);
    const started = await owner.post(`${BASE}/exports`, { format: 'md', lang: 'en' }, { origin: app.url });
    const answer = (await started.json()) as { job: { id: string; state: string } };
    expect(answer, String(started.status)).toHaveProperty('job');
    const { job } = answer;
    let status = job;
    for (let i = 0; i < 200 && status.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = ((await (await owner.get(`${BASE}/exports/${job.id}`)).json()) as { job: typeof job }).job;
    }
    expect(status.state).toBe('ready');
    await setRole('rapporteur', 'participant');
    const file = await owner.get(`${BASE}/exports/${job.id}/file`);
    expect(file.status).toBe(403);
    expect(file.headers.get('content-disposition')).toBeNull();
  });

  it('keeps answering while reports render (rendering is off the main thread)', async () => {
    let rendering = true;
    const reports = Promise.all(
      (['pdf', 'docx', 'pdf', 'docx'] as const).map((format, i) =>
        http(rapporteur)
          .get(`${BASE}/report/${format}?lang=${['fr', 'en', 'es', 'fr'][i]}`)
          .then(async (res) => {
            await res.arrayBuffer();
            return res.status;
          }),
      ),
    ).finally(() => {
      rendering = false;
    });
    // Pings while the reports are being made; a page answered in well under a second each time.
    const pings: number[] = [];
    while (rendering) {
      const t0 = performance.now();
      const res = await fetch(`${app.url}/healthz`);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      pings.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await reports).toEqual([200, 200, 200, 200]);
    expect(pings.length).toBeGreaterThanOrEqual(3);
    for (const ms of pings) expect(ms).toBeLessThan(1_500);
  });
});
