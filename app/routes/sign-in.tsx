import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useForm } from '@conform-to/react';
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { signInSchema } from '../validation.server';
import type { SignInInput } from '../accounts/account.schema';
import { ErrorSummary, Field } from '../components/Field';
import { DomainError } from '../utils/errors';
import { handleForm, type FormReply } from '../utils/forms.server';
import { pageTitle, safeRedirect } from '../utils/http.server';

export async function loader({ context, request }: LoaderFunctionArgs) {
  if (context.user) throw redirect(safeRedirect(new URL(request.url).searchParams.get('redirectTo')));
  return { title: pageTitle(context.t('signIn.title')) };
}

// A refused attempt's Retry-After reaches the browser on document requests too.
export const headers: HeadersFunction = ({ actionHeaders, loaderHeaders }) =>
  actionHeaders.has('Retry-After') ? actionHeaders : loaderHeaders;

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export async function action({ request, context }: ActionFunctionArgs) {
  const { services, clientAddress } = context;
  const formData = await request.formData();
  let retryMs = 0;
  return handleForm(formData, {
    schema: signInSchema,
    hide: ['password'],
    run: async ({ email, password }) => {
      // Failures count per account and address; attempts per address, whatever the account.
      const accountKey = `${clientAddress}|${email}`;
      const perAddress = await services.limits.signInPerAddress.consume(clientAddress);
      if (!perAddress.ok || (await services.limits.signInPerAccount.isLimited(accountKey))) {
        retryMs = Math.max(perAddress.retryAfterMs, services.limits.signInPerAccount.windowMs);
        throw new DomainError('rate_limited', 'signIn.rateLimited');
      }
      const userId = await services.accounts.authenticate(email, password);
      if (!userId) {
        await services.limits.signInPerAccount.consume(accountKey);
        throw new DomainError('unauthenticated', 'signIn.failed');
      }
      await services.limits.signInPerAccount.reset(accountKey);
      const session = await services.auth.createSession(userId, {});
      return redirect(safeRedirect(formData.get('redirectTo')), {
        headers: { 'Set-Cookie': services.auth.createSessionCookie(session.id).serialize() },
      });
    },
    refuse: ({ reply, status }) =>
      data<FormReply & { retryMinutes?: number }>(
        retryMs ? { ...reply, retryMinutes: Math.ceil(retryMs / 60_000) } : reply,
        { status, headers: retryMs ? { 'Retry-After': String(Math.ceil(retryMs / 1000)) } : undefined },
      ),
  });
}

export default function SignIn() {
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const lastResult = actionData?.result;
  const [form, fields] = useForm<SignInInput>({ id: 'sign-in', lastResult });
  const formError = form.errors?.[0];
  const labels = { email: t('signIn.email'), password: t('signIn.password') };
  const retryMinutes = actionData && 'retryMinutes' in actionData ? actionData.retryMinutes : undefined;
  return (
    <div className="page page-narrow">
      <h1>{t('signIn.title')}</h1>
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate className="form">
        {formError ? (
          <div className="error-summary" role="alert">
            <p>{t(formError, { minutes: retryMinutes ?? 15 })}</p>
          </div>
        ) : (
          <ErrorSummary errors={lastResult?.error} labels={labels} />
        )}
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? '/'} />
        <Field field={fields.email} label={labels.email} type="email" autoComplete="email" required />
        <Field field={fields.password} label={labels.password} type="password" autoComplete="current-password" required />
        <p>
          <button type="submit" className="button" disabled={navigation.state === 'submitting'}>
            {t('signIn.submit')}
          </button>
        </p>
      </Form>
      <p>
        {t('signIn.noAccount')} <Link to="/register">{t('nav.register')}</Link>
      </p>
    </div>
  );
}
