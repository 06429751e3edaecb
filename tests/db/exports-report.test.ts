/**
 * The consultation report (app/exports/report.server.ts) assembled from a real database: its
 * structure (cover, contents, the five questions in order, key points with their clips'
 * footnotes, notes with their citations as footnotes, both annexes, the statistics), footnotes
 * numbered in reading order and linked to Annex B, the same data read by a participant (no
 * restricted item, nothing flagged) and by a rapporteur (restricted items, banner and notice), a
 * Chatham House author named nowhere whoever reads, and a malformed stored note read as text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRole, createAccountService } from '../../app/accounts/accounts.server';
import type { Role } from '../../app/accounts/roles';
import { createCaseStudyService } from '../../app/case-studies/case-studies.server';
import { createCompilationService } from '../../app/compilation/compilation.server';
import type { Block, ExportDocument, Inline } from '../../app/exports/document';
import { inlineText } from '../../app/exports/document';
import { assembleReport, type ReportStage } from '../../app/exports/report.server';
import { exportT } from '../../app/exports/words.server';
import { createNoteDocs } from '../../app/notes/note-docs.server';
import { createNoteStore } from '../../app/notes/note-store.server';
import { createNoteService } from '../../app/notes/notes.server';
import { createPostService } from '../../app/posts/posts.server';
import { seedConsultation } from '../../db/seeds/consultation';
import { openTestDatabase } from '../support/database';

const CANARY = { name: 'Zebedee Canaryfield', organisation: 'Canary Secret Organisation' };
const ORIGIN = 'https://forum.example.org';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let consultationId: number;
const users = {} as Record<'moderator' | 'rapporteur' | 'participant' | 'author' | 'canary', string>;
/** Contribution ids: posts p1 (named, 3.2), p2 (Chatham House, 3.2), p3 (named, 1.1), p4 (hidden), p5 (deleted); case studies. */
const ids = { p1: 0, p2: 0, p3: 0, p4: 0, p5: 0, publicStudy: 0, canaryStudy: 0, laterRestricted: 0, draftStudy: 0, clipP1: 0, clipP2: 0, clipStudy: 0, q3Note: 0, wholeNote: 0, brokenNote: 0, emptyNote: 0 };

async function user(key: keyof typeof users, role: Role | null, group: string, name = `${key[0]!.toUpperCase()}${key.slice(1)} Example`, organisation = `${key} organisation`) {
  const id = await createAccountService(handle.db).register({ email: `${key}@example.org`, name, organisation, stakeholderGroup: group, country: 'SN', password: 'a long enough password' });
  if (role) await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: id, consultationId, from: 'participant', to: role }));
  users[key] = id;
}

// A note's Lexical JSON, as the editor stores it (see db/seeds/demo-notes.ts).
const element = { direction: 'ltr', format: '', indent: 0, version: 1 };
const plain = (text: string) => ({ type: 'text', text, format: 0, detail: 0, mode: 'normal', style: '', version: 1 });
const cite = (kind: 'post' | 'case_study' | 'clip', id: number) => ({ type: 'citation', text: `[${id}]`, kind, targetId: id, format: 0, detail: 0, mode: 'token', style: '', version: 1 });
const para = (...children: object[]) => ({ ...element, type: 'paragraph', textFormat: 0, textStyle: '', children });
const documentOf = (...children: object[]) => JSON.stringify({ root: { ...element, type: 'root', children } });

