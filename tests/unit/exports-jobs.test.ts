/**
 * Background export jobs (app/exports/export-jobs.server.ts): a job is its owner's only, under its
 * consultation's address only; a user
 * runs a few at once, and the finished files kept in memory stay bounded per user.
 */
import { describe, expect, it } from 'vitest';
import type { ExportFile } from '../../app/exports/exports.server';
import { createExportJobs } from '../../app/exports/export-jobs.server';

const file = (n: number): ExportFile => ({ bytes: new Uint8Array(1024), fileName: `report-${n}.pdf`, mediaType: 'application/pdf', restricted: false });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('export jobs', () => {
  it('are their owner’s only, within their consultation', async () => {
    const jobs = createExportJobs();
    const job = jobs.start('rita', 'gfmd', async () => file(1));
    await settle();
    expect(jobs.file(job.id, 'rita', 'gfmd').fileName).toBe('report-1.pdf');
    // Asked for under another consultation's address, the job does not exist.
    expect(() => jobs.status(job.id, 'rita', 'other')).toThrow(/notFound/);
    expect(() => jobs.file(job.id, 'rita', 'other')).toThrow(/notFound/);
    expect(() => jobs.status(job.id, 'mona', 'gfmd')).toThrow(/notFound/);
    expect(() => jobs.file(job.id, 'mona', 'gfmd')).toThrow(/notFound/);
  });

  // Every finished file stayed in memory ten minutes, however many: one user starting report
  // after report (three at a time) piled up hundreds of files, megabytes each for a large
  // consultation. Only a user's latest finished jobs are kept.
  it('keep a user’s latest finished files only', async () => {
    const jobs = createExportJobs({ keptPerUser: 5 });
    const ids: string[] = [];
    for (let n = 0; n < 12; n++) {
      ids.push(jobs.start('rita', 'gfmd', async () => file(n)).id);
      await settle();
    }
    const other = jobs.start('mona', 'gfmd', async () => file(99)).id;
    await settle();
    jobs.start('rita', 'gfmd', async () => file(12));
    await settle();
    const kept = ids.filter((id) => {
      try {
        jobs.file(id, 'rita', 'gfmd');
        return true;
      } catch {
        return false;
      }
    });
    expect(kept.length).toBeLessThanOrEqual(5);
    expect(kept).toContain(ids.at(-1));
    expect(jobs.file(other, 'mona', 'gfmd').fileName).toBe('report-99.pdf');
  });
});
