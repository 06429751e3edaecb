/**
 * The consultation report as a file: `/c/<slug>/report/docx|pdf|md?lang=es` (whole) or with
 * `&question=3` (that question's part). A plain download that works without JavaScript; with it,
 * the page starts the same export as a background job and shows its progress
 * (`c.$slug.exports.tsx`). Moderators, rapporteurs and admins.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { documentFormat, fileResponse, requestedLanguage, refusal, refusalFor, siteOrigin } from '../components/exports/download.server';

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const slug = params.slug ?? '';
  // An empty `question` is the whole report, as the background job reads it (not a question that does not exist).
  const question = new URL(request.url).searchParams.get('question') || undefined;
  const back = `/c/${encodeURIComponent(slug)}`;
  if (!context.user) return refusal(context, 401, 'exports.errors.signIn', `/sign-in?redirectTo=${encodeURIComponent(back)}`);
  const format = documentFormat(params.format);
  if (!format) return refusal(context, 404, 'exports.errors.format', back);
  try {
    return fileResponse(await context.services.exports.report(context.user.id, slug, format, requestedLanguage(context, request), siteOrigin(request), { questionNumber: question }));
  } catch (error) {
    return refusalFor(context, error, back);
  }
}
