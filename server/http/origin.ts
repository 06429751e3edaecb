/**
 * Cross-site request checks for state-changing requests and the socket handshake. Browsers
 * send Origin on every cross-site POST and WebSocket; a request that carries one must come
 * from this site or an origin listed in ALLOWED_ORIGINS. Non-browser clients send none and
 * cannot ride a visitor's cookies, so they pass.
 *
 * "This site" is a full origin, scheme, host and port: `https://palabre.example.org` is not
 * `http://palabre.example.org`, nor `http://palabre.example.org:8080`. A page served over plain
 * HTTP (or on another port) is a different site in the browser's eyes, and could be another
 * program on the same machine.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RequestHandler } from 'express';
import { sendRefusal } from './refusal-page';

export interface OriginPolicy {
  /** Origins allowed besides the request's own (ALLOWED_ORIGINS). */
  allowed: readonly string[];
  /**
   * TRUST_PROXY: how many reverse proxies stand in front of the server (0: none). With some, the
   * request's own origin is the one the outermost of them says it served (X-Forwarded-Proto,
   * X-Forwarded-Host). Without a proxy anyone may send those headers.
   */
  proxies: number;
}

/** `scheme://host[:port]` in the URL standard's form (lower case, default port dropped), or null. */
export function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/**
 * The value the outermost of `proxies` trusted proxies gave a header that each proxy may append
 * to (`a, b, c`): the values on its left came from the client, who can write anything there.
 */
export function forwardedValue(header: string | string[] | undefined, proxies: number): string | undefined {
  const values = [header]
    .flat()
    .flatMap((h) => h?.split(',') ?? [])
    .map((v) => v.trim());
  const value = values[Math.max(0, values.length - proxies)];
  return value || undefined;
}

/**
 * The origin the browser used to reach this request: the connection's scheme (TLS or not) and
 * the Host header, or, behind trusted proxies, what the outermost one forwarded.
 */
export function ownOrigin(req: IncomingMessage, proxies: number): string | null {
  let scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  let host = req.headers.host;
  if (proxies > 0) {
    const forwardedProto = forwardedValue(req.headers['x-forwarded-proto'], proxies)?.toLowerCase();
    if (forwardedProto === 'http' || forwardedProto === 'https') scheme = forwardedProto;
    host = forwardedValue(req.headers['x-forwarded-host'], proxies) ?? host;
  }
  if (!host) return null;
  return normalizeOrigin(`${scheme}://${host}`);
}

export function isAllowedOrigin(req: IncomingMessage, policy: OriginPolicy): boolean {
  const header = req.headers.origin;
  if (!header) return true;
  const origin = normalizeOrigin(header); // 'null' (sandboxed frames, file:) is no origin
  if (!origin) return false;
  if (origin === ownOrigin(req, policy.proxies)) return true;
  return policy.allowed.some((a) => normalizeOrigin(a) === origin);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORWARDED = ['x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port'] as const;

/**
 * Checks the Origin of state-changing requests, and hands on what was decided here, so that
 * nothing downstream decides otherwise:
 * - without TRUST_PROXY, X-Forwarded-* headers are removed: Remix would otherwise build the
 *   request's URL (its port) and its own origin check from whatever a client sent;
 * - a verified Origin is removed: Remix's own check compares hosts only (against
 *   X-Forwarded-Host or Host), and would refuse, with a 500, the origins ALLOWED_ORIGINS lists.
 */
export function originCheck(policy: OriginPolicy): RequestHandler {
  return (req, res, next) => {
    if (policy.proxies === 0) for (const name of FORWARDED) delete req.headers[name];
    if (SAFE_METHODS.has(req.method)) return next();
    if (!isAllowedOrigin(req, policy)) {
      sendRefusal(req, res, 'crossSite', policy.proxies);
      return;
    }
    delete req.headers.origin;
    next();
  };
}
