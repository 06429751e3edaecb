/**
 * A synthesis note as an export document (docs/decisions/0017): its title and where it belongs,
 * a final note's stamp (its version and the SHA-256 of its content, so the forum can tell which
 * text it discussed), the note's own text with every citation a numbered footnote worded through
 * the attribution (footnotes.ts), and the sources it cites as an annex the footnotes link to.
 *
 * Reads the note through the note service (`get`: who may not read it gets `not_found`, and a
 * loaded note is derived first, so the export is the stored document), and its citations through
 * the citation service, as the requesting user may read them: a participant's export never holds
 * a restricted or unpublished case study (it prints as withdrawn); a reviewer's may, and is then
 * marked restricted on every page.
 *
 * A stored document that cannot be parsed exports its plain text with a notice; nodes the walk
 * could not read are left out with a notice. Never throws for the content of a note.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Consultation, ConsultationService } from '../consultations/consultations.server';
import { citationKey, type NoteCitationRef } from '../contributions/refs';
import type { CitationService, Source } from '../notes/citations.server';
import type { NoteDocs } from '../notes/note-docs.server';
import type { NoteService } from '../notes/notes.server';
import { text, type Block, type ExportDocument, type ExportLanguage, type Inline } from './document';
import { annexEntry, footnoteContent, sourceAnchor } from './footnotes';
import { noteBlocks } from './note-blocks';
import { exportDate, exportLabels, exportT, exportWords } from './words.server';

export interface NoteExport {
  document: ExportDocument;
  /** Holds items only reviewers may read. */
  restricted: boolean;
  note: { id: number; consultationId: number; questionNumber: string | null; stakeholderGroup: string | null; status: string };
  /** A final note's stamp. */
  stamp: { version: number; sha256: string; signedOffAt: string } | null;
  /** `palabre-q3-synthesis-fr`, `palabre-q3-synthesis-civil-society-fr`, `palabre-synthesis-fr`. */
  fileStem: string;
}

interface Deps {
  db: Kysely<Database>;
  notes: NoteService;
  /** The live documents: a note being edited is stored and derived before it is exported. */
  docs: Pick<NoteDocs, 'save'>;
  citations: CitationService;
  consultations: ConsultationService;
}

/** The SHA-256 (hex) of a note's stored content (its Lexical JSON): what a final export prints. */
export const contentHash = (content: string) => createHash('sha256').update(content, 'utf8').digest('hex');

/**
 * A final note's version: its named versions saved up to its sign-off, plus the signed-off text
 * itself. Stable: a final note takes no more versions.
 */
async function signedOffVersion(db: Kysely<Database>, noteId: number, signedOffAt: string): Promise<number> {
  const row = await db.selectFrom('noteVersions').select((eb) => eb.fn.countAll<number>().as('count')).where('noteId', '=', noteId).where('createdAt', '<=', signedOffAt).executeTakeFirstOrThrow();
  return Number(row.count) + 1;
}

/** A slug for a file name: letters and digits of `value`, lower case, accents dropped. */
export const fileSlug = (value: string) =>
  value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);

