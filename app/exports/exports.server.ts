/**
 * The export service (docs/decisions/0017): who may download what, assembling it through the
 * contributions module's rules, rendering it off the event loop (`render`, the worker pool), and
 * recording every export in the audit log (who, what, which format and language, when, whether it
 * holds restricted items, and a final note's version and SHA-256).
 *
 * - A synthesis note: whoever may read it (the note service decides; others get `not_found`,
 *   exactly as its page answers). Its footnotes are worded as the requester may read the sources.
 * - The consultation report, whole or one question's part, and the data (a question's
 *   contributions, the case-study catalogue, as CSV or JSON): moderators, rapporteurs and admins.
 *
 * Errors are DomainErrors whose message keys are under `exports.errors.*` (or the note's own).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { roleOf } from '../accounts/accounts.server';
import { can } from '../accounts/roles';
import { recordAudit } from '../audit/audit.server';
import type { ConsultationService } from '../consultations/consultations.server';
import { viewerIn } from '../contributions/sources.server';
import type { CitationService } from '../notes/citations.server';
import type { NoteDocs } from '../notes/note-docs.server';
import type { NoteService } from '../notes/notes.server';
import { DomainError } from '../utils/errors';
import { caseStudyCatalogue, questionContributions } from './data.server';
import { MEDIA_TYPES, type DataFormat, type DocumentFormat, type ExportLanguage } from './document';
import { assembleNoteExport, fileSlug } from './note-export.server';
import type { RenderJob } from './render';
import { assembleReport, type ReportStage } from './report.server';

export interface ExportFile {
  bytes: Uint8Array;
  /** `palabre-q3-synthesis-fr.docx` */
  fileName: string;
  mediaType: string;
  /** Holds items only moderators and rapporteurs may read. */
  restricted: boolean;
}

/**
 * Told as an export advances: `stage` is a key, not words (a report's stage, `ReportStage`, then
 * `rendering`), so the page names it in its reader's language, whatever the report's frame language.
 */
export type ExportProgress = (stage: ReportStage | 'rendering', done: number, total: number) => void;

interface Deps {
  db: Kysely<Database>;
  notes: NoteService;
  citations: CitationService;
  consultations: ConsultationService;
  /** The live note documents: notes being edited are stored and derived before an export reads them. */
  docs: Pick<NoteDocs, 'save'>;
  /** Renders off the event loop (server/exports/render-pool.ts). */
  render(job: RenderJob): Promise<Uint8Array>;
}

