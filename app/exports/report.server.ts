/**
 * The consultation report as an export document (document.ts; docs/decisions/0017): assembled
 * here once, rendered to DOCX, PDF or Markdown by others. In the frame language the reader
 * chose: a cover, the table of contents, the background note, then per question its text and
 * sub-questions, its key points with their clips (when the reader may read the compilation) and
 * its synthesis notes; the notes on the whole consultation; Annex A (the published case studies),
 * Annex B (every cited source) and a page counting contributions per stakeholder group and
 * language. With `questionNumber`, that question's part alone, with its own annexes and counts.
 *
 * Nothing is decided here about who sees what: every source goes through app/contributions/
 * (docs/decisions/0014) for the user it gets. Footnotes are worded as a note's citations are
 * (app/notes/citations.server.ts `resolve`, then footnotes.ts): a clip of a key point is resolved
 * as a citation of that clip, so its words and its attribution are exactly those of a note
 * citing it. Case studies and counts use the contributions module's source filters. A Chatham
 * House author is never named: only `PublicAuthor` reaches the document.
 *
 * Footnotes are numbered in reading order across the whole document; each footnote's marker
 * links to its source's entry in Annex B. A stored note that cannot be read prints its plain
 * text with a notice, never an error. `restricted` is true as soon as one item is (a restricted
 * case study in Annex A, a cited restricted case study, a clip quoting one): the document then
 * carries the restricted banner and a notice at its top.
 *
 * Errors: `not_found` (exports.errors.notFound) for an unknown consultation or question.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { countryName } from '../accounts/countries.server';
import { createCompilationService, type KeyPointView } from '../compilation/compilation.server';
import { createConsultationService, type Consultation, type Question } from '../consultations/consultations.server';
import type { Language } from '../consultations/content.schema';
import { localize } from '../consultations/localize';
import { compilationAccess } from '../consultations/phases';
import { caseStudiesInforming, sourceCaseStudies, sourcePosts } from '../contributions/filters.server';
import { citationKey, type NoteCitationRef } from '../contributions/refs';
import { caseStudySource, selectCaseStudySources, subQuestionsOf, viewerIn, type AvailableCaseStudySource } from '../contributions/sources.server';
import type { ContributionViewer } from '../contributions/visibility';
import { createCitationService, MAX_REFS, type CitationService, type Source } from '../notes/citations.server';
import { citationsOfContent } from '../notes/note-citations.server';
import { DomainError } from '../utils/errors';
import { text, type Block, type ExportDocument, type ExportLanguage, type Footnote, type Inline, type TableCell } from './document';
import { annexEntry, authorName, footnoteContent, sourceAnchor, userWords, type ExportWords } from './footnotes';
import { noteBlocks } from './note-blocks';
import { exportDate, exportLabels, exportT, exportWords } from './words.server';

export interface ReportInput {
  userId: string;
  consultationId: number;
  /** The frame language (headings, labels, dates); contributions keep their own. */
  language: ExportLanguage;
  /** `https://forum.example.org`: links to case studies and sources are absolute. */
  siteOrigin: string;
  /** That question's part alone (the question and compilation pages' download). */
  questionNumber?: string;
  /** Told after each stage (`background`, `questions` i of n, `notes`, `caseStudies`, `sources`, `statistics`; labels in exports.report.stages). */
  onProgress?: (stage: ReportStage, done: number, total: number) => void;
}

export type ReportStage = 'background' | 'questions' | 'notes' | 'caseStudies' | 'sources' | 'statistics';

export interface ReportCounts {
  footnotes: number;
  keyPoints: number;
  notes: number;
  caseStudies: number;
}

export interface Report {
  document: ExportDocument;
  /** The document holds items only moderators and rapporteurs may read. */
  restricted: boolean;
  counts: ReportCounts;
}

/** The languages the statistics count apart; any other is "other". */
const COUNTED_LANGUAGES = ['fr', 'en', 'es'] as const;

type T = ReturnType<typeof exportT>;

