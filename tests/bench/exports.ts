/**
 * Benchmark scenario `exports` (issue 13): a synthesis note of about 50 pages with 300 citations
 * to DOCX, PDF and Markdown, and the whole consultation report (2,000 contributions across the 19
 * sub-question threads, key points with clips, that note and a few more) to DOCX and PDF, with
 * the event loop's lag measured while exporting.
 *
 * Everything runs in this process over a fresh SQLite file (tests/support/database.ts; PostgreSQL
 * when DATABASE_URL is a postgres:// URL) with the server's own services (server/services.ts
 * `createServices`): an export is `services.exports.note(...)` / `.report(...)`, i.e. assembly on
 * this (main) thread, then rendering in the export worker pool (server/exports/render-pool.ts),
 * then the audit row. Seeding goes straight through Kysely in batches (set-up, not measured),
 * except the notes, written through the note documents' `replace` as db/seeds/demo-notes.ts does.
 *
 * Measured, each format run once cold (the first in this process: worker start, Typst's fonts,
 * the note's live document loaded) then BENCH_EXPORTS_RUNS times warm (default 4; the report
 * BENCH_EXPORTS_REPORT_RUNS, default 1: its PDF takes seconds):
 * - end to end through the service: wall ms (median and p95 of the warm runs), and per export
 *   the main thread's CPU ms (thread-cpu.ts) and the whole process's (main + worker + helpers);
 * - the render step alone in a worker thread of our own (exports-worker.ts, the same
 *   `renderJob`), timed inside it, with that thread's CPU (Typst's own helper threads excluded);
 *   the report's once each;
 * - the assembly alone on the main thread (what blocks the event loop), and the structured
 *   clone of the assembled document (what `postMessage` pays on the main thread);
 * - the `docx` package's share: `buildDocx` (Palabre's walk constructing docx's objects) and
 *   `packDocx` (docx's XML serialisation and zip) on the main thread, on the same document;
 * - event-loop lag: a 10 ms interval timer measuring its own drift (how late each tick runs),
 *   watching only while a service export is in flight (not while the benchmark revises the data
 *   between exports); as a floor, the same timer on an idle loop (BENCH_EXPORTS_IDLE_MAX_SECONDS,
 *   default 30, at most as long as the exports took). A stretch of blocked loop counts once
 *   whatever its length (one late tick), so the max is reported beside the p99.
 *
 * Keys: export_docx_ms, export_pdf_ms, export_md_ms, export_report_docx_ms, export_report_pdf_ms
 * (medians of warm runs, end to end), export_event_loop_lag_p99_ms, export_docx_package_ms, and
 * the context figures beside them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { sql, type Kysely } from 'kysely';
import { sha256Hex } from '../../app/compilation/compilation.server';
import { citationMarker } from '../../app/contributions/refs';
import type { Block, DocumentFormat, ExportDocument, Inline, List } from '../../app/exports/document';
import { assembleNoteExport } from '../../app/exports/note-export.server';
import type { RenderJob } from '../../app/exports/render';
import { buildDocx, packDocx } from '../../app/exports/render/docx';
import { assembleReport } from '../../app/exports/report.server';
import type { Database } from '../../db/schema';
import { seedConsultation } from '../../db/seeds/consultation';
import { createServices } from '../../server/services';
import { openTestDatabase } from '../support/database';
import { envNumber, type Scenario, type ScenarioResult } from './scenario';
import { round1, sleep, summarize } from './stats';
import { threadCpuMs } from './thread-cpu';
import { prng } from './fresh-postgres';

const POSTS = 2_000;
const PARTICIPANTS = 200;
const CASE_STUDIES = 40;
const KEY_POINTS_PER_QUESTION = 10;
const CLIPS_PER_KEY_POINT = 5;
/** Citation nodes in the big note, and the distinct sources they cite (some are cited twice). */
const NOTE_CITATIONS = 300;
const NOTE_SOURCES = 250;
/** Sections of the big note (each: a heading, 3 subsections of 3 paragraphs, lists): about 50 pages of PDF with its footnotes and annex. */
const NOTE_SECTIONS_DEFAULT = 10;
const LANGUAGES = ['fr', 'en', 'es'] as const;
const ORIGIN = 'https://forum.example.org';
const LAG_RESOLUTION_MS = 10;

/**
 * A revision mark, `(r07)`, at the start of every source's text, case study's title, key point's
 * summary and note paragraph: changed before each measured export so that Typst, which memoises
 * layout across compiles (process-wide, even across worker threads), never gets a document it
 * has laid out before. Always 5 characters (and a space), so clip offsets stay valid.
 */
const mark = (n: number) => `(r${String(n % 100).padStart(2, '0')})`;

// ------------------------------------------------------------------------------------------------
// Text: deterministic, varied, with the accents and punctuation of the forum's three languages.
// ------------------------------------------------------------------------------------------------