export function createExportService(deps: Deps) {
  const { db } = deps;

  /** The consultation of the URL; a draft one does not exist for exports, as for its pages. */
  async function consultationOf(slug: string) {
    const consultation = await deps.consultations.getBySlug(slug);
    if (!consultation || consultation.phase === 'draft') throw new DomainError('not_found', 'exports.errors.notFound');
    return consultation;
  }

  /** Moderators, rapporteurs and admins of the consultation. */
  async function requireReporter(userId: string, consultationId: number) {
    const role = await roleOf(db, userId, consultationId);
    if (!can(role, 'exports.report')) throw new DomainError('forbidden', 'exports.errors.forbidden');
    return role;
  }

  async function audit(userId: string, consultationId: number, action: string, subjectType: string, subjectId: string, details: Record<string, unknown>) {
    await recordAudit(db, { actorId: userId, consultationId, action, subjectType, subjectId, details });
  }

  return {
    /** Who may download the report and the data of `consultationId`. */
    async mayReport(userId: string | null, consultationId: number): Promise<boolean> {
      return !!userId && can(await roleOf(db, userId, consultationId), 'exports.report');
    },

    /** A synthesis note of consultation `consultationId` as DOCX, PDF or Markdown, framed in `language`. */
    async note(userId: string, consultationId: number, noteId: number, format: DocumentFormat, language: ExportLanguage, siteOrigin: string): Promise<ExportFile> {
      const assembled = await assembleNoteExport(deps, { userId, noteId, language, siteOrigin });
      if (assembled.note.consultationId !== consultationId) throw new DomainError('not_found', 'exports.errors.notFound');
      const bytes = await deps.render({ kind: 'document', format, document: assembled.document });
      const fileName = `${assembled.fileStem}.${format}`;
      await audit(userId, assembled.note.consultationId, 'export.note', 'note', String(noteId), {
        format,
        language,
        fileName,
        restricted: assembled.restricted,
        status: assembled.note.status,
        ...(assembled.stamp ? { version: assembled.stamp.version, sha256: assembled.stamp.sha256 } : {}),
      });
      return { bytes, fileName, mediaType: MEDIA_TYPES[format], restricted: assembled.restricted };
    },

    /** The consultation report (or, with `questionNumber`, that question's part) as DOCX, PDF or Markdown. */
    async report(
      userId: string,
      slug: string,
      format: DocumentFormat,
      language: ExportLanguage,
      siteOrigin: string,
      options: { questionNumber?: string; onProgress?: ExportProgress } = {},
    ): Promise<ExportFile> {
      const consultation = await consultationOf(slug);
      await requireReporter(userId, consultation.id);
      if (options.questionNumber !== undefined && !(await deps.consultations.getQuestion(consultation.id, options.questionNumber))) {
        throw new DomainError('not_found', 'exports.errors.notFound');
      }
      // Notes being edited: their latest words reach the stored copy the report reads.
      const notes = await db.selectFrom('notes').select('id').where('consultationId', '=', consultation.id).execute();
      for (const { id } of notes) await deps.docs.save(id).catch((error: unknown) => console.error(`[exports] note ${id} could not be saved before the report:`, (error as Error).message));
      const { document, restricted } = await assembleReport(db, { userId, consultationId: consultation.id, language, siteOrigin, questionNumber: options.questionNumber, onProgress: options.onProgress });
      options.onProgress?.('rendering', 0, 1);
      const bytes = await deps.render({ kind: 'document', format, document });
      const part = options.questionNumber ? `-q${fileSlug(options.questionNumber)}` : '';
      const fileName = `palabre-${fileSlug(consultation.slug)}${part}-report-${language}.${format}`;
      await audit(userId, consultation.id, 'export.report', options.questionNumber ? 'question' : 'consultation', options.questionNumber ?? String(consultation.id), { format, language, fileName, restricted });
      return { bytes, fileName, mediaType: MEDIA_TYPES[format], restricted };
    },

    /** A question's contributions (CSV or JSON), as the requester may read them, attribution applied. */
    async contributions(userId: string, slug: string, questionNumber: string, format: DataFormat, language: ExportLanguage): Promise<ExportFile> {
      const consultation = await consultationOf(slug);
      await requireReporter(userId, consultation.id);
      if (!(await deps.consultations.getQuestion(consultation.id, questionNumber))) throw new DomainError('not_found', 'exports.errors.notFound');
      const viewer = await viewerIn(db, userId, consultation.id);
      const table = await questionContributions(db, viewer, consultation.id, questionNumber, language);
      const bytes = await deps.render({ kind: 'table', format, columns: table.columns, rows: table.rows, records: table.records });
      const fileName = `palabre-q${fileSlug(questionNumber)}-contributions-${language}.${format}`;
      await audit(userId, consultation.id, 'export.contributions', 'question', questionNumber, { format, language, fileName, rows: table.rows.length, restricted: table.restricted });
      return { bytes, fileName, mediaType: MEDIA_TYPES[format], restricted: table.restricted };
    },

    /** The case-study catalogue (CSV or JSON); restricted case studies only for reviewers, marked. */
    async caseStudies(userId: string, slug: string, format: DataFormat, language: ExportLanguage): Promise<ExportFile> {
      const consultation = await consultationOf(slug);
      await requireReporter(userId, consultation.id);
      const viewer = await viewerIn(db, userId, consultation.id);
      const table = await caseStudyCatalogue(db, viewer, consultation.id, language);
      const bytes = await deps.render({ kind: 'table', format, columns: table.columns, rows: table.rows, records: table.records });
      const { restricted } = table;
      const fileName = `palabre-case-studies-${language}.${format}`;
      await audit(userId, consultation.id, 'export.case_studies', 'consultation', String(consultation.id), { format, language, fileName, rows: table.rows.length, restricted });
      return { bytes, fileName, mediaType: MEDIA_TYPES[format], restricted };
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
