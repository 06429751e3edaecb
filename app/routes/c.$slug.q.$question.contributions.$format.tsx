/**
 * A question's contributions as data: `/c/<slug>/q/<n>/contributions/csv|json?lang=fr`.
 * Moderators, rapporteurs and admins; attribution applied as on the site (the contributions module).
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { dataFormat, fileResponse, requestedLanguage, refusal, refusalFor } from '../components/exports/download.server';

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const slug = params.slug ?? '';
  const back = `/c/${encodeURIComponent(slug)}/q/${encodeURIComponent(params.question ?? '')}`;
  if (!context.user) return refusal(context, 401, 'exports.errors.signIn', `/sign-in?redirectTo=${encodeURIComponent(back)}`);
  const format = dataFormat(params.format);
  if (!format) return refusal(context, 404, 'exports.errors.format', back);
  try {
    return fileResponse(await context.services.exports.contributions(context.user.id, slug, params.question ?? '', format, requestedLanguage(context, request)));
  } catch (error) {
    return refusalFor(context, error, back);
  }
}
