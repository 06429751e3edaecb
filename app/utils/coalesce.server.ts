import { Transform, type TransformCallback } from 'node:stream';

/** Bytes held at most before they go on (a page of 100 posts is about 150–300 KB). */
const MAX_HELD_BYTES = 64 * 1024;

/**
 * A pass-through that hands on what was written to it in one turn of the event loop as one
 * chunk (or every 64 KB). React's stream writes a page in pieces of about 2 KB, and each piece
 * downstream costs a web-stream chunk and, with gzip, a zlib flush (Remix flushes the response
 * after every chunk so that deferred data arrives at once): a thread page of 100 posts was
 * compressed in about 150 sync flushes. What React writes later (a suspended part resolving)
 * still goes out in the turn it is written, so streaming keeps its timing.
 */
export function coalesceWrites(): Transform {
  let held: Buffer[] = [];
  let size = 0;
  let scheduled: NodeJS.Immediate | null = null;
  const release = (stream: Transform) => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = null;
    if (size === 0) return;
    const chunk = held.length === 1 ? held[0]! : Buffer.concat(held, size);
    held = [];
    size = 0;
    stream.push(chunk);
  };
  return new Transform({
    transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      held.push(bytes);
      size += bytes.length;
      if (size >= MAX_HELD_BYTES) release(this);
      else scheduled ??= setImmediate(() => release(this));
      done();
    },
    flush(done: TransformCallback) {
      release(this);
      done();
    },
    destroy(error, done) {
      if (scheduled) clearImmediate(scheduled);
      scheduled = null;
      held = [];
      done(error);
    },
  });
}
