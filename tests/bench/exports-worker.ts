/**
 * The render step alone, in a worker thread, for the exports benchmark (exports.ts): the same
 * `renderJob` the export pool's workers run (app/exports/render.ts), timed inside the thread
 * (wall ms and this thread's CPU ms, thread-cpu.ts), so the figure excludes the structured clone
 * of the document and the queueing that the pool adds.
 *
 *   → { id, job }   ← { id, ms, cpuMs, bytes }   (bytes: the file's length)
 *   ← { id, error } when the renderer throws
 */
import { parentPort } from 'node:worker_threads';
import { renderJob, type RenderJob } from '../../app/exports/render';
import { threadCpuMs } from './thread-cpu';

parentPort!.on('message', async ({ id, job }: { id: number; job: RenderJob }) => {
  try {
    const cpu0 = threadCpuMs();
    const t0 = performance.now();
    const bytes = await renderJob(job);
    const ms = performance.now() - t0;
    parentPort!.postMessage({ id, ms, cpuMs: threadCpuMs() - cpu0, bytes: bytes.byteLength });
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
});
parentPort!.postMessage({ started: true });