/** A stored note, as the report reads it. */
interface NoteRecord {
  id: number;
  questionId: number | null;
  stakeholderGroup: string | null;
  title: string;
  content: string;
  text: string;
}

/** Whether a resolved footnote holds a restricted item (a restricted case study, or a clip quoting one). */
const isRestricted = (source: Source) => source.state === 'available' && (source.standing === 'restricted' || source.clip?.state === 'restricted');

/**
 * The footnotes of the document, in reading order, and the distinct sources they cite (Annex B,
 * in the order they are first cited, by marker).
 */
class FootnoteList {
  readonly footnotes: Footnote[] = [];
  readonly cited = new Map<string, Source>();
  restricted = false;

  constructor(private readonly words: ExportWords) {}

  /** A footnote for `source`; its reference, to place where it is cited. */
  add(source: Source): Inline {
    const n = this.footnotes.length + 1;
    this.footnotes.push({ n, children: footnoteContent(source, this.words, true) });
    if (!this.cited.has(source.marker)) this.cited.set(source.marker, source);
    if (isRestricted(source)) this.restricted = true;
    return { type: 'footnote', n };
  }
}

/** `resolve` in batches of at most MAX_REFS, keyed by `citationKey`. */
async function resolveAll(citations: CitationService, userId: string, consultationId: number, refs: NoteCitationRef[], noteId?: number): Promise<Map<string, Source>> {
  const out = new Map<string, Source>();
  for (let i = 0; i < refs.length; i += MAX_REFS) {
    const batch = refs.slice(i, i + MAX_REFS);
    const sources = await citations.resolve(userId, consultationId, batch, noteId);
    batch.forEach((ref, j) => out.set(citationKey(ref), sources[j]!));
  }
  return out;
}

/** A paragraph of plain text. */
const paragraph = (value: string, style: 'normal' | 'small' = 'normal'): Block => ({ type: 'paragraph', children: [text(value)], ...(style === 'small' ? { style } : {}) });

/** Plain text as paragraphs: blank lines part them, single line breaks stay breaks. */
function textParagraphs(value: string): Block[] {
  return value
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => ({ type: 'paragraph', children: part.split('\n').flatMap((line, i): Inline[] => (i > 0 ? [{ type: 'break' }, text(line)] : [text(line)])) }));
}

