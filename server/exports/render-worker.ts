/**
 * An export render worker: receives render jobs (render-pool.ts) and answers with the file's
 * bytes, transferred (not copied). One per pool slot, kept alive between jobs so the Typst
 * compiler stays warm. Only rendering happens here: the export was assembled, with visibility
 * and attribution applied, before it was sent.
 */
import { parentPort } from 'node:worker_threads';
import { renderJob, threadWornOut, type RenderJob } from '../../app/exports/render';

interface Request {
  id: number;
  /** The RenderJob as JSON (render-pool.ts says why). */
  job: string;
}

parentPort!.on('message', async ({ id, job }: Request) => {
  try {
    const bytes = await renderJob(JSON.parse(job) as RenderJob);
    // A view over a larger or shared buffer cannot be transferred: copy it into its own then.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
    parentPort!.postMessage({ id, ok: true, bytes: own, retire: threadWornOut() }, [own.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort!.postMessage({ id, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
});