const SENTENCES: Record<(typeof LANGUAGES)[number], string[]> = {
  en: [
    'In our city the partnership between the municipal migrant desk, two diaspora associations and the regional employment office cut the time to a first job offer by half.',
    'What made it work was a shared case file and a monthly meeting open to the people concerned.',
    'Employers joined late, after the curriculum had been fixed, so the training did not match real vacancies.',
    'Regional frameworks give countries of origin leverage that global commitments alone do not.',
    'Recognition of skills is negotiated regionally, but it is applied — or not — by local offices.',
    'Predictable, multi-year funding mattered more than the size of any single grant.',
    'Information points in the neighbourhoods reached people whom national programmes never met.',
    'We recommend that local governments sit at the table from the design of a partnership onwards.',
    'Data on returns and remittances is scattered across ministries and rarely shared with cities.',
    'Trade unions asked for a say in the bilateral labour agreements that concern their members.',
    'The private sector can fund training, provided the standards are agreed with the public employment service.',
    'Women migrant workers in domestic work remain outside most of the schemes described here.',
  ],
  fr: [
    'Les partenariats qui ont tenu sont ceux où la commune était autour de la table dès le départ.',
    'Le guichet municipal d’accueil a fait plus pour l’intégration des nouveaux arrivants que trois programmes fédéraux réunis.',
    'Les accords signés au niveau national restaient lettre morte tant que personne ne les portait localement.',
    'La reconnaissance des compétences se négocie à l’échelle régionale, mais elle s’applique — ou non — dans les agences locales.',
    'Un financement pluriannuel et prévisible a compté davantage que le montant de chaque subvention.',
    'Les associations de la diaspora connaissent les quartiers d’origine mieux que n’importe quel ministère.',
    'Nous demandons que les collectivités territoriales soient associées à l’évaluation des résultats.',
    'Les données sur les retours et les transferts de fonds sont éparpillées entre plusieurs administrations.',
    'Les employeurs reconnaissent les compétences au niveau régional, mais les diplômes restent bloqués aux frontières.',
    'Les travailleuses domestiques migrantes restent en dehors de la plupart des dispositifs décrits ici.',
    'Il faut un interlocuteur unique, un dossier partagé et une réunion mensuelle ouverte aux personnes concernées.',
    'Les syndicats souhaitent être consultés sur les accords bilatéraux de main-d’œuvre qui concernent leurs membres.',
  ],
  es: [
    'La alianza entre la oficina municipal de migración y dos asociaciones de la diáspora redujo a la mitad el tiempo hasta la primera oferta de empleo.',
    'Lo que funcionó fue un expediente compartido y una reunión mensual abierta a las personas afectadas.',
    'Los empleadores se incorporaron tarde, cuando el currículo ya estaba fijado.',
    'Los marcos regionales dan a los países de origen un margen de negociación que los compromisos globales no ofrecen.',
    'El reconocimiento de competencias se negocia a nivel regional, pero lo aplican —o no— las oficinas locales.',
    'La financiación plurianual y previsible importó más que el tamaño de cada subvención.',
    'Los puntos de información en los barrios llegaron a personas que los programas nacionales nunca vieron.',
    'Pedimos que los gobiernos locales participen desde el diseño de cada alianza.',
    'Los datos sobre retornos y remesas están dispersos entre varios ministerios.',
    'Las trabajadoras domésticas migrantes siguen fuera de la mayoría de los programas descritos aquí.',
    'El sector privado puede financiar la formación si las normas se acuerdan con el servicio público de empleo.',
    'Los sindicatos piden participar en los acuerdos bilaterales de mano de obra que afectan a sus miembros.',
  ],
};

/** About `words` words (never fewer) of sentences in `language`, ending with a full stop. */
function prose(random: () => number, language: (typeof LANGUAGES)[number], words: number): string {
  const pool = SENTENCES[language];
  const out: string[] = [];
  let count = 0;
  while (count < words) {
    const sentence = pool[Math.floor(random() * pool.length)]!;
    out.push(sentence);
    count += sentence.split(' ').length;
  }
  return out.join(' ');
}

// ------------------------------------------------------------------------------------------------
// A note's Lexical JSON, as the editor stores it (db/seeds/demo-notes.ts, app/notes/citation-node.ts).
// ------------------------------------------------------------------------------------------------

type Cited = { kind: 'post' | 'case_study'; id: number };
const element = { direction: 'ltr', format: '', indent: 0, version: 1 };
const plain = (text: string, bold = false) => ({ type: 'text', text, format: bold ? 1 : 0, detail: 0, mode: 'normal', style: '', version: 1 });
const citation = (ref: Cited) => ({ type: 'citation', text: `[${citationMarker(ref.kind, ref.id)}]`, kind: ref.kind, targetId: ref.id, format: 0, detail: 0, mode: 'token', style: '', version: 1 });
const link = (url: string, text: string) => ({ ...element, type: 'link', url, rel: null, target: null, title: null, children: [plain(text)] });
const paragraphNode = (children: object[]) => ({ ...element, type: 'paragraph', textFormat: 0, textStyle: '', children });
const headingNode = (tag: 'h2' | 'h3', text: string) => ({ ...element, type: 'heading', tag, children: [plain(text)] });
const listNode = (ordered: boolean, items: object[][]) => ({
  ...element,
  type: 'list',
  listType: ordered ? 'number' : 'bullet',
  start: 1,
  tag: ordered ? 'ol' : 'ul',
  children: items.map((children, i) => ({ ...element, type: 'listitem', value: i + 1, children })),
});
const tableNode = (rows: string[][]) => ({
  ...element,
  type: 'table',
  children: rows.map((row, r) => ({
    ...element,
    type: 'tablerow',
    children: row.map((cell) => ({ ...element, type: 'tablecell', headerState: r === 0 ? 1 : 0, colSpan: 1, rowSpan: 1, backgroundColor: null, children: [paragraphNode([plain(cell)])] })),
  })),
});

interface NoteShape {
  content: string;
  /** Top-level blocks (headings, paragraphs, lists, tables). */
  blocks: number;
  words: number;
  citations: number;
}

/**
 * The big synthesis note: `sections` sections, each a heading, an introduction and three
 * subsections of three paragraphs (60–100 words) with a bulleted or numbered list between them;
 * two tables; `refs` spread evenly as citation nodes through paragraphs and list items, a few
 * paragraphs with a link or bold words.
 */
