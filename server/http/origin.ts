/**
 * Cross-site request checks for state-changing requests and the socket handshake. Browsers
 * send Origin on every cross-site POST and WebSocket; a request that carries one must come
 * from this site (its own Host) or an origin listed in ALLOWED_ORIGINS. Non-browser clients
 * send none and cannot ride a visitor's cookies, so they pass.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

export function isAllowedOrigin(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (origin === 'null') return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  const forwardedHost = [req.headers['x-forwarded-host']].flat()[0];
  if (host === req.headers.host || (forwardedHost && host === forwardedHost)) return true;
  return allowed.some((a) => new URL(a).origin === origin);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function originCheck(allowed: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || isAllowedOrigin(req, allowed)) return next();
    res.status(403).type('text/plain').send('Cross-site request refused (Origin does not match this site).');
  };
}
