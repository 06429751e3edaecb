/**
 * How often one caller may search (issue 15): per person signed in, else per client address,
 * counted across nodes (app/utils/rate-limit.server.ts). Pages (the search page, the
 * compilation's sources) count against `SEARCHES_PER_MINUTE`; dialogs that search as one types
 * (citations, key points) against five times that, since each keystroke may ask.
 */
import type { AppLoadContext } from '@remix-run/node';

export type SearchLimited = { ok: true } | { ok: false; retryAfterSeconds: number };

export async function searchAllowed(context: AppLoadContext, as: 'page' | 'typing'): Promise<SearchLimited> {
  const limiter = as === 'page' ? context.services.limits.searchPerCaller : context.services.limits.searchAsTyped;
  const result = await limiter.consume(context.user ? `user:${context.user.id}` : `address:${context.clientAddress}`);
  return result.ok ? { ok: true } : { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(result.retryAfterMs / 1000)) };
}

/**
 * For the dialogs' JSON routes: null when `as` may search now, else the 429 answer they give
 * (`{ error: 'search.problem.busy' }`, with `Retry-After`).
 */
export async function searchRefusal(context: AppLoadContext, as: 'page' | 'typing'): Promise<Response | null> {
  const allowed = await searchAllowed(context, as);
  if (allowed.ok) return null;
  return Response.json({ error: 'search.problem.busy' }, { status: 429, headers: { 'cache-control': 'no-store', 'retry-after': String(allowed.retryAfterSeconds) } });
}
