/**
 * The export render pool (server/exports/render-pool.ts) with real worker threads: files come back
 * from a worker while the main thread stays free; a job that fails rejects alone and the pool
 * keeps serving; a full queue refuses at once; a job over its time is cut off and its worker
 * replaced; closing rejects what waits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRenderPool, RenderBusyError, type RenderPool } from '../../server/exports/render-pool';
import type { ExportDocument } from '../../app/exports/document';
import type { RenderJob } from '../../app/exports/render';
import { isDomainError } from '../../app/utils/errors';

const doc = (paragraphs: number): ExportDocument => ({
  language: 'fr',
  properties: { title: 'Note', subject: 'Question 3', version: '', keywords: [] },
  restrictedBanner: null,
  labels: { contents: 'Table des matières', page: 'Page', footnotes: 'Notes' },
  blocks: Array.from({ length: paragraphs }, (_, i) => ({ type: 'paragraph' as const, children: [{ type: 'text' as const, text: `Paragraphe ${i} : des partenariats équitables.` }] })),
  footnotes: [],
});

let pool: RenderPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

describe('export render pool', () => {
  it('renders in a worker thread, and a failing job fails alone', async () => {
    pool = createRenderPool({ size: 1 });
    const md = new TextDecoder().decode(await pool.render({ kind: 'document', format: 'md', document: doc(2) }));
    expect(md).toContain('Paragraphe 1 : des partenariats équitables.');
    const bad = { kind: 'document', format: 'exe', document: doc(1) } as unknown as RenderJob;
    const [failed, docx] = await Promise.allSettled([pool.render(bad), pool.render({ kind: 'document', format: 'docx', document: doc(3) })]);
    expect(failed.status).toBe('rejected');
    expect(docx.status).toBe('fulfilled');
    const bytes = (docx as PromiseFulfilledResult<Uint8Array>).value;
    expect([...bytes.slice(0, 2)]).toEqual([0x50, 0x4b]); // a zip: PK
    expect(pool.load()).toEqual({ running: 0, waiting: 0 });
  });

  it('keeps the event loop free while a worker lays out a PDF', async () => {
    pool = createRenderPool({ size: 1 });
    await pool.render({ kind: 'document', format: 'pdf', document: doc(5) }); // warm: the compiler's first start
    const gaps: number[] = [];
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 5);
    const started = performance.now();
    const pdf = await pool.render({ kind: 'document', format: 'pdf', document: doc(1500) });
    const elapsed = performance.now() - started;
    clearInterval(ticker);
    expect(new TextDecoder().decode(pdf.slice(0, 5))).toBe('%PDF-');
    expect(gaps.length).toBeGreaterThan(3);
    // Rendered on this thread, the layout (~40 pages) would be one gap as long as the render itself;
    // generous bounds for a noisy machine.
    const longest = Math.max(...gaps);
    expect(longest).toBeLessThan(250);
    expect(longest).toBeLessThan(elapsed / 2);
  });

  it('refuses at once beyond its queue, cuts off a job over its time, and rejects what waits when closed', async () => {
    pool = createRenderPool({ size: 1, maxQueue: 1, timeoutMs: 60_000 });
    const first = pool.render({ kind: 'document', format: 'pdf', document: doc(400) });
    const second = pool.render({ kind: 'document', format: 'md', document: doc(1) });
    const refused = pool.render({ kind: 'document', format: 'md', document: doc(1) });
    await expect(refused).rejects.toBeInstanceOf(RenderBusyError);
    // What the routes answer 429 for ("many exports are being made"), not a bug's 500.
    const error = await refused.catch((e: unknown) => e);
    expect(isDomainError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'rate_limited', messageKey: 'exports.errors.busy' });
    await Promise.all([first, second]);

    const slow = createRenderPool({ size: 1, timeoutMs: 1 });
    await expect(slow.render({ kind: 'document', format: 'pdf', document: doc(200) })).rejects.toThrow(/longer than 1 ms/);
    await slow.close();

    const closing = createRenderPool({ size: 1 });
    const outcome = (job: Promise<Uint8Array>) => job.then(() => null, (error: Error) => error.message);
    const running = outcome(closing.render({ kind: 'document', format: 'pdf', document: doc(200) }));
    const waiting = outcome(closing.render({ kind: 'document', format: 'md', document: doc(1) }));
    await closing.close();
    expect(await running).toMatch(/closed/);
    expect(await waiting).toMatch(/closed/);
  });
});