function bigNote(title: string, sections: number, refs: Cited[], seed: number, revision = ''): NoteShape {
  const random = prng(seed);
  const blocks: object[] = [headingNode('h2', title)];
  let words = 0;
  // Citation slots: every paragraph and list item gets its share of `refs`, in order.
  const paragraphsPerSection = 1 + 3 * 3;
  const itemsPerSection = 3 * 4;
  const slots = sections * (paragraphsPerSection + itemsPerSection);
  let nextRef = 0;
  let slot = 0;
  const citesHere = () => {
    const due = Math.round(((slot + 1) * refs.length) / slots) - nextRef;
    slot++;
    const out = refs.slice(nextRef, nextRef + due);
    nextRef += out.length;
    return out;
  };
  const language = () => LANGUAGES[Math.floor(random() * 3)]!;
  const paragraph = () => {
    const text = prose(random, language(), 60 + Math.floor(random() * 41));
    const sentences = text.split(/(?<=\.) /);
    words += text.split(' ').length;
    const cites = citesHere();
    const children: object[] = revision ? [plain(`${revision} `)] : [];
    sentences.forEach((sentence, i) => {
      children.push(i === 0 && random() < 0.2 ? plain(`${sentence} `, true) : plain(`${sentence} `));
      // Citations after the sentences they support, spread through the paragraph.
      const here = cites.filter((_, c) => Math.floor((c * sentences.length) / Math.max(1, cites.length)) === i);
      for (const ref of here) children.push(citation(ref), plain(' '));
    });
    if (random() < 0.1) children.push(plain('See '), link('https://www.gfmd.org/process/gfmd-2020', 'the GFMD 2020 process'), plain('.'));
    return paragraphNode(children);
  };
  const list = (ordered: boolean) =>
    listNode(
      ordered,
      Array.from({ length: 4 }, () => {
        const text = prose(random, language(), 12).split(/(?<=\.) /)[0]!;
        words += text.split(' ').length;
        return [plain(`${revision ? `${revision} ` : ''}${text} `), ...citesHere().flatMap((ref) => [citation(ref), plain(' ')])];
      }),
    );
  for (let s = 1; s <= sections; s++) {
    blocks.push(headingNode('h2', `${s}. ${prose(random, 'en', 4).split(/[.,—]/)[0]!.trim()}`), paragraph());
    for (let sub = 1; sub <= 3; sub++) {
      blocks.push(headingNode('h3', `${s}.${sub} ${prose(random, language(), 5).split(/[.,—]/)[0]!.trim()}`), paragraph(), paragraph());
      blocks.push(list(sub === 2), paragraph());
    }
    if (s === Math.ceil(sections / 3) || s === Math.ceil((2 * sections) / 3)) {
      blocks.push(
        tableNode([
          ['Stakeholder group', 'Contributions', 'Main concern', 'Cited'],
          ['Government', '612', 'Regional frameworks and labour agreements', '84'],
          ['Civil society', '731', 'Protection, domestic workers, information points', '102'],
          ['Business', '288', 'Skills recognition and training standards', '51'],
          ['Local government', '369', 'A seat at the table from the design onwards', '63'],
        ]),
      );
    }
  }
  if (nextRef !== refs.length) throw new Error(`bigNote placed ${nextRef} of ${refs.length} citations`);
  return { content: JSON.stringify({ root: { ...element, type: 'root', children: blocks } }), blocks: blocks.length, words, citations: nextRef };
}

/** A shorter note (a question's or the consultation's): a few sections citing `refs`. */
function smallNote(title: string, refs: Cited[], seed: number): string {
  return bigNote(title, 2, refs, seed).content;
}

// ------------------------------------------------------------------------------------------------
// Seeding
// ------------------------------------------------------------------------------------------------

