import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { fieldErrors, signInSchema, type FieldErrors } from '../validation.server';
import { ErrorSummary, Field } from '../components/Field';
import { formValues, pageTitle, safeRedirect } from '../utils/http.server';

export async function loader({ context, request }: LoaderFunctionArgs) {
  if (context.user) throw redirect(safeRedirect(new URL(request.url).searchParams.get('redirectTo')));
  return { title: pageTitle(context.t('signIn.title')) };
}

// A refused attempt's Retry-After reaches the browser on document requests too.
export const headers: HeadersFunction = ({ actionHeaders, loaderHeaders }) =>
  actionHeaders.has('Retry-After') ? actionHeaders : loaderHeaders;

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

type ActionData = { errors: FieldErrors; values: { email?: string }; retryMinutes?: number };

export async function action({ request, context }: ActionFunctionArgs) {
  const { services, clientAddress } = context;
  const values = formValues(await request.formData());
  const echo = { email: values.email };
  const parsed = signInSchema.safeParse(values);
  if (!parsed.success) return data<ActionData>({ errors: fieldErrors(parsed.error), values: echo }, { status: 400 });

  // Failures count per account and address; attempts per address, whatever the account.
  const accountKey = `${clientAddress}|${parsed.data.email}`;
  const perAddress = services.limits.signInPerAddress.consume(clientAddress);
  if (!perAddress.ok || services.limits.signInPerAccount.isLimited(accountKey)) {
    const retryMs = Math.max(perAddress.retryAfterMs, services.limits.signInPerAccount.windowMs);
    return data<ActionData>(
      { errors: { _form: 'signIn.rateLimited' }, values: echo, retryMinutes: Math.ceil(retryMs / 60_000) },
      { status: 429, headers: { 'Retry-After': String(Math.ceil(retryMs / 1000)) } },
    );
  }

  const userId = await services.accounts.authenticate(parsed.data.email, parsed.data.password);
  if (!userId) {
    services.limits.signInPerAccount.consume(accountKey);
    return data<ActionData>({ errors: { _form: 'signIn.failed' }, values: echo }, { status: 401 });
  }
  services.limits.signInPerAccount.reset(accountKey);
  const session = await services.auth.createSession(userId, {});
  throw redirect(safeRedirect(values.redirectTo), {
    headers: { 'Set-Cookie': services.auth.createSessionCookie(session.id).serialize() },
  });
}

export default function SignIn() {
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const errors = actionData?.errors;
  const formError = errors?._form;
  const fieldOnly = errors ? Object.fromEntries(Object.entries(errors).filter(([k]) => k !== '_form')) : undefined;
  const labels = { email: t('signIn.email'), password: t('signIn.password') };
  return (
    <div className="page page-narrow">
      <h1>{t('signIn.title')}</h1>
      <Form method="post" noValidate className="form">
        {formError ? (
          <div className="error-summary" role="alert">
            <p>{t(formError, { minutes: actionData?.retryMinutes ?? 15 })}</p>
          </div>
        ) : (
          <ErrorSummary errors={fieldOnly} labels={labels} />
        )}
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? '/'} />
        <Field
          name="email"
          label={labels.email}
          type="email"
          autoComplete="email"
          required
          defaultValue={actionData?.values.email}
          error={fieldOnly?.email}
        />
        <Field
          name="password"
          label={labels.password}
          type="password"
          autoComplete="current-password"
          required
          error={fieldOnly?.password}
        />
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