export async function assembleNoteExport(deps: Deps, input: { userId: string; noteId: number; language: ExportLanguage; siteOrigin: string }): Promise<NoteExport> {
  const { db, notes, citations } = deps;
  const opened = await notes.get(input.noteId, input.userId); // not_found for whoever may not read it
  // What co-editors typed a moment ago is in the live document, and reaches the derived copy only
  // at the next derivation: store and derive it now, so the export is the text as it stands. If
  // that fails, the stored copy is the best there is (a final note's is its signed-off text).
  await deps.docs.save(opened.id).catch((error: unknown) => console.error(`[exports] note ${opened.id} could not be saved before its export:`, (error as Error).message));
  const row = await db
    .selectFrom('notes')
    .innerJoin('consultations', 'consultations.id', 'notes.consultationId')
    .select(['consultations.slug', 'notes.statusChangedAt', 'notes.createdAt', 'notes.content', 'notes.text', 'notes.title', 'notes.status'])
    .where('notes.id', '=', opened.id)
    .executeTakeFirstOrThrow();
  const note = { ...opened, content: row.content, text: row.text, title: row.title, status: row.status };
  const consultation = (await deps.consultations.getBySlug(row.slug)) as Consultation;
  const language = input.language;
  const t = exportT(language);
  const words = exportWords(language, consultation);
  const groups = words.groupLabel;

  // The note's blocks, each citation a footnote in reading order (resolved below).
  const cited: NoteCitationRef[] = [];
  const cite = (ref: NoteCitationRef): Inline[] => {
    cited.push(ref);
    return [{ type: 'footnote', n: cited.length }];
  };
  let body: Block[];
  let skipped = 0;
  let unreadableWhole = false;
  try {
    const parsed = JSON.parse(note.content) as { root?: unknown };
    const result = noteBlocks(parsed.root, { cite, headingLevel: (level) => (level <= 2 ? 2 : 3) });
    body = result.blocks;
    skipped = result.skipped;
  } catch {
    unreadableWhole = true;
    body = note.text
      .split(/\n\s*\n/)
      .filter((p) => p.trim() !== '')
      .map((p) => ({ type: 'paragraph', children: p.split('\n').flatMap((line, i): Inline[] => [...(i > 0 ? [{ type: 'break' } as const] : []), text(line)]) }));
  }
  // The note's first heading is usually its title (a new note starts with it): the export has its own.
  const first = body[0];
  if (first?.type === 'heading' && first.children.map((c) => (c.type === 'text' ? c.text : '')).join('').trim() === note.title.trim()) body = body.slice(1);

  const unique = [...new Map(cited.map((ref) => [citationKey(ref), ref])).values()];
  const resolved = await citations.resolve(input.userId, note.consultationId, unique, note.id);
  const byKey = new Map<string, Source>(resolved.map((source) => [citationKey(source), source]));
  // A clip quoting a restricted case study is restricted too: its source's standing says so.
  const clipSources = resolved.flatMap((s) => (s.clip ? [{ kind: s.clip.source.kind, id: s.clip.source.id }] : []));
  const quotedSources = clipSources.length > 0 ? await citations.resolve(input.userId, note.consultationId, clipSources) : [];
  const restricted = [...resolved, ...quotedSources].some((s) => s.state === 'available' && s.standing === 'restricted');

  const footnotes = cited.map((ref, i) => ({ n: i + 1, children: footnoteContent(byKey.get(citationKey(ref))!, words, true) }));

  const stamp =
    note.status === 'final' && row.statusChangedAt
      ? { version: await signedOffVersion(db, note.id, row.statusChangedAt), sha256: contentHash(note.content), signedOffAt: row.statusChangedAt }
      : null;

  const where = note.questionNumber ? t('exports.note.question', { number: note.questionNumber }) : t('exports.note.whole');
  const subtitle = [t('exports.note.kind'), where, ...(note.stakeholderGroup ? [t('exports.note.group', { group: groups(note.stakeholderGroup) })] : [])].join(' · ');
  const statusLine = [t('exports.note.status', { status: t(`notes.status.${note.status}`) }), t('exports.note.exportedOn', { date: exportDate(new Date().toISOString(), language) })].join(' · ');

  const blocks: Block[] = [
    { type: 'heading', level: 1, children: [text(note.title)], anchor: 'note', toc: false },
    { type: 'paragraph', style: 'small', children: [text(subtitle)] },
    { type: 'paragraph', style: 'small', children: [text(statusLine)] },
  ];
  if (stamp) {
    blocks.push({ type: 'notice', kind: 'stamp', children: [text(t('exports.note.stamp', { version: stamp.version, date: exportDate(stamp.signedOffAt, language), hash: stamp.sha256 }))] });
  }
  if (restricted) blocks.push({ type: 'notice', kind: 'restricted', children: [text(t('exports.restrictedBanner'))] });
  if (unreadableWhole) blocks.push({ type: 'notice', kind: 'unreadable', children: [text(t('exports.note.unreadableWhole'))] });
  else if (skipped > 0) blocks.push({ type: 'notice', kind: 'unreadable', children: [text(t('exports.note.unreadable', { count: skipped }))] });
  blocks.push(...body);
  if (unique.length > 0) {
    blocks.push(
      { type: 'heading', level: 2, children: [text(t('exports.note.sources'))], anchor: 'sources' },
      { type: 'paragraph', style: 'small', children: [text(t('exports.note.sourcesIntro'))] },
      ...resolved.map((source): Block => ({ type: 'paragraph', anchor: sourceAnchor(source.marker), children: annexEntry(source, words, input.siteOrigin) })),
    );
  }

  const group = note.stakeholderGroup ? `-${fileSlug(note.stakeholderGroup)}` : '';
  const fileStem = `palabre${note.questionNumber ? `-q${fileSlug(note.questionNumber)}` : ''}-synthesis${group}-${language}`;
  return {
    document: {
      language,
      properties: {
        title: note.title,
        subject: subtitle,
        version: stamp ? t('exports.note.stampShort', { version: stamp.version, hash: stamp.sha256 }) : '',
        keywords: ['Palabre', t('exports.note.kind'), where],
      },
      restrictedBanner: restricted ? t('exports.restrictedBanner') : null,
      labels: exportLabels(language),
      blocks,
      footnotes,
    },
    restricted,
    note: { id: note.id, consultationId: note.consultationId, questionNumber: note.questionNumber, stakeholderGroup: note.stakeholderGroup, status: note.status },
    stamp,
    fileStem,
  };
}