async function inBatches<T>(rows: T[], size: number, insert: (batch: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

interface Fixture {
  consultationId: number;
  slug: string;
  moderator: string;
  rapporteur: string;
  bigNoteId: number;
  bigNote: NoteShape;
  /** The big note's content with `revision` at the start of each paragraph and list item. */
  bigNoteContent(revision: string): string;
  notes: number;
  keyPoints: number;
  clips: number;
  posts: number;
  caseStudies: number;
}

async function seed(db: Kysely<Database>, services: ReturnType<typeof createServices>, sections: number): Promise<Fixture> {
  const { consultationId } = await seedConsultation(db);
  const { slug } = await db.selectFrom('consultations').select('slug').where('id', '=', consultationId).executeTakeFirstOrThrow();
  const random = prng(13);
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const groups = ['government', 'civil-society', 'business', 'local-government'];

  const users = Array.from({ length: PARTICIPANTS }, (_, i) => ({
    id: `bench-user-${i}`,
    email: `bench-${i}@example.org`,
    name: `${['Aïssatou', 'José', 'Chloé', 'Nguyễn', 'Zoë', 'Ibrahim', 'María José', 'Łukasz'][i % 8]} Participant ${i}`,
    nameKey: `bench participant ${i}`,
    organisation: `${['Ministère du Travail', 'Asociación de Migrantes', 'Chamber of Commerce', 'Ville de Dakar'][i % 4]} ${i % 37}`,
    stakeholderGroup: groups[i % 4]!,
    country: ['SN', 'ES', 'PH', 'MX', 'FR'][i % 5]!,
    passwordHash: 'x',
    createdAt: at(100_000),
    updatedAt: at(100_000),
  }));
  const staff = (id: string, role: 'moderator' | 'rapporteur') => ({ ...users[0]!, id, email: `${id}@example.org`, name: id, nameKey: id, stakeholderGroup: 'government' });
  users.push(staff('bench-moderator', 'moderator'), staff('bench-rapporteur', 'rapporteur'));
  await inBatches(users, 100, (batch) => db.insertInto('users').values(batch).execute());
  await db
    .insertInto('consultationMembers')
    .values([
      { consultationId, userId: 'bench-moderator', role: 'moderator', createdAt: at(100_000), updatedAt: at(100_000) },
      { consultationId, userId: 'bench-rapporteur', role: 'rapporteur', createdAt: at(100_000), updatedAt: at(100_000) },
    ])
    .execute();

  const threads = await db.selectFrom('threads').select(['id', 'subQuestionId', 'questionId']).where('consultationId', '=', consultationId).where('subQuestionId', 'is not', null).orderBy('id').execute();
  if (threads.length !== 19) throw new Error(`expected the 19 sub-question threads, found ${threads.length}`);

  // 2,000 contributions across the 19 threads: mixed attribution and languages, a few hidden or deleted.
  const posts = Array.from({ length: POSTS }, (_, i) => {
    const language = LANGUAGES[i % 3]!;
    const text = `${mark(0)} ${prose(random, language, 50 + Math.floor(random() * 150))}`;
    return {
      threadId: threads[i % threads.length]!.id,
      authorId: users[(i * 7) % PARTICIPANTS]!.id,
      clientId: `bench-export-${i}`,
      parentId: null,
      rootId: null,
      attribution: (['named', 'organisation', 'chatham'] as const)[i % 3]!,
      language,
      body: JSON.stringify({ root: { ...element, type: 'root', children: [paragraphNode([plain(text)])] } }),
      bodyText: text,
      bodyHtml: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`,
      status: (i % 97 === 96 ? 'hidden' : i % 113 === 112 ? 'deleted' : 'visible') as 'hidden' | 'deleted' | 'visible',
      seq: i + 1,
      createdAt: at(POSTS - i + 1_000),
      updatedAt: at(POSTS - i + 1_000),
      editedAt: null,
    };
  });
  await inBatches(posts, 200, (batch) => db.insertInto('posts').values(batch).execute());
  const postRows = await db
    .selectFrom('posts')
    .innerJoin('threads', 'threads.id', 'posts.threadId')
    .select(['posts.id', 'posts.bodyText', 'posts.status', 'threads.questionId'])
    .where('threads.consultationId', '=', consultationId)
    .orderBy('posts.id')
    .execute();

  // Published case studies (a tenth restricted) and two drafts, tagged to sub-questions, themes, countries.
  const studies = Array.from({ length: CASE_STUDIES + 2 }, (_, i) => {
    const language = LANGUAGES[i % 3]!;
    const published = i < CASE_STUDIES;
    return {
      consultationId,
      authorId: users[(i * 11) % PARTICIPANTS]!.id,
      status: (published ? 'published' : 'draft') as 'published' | 'draft',
      visibility: (i % 10 === 9 ? 'restricted' : 'public') as 'public' | 'restricted',
      attribution: (['named', 'organisation', 'chatham'] as const)[i % 3]!,
      language,
      title: `${mark(0)} ${['Un guichet unique', 'Skills passports', 'Contratos modelo', 'Des points d’information', 'Training nurses'][i % 5]} — case ${i + 1}`,
      summary: prose(random, language, 40),
      body: '{}',
      bodyText: prose(random, language, 150),
      bodyHtml: '',
      results: prose(random, language, 25),
      indicators: 'Days to a first offer; placements',
      worked: prose(random, language, 20),
      didNotWork: prose(random, language, 15),
      partners: JSON.stringify([
        { name: 'Agence nationale pour l’emploi', group: 'government' },
        { name: 'Asociación de la diáspora', group: 'civil-society' },
      ]),
      funding: '[]',
      contact: '',
      level: null,
      stage: null,
      reviewNote: null,
      createdAt: at(5_000 - i),
      updatedAt: at(5_000 - i),
      submittedAt: published ? at(4_000 - i) : null,
      publishedAt: published ? at(3_000 - i) : null,
    };
  });
  await inBatches(studies, 50, (batch) => db.insertInto('caseStudies').values(batch).execute());
  const studyRows = await db.selectFrom('caseStudies').select(['id', 'bodyText', 'visibility', 'status']).where('consultationId', '=', consultationId).orderBy('id').execute();
  const subQuestionIds = threads.map((t) => t.subQuestionId!);
  const tags = studyRows.flatMap((s, i) => [
    { caseStudyId: s.id, kind: 'subQuestion' as const, value: String(subQuestionIds[i % subQuestionIds.length]) },
    { caseStudyId: s.id, kind: 'theme' as const, value: ['labour-governance', 'skills', 'technology', 'protection', 'irregular-migration'][i % 5]! },
    { caseStudyId: s.id, kind: 'origin' as const, value: ['SN', 'PH', 'MX'][i % 3]! },
    { caseStudyId: s.id, kind: 'destination' as const, value: ['ES', 'FR', 'US'][i % 3]! },
    { caseStudyId: s.id, kind: 'implementation' as const, value: ['SN', 'ES'][i % 2]! },
  ]);
  await inBatches(tags, 200, (batch) => db.insertInto('caseStudyTags').values(batch).execute());

  // Key points with clips in every question (visible posts and public case studies).
  const questions = await db.selectFrom('questions').select(['id', 'number']).where('consultationId', '=', consultationId).orderBy('position').execute();
  const visible = postRows.filter((p) => p.status === 'visible');
  const publicStudies = studyRows.filter((s) => s.status === 'published' && s.visibility === 'public');
  let clipCount = 0;
  for (const question of questions) {
    const points = Array.from({ length: KEY_POINTS_PER_QUESTION }, (_, i) => ({
      consultationId,
      questionId: question.id,
      heading: `Point clé ${question.number}.${i + 1} : les partenariats tiennent quand les acteurs locaux sont là dès le départ`,
      summary: `${mark(0)} ${prose(random, 'fr', 45)}`,
      position: i + 1,
      language: 'fr',
      authorId: 'bench-moderator',
      clientId: null,
      createdAt: at(500),
      updatedAt: at(500),
    }));
    await db.insertInto('keyPoints').values(points).execute();
    const pointIds = (await db.selectFrom('keyPoints').select('id').where('questionId', '=', question.id).orderBy('position').execute()).map((p) => p.id);
    const ofQuestion = visible.filter((p) => p.questionId === question.id);
    const clips = pointIds.flatMap((keyPointId, k) =>
      Array.from({ length: CLIPS_PER_KEY_POINT }, (_, c) => {
        const fromStudy = c === CLIPS_PER_KEY_POINT - 1 && k % 2 === 0;
        const source = fromStudy ? publicStudies[(k + c) % publicStudies.length]! : ofQuestion[(k * CLIPS_PER_KEY_POINT + c) % ofQuestion.length]!;
        const start = source.bodyText.indexOf(' ', 20) + 1;
        const end = Math.min(source.bodyText.length, start + 90 + ((k * 7 + c * 13) % 80));
        const quote = source.bodyText.slice(start, end);
        return {
          keyPointId,
          sourceKind: (fromStudy ? 'case_study' : 'post') as 'case_study' | 'post',
          sourceId: source.id,
          sourceField: 'body' as const,
          startOffset: start,
          endOffset: end,
          quote,
          quoteSha256: sha256Hex(quote),
          stance: (['supports', 'qualifies', 'disagrees'] as const)[(k + c) % 3]!,
          clippedBy: 'bench-moderator',
          clippedAt: at(400),
          clientId: null,
        };
      }),
    );
    await db.insertInto('clips').values(clips).execute();
    clipCount += clips.length;
  }

  // The notes, through the note service and the live document (db/seeds/demo-notes.ts).
  const questionId = (n: string) => questions.find((q) => q.number === n)!.id;
  const q3 = questionId('3');
  const q3Posts = postRows.filter((p) => p.questionId === q3);
  const otherPosts = postRows.filter((p) => p.questionId !== q3);
  // 250 distinct sources: 225 posts (mostly of question 3, a few hidden or deleted: withdrawn) and 25 case studies.
  const sources: Cited[] = [
    ...q3Posts.slice(0, 200).map((p) => ({ kind: 'post' as const, id: p.id })),
    ...otherPosts.slice(0, NOTE_SOURCES - 25 - 200).map((p) => ({ kind: 'post' as const, id: p.id })),
    ...studyRows.slice(0, 25).map((s) => ({ kind: 'case_study' as const, id: s.id })),
  ];
  // 300 citations in an order mixing posts and case studies; the last 50 cite earlier sources again.
  const order = sources.map((s, i) => ({ s, key: prng(i + 1)() })).sort((a, b) => a.key - b.key).map((x) => x.s);
  const refs = [...order, ...order.slice(0, NOTE_CITATIONS - NOTE_SOURCES)];
  const noteTitle = 'Question 3 : synthèse des contributions';
  const shape = bigNote(noteTitle, sections, refs, 3);
  const { notes, noteDocs } = services;
  const bigNoteId = await notes.open('bench-moderator', consultationId, { questionId: q3, stakeholderGroup: null, title: 'Question 3 : synthèse des contributions' });
  await noteDocs.replace(bigNoteId, shape.content);
  await noteDocs.settle(bigNoteId);

  // A few more notes: questions 1, 2, 4, 5, a civil-society note on question 2, and the whole consultation's.
  const more: { questionId: number | null; group: string | null; title: string; from: number }[] = [
    { questionId: questionId('1'), group: null, title: 'Question 1: synthesis', from: 0 },
    { questionId: questionId('2'), group: null, title: 'Question 2 : synthèse', from: 300 },
    { questionId: questionId('2'), group: 'civil-society', title: 'Question 2: civil society input', from: 600 },
    { questionId: questionId('4'), group: null, title: 'Pregunta 4: síntesis', from: 900 },
    { questionId: questionId('5'), group: null, title: 'Question 5: synthesis', from: 1_200 },
    { questionId: null, group: null, title: 'Synthèse de la consultation', from: 1_500 },
  ];
  for (const [i, note] of more.entries()) {
    const id = await notes.open('bench-moderator', consultationId, { questionId: note.questionId, stakeholderGroup: note.group, title: note.title });
    const cited = visible.slice(note.from, note.from + 12).map((p) => ({ kind: 'post' as const, id: p.id }));
    await noteDocs.replace(id, smallNote(note.title, cited, 100 + i));
    await noteDocs.settle(id);
  }
  return {
    consultationId,
    slug,
    moderator: 'bench-moderator',
    rapporteur: 'bench-rapporteur',
    bigNoteId,
    bigNote: shape,
    bigNoteContent: (revision) => bigNote(noteTitle, sections, refs, 3, revision).content,
    notes: 1 + more.length,
    keyPoints: questions.length * KEY_POINTS_PER_QUESTION,
    clips: clipCount,
    posts: POSTS,
    caseStudies: CASE_STUDIES,
  };
}

/**
 * Revision `n` of everything an export prints from the database (see `mark`): posts' text, case
 * studies' titles, key points' summaries, and the big note's paragraphs (through its live
 * document, then stored and derived as an editor's change would be).
 */
async function revise(db: Kysely<Database>, services: ReturnType<typeof createServices>, fx: Fixture, n: number) {
  const marked = (column: 'bodyText' | 'title' | 'summary') => sql<string>`${`${mark(n)} `} || substr(${sql.ref(column)}, 7)`;
  await db.updateTable('posts').set({ bodyText: marked('bodyText') }).execute();
  await db.updateTable('caseStudies').set({ title: marked('title') }).execute();
  await db.updateTable('keyPoints').set({ summary: marked('summary') }).execute();
  await services.noteDocs.replace(fx.bigNoteId, fx.bigNoteContent(mark(n)));
  await services.noteDocs.settle(fx.bigNoteId);
}

/** `doc` with `tag` at the start of every block and footnote: the same document, new to Typst's memo. */
function retagged(doc: ExportDocument, tag: string): ExportDocument {
  const marked = (children: Inline[]): Inline[] =>
    children[0]?.type === 'text' ? [{ ...children[0], text: `${tag} ${children[0].text}` }, ...children.slice(1)] : [{ type: 'text', text: `${tag} ` }, ...children];
  const block = (b: Block): Block => {
    switch (b.type) {
      case 'heading':
      case 'paragraph':
      case 'quote':
      case 'notice':
        return { ...b, children: marked(b.children) };
      case 'list':
        return { ...b, items: b.items.map((item) => ({ children: marked(item.children), lists: item.lists.map((l) => block(l) as List) })) };
      case 'table':
        return { ...b, rows: b.rows.map((row) => row.map((cell) => ({ ...cell, children: marked(cell.children) }))) };
      default:
        return b;
    }
  };
  return { ...doc, blocks: doc.blocks.map(block), footnotes: doc.footnotes.map((f) => ({ ...f, children: marked(f.children) })) };
}

// ------------------------------------------------------------------------------------------------
// Measuring
// ------------------------------------------------------------------------------------------------

interface Run {
  wallMs: number;
  /** This (main) thread's CPU. */
  mainCpuMs: number;
  /** The whole process's CPU: main thread, export worker, GC and libuv helpers. */
  processCpuMs: number;
}

/** One call, timed: wall, main thread CPU, process CPU. */
async function timedCall<T>(call: () => Promise<T>): Promise<{ run: Run; value: T }> {
  const main0 = threadCpuMs();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await call();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { run: { wallMs, mainCpuMs: threadCpuMs() - main0, processCpuMs: (cpu.user + cpu.system) / 1000 }, value };
}

interface Series {
  cold: Run;
  warm: Run[];
}

/**
 * First run (cold) then `warm` runs, each after `before()` (not timed: a new revision); `check`
 * looks at the first result (bytes…).
 */
async function series<T>(
  warm: number,
  call: () => Promise<T>,
  check: (value: T) => void,
  before: () => Promise<void> = async () => {},
  watch: { on(): void; off(): void } = { on() {}, off() {} },
): Promise<Series> {
  const watched = async () => {
    await before();
    watch.on();
    try {
      return await timedCall(call);
    } finally {
      watch.off();
    }
  };
  const first = await watched();
  check(first.value);
  const runs: Run[] = [];
  for (let i = 0; i < warm; i++) runs.push((await watched()).run);
  return { cold: first.run, warm: runs };
}

const median = (values: number[]) => summarize(values).p50;
/** Nearest-rank p95: with few warm runs this is their slowest. */
const p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(0.95 * sorted.length) - 1))] ?? Number.NaN;
};

function seriesMetrics(prefix: string, s: Series): Record<string, number> {
  const wall = s.warm.map((r) => r.wallMs);
  return {
    [`${prefix}_ms`]: round1(median(wall)),
    [`${prefix}_p95_ms`]: round1(p95(wall)),
    [`${prefix}_cold_ms`]: round1(s.cold.wallMs),
    [`${prefix}_main_cpu_ms`]: round1(median(s.warm.map((r) => r.mainCpuMs))),
    [`${prefix}_process_cpu_ms`]: round1(median(s.warm.map((r) => r.processCpuMs))),
  };
}

/** Our own render worker (exports-worker.ts), started as the pool's are: tsx registered first. */
async function startRenderWorker(): Promise<{ render(job: RenderJob): Promise<{ ms: number; cpuMs: number; bytes: number; roundTripMs: number }>; stop(): Promise<void> }> {
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./exports-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(boot, { eval: true });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  let nextId = 1;
  return {
    render(job) {
      const id = nextId++;
      const t0 = performance.now();
      return new Promise((resolve, reject) => {
        const onMessage = (message: { id: number; ms: number; cpuMs: number; bytes: number; error?: string }) => {
          if (message.id !== id) return;
          worker.off('message', onMessage);
          if (message.error) reject(new Error(message.error));
          else resolve({ ms: message.ms, cpuMs: message.cpuMs, bytes: message.bytes, roundTripMs: performance.now() - t0 });
        };
        worker.on('message', onMessage);
        worker.postMessage({ id, job });
      });
    },
    stop: async () => void (await worker.terminate()),
  };
}

/** Pages of a PDF (poppler's pdfinfo); -1 when it is not installed. */
function pdfPages(bytes: Uint8Array): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palabre-bench-pdf-'));
  try {
    const file = path.join(dir, 'export.pdf');
    fs.writeFileSync(file, bytes);
    // stderr ignored: poppler 22–24 warns "Suspects object is wrong type (boolean)" on Typst's /MarkInfo.
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1] ?? -1);
  } catch {
    return -1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Event-loop lag: a timer every LAG_RESOLUTION_MS ms records how late it runs (µs) into the
 * histograms being watched; between `watch` and `pause` only, and the first tick after `watch`
 * counts from `watch`, so a stall before it (the benchmark's own set-up) is not counted.
 */
class LagWatch {
  private targets: RecordableHistogram[] = [];
  private last = performance.now();
  private readonly timer = setInterval(() => {
    const now = performance.now();
    const lateUs = Math.max(1, Math.round((now - this.last - LAG_RESOLUTION_MS) * 1000));
    for (const h of this.targets) h.record(lateUs);
    this.last = now;
  }, LAG_RESOLUTION_MS);

  watch(...targets: RecordableHistogram[]) {
    this.targets = targets;
    this.last = performance.now();
  }

  pause() {
    this.targets = [];
  }

  stop() {
    clearInterval(this.timer);
  }
}

/** Lag in ms at percentile `p` (100: the longest), from a histogram of µs. */
const lagMs = (h: RecordableHistogram, p: number) => (h.count > 0 ? h.percentile(p) / 1000 : Number.NaN);

export const exportsScenario: Scenario = {
  description: `a ~50-page synthesis note with ${NOTE_CITATIONS} citations to DOCX, PDF, Markdown, and the consultation report (${POSTS} contributions) to DOCX and PDF, through the export service and its worker pool; event-loop lag while exporting`,
  async run() {
    const warm = envNumber('BENCH_EXPORTS_RUNS', 4);
    const reportWarm = envNumber('BENCH_EXPORTS_REPORT_RUNS', 1);
    const sections = envNumber('BENCH_EXPORTS_NOTE_SECTIONS', NOTE_SECTIONS_DEFAULT);
    const result: ScenarioResult = { metrics: {}, notes: [], problems: [] };
    const m = result.metrics;
    const handle = await openTestDatabase();
    const services = createServices(handle.db, { secureCookies: false, signInAttemptsPerAddress: 1_000, registrationsPerAddress: 1_000, postsPerMinute: 100_000, exportWorkers: 1 });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await services.exportPool.close();
      await services.noteDocs.close();
    };
    try {
      const t0 = performance.now();
      const fx = await seed(handle.db, services, sections);
      result.notes.push(
        `exports (${handle.kind}): seeded ${fx.posts} posts in the 19 sub-question threads (named, organisation, Chatham House; fr, en, es; ~1.5% hidden or deleted), ${fx.caseStudies} published case studies, ` +
          `${fx.keyPoints} key points with ${fx.clips} clips, ${fx.notes} notes, in ${Math.round(performance.now() - t0)} ms`,
      );
      const { consultationId, rapporteur, bigNoteId, slug } = fx;
      let revision = 0;
      const fresh = () => revise(handle.db, services, fx, ++revision);

      // The assembled note (the document the worker renders), kept to time its parts on their own.
      const deps = { db: handle.db, notes: services.notes, citations: services.citations, consultations: services.consultations, docs: services.noteDocs };
      const assemble = () => assembleNoteExport(deps, { userId: rapporteur, noteId: bigNoteId, language: 'fr', siteOrigin: ORIGIN });

      // 1. The note, end to end through the export service, event loop watched.
      // Both service phases together (the key figure), and each on its own.
      const lagWatch = new LagWatch();
      const [lag, lagNote, lagReport, lagAlone, lagIdle] = Array.from({ length: 5 }, () => createHistogram());
      const watching = (phase: RecordableHistogram) => ({ on: () => lagWatch.watch(lag, phase), off: () => lagWatch.pause() });
      const exportsStarted = performance.now();
      const sizes: Record<string, number> = {};
      let notePdf: Uint8Array | null = null;
      const note: Record<DocumentFormat, Series> = {} as Record<DocumentFormat, Series>;
      for (const format of ['docx', 'pdf', 'md'] as const) {
        note[format] = await series(
          warm,
          () => services.exports.note(rapporteur, consultationId, bigNoteId, format, 'fr', ORIGIN),
          (file) => {
            sizes[format] = file.bytes.byteLength;
            if (format === 'pdf') notePdf = file.bytes;
            if (format === 'md') {
              const md = new TextDecoder().decode(file.bytes);
              if (!md.includes(`[^${NOTE_CITATIONS}]`)) result.problems.push(`exports: the Markdown has no footnote [^${NOTE_CITATIONS}]`);
              if (!md.includes(mark(revision).slice(1, 4))) result.problems.push(`exports: the Markdown does not hold revision ${mark(revision)}: the export read a stale note`);
            }
          },
          fresh,
          watching(lagNote),
        );
      }
      // The same note again, unchanged: what Typst's memoisation saves on a repeated export.
      const repeat = await series(1, () => services.exports.note(rapporteur, consultationId, bigNoteId, 'pdf', 'fr', ORIGIN), () => {}, undefined, watching(lagNote));

      // 2. The whole report, end to end, event loop watched.
      const report: Partial<Record<'docx' | 'pdf', Series>> = {};
      let reportPdf: Uint8Array | null = null;
      for (const format of ['docx', 'pdf'] as const) {
        report[format] = await series(
          reportWarm,
          () => services.exports.report(rapporteur, slug, format, 'fr', ORIGIN),
          (file) => {
            sizes[`report_${format}`] = file.bytes.byteLength;
            if (format === 'pdf') reportPdf = file.bytes;
          },
          fresh,
          watching(lagReport),
        );
      }
      const exportsMs = performance.now() - exportsStarted;

      // 3. The parts on the main thread, alone: assembly (note and report) and the structured clone.
      const { document } = await assemble();
      const assembleRuns = await series(warm, assemble, () => {});
      const reportAssembly = await series(1, () => assembleReport(handle.db, { userId: rapporteur, consultationId, language: 'fr', siteOrigin: ORIGIN }), () => {});
      const { document: reportDocument, counts } = await assembleReport(handle.db, { userId: rapporteur, consultationId, language: 'fr', siteOrigin: ORIGIN });
      const cloneMs = (doc: ExportDocument) => {
        const samples = Array.from({ length: 5 }, () => {
          const c0 = performance.now();
          structuredClone(doc);
          return performance.now() - c0;
        });
        return median(samples);
      };

      // 4. The render step alone in a worker thread, timed inside it.
      const worker = await startRenderWorker();
      const alone: Record<string, { ms: number[]; cpuMs: number[]; roundTripMs: number[]; coldMs: number }> = {};
      try {
        const jobs: [string, ExportDocument, DocumentFormat, number][] = [
          ['docx', document, 'docx', warm],
          ['pdf', document, 'pdf', warm],
          ['md', document, 'md', warm],
          ['report_docx', reportDocument, 'docx', 0],
          ['report_pdf', reportDocument, 'pdf', 0],
        ];
        let tag = 0;
        for (const [key, doc, format, runs] of jobs) {
          // The first run of each is its cold one; a single run (the report) is reported as is.
          const all: { ms: number; cpuMs: number; roundTripMs: number }[] = [];
          for (let i = 0; i <= runs; i++) {
            const job: RenderJob = { kind: 'document', format, document: retagged(doc, `(w${++tag})`) };
            lagWatch.watch(lagAlone);
            all.push(await worker.render(job));
            lagWatch.pause();
          }
          const warmRuns = all.length > 1 ? all.slice(1) : all;
          alone[key] = { ms: warmRuns.map((r) => r.ms), cpuMs: warmRuns.map((r) => r.cpuMs), roundTripMs: warmRuns.map((r) => r.roundTripMs), coldMs: all[0]!.ms };
        }
      } finally {
        lagWatch.pause();
        await worker.stop();
      }

      // 5. The docx package's share, on the main thread: build (our walk + docx's objects), pack (docx's XML + zip).
      const build: number[] = [];
      const pack: number[] = [];
      for (let i = 0; i <= warm; i++) {
        const b0 = performance.now();
        const built = buildDocx(document);
        const b1 = performance.now();
        await packDocx(built);
        const b2 = performance.now();
        if (i > 0) {
          build.push(b1 - b0);
          pack.push(b2 - b1);
        }
      }

      // 6. The floor: the same monitor on an idle loop (pool and documents closed) for as long as the service exports took.
      await close();
      const idleSeconds = Math.min(exportsMs / 1000, envNumber('BENCH_EXPORTS_IDLE_MAX_SECONDS', 30));
      lagWatch.watch(lagIdle);
      await sleep(idleSeconds * 1000);
      lagWatch.stop();

      const notePages = notePdf ? pdfPages(notePdf) : -1;
      const reportPages = reportPdf ? pdfPages(reportPdf) : -1;
      const packageMs = median(build) + median(pack);
      Object.assign(m, {
        ...seriesMetrics('export_docx', note.docx),
        ...seriesMetrics('export_pdf', note.pdf),
        ...seriesMetrics('export_md', note.md),
        export_pdf_repeat_ms: round1(median(repeat.warm.map((r) => r.wallMs))),
        ...seriesMetrics('export_report_docx', report.docx!),
        ...seriesMetrics('export_report_pdf', report.pdf!),
      });
      for (const [key, entry] of Object.entries(alone)) {
        Object.assign(m, {
          [`export_render_${key}_ms`]: round1(median(entry.ms)),
          [`export_render_${key}_cold_ms`]: round1(entry.coldMs),
          [`export_render_${key}_worker_cpu_ms`]: round1(median(entry.cpuMs)),
          [`export_render_${key}_round_trip_ms`]: round1(median(entry.roundTripMs)),
        });
      }
      Object.assign(m, {
        export_note_assemble_ms: round1(median(assembleRuns.warm.map((r) => r.wallMs))),
        export_note_assemble_cpu_ms: round1(median(assembleRuns.warm.map((r) => r.mainCpuMs))),
        export_note_clone_ms: round1(cloneMs(document)),
        export_report_assemble_ms: round1(median(reportAssembly.warm.map((r) => r.wallMs))),
        export_report_assemble_cpu_ms: round1(median(reportAssembly.warm.map((r) => r.mainCpuMs))),
        export_report_clone_ms: round1(cloneMs(reportDocument)),
        export_docx_build_ms: round1(median(build)),
        export_docx_pack_ms: round1(median(pack)),
        export_docx_package_ms: round1(packageMs),
        export_event_loop_lag_p99_ms: round1(lagMs(lag, 99)),
        export_event_loop_lag_p999_ms: round1(lagMs(lag, 99.9)),
        export_event_loop_lag_max_ms: round1(lagMs(lag, 100)),
        export_event_loop_lag_note_p99_ms: round1(lagMs(lagNote, 99)),
        export_event_loop_lag_report_p99_ms: round1(lagMs(lagReport, 99)),
        export_event_loop_lag_note_max_ms: round1(lagMs(lagNote, 100)),
        export_event_loop_lag_report_max_ms: round1(lagMs(lagReport, 100)),
        export_event_loop_lag_idle_p99_ms: round1(lagMs(lagIdle, 99)),
        export_event_loop_lag_idle_max_ms: round1(lagMs(lagIdle, 100)),
        export_event_loop_lag_render_alone_p99_ms: round1(lagMs(lagAlone, 99)),
        export_note_pages: notePages,
        export_note_blocks: fx.bigNote.blocks,
        export_note_words: fx.bigNote.words,
        export_note_footnotes: document.footnotes.length,
        export_note_docx_kb: round1(sizes.docx! / 1024),
        export_note_pdf_kb: round1(sizes.pdf! / 1024),
        export_report_pages: reportPages,
        export_report_footnotes: counts.footnotes,
        export_report_docx_kb: round1(sizes.report_docx! / 1024),
        export_report_pdf_kb: round1(sizes.report_pdf! / 1024),
      });

      if (document.footnotes.length !== NOTE_CITATIONS) result.problems.push(`exports: the note exported ${document.footnotes.length} footnotes, expected ${NOTE_CITATIONS}`);
      const docxTotal = m.export_docx_ms!;
      result.notes.push(
        `exports: the note: ${fx.bigNote.blocks} top-level blocks (headings, paragraphs of 60–100 words, lists, 2 tables), ~${fx.bigNote.words} words, ${NOTE_CITATIONS} citations of ${NOTE_SOURCES} sources → ${notePages} PDF pages (with its footnotes and sources annex); ` +
          `the report: ${counts.keyPoints} key points, ${counts.notes} notes, ${counts.caseStudies} case studies, ${counts.footnotes} footnotes → ${reportPages} PDF pages`,
        `exports: ${warm} warm runs per note format (${reportWarm} per report format) after one cold run; medians reported, p95 = nearest rank (with this few runs, the slowest); frame language fr, as the rapporteur (restricted items included, banner on)`,
        `exports: before each export (untimed) every source's text, case-study title, key-point summary and note paragraph gets a new revision mark, so Typst (which memoises layout across compiles, process-wide) lays out a new document each time; the same note exported again unchanged takes ${m.export_pdf_repeat_ms} ms to PDF`,
        `exports: per warm note export, main-thread CPU / process CPU (main + worker + helpers): DOCX ${m.export_docx_main_cpu_ms} / ${m.export_docx_process_cpu_ms} ms, PDF ${m.export_pdf_main_cpu_ms} / ${m.export_pdf_process_cpu_ms} ms, Markdown ${m.export_md_main_cpu_ms} / ${m.export_md_process_cpu_ms} ms; ` +
          `the note's assembly alone on the main thread ${m.export_note_assemble_ms} ms (${m.export_note_assemble_cpu_ms} ms CPU), its structured clone ${m.export_note_clone_ms} ms; the report's assembly ${m.export_report_assemble_ms} ms (${m.export_report_assemble_cpu_ms} ms CPU), clone ${m.export_report_clone_ms} ms`,
        `exports: render alone in a worker (inside it, median warm; its thread's CPU): DOCX ${m.export_render_docx_ms} ms (${m.export_render_docx_worker_cpu_ms}), PDF ${m.export_render_pdf_ms} ms (${m.export_render_pdf_worker_cpu_ms}), Markdown ${m.export_render_md_ms} ms (${m.export_render_md_worker_cpu_ms}); report DOCX ${m.export_render_report_docx_ms} ms, PDF ${m.export_render_report_pdf_ms} ms`,
        `exports: the docx package on the main thread, same note document: buildDocx ${m.export_docx_build_ms} ms (Palabre's walk constructing docx's objects) + packDocx ${m.export_docx_pack_ms} ms (docx's XML serialisation and JSZip) = ${round1(packageMs)} ms, ` +
          `pack alone ${packageMs > 0 ? Math.round((median(pack) / packageMs) * 100) : -1}% of it; the end-to-end DOCX export took ${docxTotal} ms, of which the render in the worker ${m.export_render_docx_ms} ms ` +
          `(renderDocx is exactly build + pack: the main thread's figures, measured in a busier heap, can exceed the worker's)`,
        `exports: event-loop lag = lateness of a ${LAG_RESOLUTION_MS} ms interval timer, while service exports were in flight (${Math.round(exportsMs / 1000)} s of the phase, revisions in between not watched): p99 ${m.export_event_loop_lag_p99_ms} ms, p99.9 ${m.export_event_loop_lag_p999_ms} ms, max ${m.export_event_loop_lag_max_ms} ms (note exports: p99 ${m.export_event_loop_lag_note_p99_ms}, max ${m.export_event_loop_lag_note_max_ms}; report exports: p99 ${m.export_event_loop_lag_report_p99_ms}, max ${m.export_event_loop_lag_report_max_ms}); ` +
          `idle floor over ${Math.round(idleSeconds)} s: p99 ${m.export_event_loop_lag_idle_p99_ms} ms, max ${m.export_event_loop_lag_idle_max_ms} ms. A blocking stretch of the main thread counts once whatever its length, so the max says more than p99 about assembly stalls`,
      );
      return result;
    } finally {
      await close();
      await handle.drop();
    }
  },
};
