/**
 * The case-study catalogue as data: `/c/<slug>/case-studies/catalogue/csv|json?lang=fr`.
 * Moderators, rapporteurs and admins; restricted case studies are marked as such.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { dataFormat, fileResponse, requestedLanguage, refusal, refusalFor } from '../components/exports/download.server';

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const slug = params.slug ?? '';
  const back = `/c/${encodeURIComponent(slug)}/case-studies`;
  if (!context.user) return refusal(context, 401, 'exports.errors.signIn', `/sign-in?redirectTo=${encodeURIComponent(back)}`);
  const format = dataFormat(params.format);
  if (!format) return refusal(context, 404, 'exports.errors.format', back);
  try {
    return fileResponse(await context.services.exports.caseStudies(context.user.id, slug, format, requestedLanguage(context, request)));
  } catch (error) {
    return refusalFor(context, error, back);
  }
}
