/**
 * Refuses request bodies over a size before Remix reads them: by Content-Length when given,
 * else by counting the bytes as they stream in.
 */
import type { RequestHandler } from 'express';

export function bodyLimit(maxBytes: number): RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      res.status(413).type('text/plain').send('Request body too large.');
      return;
    }
    if (req.headers['transfer-encoding']) {
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) req.destroy(new Error('Request body too large'));
      });
    }
    next();
  };
}