export async function assembleReport(db: Kysely<Database>, input: ReportInput): Promise<Report> {
  const { userId, consultationId, language, siteOrigin } = input;
  const progress = async (stage: ReportStage, done: number, total: number) => {
    // A progress bar that fails must not fail the export.
    try {
      input.onProgress?.(stage, done, total);
    } catch (error) {
      console.error('[exports] a report progress listener failed:', (error as Error).message);
    }
    // Between stages, let waiting requests and socket events run: the database driver and the
    // assembly are synchronous, and a whole report is a few hundred ms of them (bench: exports).
    await new Promise((resolve) => setImmediate(resolve));
  };

  const consultations = createConsultationService(db);
  const row = await db.selectFrom('consultations').select('slug').where('id', '=', consultationId).executeTakeFirst();
  const consultation = row ? await consultations.getBySlug(row.slug) : null;
  if (!consultation) throw new DomainError('not_found', 'exports.errors.notFound');
  const questions = input.questionNumber === undefined ? await consultations.listQuestions(consultationId) : await consultations.getQuestion(consultationId, input.questionNumber).then((q) => (q ? [q] : []));
  if (questions.length === 0 && input.questionNumber !== undefined) throw new DomainError('not_found', 'exports.errors.notFound');
  const part = input.questionNumber === undefined ? null : questions[0]!;

  const viewer = await viewerIn(db, userId, consultationId);
  const t = exportT(language);
  const words = exportWords(language, consultation);
  const citations = createCitationService(db);
  const footnotes = new FootnoteList(words);
  const source = consultation.sourceLanguage;
  const languageNames = new Intl.DisplayNames([language], { type: 'language', fallback: 'code' });
  const languageName = (lang: string) => languageNames.of(lang) ?? lang;
  /** Said under a text shown in its original language because the frame language has none. */
  const fallbackLine = (lang: Language): Block[] => (lang === language ? [] : [paragraph(t('exports.report.originalLanguage', { language: languageName(lang) }), 'small')]);
  const counts: ReportCounts = { footnotes: 0, keyPoints: 0, notes: 0, caseStudies: 0 };
  const blocks: Block[] = [{ type: 'contents' }];

  // The notes, read once: every signed-in member may read every note (app/notes/access.ts).
  const notes: NoteRecord[] = await db
    .selectFrom('notes')
    .select(['id', 'questionId', 'stakeholderGroup', 'title', 'content', 'text'])
    .where('consultationId', '=', consultationId)
    .orderBy('id')
    .execute();
  const noteSection = async (note: NoteRecord) => {
    counts.notes++;
    blocks.push({ type: 'heading', level: 2, anchor: `note-${note.id}`, children: [text(note.title)] });
    if (note.stakeholderGroup) blocks.push(paragraph(t('exports.note.group', { group: words.groupLabel(note.stakeholderGroup) }), 'small'));
    blocks.push(...(await noteBody(note)));
  };
  const noteBody = async (note: NoteRecord): Promise<Block[]> => {
    // No stored document at all (a row from before documents were derived): nothing was lost.
    if (note.content.trim() === '') return textParagraphs(note.text);
    let root: unknown;
    try {
      root = (JSON.parse(note.content) as { root?: unknown } | null)?.root;
    } catch {
      root = undefined;
    }
    if (typeof root !== 'object' || root === null) {
      return [{ type: 'notice', kind: 'unreadable', children: [text(t('exports.note.unreadableWhole'))] }, ...textParagraphs(note.text)];
    }
    const sources = await resolveAll(citations, userId, consultationId, citationsOfContent(note.content), note.id);
    const { blocks: body, skipped } = noteBlocks(root, {
      cite: (ref) => {
        const cited = sources.get(citationKey(ref));
        return cited ? [footnotes.add(cited)] : [];
      },
      headingLevel: () => 3,
    });
    return skipped > 0 ? [{ type: 'notice', kind: 'unreadable', children: [text(t('exports.note.unreadable', { count: skipped }))] }, ...body] : body;
  };

  // Background note (the whole report only).
  if (!part) {
    await progress('background', 0, 1);
    const wanted = consultation.background[language]?.filter((p) => p.trim()) ?? [];
    const [lang, paragraphs] = wanted.length > 0 ? [language, wanted] : [source, consultation.background[source]?.filter((p) => p.trim()) ?? []];
    if (paragraphs.length > 0) {
      blocks.push({ type: 'page-break' }, { type: 'heading', level: 1, anchor: 'background', children: [text(t('exports.report.background'))] });
      blocks.push(...fallbackLine(lang), ...paragraphs.map((p) => paragraph(p)));
    }
    await progress('background', 1, 1);
  }

  // The questions.
  const readsCompilation = consultation.phase !== 'draft' && compilationAccess(consultation.phase, viewer.role) !== 'none';
  const compilation = createCompilationService(db);
  for (const [i, question] of questions.entries()) {
    await progress('questions', i, questions.length);
    blocks.push({ type: 'page-break' }, ...questionIntro(question, consultation, { t, language, languageName, fallbackLine }));
    if (readsCompilation) {
      const { keyPoints } = await compilation.list(userId, question.id);
      blocks.push(...(await keyPointBlocks(keyPoints, question, { userId, consultationId, citations, footnotes, t })));
      counts.keyPoints += keyPoints.length;
    }
    for (const note of notes.filter((n) => n.questionId === question.id)) await noteSection(note);
  }
  await progress('questions', questions.length, questions.length);

  // The notes on the whole consultation (the whole report only).
  const wholeNotes = part ? [] : notes.filter((n) => n.questionId === null);
  if (wholeNotes.length > 0) {
    await progress('notes', 0, wholeNotes.length);
    blocks.push({ type: 'page-break' }, { type: 'heading', level: 1, anchor: 'consultation-notes', children: [text(t('exports.report.wholeNotes'))] });
    for (const note of wholeNotes) await noteSection(note);
    await progress('notes', wholeNotes.length, wholeNotes.length);
  }

  // Annex A: the published case studies this reader may read (of the question, for its part).
  await progress('caseStudies', 0, 1);
  const studies = await readableCaseStudies(db, viewer, consultation, part);
  blocks.push({ type: 'page-break' }, { type: 'heading', level: 1, anchor: 'annex-case-studies', children: [text(t('exports.report.annexCaseStudies'))] });
  blocks.push(paragraph(studies.length > 0 ? t('exports.report.annexCaseStudiesIntro') : t('exports.report.noCaseStudies')));
  let restrictedStudy = false;
  for (const study of studies) {
    blocks.push(...caseStudyBlocks(study, consultation, { t, words, language, siteOrigin }));
    if (study.source.visibility === 'restricted') restrictedStudy = true;
  }
  counts.caseStudies = studies.length;
  await progress('caseStudies', 1, 1);

  // Annex B: every source cited, in the order first cited; footnote markers link here.
  await progress('sources', 0, 1);
  blocks.push({ type: 'page-break' }, { type: 'heading', level: 1, anchor: 'annex-sources', children: [text(t('exports.report.annexSources'))] });
  blocks.push(paragraph(footnotes.cited.size > 0 ? t('exports.note.sourcesIntro') : t('exports.report.noSources')));
  for (const cited of footnotes.cited.values()) blocks.push({ type: 'paragraph', anchor: sourceAnchor(cited.marker), children: annexEntry(cited, words, siteOrigin) });
  await progress('sources', 1, 1);

  // Statistics: the same sources, counted.
  await progress('statistics', 0, 1);
  blocks.push({ type: 'page-break' }, ...(await statisticsBlocks(db, viewer, consultation, part, { t, words, languageName })));
  await progress('statistics', 1, 1);

  const restricted = restrictedStudy || footnotes.restricted;
  if (restricted) blocks.unshift({ type: 'notice', kind: 'restricted', children: [text(t('exports.report.restrictedNotice'))] });
  counts.footnotes = footnotes.footnotes.length;

  const title = localize(consultation.title, language, source)?.text ?? '';
  const forum = localize(consultation.forum, language, source)?.text ?? '';
  const kind = part ? t('exports.report.questionPart', { number: part.number }) : t('exports.report.kind');
  const document: ExportDocument = {
    language,
    properties: { title, subject: kind, version: '', keywords: [forum, kind].filter(Boolean) },
    cover: { title, subtitle: kind, lines: [forum, t('exports.report.generatedOn', { date: exportDate(new Date().toISOString(), language) })].filter(Boolean) },
    restrictedBanner: restricted ? t('exports.restrictedBanner') : null,
    labels: exportLabels(language),
    blocks,
    footnotes: footnotes.footnotes,
  };
  return { document, restricted, counts };
}

