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