beforeAll(async () => {
  handle = await openTestDatabase();
  const { db } = handle;
  ({ consultationId } = await seedConsultation(db));
  await user('moderator', 'moderator', 'government');
  await user('rapporteur', 'rapporteur', 'government');
  await user('participant', null, 'business');
  await user('author', null, 'civil-society');
  await user('canary', null, 'business', CANARY.name, CANARY.organisation);

  const threads = await db.selectFrom('threads').select(['id', 'number']).where('consultationId', '=', consultationId).execute();
  const thread = (n: string) => threads.find((t) => t.number === n)!.id;
  const subQuestion = async (n: string) => String((await db.selectFrom('subQuestions').select('id').where('number', '=', n).executeTakeFirstOrThrow()).id);
  const posts = createPostService(db, { publish: () => {}, postsPerMinute: 10_000 });
  let seq = 0;
  const post = async (author: string, threadNumber: string, text: string, language: 'fr' | 'en' | 'es', attribution: 'named' | 'chatham') =>
    (await posts.create(author, { threadId: thread(threadNumber), clientId: `report-${++seq}-abcdef`, text, language, attribution }, 'fr')).id;
  ids.p1 = await post(users.author, '3.2', 'Cities should sit at the table from the design of a partnership.', 'en', 'named');
  ids.p2 = await post(users.canary, '3.2', 'Les employeurs reconnaissent les compétences au niveau régional.', 'fr', 'chatham');
  ids.p3 = await post(users.author, '1.1', 'Finding counterparts takes years of trust.', 'en', 'named');
  ids.p4 = await post(users.author, '3.2', 'A post a moderator hid.', 'en', 'named');
  ids.p5 = await post(users.author, '3.2', 'A post its author deleted.', 'en', 'named');
  await db.updateTable('posts').set({ status: 'hidden' }).where('id', '=', ids.p4).execute();
  await db.updateTable('posts').set({ status: 'deleted' }).where('id', '=', ids.p5).execute();

  const studies = createCaseStudyService(db);
  const study = async (author: string, title: string, overrides: Record<string, unknown>, publish = true) => {
    const id = await studies.save(
      author,
      consultationId,
      {
        title,
        summary: `${title}: a joint office recruits seasonal workers.`,
        text: 'The partnership pairs a public employment service with farmers’ associations.',
        partners: [{ name: 'National employment agency', group: 'government' }],
        origin: ['SN'],
        destination: ['ES'],
        implementation: ['SN'],
        level: 'regional',
        themes: ['labour-governance'],
        sdgTargets: ['10.7'],
        stage: 'implementing',
        funding: [],
        results: '1,450 workers placed.',
        indicators: 'Placements',
        worked: 'One office.',
        didNotWork: 'Housing.',
        subQuestions: [await subQuestion('3.1')],
        contact: 'programme@example.org',
        attribution: 'named',
        visibility: 'public',
        language: 'en',
        ...overrides,
      },
      { submit: false },
    );
    if (publish) {
      await studies.transition(author, id, 'submit');
      for (const action of ['review', 'verify', 'publish'] as const) await studies.transition(users.moderator, id, action, 'Thank you');
    }
    return id;
  };
  ids.publicStudy = await study(users.author, 'Circular labour mobility', {});
  ids.canaryStudy = await study(users.canary, 'Canary restricted practice', { attribution: 'chatham', visibility: 'restricted', language: 'fr' });
  ids.laterRestricted = await study(users.author, 'Skills passports', { language: 'es', subQuestions: [await subQuestion('3.2')] });
  ids.draftStudy = await study(users.author, 'Unpublished draft practice', {}, false);

  // Question 3's compilation: one key point quoting two posts and a case study that becomes restricted afterwards.
  const compilation = createCompilationService(db);
  const q3 = (await db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '3').executeTakeFirstOrThrow()).id;
  const keyPointId = await compilation.createKeyPoint(users.moderator, q3, { heading: 'Cities at the table', summary: 'Participants want local governments involved from the start.' });
  const clip = async (sourceKind: 'post' | 'case_study', sourceId: number, field: 'body' | 'summary') =>
    (await compilation.clipWhole(users.moderator, { keyPointId, sourceKind, sourceId, field })).clipId;
  ids.clipP1 = await clip('post', ids.p1, 'body');
  ids.clipP2 = await clip('post', ids.p2, 'body');
  ids.clipStudy = await clip('case_study', ids.laterRestricted, 'summary');
  await compilation.setStance(users.moderator, { clipId: ids.clipP2, stance: 'qualifies' });

  // Notes, written through the live document as the editor (and the demo seed) write them.
  const noteDocs = createNoteDocs(createNoteStore(db));
  const notes = createNoteService(db, noteDocs, { publishStatus: () => {} });
  try {
    ids.q3Note = await notes.open(users.moderator, consultationId, { questionId: q3, stakeholderGroup: null, title: 'Question 3: synthesis' });
    await noteDocs.replace(
      ids.q3Note,
      documentOf(
        para(plain('Cities lead partnerships '), cite('post', ids.p1), plain(', employers less so '), cite('post', ids.p2), plain('.')),
        para(plain('As the compilation says '), cite('clip', ids.clipP1), plain(', and a restricted practice '), cite('case_study', ids.canaryStudy), plain('.')),
      ),
    );
    ids.wholeNote = await notes.open(users.moderator, consultationId, { questionId: null, stakeholderGroup: null, title: 'Synthesis of the consultation' });
    await noteDocs.replace(ids.wholeNote, documentOf(para(plain('The five questions in one page '), cite('post', ids.p3), plain('.'))));
    const q5 = (await db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '5').executeTakeFirstOrThrow()).id;
    ids.brokenNote = await notes.open(users.moderator, consultationId, { questionId: q5, stakeholderGroup: 'civil-society', title: 'Question 5: civil society input' });
  } finally {
    await noteDocs.close();
  }
  // A stored document that cannot be read (a crash, a bad migration): its plain text remains.
  await db.updateTable('notes').set({ content: '{"root": {"children": [', text: 'Plain words survive.\n\nA second paragraph.' }).where('id', '=', ids.brokenNote).execute();
  // A row from before documents were derived: no stored document, nothing lost.
  const q4 = (await db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', '4').executeTakeFirstOrThrow()).id;
  const now = new Date().toISOString();
  ids.emptyNote = (
    await db
      .insertInto('notes')
      .values({ consultationId, questionId: q4, stakeholderGroup: null, title: 'Question 4: not started', content: '', text: '', html: '', createdBy: users.moderator, createdAt: now, updatedAt: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  // Clipped while public, restricted since: a clip now quoting a restricted case study.
  await db.updateTable('caseStudies').set({ visibility: 'restricted' }).where('id', '=', ids.laterRestricted).execute();
  // Participants read the compilation in the synthesis phase.
  await db.updateTable('consultations').set({ phase: 'synthesis' }).where('id', '=', consultationId).execute();
}, 30_000);
afterAll(() => handle?.drop());

const report = (userId: string, extra: Partial<Parameters<typeof assembleReport>[1]> = {}) =>
  assembleReport(handle.db, { userId, consultationId, language: 'en', siteOrigin: ORIGIN, ...extra });

const headings = (doc: ExportDocument, level?: number) =>
  doc.blocks.filter((b): b is Extract<Block, { type: 'heading' }> => b.type === 'heading' && (level === undefined || b.level === level));
const blockText = (block: Block): string => {
  switch (block.type) {
    case 'list':
      return block.items.map((item) => inlineText(item.children)).join('\n');
    case 'table':
      return block.rows.map((row) => row.map((cell) => inlineText(cell.children)).join(' | ')).join('\n');
    case 'contents':
    case 'page-break':
      return '';
    default:
      return inlineText(block.children);
  }
};
/** Every inline of the blocks, in reading order (lists and tables included). */
function inlinesOf(blocks: Block[]): Inline[] {
  const walk = (inlines: Inline[]): Inline[] => inlines.flatMap((i) => (i.type === 'link' || i.type === 'anchor-link' ? [i, ...walk(i.children)] : [i]));
  return blocks.flatMap((b) => {
    if (b.type === 'list') return b.items.flatMap((item) => walk(item.children));
    if (b.type === 'table') return b.rows.flatMap((row) => row.flatMap((cell) => walk(cell.children)));
    if (b.type === 'contents' || b.type === 'page-break') return [];
    return walk(b.children);
  });
}
/** The blocks of the part under heading `anchor`, up to the next heading of its level or above. */
function section(doc: ExportDocument, anchor: string): Block[] {
  const start = doc.blocks.findIndex((b) => b.type === 'heading' && b.anchor === anchor);
  expect(start, anchor).toBeGreaterThanOrEqual(0);
  const level = (doc.blocks[start] as Extract<Block, { type: 'heading' }>).level;
  const end = doc.blocks.findIndex((b, i) => i > start && b.type === 'heading' && b.level <= level);
  return doc.blocks.slice(start, end < 0 ? undefined : end);
}
const footnoteText = (doc: ExportDocument, n: number) => inlineText(doc.footnotes[n - 1]!.children);
const footnotesIn = (blocks: Block[]) => inlinesOf(blocks).flatMap((i) => (i.type === 'footnote' ? [i.n] : []));

describe('the consultation report', () => {
  it('has a cover, contents, the background note, the five questions in order, the annexes and the statistics', async () => {
    const stages: [ReportStage, number, number][] = [];
    const { document: doc, counts } = await report(users.rapporteur, { onProgress: (stage, done, total) => stages.push([stage, done, total]) });
    expect(doc.cover).toMatchObject({ subtitle: 'Consultation report' });
    expect(doc.cover!.title).toMatch(/\w/);
    expect(doc.cover!.lines.join(' ')).toContain('Global Forum on Migration and Development');
    expect(doc.cover!.lines.join(' ')).toMatch(/^.*Generated on \d{1,2} \w+ \d{4}/);
    expect(doc.properties).toMatchObject({ title: doc.cover!.title, subject: 'Consultation report', version: '' });
    expect(doc.labels.contents).toBe('Contents');
    expect(doc.blocks.some((b) => b.type === 'contents')).toBe(true);
    // The background exists in French only: shown in French, said to be untranslated.
    const background = section(doc, 'background');
    expect(background.map(blockText).join('\n')).toContain('Not yet translated');
    expect(headings(doc, 1).map((h) => h.anchor)).toEqual(['background', 'q-1', 'q-2', 'q-3', 'q-4', 'q-5', 'consultation-notes', 'annex-case-studies', 'annex-sources', 'statistics']);
    expect(inlineText(headings(doc, 1)[3]!.children)).toMatch(/^Question 3: How can partnerships/);
    const q3 = section(doc, 'q-3');
    expect(q3.map(blockText).join('\n')).toContain('3.1 How can innovative partnerships be designed');
    expect(counts).toEqual({ footnotes: doc.footnotes.length, keyPoints: 1, notes: 4, caseStudies: 3 });
    expect(stages).toContainEqual(['questions', 5, 5]);
    expect(stages.at(-1)).toEqual(['statistics', 1, 1]);
  });

  it('prints key points with each clip’s words, stance and footnote worded as a note citing that clip', async () => {
    const { document: doc } = await report(users.rapporteur);
    const points = section(doc, 'q-3-key-points');
    expect(headings({ ...doc, blocks: points }, 3).map((h) => inlineText(h.children))).toEqual(['Cities at the table']);
    expect(points.map(blockText)).toContain('Participants want local governments involved from the start.');
    const quotes = points.filter((b) => b.type === 'quote');
    expect(quotes.map(blockText)).toEqual([
      'Supports: Cities should sit at the table from the design of a partnership.',
      'Qualifies: Les employeurs reconnaissent les compétences au niveau régional.',
      'Supports: Skills passports: a joint office recruits seasonal workers.',
    ]);
    const [n1, n2, n3] = footnotesIn(points);
    expect(footnoteText(doc, n1!)).toBe(`CL-${ids.clipP1} “Cities should sit at the table from the design of a partnership.” — Author Example (author organisation), C-${ids.p1}, sub-question 3.2`);
    expect(footnoteText(doc, n2!)).toBe(`CL-${ids.clipP2} “Les employeurs reconnaissent les compétences au niveau régional.” — A participant from Business, C-${ids.p2}, sub-question 3.2`);
    // Clipped while public, restricted since: the footnote says so, as the note's sources list does.
    expect(footnoteText(doc, n3!)).toBe(`CL-${ids.clipStudy} “Skills passports: a joint office recruits seasonal workers.” — Author Example (author organisation), CS-${ids.laterRestricted}, case study (Case study made restricted)`);
  });

  it('prints a note’s text with its citations as footnotes, numbered in reading order and linked to Annex B', async () => {
    const { document: doc } = await report(users.rapporteur);
    const note = section(doc, `note-${ids.q3Note}`);
    expect(note.map(blockText).join('\n')).toContain('Cities lead partnerships , employers less so .');
    const refs = footnotesIn(note);
    expect(refs).toHaveLength(4);
    expect(footnoteText(doc, refs[0]!)).toBe(`C-${ids.p1} Author Example (author organisation), sub-question 3.2: “Cities should sit at the table from the design of a partnership.”`);
    expect(footnoteText(doc, refs[1]!)).toMatch(new RegExp(`^C-${ids.p2} A participant from Business, sub-question 3\\.2: `));
    expect(footnoteText(doc, refs[3]!)).toContain('restricted case study');
    // Every footnote once, in reading order across the document.
    expect(footnotesIn(doc.blocks)).toEqual(doc.footnotes.map((f) => f.n));
    expect(doc.footnotes.map((f) => f.n)).toEqual(doc.footnotes.map((_, i) => i + 1));
    // Each footnote's marker links to an entry of Annex B, one per distinct source.
    const annex = section(doc, 'annex-sources');
    const anchors = annex.flatMap((b) => (b.type === 'paragraph' && b.anchor ? [b.anchor] : []));
    expect(new Set(anchors).size).toBe(anchors.length);
    for (const footnote of doc.footnotes) {
      const link = footnote.children[0]!;
      expect(link.type).toBe('anchor-link');
      expect(anchors).toContain((link as { anchor: string }).anchor);
    }
    expect(anchors).toContain(`source-c-${ids.p1}`);
    const entry = annex.find((b) => b.type === 'paragraph' && b.anchor === `source-c-${ids.p1}`)!;
    expect(inlinesOf([entry]).some((i) => i.type === 'link' && i.url.startsWith(`${ORIGIN}/`))).toBe(true);
  });

  it('lists the readable published case studies in Annex A and counts contributions by group and language', async () => {
    const { document: doc } = await report(users.rapporteur);
    const annex = section(doc, 'annex-case-studies');
    const studies = headings({ ...doc, blocks: annex }, 2);
    expect(studies.map((h) => h.anchor)).toEqual([`cs-${ids.publicStudy}`, `cs-${ids.canaryStudy}`, `cs-${ids.laterRestricted}`]);
    const text = annex.map(blockText).join('\n');
    expect(text).not.toContain('Unpublished draft practice');
    expect(text).toContain('By Author Example (author organisation)');
    expect(text).toContain('By A participant from Business');
    expect(text).toContain('Partners: National employment agency (Governments (countries))');
    expect(text).toContain('Countries of implementation: Senegal');
    expect(text).toContain(`${ORIGIN}/`);
    expect(text.match(/Restricted: for moderators and rapporteurs only/g)).toHaveLength(2);

    expect(section(doc, 'statistics').map(blockText)).toContain('Contributions counted: 6 (posts in the discussion threads: 3; published case studies: 3).');
    const table = section(doc, 'statistics').find((b) => b.type === 'table')!;
    expect(table.type === 'table' && table.widths).toEqual([3, 1, 1, 1, 1, 1]);
    expect(blockText(table).split('\n')).toEqual([
      'Stakeholder group | French | English | Spanish | Other | Total',
      'Governments (countries) | 0 | 0 | 0 | 0 | 0',
      'Civil society | 0 | 3 | 1 | 0 | 4',
      'Business | 2 | 0 | 0 | 0 | 2',
      'Local governments | 0 | 0 | 0 | 0 | 0',
      'Total | 2 | 3 | 1 | 0 | 6',
    ]);
  });

  it('gives a participant no restricted item and flags nothing, while a rapporteur’s report of the same data is restricted', async () => {
    const participant = await report(users.participant);
    const rapporteur = await report(users.rapporteur);
    expect(participant.restricted).toBe(false);
    expect(participant.document.restrictedBanner).toBeNull();
    expect(participant.document.blocks.some((b) => b.type === 'notice' && b.kind === 'restricted')).toBe(false);
    const json = JSON.stringify(participant.document);
    expect(json).not.toContain('Canary restricted practice');
    expect(json).not.toContain('Skills passports');
    expect(json).not.toContain('A post a moderator hid');
    expect(json).not.toContain('A post its author deleted');
    expect(json).not.toContain('Unpublished draft practice');
    expect(headings(participant.document, 2).filter((h) => h.anchor?.startsWith('cs-')).map((h) => h.anchor)).toEqual([`cs-${ids.publicStudy}`]);
    // The participant reads the compilation (synthesis phase); the clip of the now-restricted case study is withdrawn for them.
    expect(participant.counts.keyPoints).toBe(1);
    expect(json).toContain('[source withdrawn]');
    expect(blockText(section(participant.document, 'statistics').find((b) => b.type === 'table')!).split('\n').at(-1)).toBe('Total | 1 | 3 | 0 | 0 | 4');

    expect(rapporteur.restricted).toBe(true);
    expect(rapporteur.document.restrictedBanner).toBe(exportT('en')('exports.restrictedBanner'));
    expect(rapporteur.document.blocks[0]).toMatchObject({ type: 'notice', kind: 'restricted' });
  });

  it('names no Chatham House author anywhere, whoever reads, in every language', async () => {
    for (const userId of [users.participant, users.rapporteur, users.moderator]) {
      for (const language of ['fr', 'en', 'es'] as const) {
        const json = JSON.stringify((await report(userId, { language })).document);
        expect(json).not.toContain(CANARY.name);
        expect(json).not.toContain(CANARY.organisation);
        expect(json).not.toContain('Canaryfield');
        expect(json).not.toContain(users.canary);
      }
    }
  });

  it('prints a malformed stored note as its plain text with a notice, without failing', async () => {
    const { document: doc } = await report(users.participant);
    const broken = section(doc, `note-${ids.brokenNote}`);
    expect(broken[1]).toMatchObject({ type: 'paragraph', style: 'small' });
    expect(blockText(broken[1]!)).toBe('Drafted by Civil society');
    expect(broken.find((b) => b.type === 'notice')).toMatchObject({ kind: 'unreadable' });
    expect(broken.map(blockText)).toEqual(expect.arrayContaining(['Plain words survive.', 'A second paragraph.']));
    // A note with no stored document yet is empty, not unreadable.
    expect(section(doc, `note-${ids.emptyNote}`).filter((b) => b.type !== 'page-break')).toHaveLength(1);
  });

  it('assembles one question’s part alone, in the frame language asked for', async () => {
    // A progress bar that breaks does not break the export.
    const onProgress = () => {
      throw new Error('the progress bar broke');
    };
    const { document: doc, counts } = await report(users.rapporteur, { questionNumber: '3', language: 'fr', onProgress });
    expect(doc.cover!.subtitle).toBe('Rapport de la consultation, question 3');
    expect(headings(doc, 1).map((h) => h.anchor)).toEqual(['q-3', 'annex-case-studies', 'annex-sources', 'statistics']);
    expect(counts).toMatchObject({ keyPoints: 1, notes: 1, caseStudies: 3 });
    expect(footnotesIn(doc.blocks)).toEqual(doc.footnotes.map((f) => f.n));
    expect(inlineText(headings(doc, 2).find((h) => h.anchor === 'q-3-key-points')!.children)).toBe('Points clés');
    // Question 3's threads: p1 and p2 (p4 hidden, p5 deleted; p3 is question 1's); the three case studies informing 3.1 and 3.2.
    expect(blockText(section(doc, 'statistics').find((b) => b.type === 'table')!).split('\n').at(-1)).toBe('Total | 2 | 2 | 1 | 0 | 5');
    await expect(report(users.rapporteur, { questionNumber: '9' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