/** A question's heading (in the table of contents), its intro and its sub-questions. */
function questionIntro(
  question: Question,
  consultation: Consultation,
  context: { t: T; language: ExportLanguage; languageName: (lang: string) => string; fallbackLine: (lang: Language) => Block[] },
): Block[] {
  const { t, language, fallbackLine } = context;
  const source = consultation.sourceLanguage;
  const shown = localize(question.text, language, source);
  const out: Block[] = [
    { type: 'heading', level: 1, anchor: `q-${question.number}`, children: [text(t('exports.report.question', { number: question.number, text: shown?.text ?? '' }))] },
    ...(shown ? fallbackLine(shown.lang) : []),
  ];
  const intro = localize(question.intro, language, source);
  if (intro) out.push(...(intro.lang === shown?.lang ? [] : fallbackLine(intro.lang)), ...textParagraphs(intro.text));
  if (question.subQuestions.length > 0) {
    out.push({ type: 'paragraph', children: [text(t('exports.report.subQuestions'), { bold: true })] });
    out.push({
      type: 'list',
      ordered: false,
      start: 1,
      items: question.subQuestions.map((sub) => {
        const subText = localize(sub.text, language, source);
        const untranslated = subText && subText.lang !== language ? ` (${context.languageName(subText.lang)})` : '';
        return { children: [text(`${sub.number} `, { bold: true }), text(`${subText?.text ?? ''}${untranslated}`)], lists: [] };
      }),
    });
  }
  return out;
}

