/** A background export's progress, as JSON for the page that started it (its owner only). */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { isDomainError } from '../utils/errors';

const answer = (body: object, status = 200) => Response.json(body, { status, headers: { 'cache-control': 'no-store' } });

export async function loader({ params, context }: LoaderFunctionArgs) {
  if (!context.user) return answer({ error: 'exports.errors.signIn' }, 401);
  try {
    return answer({ job: context.services.exportJobs.status(params.job ?? '', context.user.id, params.slug ?? '') });
  } catch (error) {
    if (isDomainError(error)) return answer({ error: error.messageKey }, 404);
    throw error;
  }
}
