/**
 * A background export's file, once ready: its owner only, kept ten minutes, and only while they
 * may still have the report of this consultation (a role taken away since takes the file too).
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { fileResponse, refusal, refusalFor } from '../components/exports/download.server';

export async function loader({ params, context }: LoaderFunctionArgs) {
  const back = `/c/${encodeURIComponent(params.slug ?? '')}`;
  if (!context.user) return refusal(context, 401, 'exports.errors.signIn', back);
  try {
    const { consultations, exports, exportJobs } = context.services;
    const consultation = await consultations.getBySlug(params.slug ?? '');
    if (!consultation) return refusal(context, 404, 'exports.errors.notFound', back);
    if (!(await exports.mayReport(context.user.id, consultation.id))) return refusal(context, 403, 'exports.errors.forbidden', back);
    return fileResponse(exportJobs.file(params.job ?? '', context.user.id, consultation.slug));
  } catch (error) {
    return refusalFor(context, error, back);
  }
}
