/**
 * Refuses request bodies over a size before Remix reads them, whatever their encoding: by
 * Content-Length when given (the HTTP parser never delivers more than it says), else (chunked)
 * by reading the body here, up to the limit, and handing what was read back to the stream.
 *
 * A refused request gets the 413 page (refusal-page.ts) at once, and the rest of its body is read
 * and thrown away, up to a bound, so that the client, which is usually still sending, can read
 * the answer: closing the connection under a client that is still sending makes its system
 * answer with a reset, and the browser shows "connection reset" instead of the page. Only a
 * body larger than the bound (or slower than the time allowed) gets its connection closed.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { sendRefusal } from './refusal-page';

export interface BodyLimitOptions {
  maxBytes: number;
  /** TRUST_PROXY, for the page's link back to this site. */
  proxies: number;
  /** How much of a refused body is read and thrown away before the connection is closed. */
  drainBytes?: number;
  /** How long a refused body may take to arrive before the connection is closed. */
  drainMs?: number;
}

const DRAIN_BYTES = 16 * 1024 * 1024;
const DRAIN_MS = 30_000;

export function bodyLimit({ maxBytes, proxies, drainBytes = DRAIN_BYTES, drainMs = DRAIN_MS }: BodyLimitOptions): RequestHandler {
  const refuse = (req: IncomingMessage, res: Parameters<RequestHandler>[1]) => {
    sendRefusal(req, res, 'tooLarge', proxies);
    discardRest(req, drainBytes, drainMs);
  };
  return (req, res, next) => {
    // Node refuses a request with both headers; with Transfer-Encoding, Content-Length is absent.
    if (req.headers['transfer-encoding']) {
      readUpTo(req, maxBytes).then((outcome) => {
        if (outcome === 'fits') next();
        else if (outcome === 'too_large') refuse(req, res);
        // 'gone': the client went away mid-body; nobody is left to answer.
      });
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) return refuse(req, res);
    next();
  };
}

/**
 * Reads a body of unknown length until it ends or passes `maxBytes`. A body that fits is put
 * back (`unshift`) before the stream ends, so the next reader (Remix) gets all of it, then 'end'.
 * The stream is read in paused mode: 'data' listeners would make it flow, and the chunks that
 * came before Remix listened would be lost.
 */
async function readUpTo(req: IncomingMessage, maxBytes: number): Promise<'fits' | 'too_large' | 'gone'> {
  // Middlewares may run while the HTTP parser is still in the middle of the packet that carried
  // the headers. Once it is done, a body that came whole with them is complete: an empty one
  // must not be read at all (a read at the end of the stream ends it, before Remix listens).
  // Later packets arrive only after the nextTick read that adding a 'readable' listener makes.
  await new Promise((resolve) => setImmediate(resolve));
  if (req.complete && req.readableLength === 0) return 'fits';
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: 'fits' | 'too_large' | 'gone') => {
      req.off('readable', onReadable);
      req.off('close', onGone);
      req.off('error', onGone);
      resolve(outcome);
    };
    const onGone = () => settle('gone');
    function onReadable() {
      for (;;) {
        // Every byte is read once the message is complete and nothing is buffered. Checked
        // before read(): a read() at the very end schedules 'end', which nothing must miss.
        if (req.complete && req.readableLength === 0) {
          // Put back in the same tick as the last read(): the pending 'end' then sees data
          // waiting and does not fire (Node checks for "one last unshift").
          if (size > 0) req.unshift(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
          return settle('fits');
        }
        const chunk = req.read() as Buffer | null;
        if (chunk === null) return; // more to come
        size += chunk.length;
        if (size > maxBytes) return settle('too_large');
        chunks.push(chunk);
      }
    }
    req.on('readable', onReadable);
    req.once('close', onGone);
    req.once('error', onGone);
  });
}

/** Reads and drops the rest of a refused body; closes the connection past the bounds. */
function discardRest(req: IncomingMessage, maxBytes: number, maxMs: number): void {
  if (req.readableEnded) return;
  let discarded = 0;
  const close = () => req.socket.destroy();
  const timer = setTimeout(close, maxMs);
  timer.unref();
  const done = () => clearTimeout(timer);
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > maxBytes) {
      done();
      close();
    }
  });
  req.once('end', done);
  req.once('close', done);
  req.resume();
}
