import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useForm } from '@conform-to/react';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { ErrorSummary, Field, SelectField } from '../components/Field';
import { registerSchema } from '../validation.server';
import { countryOptions, isCountry } from '../accounts/countries.server';
import type { RegisterInput } from '../accounts/account.schema';
import { localize } from '../consultations/localize';
import { handleForm } from '../utils/forms.server';
import { pageTitle, safeRedirect } from '../utils/http.server';
import { DomainError } from '../utils/errors';

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

export async function action({ request, context }: ActionFunctionArgs) {
  const { services, clientAddress } = context;
  const formData = await request.formData();
  const groups = (await stakeholderGroups(context)).map((g) => g.id);
  return handleForm(formData, {
    schema: registerSchema({ stakeholderGroups: groups, isCountry }),
    hide: ['password'], // never sent back
    // Every attempt counts, valid or not.
    before: async () => {
      if (!(await services.limits.registerPerAddress.consume(clientAddress)).ok) throw new DomainError('rate_limited', 'register.rateLimited');
    },
    run: async (input) => {
      const userId = await services.accounts.register(input);
      const session = await services.auth.createSession(userId, {});
      return redirect(safeRedirect(formData.get('redirectTo')), {
        headers: { 'Set-Cookie': services.auth.createSessionCookie(session.id).serialize() },
      });
    },
  });
}

export default function Register() {
  const { groups, countries } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const lastResult = actionData?.result;
  const [form, fields] = useForm<RegisterInput>({ id: 'register', lastResult });
  const errors = lastResult?.error;
  const redirectTo = params.get('redirectTo') ?? (lastResult?.initialValue?.redirectTo as string | undefined) ?? '/';
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
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate className="form" aria-describedby={errors ? 'form-errors' : undefined}>
        <div id="form-errors">
          <ErrorSummary errors={errors} labels={labels} />
        </div>
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field field={fields.name} label={labels.name} autoComplete="name" required />
        <Field field={fields.email} label={labels.email} type="email" autoComplete="email" required />
        <Field
          field={fields.password}
          label={labels.password}
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint={t('register.passwordHint')}
        />
        <Field field={fields.organisation} label={labels.organisation} autoComplete="organization" required />
        <SelectField
          field={fields.stakeholderGroup}
          label={labels.stakeholderGroup}
          hint={t('register.stakeholderGroupHint')}
          required
          placeholder={t('form.choose')}
          options={groups}
        />
        <SelectField field={fields.country} label={labels.country} autoComplete="country" required placeholder={t('form.choose')} options={countries} />
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
