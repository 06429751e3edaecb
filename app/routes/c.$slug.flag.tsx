/**
 * Flags a post or a case study (participants' reports to the moderators). Action only: the
 * forms live on the thread and case-study pages and come back to them, with `?flagged=1` (or
 * `?flagError=<key>`, one of FLAG_ERROR_KEYS) and the flagged item's anchor. A report form sent
 * twice (its key) reports once and answers the same.
 */
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { isFlagErrorKey } from '../components/moderation/flag-notice';
import { flagSchema } from '../validation.server';
import { handleForm } from '../utils/forms.server';
import { requireConsultation, requireUser, safeRedirect } from '../utils/http.server';

export async function loader({ params, context }: LoaderFunctionArgs) {
  const consultation = await requireConsultation(context, params.slug);
  throw redirect(`/c/${consultation.slug}`);
}

export async function action({ params, context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const consultation = await requireConsultation(context, params.slug);
  const formData = await request.formData();
  const back = new URL(safeRedirect(formData.get('redirectTo'), `/c/${consultation.slug}`), 'http://local');
  back.searchParams.delete('flagged');
  back.searchParams.delete('flagError');
  // Back to the page with the report form closed (it opens on demand: OnDemandForm).
  back.searchParams.delete('report');
  back.hash = '';
  const subjectType = formData.get('subjectType');
  const subjectId = String(formData.get('subjectId') ?? '');
  const anchor = /^[1-9]\d{0,11}$/.test(subjectId) && (subjectType === 'post' || subjectType === 'case_study') ? `${subjectType === 'post' ? 'post' : 'case-study'}-${subjectId}` : null;
  const to = (param: 'flagged' | 'flagError', value: string) => {
    back.searchParams.set(param, value);
    return redirect(`${back.pathname}${back.search}${anchor ? `#${anchor}` : ''}`);
  };

  return handleForm(formData, {
    schema: flagSchema,
    once: { context, userId: user.id },
    run: async (input) => {
      await context.services.moderation.flag(user.id, input);
      return to('flagged', '1');
    },
    refuse: ({ message }) => to('flagError', isFlagErrorKey(message) ? message : 'flags.error'),
  });
}
