import { redirect, type ActionFunctionArgs } from '@remix-run/node';
import { LANGUAGE_COOKIE, isSupportedLanguage } from '../i18n/config';
import { safeRedirect } from '../utils/http.server';

/** Switches the interface language (a cookie, kept for a year) and goes back where the user was. */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const language = form.get('language');
  const to = safeRedirect(form.get('redirectTo'));
  if (!isSupportedLanguage(language)) throw redirect(to);
  if (context.user) await context.services.accounts.setLocale(context.user.id, language);
  const secure = context.services.auth.createBlankSessionCookie().attributes.secure ? '; Secure' : '';
  throw redirect(to, {
    headers: { 'Set-Cookie': `${LANGUAGE_COOKIE}=${language}; Path=/; Max-Age=31536000; SameSite=Lax${secure}` },
  });
}

export async function loader() {
  throw redirect('/');
}
