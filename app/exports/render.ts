/**
 * What an export worker renders (server/exports/render-pool.ts): an assembled export document to
 * DOCX, PDF or Markdown, or a table to CSV or JSON. Plain data in, bytes out; no database.
 */
import type { DataFormat, DocumentFormat, ExportDocument } from './document';
import { renderDocx } from './render/docx';

export type RenderJob =
  | { kind: 'document'; format: DocumentFormat; document: ExportDocument }
  | { kind: 'table'; format: DataFormat; columns: { key: string; header: string }[]; rows: Record<string, string | number | boolean | null>[]; json: unknown };

const utf8 = (value: string) => new TextEncoder().encode(value);

export async function renderJob(job: RenderJob): Promise<Uint8Array> {
  if (job.kind === 'document') {
    switch (job.format) {
      case 'docx':
        return renderDocx(job.document);
      case 'pdf':
        throw new Error('pdf: not yet');
      case 'md':
        throw new Error('md: not yet');
    }
  }
  throw new Error(`${job.format}: not yet`);
}
