/**
 * Small helpers for loaders and actions.
 */
import { redirect } from '@remix-run/node';
import type { AppLoadContext } from '@remix-run/node';
import type { Consultation } from '../consultations/consultations.server';
import { isDomainError } from './errors';

/**
 * Only same-site paths; anything else (//evil.example, https://…) falls back. Judged as a browser
 * (or `new URL`) reads it, which drops tabs and newlines, reads a backslash as `/` and resolves
 * `/./` and `..`: `/<tab>/evil.example` and `/.//evil.example` would become `//evil.example`.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
  if (typeof to !== 'string' || !to.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(to)) return fallback;
  const url = new URL(to, 'http://local');
  if (url.origin !== 'http://local' || url.pathname.startsWith('//')) return fallback;
  return to;
}

export function notFound(): never {
  throw new Response('Not Found', { status: 404 });
}

/** A positive id from the URL, or 404. */
export function idOf(param: string | undefined): number {
  const id = Number(param);
  if (!/^\d{1,12}$/.test(param ?? '') || !Number.isSafeInteger(id) || id <= 0) notFound();
  return id;
}

/** The signed-in user, or a redirect to the sign-in page that comes back here. */
export function requireUser(context: AppLoadContext, request: Request) {
  if (context.user) return context.user;
  const url = new URL(request.url);
  throw redirect(`/sign-in?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
}

export async function requireConsultation(context: AppLoadContext, slug: string | undefined): Promise<Consultation> {
  const consultation = slug ? await context.services.consultations.getBySlug(slug) : null;
  if (!consultation || consultation.phase === 'draft') notFound();
  return consultation;
}

/** The domain's refusals as HTTP statuses; anything else is a bug and rethrown. */
export function statusOf(error: unknown): number {
  if (!isDomainError(error)) throw error;
  return (
    { invalid: 400, not_found: 404, unauthenticated: 401, forbidden: 403, conflict: 409, rate_limited: 429, unavailable: 503 } as const
  )[error.code];
}

export function pageTitle(...parts: string[]) {
  return [...parts, 'Palabre'].filter(Boolean).join(' · ');
}
