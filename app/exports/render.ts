/**
 * What an export worker renders (server/exports/render-pool.ts): an assembled export document to
 * DOCX, PDF or Markdown, or a table to CSV or JSON. Plain data in, bytes out; no database.
 */
import type { DataFormat, DocumentFormat, ExportDocument } from './document';
import { renderCsv, renderJson, type DataCell, type DataColumn } from './render/csv';
import { renderDocx } from './render/docx';
import { renderMarkdown } from './render/markdown';
import { PDF_RENDERS_PER_THREAD, pdfRendersInThread, renderPdf } from './render/pdf';

export type RenderJob =
  | { kind: 'document'; format: DocumentFormat; document: ExportDocument }
  | { kind: 'table'; format: DataFormat; columns: DataColumn[]; rows: Record<string, DataCell>[]; records: unknown[] };

const utf8 = (value: string) => new TextEncoder().encode(value);

export async function renderJob(job: RenderJob): Promise<Uint8Array> {
  if (job.kind === 'document') {
    switch (job.format) {
      case 'docx':
        return renderDocx(job.document);
      case 'pdf':
        return renderPdf(job.document);
      case 'md':
        return utf8(renderMarkdown(job.document));
      default:
        throw new Error(`no renderer for documents as ${String((job as { format?: unknown }).format)}`);
    }
  }
  if (job.kind === 'table' && job.format === 'csv') return utf8(renderCsv(job.columns, job.rows));
  if (job.kind === 'table' && job.format === 'json') return utf8(renderJson(job.records));
  throw new Error(`no renderer for ${String((job as { kind?: unknown }).kind)} as ${String((job as { format?: unknown }).format)}`);
}

/**
 * Whether this thread should be replaced after its job: the Typst compiler keeps memory for
 * every document it laid out (about 4 MB per ten pages) and only ending its thread frees it.
 */
export const threadWornOut = () => pdfRendersInThread() >= PDF_RENDERS_PER_THREAD;
