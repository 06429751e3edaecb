/**
 * Export rendering off the event loop (docs/decisions/0017): a small pool of worker threads that
 * turn an assembled export (app/exports/render.ts `RenderJob`) into a file's bytes, so the server
 * keeps answering pages, posts and co-editors while a report is built. Workers start on the
 * first job and stay (the Typst compiler inside is warm after its first document) until they
 * say they are worn out (render.ts `threadWornOut`: Typst's memory is freed only with its
 * thread), when the next job starts a fresh one; a worker that
 * crashes or overruns `timeoutMs` is terminated, its job fails, and the next job starts a new one.
 * Beyond `maxQueue` waiting jobs a job is refused at once (`RenderBusyError`) rather than queued
 * without end.
 */
import { Worker } from 'node:worker_threads';
import type { RenderJob } from '../../app/exports/render';
import { DomainError } from '../../app/utils/errors';

/**
 * The queue is full. A DomainError (`rate_limited`, `exports.errors.busy`), so that the download
 * routes answer 429 with "many exports are being made" and a background job fails with those
 * words: as a plain Error it reached the routes as a bug and every export past the 20th answered
 * a bare 500.
 */
export class RenderBusyError extends DomainError {
  constructor() {
    super('rate_limited', 'exports.errors.busy');
  }
}

export interface RenderPoolOptions {
  /** Worker threads (default 1: on two cores, one renders while the other serves). */
  size?: number;
  /** Jobs waiting for a worker before new ones are refused (default 20). */
  maxQueue?: number;
  /** Longest a job may render, in ms, before its worker is terminated (default 120 s). */
  timeoutMs?: number;
}

export interface RenderPool {
  /** The rendered file. Rejects with RenderBusyError when the queue is full, or with the renderer's error. */
  render(job: RenderJob): Promise<Uint8Array>;
  /** Jobs rendering and waiting now. */
  load(): { running: number; waiting: number };
  close(): Promise<void>;
}

interface Pending {
  id: number;
  job: RenderJob;
  resolve(bytes: Uint8Array): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  current: Pending | null;
  timer: NodeJS.Timeout | null;
}

const WORKER_URL = new URL('./render-worker.boot.mjs', import.meta.url);

export function createRenderPool(options: RenderPoolOptions = {}): RenderPool {
  const size = Math.max(1, options.size ?? 1);
  const maxQueue = options.maxQueue ?? 20;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const slots = new Set<Slot>();
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;

  function finish(slot: Slot, outcome: { bytes: Uint8Array } | { error: Error }) {
    const pending = slot.current;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.current = null;
    if (pending) {
      if ('bytes' in outcome) pending.resolve(outcome.bytes);
      else pending.reject(outcome.error);
    }
    pump();
  }

  function retire(slot: Slot, error: Error) {
    if (!slots.delete(slot)) return;
    void slot.worker.terminate();
    finish(slot, { error });
  }

  function spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker, current: null, timer: null };
    worker.on('message', (message: { id: number; ok: true; bytes: Uint8Array; retire: boolean } | { id: number; ok: false; error: string }) => {
      if (slot.current?.id !== message.id) return;
      if (message.ok && message.retire) {
        // Worn out (the Typst compiler's memory is freed only with its thread): answer, then replace it.
        slots.delete(slot);
        finish(slot, { bytes: new Uint8Array(message.bytes) });
        void worker.terminate();
        pump();
        return;
      }
      finish(slot, message.ok ? { bytes: new Uint8Array(message.bytes) } : { error: new Error(message.error) });
    });
    worker.on('error', (error) => retire(slot, error));
    worker.on('exit', (code) => retire(slot, new Error(`export worker exited (${code})`)));
    slots.add(slot);
    return slot;
  }

  function pump() {
    if (closed) return;
    while (queue.length > 0) {
      let slot = [...slots].find((s) => s.current === null);
      if (!slot && slots.size < size) slot = spawn();
      if (!slot) return;
      const pending = queue.shift()!;
      slot.current = pending;
      const running = slot;
      slot.timer = setTimeout(() => retire(running, new Error(`export took longer than ${timeoutMs} ms`)), timeoutMs);
      // As one JSON string: a report is tens of thousands of small objects, which the structured
      // clone copies one by one on this thread (tens of ms); a string is copied whole.
      slot.worker.postMessage({ id: pending.id, job: JSON.stringify(pending.job) });
    }
  }

  return {
    render(job) {
      if (closed) return Promise.reject(new Error('export pool closed'));
      if (queue.length >= maxQueue) return Promise.reject(new RenderBusyError());
      return new Promise<Uint8Array>((resolve, reject) => {
        queue.push({ id: nextId++, job, resolve, reject });
        pump();
      });
    },
    load: () => ({ running: [...slots].filter((s) => s.current).length, waiting: queue.length }),
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new Error('export pool closed'));
      await Promise.all(
        [...slots].map(async (slot) => {
          slots.delete(slot);
          slot.current?.reject(new Error('export pool closed'));
          if (slot.timer) clearTimeout(slot.timer);
          await slot.worker.terminate();
        }),
      );
    },
  };
}
