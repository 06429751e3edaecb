/**
 * A synthesis note as a file: `/c/<slug>/notes/<id>/export/docx|pdf|md?lang=fr` (a resource
 * route). Whoever may read the note may download it; the export service words its footnotes as
 * they may read the sources and records the export in the audit log.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { documentFormat, fileResponse, requestedLanguage, refusal, refusalFor, siteOrigin } from '../components/exports/download.server';
import { requireConsultation } from '../utils/http.server';

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const back = `/c/${encodeURIComponent(params.slug ?? '')}/notes/${encodeURIComponent(params.id ?? '')}`;
  if (!context.user) return refusal(context, 401, 'exports.errors.signIn', `/sign-in?redirectTo=${encodeURIComponent(back)}`);
  const format = documentFormat(params.format);
  if (!format) return refusal(context, 404, 'exports.errors.format', back);
  const consultation = await requireConsultation(context, params.slug);
  const noteId = Number(params.id);
  if (!/^\d{1,12}$/.test(params.id ?? '') || !Number.isSafeInteger(noteId) || noteId <= 0) return refusal(context, 404, 'exports.errors.notFound', back);
  try {
    return fileResponse(await context.services.exports.note(context.user.id, consultation.id, noteId, format, requestedLanguage(context, request), siteOrigin(request)));
  } catch (error) {
    return refusalFor(context, error, back);
  }
}
