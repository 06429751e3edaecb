/**
 * Flags a post or a case study (participants' reports to the moderators). Action only: the
 * forms live on the thread and case-study pages and come back to them, with `?flagged=1` (or
 * `?flagError=<key>`, one of FLAG_ERROR_KEYS) and the flagged item's anchor.
 */
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { isFlagErrorKey } from '../components/moderation/flag-notice';
import { flagSchema } from '../validation.server';
import { isDomainError } from '../utils/errors';
import { formValues, requireConsultation, requireUser, safeRedirect, statusOf } from '../utils/http.server';

export async function loader({ params, context }: LoaderFunctionArgs) {
  const consultation = await requireConsultation(context, params.slug);
  throw redirect(`/c/${consultation.slug}`);
}

export async function action({ params, context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const consultation = await requireConsultation(context, params.slug);
  const values = formValues(await request.formData());
  const back = new URL(safeRedirect(values.redirectTo, `/c/${consultation.slug}`), 'http://local');
  back.searchParams.delete('flagged');
  back.searchParams.delete('flagError');
  back.hash = '';
  const to = (param: 'flagged' | 'flagError', value: string, anchor?: string) => {
    back.searchParams.set(param, value);
    return redirect(`${back.pathname}${back.search}${anchor ? `#${anchor}` : ''}`);
  };

  const parsed = flagSchema.safeParse(values);
  if (!parsed.success) {
    const key = parsed.error.issues[0]?.message;
    return to('flagError', isFlagErrorKey(key) ? key : 'flags.error');
  }
  const anchor = parsed.data.subjectType === 'post' ? `post-${parsed.data.subjectId}` : `case-study-${parsed.data.subjectId}`;
  try {
    await context.services.moderation.flag(user.id, parsed.data);
  } catch (error) {
    statusOf(error); // rethrows anything that is not a refusal
    const key = isDomainError(error) ? error.messageKey : '';
    return to('flagError', isFlagErrorKey(key) ? key : 'flags.error', anchor);
  }
  return to('flagged', '1', anchor);
}
