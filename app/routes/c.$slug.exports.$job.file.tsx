/** A background export's file, once ready (its owner only; kept ten minutes). */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { fileResponse, refusal, refusalFor } from '../components/exports/download.server';

export async function loader({ params, context }: LoaderFunctionArgs) {
  const back = `/c/${encodeURIComponent(params.slug ?? '')}`;
  if (!context.user) return refusal(context, 401, 'exports.errors.signIn', back);
  try {
    return fileResponse(context.services.exportJobs.file(params.job ?? '', context.user.id));
  } catch (error) {
    return refusalFor(context, error, back);
  }
}
