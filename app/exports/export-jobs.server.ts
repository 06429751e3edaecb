/**
 * Exports that take a while (the consultation report), made in the background so the page can
 * show their progress (docs/decisions/0017): `start` returns at once with a job id; the page asks
 * `status` until the job is `ready`, then downloads the file with `take`. A job belongs to the
 * user who started it (anyone else is told it does not exist), its file is kept `keepMs` after it
 * is ready and then dropped, a user runs at most `perUser` jobs at once, and keeps at most
 * `keptPerUser` finished ones (the oldest go first): files live in memory, and a user starting
 * report after report would otherwise pile up ten minutes' worth of them.
 *
 * Per process, in memory: a restart loses running jobs (the page says the file could not be made
 * and offers to start again) and nothing else.
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../utils/errors';
import type { ExportFile, ExportProgress } from './exports.server';

export interface JobStatus {
  id: string;
  state: 'running' | 'ready' | 'failed';
  stage: string;
  done: number;
  total: number;
  /** When ready. */
  fileName: string | null;
  restricted: boolean;
  /** When failed: an i18n key. */
  errorKey: string | null;
}

interface Job extends JobStatus {
  userId: string;
  /** What the job belongs to (the consultation's slug): asked for under another, it does not exist. */
  scope: string;
  file: ExportFile | null;
  expires: number;
}

export function createExportJobs(options: { keepMs?: number; perUser?: number; keptPerUser?: number } = {}) {
  const keepMs = options.keepMs ?? 10 * 60_000;
  const perUser = options.perUser ?? 3;
  const keptPerUser = options.keptPerUser ?? 5;
  const jobs = new Map<string, Job>();

  const sweep = () => {
    const now = Date.now();
    for (const [id, job] of jobs) if (job.state !== 'running' && job.expires < now) jobs.delete(id);
  };

  /** Drops `userId`'s oldest finished jobs beyond `keptPerUser` (a Map iterates in insertion order: oldest first). */
  const trim = (userId: string) => {
    const finished = [...jobs.values()].filter((job) => job.userId === userId && job.state !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - keptPerUser))) jobs.delete(job.id);
  };

  const view = ({ id, state, stage, done, total, fileName, restricted, errorKey }: Job): JobStatus => ({ id, state, stage, done, total, fileName, restricted, errorKey });

  return {
    /**
     * Starts `run` in the background for `userId`, within `scope` (the consultation's slug);
     * refused (`exports.errors.busy`) past `perUser` running jobs.
     */
    start(userId: string, scope: string, run: (progress: ExportProgress) => Promise<ExportFile>): JobStatus {
      sweep();
      const running = [...jobs.values()].filter((job) => job.userId === userId && job.state === 'running').length;
      if (running >= perUser) throw new DomainError('conflict', 'exports.errors.busy');
      const id = randomBytes(16).toString('base64url');
      const job: Job = { id, userId, scope, state: 'running', stage: '', done: 0, total: 1, fileName: null, restricted: false, errorKey: null, file: null, expires: Infinity };
      jobs.set(id, job);
      run((stage, done, total) => Object.assign(job, { stage, done, total })).then(
        (file) => {
          Object.assign(job, { state: 'ready', file, fileName: file.fileName, restricted: file.restricted, done: job.total, expires: Date.now() + keepMs });
          trim(userId);
        },
        (error: unknown) => {
          const errorKey = error instanceof DomainError ? error.messageKey : 'exports.errors.failed';
          if (!(error instanceof DomainError)) console.error('[exports] a background export failed:', error);
          Object.assign(job, { state: 'failed', errorKey, expires: Date.now() + keepMs });
          trim(userId);
        },
      );
      return view(job);
    },

    /** The job as its owner sees it within its scope; `not_found` for anyone else, another scope or an unknown id. */
    status(id: string, userId: string, scope: string): JobStatus {
      const job = jobs.get(id);
      if (!job || job.userId !== userId || job.scope !== scope) throw new DomainError('not_found', 'exports.errors.notFound');
      return view(job);
    },

    /** The job's file, once ready (it stays downloadable until it expires). */
    file(id: string, userId: string, scope: string): ExportFile {
      const job = jobs.get(id);
      if (!job || job.userId !== userId || job.scope !== scope || !job.file) throw new DomainError('not_found', 'exports.errors.notFound');
      return job.file;
    },
  };
}

export type ExportJobs = ReturnType<typeof createExportJobs>;