/**
 * A question's key points: per point its heading, its summary and its clips, each clip's words
 * with a footnote worded as a note citing that clip, and its stance. Clips resolved in one batch.
 */
async function keyPointBlocks(
  keyPoints: KeyPointView[],
  question: Question,
  context: { userId: string; consultationId: number; citations: CitationService; footnotes: FootnoteList; t: T },
): Promise<Block[]> {
  if (keyPoints.length === 0) return [];
  const { t, footnotes } = context;
  const refs = keyPoints.flatMap((point) => point.clips.map((clip): NoteCitationRef => ({ kind: 'clip', id: clip.id })));
  const sources = await resolveAll(context.citations, context.userId, context.consultationId, refs);
  const out: Block[] = [{ type: 'heading', level: 2, anchor: `q-${question.number}-key-points`, children: [text(t('exports.report.keyPoints'))] }];
  for (const point of keyPoints) {
    out.push({ type: 'heading', level: 3, anchor: `key-point-${point.id}`, children: [text(point.heading)] });
    if (point.summary.trim()) out.push(...textParagraphs(point.summary));
    for (const clip of point.clips) {
      const cited = sources.get(citationKey({ kind: 'clip', id: clip.id }));
      if (!cited) continue;
      const stance = text(`${t('exports.report.stance', { stance: t(`compilation.stances.${clip.stance}`) })} `, { bold: true });
      // The words only when the clip is a source for this reader (resolve says so): else its footnote says it is withdrawn.
      const quote = cited.state === 'available' ? (clip.quote ?? cited.excerpt) : null;
      const ref = footnotes.add(cited);
      out.push(quote ? { type: 'quote', children: [stance, text(userWords(quote)), ref] } : { type: 'paragraph', style: 'small', children: [stance, ref] });
    }
  }
  return out;
}

/** A case study of Annex A, with what its entry prints. */
interface AnnexCaseStudy {
  source: AvailableCaseStudySource;
  partners: { name: string; group: string }[];
  publishedAt: string | null;
  tags: { kind: string; value: string }[];
}

/**
 * The published case studies `viewer` may read as sources (restricted ones for reviewers only:
 * the contributions module's `sourceCaseStudies`), oldest published first; for a question's part,
 * those informing one of its sub-questions.
 */
async function readableCaseStudies(db: Kysely<Database>, viewer: ContributionViewer, consultation: Consultation, part: Question | null): Promise<AnnexCaseStudy[]> {
  if (!sourcesShown(consultation, viewer)) return [];
  const rows = await selectCaseStudySources(db)
    .select(['caseStudies.partners', 'caseStudies.publishedAt'])
    .where(sourceCaseStudies(viewer))
    .orderBy('caseStudies.publishedAt')
    .orderBy('caseStudies.id')
    .execute();
  const subQuestions = await subQuestionsOf(db, rows.map((r) => r.id));
  const informing = part ? new Set(part.subQuestions.map((s) => s.id)) : null;
  const shown = rows.filter((r) => !informing || (subQuestions.get(r.id) ?? []).some((id) => informing.has(id)));
  const tags = shown.length
    ? await db
        .selectFrom('caseStudyTags')
        .select(['caseStudyId', 'kind', 'value'])
        .where('caseStudyId', 'in', shown.map((r) => r.id))
        .where('kind', 'in', ['theme', 'origin', 'destination', 'implementation'])
        .execute()
    : [];
  return shown.flatMap((r) => {
    const source = caseStudySource(r, viewer, consultation.slug, subQuestions.get(r.id) ?? []);
    if (source.state !== 'available' || source.kind !== 'case_study') return [];
    return [{ source, partners: parsePartners(r.partners), publishedAt: r.publishedAt, tags: tags.filter((tag) => tag.caseStudyId === r.id) }];
  });
}

