import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { Field, SelectField } from '../components/Field';
import { isDomainError } from '../utils/errors';
import { changePasswordSchema, fieldErrors, settingsSchema, type FieldErrors } from '../validation.server';
import { formValues, pageTitle, requireUser } from '../utils/http.server';

export async function loader({ context, request }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  return { title: pageTitle(context.t('account.title')), defaultAttribution: user.defaultAttribution, name: user.name, email: user.email };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

type Result = { form: 'settings' | 'password'; ok: boolean; message: string; errors?: FieldErrors };

/**
 * Three forms: the default attribution, the password, and "sign out everywhere". A password
 * change and "sign out everywhere" end the user's sessions, which closes every live connection
 * they had open (server/socket/identity.ts); a password change then signs this browser in anew.
 */
export async function action({ context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const { services } = context;
  const values = formValues(await request.formData());

  if (values.intent === 'signOutEverywhere') {
    await services.auth.invalidateUserSessions(user.id);
    throw redirect('/sign-in', { headers: { 'Set-Cookie': services.auth.createBlankSessionCookie().serialize() } });
  }

  if (values.intent === 'password') {
    const parsed = changePasswordSchema.safeParse(values);
    if (!parsed.success) return data<Result>({ form: 'password', ok: false, message: 'errors.passwordInvalid', errors: fieldErrors(parsed.error) }, { status: 400 });
    try {
      await services.accounts.changePassword(user.id, parsed.data.currentPassword, parsed.data.newPassword);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      return data<Result>({ form: 'password', ok: false, message: 'errors.passwordInvalid', errors: { [error.field ?? '_form']: error.messageKey } }, { status: 400 });
    }
    await services.auth.invalidateUserSessions(user.id);
    const session = await services.auth.createSession(user.id, {});
    return data<Result>(
      { form: 'password', ok: true, message: 'account.password.changed' },
      { headers: { 'Set-Cookie': services.auth.createSessionCookie(session.id).serialize() } },
    );
  }

  const parsed = settingsSchema.safeParse(values);
  if (!parsed.success) return data<Result>({ form: 'settings', ok: false, message: 'errors.choice' }, { status: 400 });
  await services.accounts.setDefaultAttribution(user.id, parsed.data.defaultAttribution);
  return { form: 'settings', ok: true, message: 'account.saved' } satisfies Result;
}

export default function Account() {
  const { defaultAttribution, name, email } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  const { t } = useTranslation();
  const notice = (form: Result['form']) =>
    result?.form === form ? (
      <p className={result.ok ? 'notice notice-success' : 'notice notice-error'} role={result.ok ? 'status' : 'alert'}>
        {t(result.message)}
      </p>
    ) : null;
  const passwordErrors = result?.form === 'password' ? (result.errors ?? {}) : {};
  return (
    <div className="page page-narrow">
      <h1>{t('account.title')}</h1>
      <p>
        <bdi>{name}</bdi> · <bdi>{email}</bdi>
      </p>

      <section aria-labelledby="settings-title">
        <h2 id="settings-title">{t('account.settingsTitle')}</h2>
        <div aria-live="polite">{notice('settings')}</div>
        <Form method="post" className="form">
          <input type="hidden" name="intent" value="settings" />
          <SelectField
            name="defaultAttribution"
            label={t('account.defaultAttribution')}
            hint={t('account.defaultAttributionHint')}
            defaultValue={defaultAttribution}
            options={[
              { value: 'named', label: t('posts.attributionNamed') },
              { value: 'organisation', label: t('posts.attributionOrganisation') },
              { value: 'chatham', label: t('posts.attributionChatham') },
            ]}
          />
          <p>
            <button type="submit" className="button">
              {t('account.save')}
            </button>
          </p>
        </Form>
      </section>

      <section aria-labelledby="password-title">
        <h2 id="password-title">{t('account.password.title')}</h2>
        <p className="field-hint">{t('account.password.hint')}</p>
        <div aria-live="polite">{notice('password')}</div>
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="intent" value="password" />
          <Field name="currentPassword" type="password" autoComplete="current-password" label={t('account.password.current')} error={passwordErrors.currentPassword} required />
          <Field name="newPassword" type="password" autoComplete="new-password" label={t('account.password.new')} error={passwordErrors.newPassword} required />
          <Field name="confirmPassword" type="password" autoComplete="new-password" label={t('account.password.confirm')} error={passwordErrors.confirmPassword} required />
          <p>
            <button type="submit" className="button">
              {t('account.password.submit')}
            </button>
          </p>
        </Form>
      </section>

      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title">{t('account.sessions.title')}</h2>
        <p className="field-hint">{t('account.sessions.hint')}</p>
        <Form method="post" className="form">
          <input type="hidden" name="intent" value="signOutEverywhere" />
          <p>
            <button type="submit" className="button button-secondary">
              {t('account.sessions.submit')}
            </button>
          </p>
        </Form>
      </section>
    </div>
  );
}
