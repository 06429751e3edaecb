/**
 * Security headers, with a fresh CSP nonce per request for Remix's inline scripts.
 */
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';

export function securityHeaders({ development }: { development: boolean }): RequestHandler {
  return (_req, res, next) => {
    const nonce = crypto.randomBytes(16).toString('base64');
    res.locals.cspNonce = nonce;
    const csp = [
      `default-src 'self'`,
      `script-src 'self' 'nonce-${nonce}'${development ? " 'unsafe-eval'" : ''}`,
      `style-src 'self' 'unsafe-inline'`,
      `img-src 'self' data:`,
      `font-src 'self'`,
      // Socket.io; in development also the live-reload socket of `remix dev`.
      `connect-src 'self'${development ? ' ws: http://localhost:*' : ''}`,
      `object-src 'none'`,
      `base-uri 'self'`,
      `form-action 'self'`,
      `frame-ancestors 'none'`,
    ].join('; ');
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    next();
  };
}