/**
 * Whether this reader sees any source of the consultation: readSources' rule (a consultation in
 * draft shows nothing but to its admins), applied to the lists it does not build.
 */
const sourcesShown = (consultation: Consultation, viewer: ContributionViewer) => consultation.phase !== 'draft' || viewer.role === 'admin';

function parsePartners(stored: string): { name: string; group: string }[] {
  try {
    const parsed = JSON.parse(stored) as unknown;
    return Array.isArray(parsed) ? parsed.filter((p): p is { name: string; group: string } => typeof p?.name === 'string' && typeof p?.group === 'string') : [];
  } catch {
    return [];
  }
}

/** A case study's entry in Annex A. */
function caseStudyBlocks(study: AnnexCaseStudy, consultation: Consultation, context: { t: T; words: ExportWords; language: ExportLanguage; siteOrigin: string }): Block[] {
  const { t, words, language } = context;
  const { source } = study;
  const labelled = (label: string, values: string[]): Block[] =>
    values.length === 0 ? [] : [{ type: 'paragraph', children: [text(`${label}: `, { bold: true }), text(values.join(', '))] }];
  const tagged = (kind: string) => study.tags.filter((tag) => tag.kind === kind).map((tag) => tag.value);
  const countries = (kind: string) => tagged(kind).map((code) => countryName(code, language));
  const themes = tagged('theme').map((id) => {
    const theme = consultation.themes.find((x) => x.id === id);
    return theme ? (localize(theme, language, consultation.sourceLanguage)?.text ?? id) : id;
  });
  const line = [t('exports.report.caseStudyAuthor', { author: authorName(source.author, words) })];
  if (study.publishedAt) line.push(t('exports.report.caseStudyPublished', { date: exportDate(study.publishedAt, language) }));
  const url = new URL(source.href, context.siteOrigin).toString();
  const out: Block[] = [{ type: 'heading', level: 2, anchor: `cs-${source.id}`, toc: false, children: [text(source.fields.title)] }];
  if (source.visibility === 'restricted') out.push({ type: 'paragraph', style: 'small', children: [text(t('exports.report.caseStudyRestricted'), { bold: true })] });
  out.push({ type: 'paragraph', style: 'small', children: [text(`${source.marker} · ${line.join(' · ')}`)] });
  if (source.fields.summary.trim()) out.push(...textParagraphs(source.fields.summary));
  out.push(
    ...labelled(
      t('caseStudies.fields.partners'),
      study.partners.map((p) => `${p.name} (${words.groupLabel(p.group)})`),
    ),
    ...labelled(t('caseStudies.fields.implementation'), countries('implementation')),
    ...labelled(t('caseStudies.fields.origin'), countries('origin')),
    ...labelled(t('caseStudies.fields.destination'), countries('destination')),
    ...labelled(t('caseStudies.fields.themes'), themes),
    { type: 'paragraph', style: 'small', children: [text(`${t('exports.report.caseStudyLink')} `), { type: 'link', url, children: [text(url)] }] },
  );
  return out;
}

/**
 * Contributions per stakeholder group (the author's) and language: the visible posts and the
 * published case studies this reader may read as sources, counted in SQL with the contributions
 * module's filters (hidden and deleted posts never count; restricted case studies for reviewers
 * only). A question's part counts its threads' posts and the case studies informing it.
 */
