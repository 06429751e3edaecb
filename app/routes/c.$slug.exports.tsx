/**
 * Starts a report export in the background (POST, from the download buttons with JavaScript):
 * answers `{ job }` at once, the job's status is at `/c/<slug>/exports/<id>` and its file at
 * `/c/<slug>/exports/<id>/file` once ready. Without JavaScript the buttons are plain links to
 * `/c/<slug>/report/<format>`, which answer the file directly.
 */
import type { ActionFunctionArgs } from '@remix-run/node';
import { documentFormat, frameLanguage, siteOrigin } from '../components/exports/download.server';
import { isDomainError } from '../utils/errors';

const answer = (body: object, status = 200) => Response.json(body, { status, headers: { 'cache-control': 'no-store' } });

export async function action({ params, context, request }: ActionFunctionArgs) {
  const user = context.user;
  if (!user) return answer({ error: 'exports.errors.signIn' }, 401);
  const form = await request.formData();
  const format = documentFormat(String(form.get('format') ?? ''));
  if (!format) return answer({ error: 'exports.errors.format' }, 400);
  const question = typeof form.get('question') === 'string' && form.get('question') !== '' ? String(form.get('question')) : undefined;
  const language = frameLanguage(context, form.get('lang'));
  const slug = params.slug ?? '';
  const { exports, exportJobs, consultations } = context.services;
  try {
    // Refused at once (not as a failed job) when the caller may not have the report.
    const consultation = await consultations.getBySlug(slug);
    if (!consultation || !(await exports.mayReport(user.id, consultation.id))) return answer({ error: 'exports.errors.forbidden' }, 403);
    const origin = siteOrigin(request);
    const job = exportJobs.start(user.id, consultation.slug, (progress) => exports.report(user.id, slug, format, language, origin, { questionNumber: question, onProgress: progress }));
    return answer({ job });
  } catch (error) {
    if (isDomainError(error)) return answer({ error: error.messageKey }, error.code === 'conflict' ? 429 : 400);
    throw error;
  }
}

export const loader = () => new Response('Method Not Allowed', { status: 405, headers: { allow: 'POST' } });
