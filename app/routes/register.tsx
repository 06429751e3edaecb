import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { ErrorSummary, Field, SelectField } from '../components/Field';
import { fieldErrors, registerSchema, type FieldErrors } from '../validation.server';
import { countryOptions, isCountry } from '../accounts/countries.server';
import { localize } from '../consultations/localize';
import { formValues, pageTitle, safeRedirect, statusOf } from '../utils/http.server';
import { isDomainError } from '../utils/errors';

async function stakeholderGroups(context: LoaderFunctionArgs['context']) {
  const consultation = await context.services.consultations.getDefault();
  return consultation?.stakeholderGroups ?? [];
}

export async function loader({ context }: LoaderFunctionArgs) {
  const { language, t, user } = context;
  if (user) throw redirect('/');
  const groups = await stakeholderGroups(context);
  return {
    title: pageTitle(t('register.title')),
    groups: groups.map((g) => ({ value: g.id, label: localize(g, language, 'fr')!.text })),
    countries: countryOptions(language),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

type ActionData = { errors: FieldErrors; values: Record<string, string> };

export async function action({ request, context }: ActionFunctionArgs) {
  const { services, clientAddress } = context;
  const values = formValues(await request.formData());
  const { password: _password, ...echo } = values; // never send a password back
  const fail = (errors: FieldErrors, status = 400) => data<ActionData>({ errors, values: echo }, { status });

  if (!services.limits.registerPerAddress.consume(clientAddress).ok) {
    return fail({ _form: 'register.rateLimited' }, 429);
  }
  const groups = (await stakeholderGroups(context)).map((g) => g.id);
  const parsed = registerSchema({ stakeholderGroups: groups, isCountry }).safeParse(values);
  if (!parsed.success) return fail(fieldErrors(parsed.error));

  let userId: string;
  try {
    userId = await services.accounts.register(parsed.data);
  } catch (error) {
    const status = statusOf(error);
    return fail(isDomainError(error) ? { [error.field ?? '_form']: error.messageKey } : {}, status);
  }
  const session = await services.auth.createSession(userId, {});
  throw redirect(safeRedirect(values.redirectTo), {
    headers: { 'Set-Cookie': services.auth.createSessionCookie(session.id).serialize() },
  });
}

export default function Register() {
  const { groups, countries } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const errors = actionData?.errors;
  const values = actionData?.values ?? {};
  const labels = {
    name: t('register.name'),
    email: t('register.email'),
    password: t('register.password'),
    organisation: t('register.organisation'),
    stakeholderGroup: t('register.stakeholderGroup'),
    country: t('register.country'),
  };
  return (
    <div className="page page-narrow">
      <h1>{t('register.title')}</h1>
      <p className="lead">{t('register.intro')}</p>
      <Form method="post" noValidate className="form" aria-describedby={errors ? 'form-errors' : undefined}>
        <div id="form-errors">
          <ErrorSummary errors={errors} labels={labels} />
        </div>
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? values.redirectTo ?? '/'} />
        <Field name="name" label={labels.name} autoComplete="name" required defaultValue={values.name} error={errors?.name} />
        <Field
          name="email"
          label={labels.email}
          type="email"
          autoComplete="email"
          required
          defaultValue={values.email}
          error={errors?.email}
        />
        <Field
          name="password"
          label={labels.password}
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint={t('register.passwordHint')}
          error={errors?.password}
        />
        <Field
          name="organisation"
          label={labels.organisation}
          autoComplete="organization"
          required
          defaultValue={values.organisation}
          error={errors?.organisation}
        />
        <SelectField
          name="stakeholderGroup"
          label={labels.stakeholderGroup}
          hint={t('register.stakeholderGroupHint')}
          required
          placeholder={t('form.choose')}
          options={groups}
          defaultValue={values.stakeholderGroup ?? ''}
          error={errors?.stakeholderGroup}
        />
        <SelectField
          name="country"
          label={labels.country}
          autoComplete="country"
          required
          placeholder={t('form.choose')}
          options={countries}
          defaultValue={values.country ?? ''}
          error={errors?.country}
        />
        <p>
          <button type="submit" className="button" disabled={navigation.state === 'submitting'}>
            {t('register.submit')}
          </button>
        </p>
      </Form>
      <p>
        {t('register.haveAccount')} <Link to="/sign-in">{t('nav.signIn')}</Link>
      </p>
    </div>
  );
}