async function statisticsBlocks(
  db: Kysely<Database>,
  viewer: ContributionViewer,
  consultation: Consultation,
  part: Question | null,
  context: { t: T; words: ExportWords; languageName: (lang: string) => string },
): Promise<Block[]> {
  const { t, words } = context;
  let posts = db
    .selectFrom('posts')
    .innerJoin('users', 'users.id', 'posts.authorId')
    .select(['users.stakeholderGroup as group', 'posts.language', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where(sourcePosts(viewer))
    .groupBy(['users.stakeholderGroup', 'posts.language']);
  let studies = db
    .selectFrom('caseStudies')
    .innerJoin('users', 'users.id', 'caseStudies.authorId')
    .select(['users.stakeholderGroup as group', 'caseStudies.language', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where(sourceCaseStudies(viewer))
    .groupBy(['users.stakeholderGroup', 'caseStudies.language']);
  if (part) {
    posts = posts.where('posts.threadId', 'in', db.selectFrom('threads').select('threads.id').where('threads.questionId', '=', part.id));
    studies = studies.where(caseStudiesInforming(part.id));
  }
  const [postRows, studyRows] = sourcesShown(consultation, viewer) ? await Promise.all([posts.execute(), studies.execute()]) : [[], []];

  const columns = [...COUNTED_LANGUAGES, 'other'] as const;
  type Column = (typeof columns)[number];
  const column = (lang: string): Column => ((COUNTED_LANGUAGES as readonly string[]).includes(lang) ? (lang as Column) : 'other');
  const groups = [...consultation.stakeholderGroups.map((g) => g.id)];
  for (const r of [...postRows, ...studyRows]) if (!groups.includes(r.group)) groups.push(r.group);
  const table = new Map(groups.map((g) => [g, new Map<Column, number>(columns.map((c) => [c, 0]))]));
  /** Adds the rows' counts to the table; their total. (PostgreSQL counts are bigint strings.) */
  const add = (rows: { group: string; language: string; n: number | string }[]) =>
    rows.reduce((total, r) => {
      const counts = table.get(r.group)!;
      counts.set(column(r.language), counts.get(column(r.language))! + Number(r.n));
      return total + Number(r.n);
    }, 0);
  const postTotal = add(postRows);
  const studyTotal = add(studyRows);

  const cell = (value: string | number, header = false, bold = false): TableCell => ({ header, colSpan: 1, rowSpan: 1, children: [text(String(value), bold ? { bold: true } : {})] });
  const columnLabel = (c: Column) => (c === 'other' ? t('exports.report.otherLanguage') : capitalise(context.languageName(c), words.language));
  const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
  const rows: TableCell[][] = [
    [cell(t('exports.report.stakeholderGroup'), true), ...columns.map((c) => cell(columnLabel(c), true)), cell(t('exports.report.total'), true)],
    ...groups.map((g) => {
      const counts = table.get(g)!;
      return [cell(words.groupLabel(g), true), ...columns.map((c) => cell(counts.get(c)!)), cell(sum(counts.values()), false, true)];
    }),
    [
      cell(t('exports.report.total'), true),
      ...columns.map((c) => cell(sum(groups.map((g) => table.get(g)!.get(c)!)), false, true)),
      cell(postTotal + studyTotal, false, true),
    ],
  ];
  const intro = part
    ? t('exports.report.statisticsQuestionIntro', { total: postTotal + studyTotal, posts: postTotal, caseStudies: studyTotal, number: part.number })
    : t('exports.report.statisticsIntro', { total: postTotal + studyTotal, posts: postTotal, caseStudies: studyTotal });
  return [
    { type: 'heading', level: 1, anchor: 'statistics', children: [text(t('exports.report.statistics'))] },
    paragraph(intro),
    { type: 'table', rows, widths: [3, ...columns.map(() => 1), 1] },
  ];
}

/** "français" → "Français" in a table header (Intl gives French and Spanish language names in lower case). */
const capitalise = (value: string, language: ExportLanguage) => value.charAt(0).toLocaleUpperCase(language) + value.slice(1);
