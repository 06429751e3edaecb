import { useForm, type SubmissionResult } from '@conform-to/react';
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { ATTRIBUTIONS } from '../contributions/attribution';
import { Field, SelectField } from '../components/Field';
import { handleForm } from '../utils/forms.server';
import { changePasswordSchema, settingsSchema } from '../validation.server';
import { pageTitle, requireUser } from '../utils/http.server';

export async function loader({ context, request }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  return { title: pageTitle(context.t('account.title')), defaultAttribution: user.defaultAttribution, name: user.name, email: user.email };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

/** Which form answered, how, and (refused) conform's result for it. */
type Result = { form: 'settings' | 'password'; ok: boolean; message: string; result?: SubmissionResult<string[]> };

/**
 * Three forms: the default attribution, the password, and "sign out everywhere". A password
 * change and "sign out everywhere" end the user's sessions, which closes every live connection
 * they had open (server/socket/identity.ts); a password change then signs this browser in anew.
 */
export async function action({ context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const { services } = context;
  const formData = await request.formData();
  const intent = formData.get('intent');

  if (intent === 'signOutEverywhere') {
    await services.auth.invalidateUserSessions(user.id);
    throw redirect('/sign-in', { headers: { 'Set-Cookie': services.auth.createBlankSessionCookie().serialize() } });
  }

  if (intent === 'password') {
    return handleForm(formData, {
      schema: changePasswordSchema,
      hide: ['currentPassword', 'newPassword', 'confirmPassword'], // never sent back
      run: async ({ currentPassword, newPassword }) => {
        await services.accounts.changePassword(user.id, currentPassword, newPassword);
        await services.auth.invalidateUserSessions(user.id);
        const session = await services.auth.createSession(user.id, {});
        return data<Result>(
          { form: 'password', ok: true, message: 'account.password.changed' },
          { headers: { 'Set-Cookie': services.auth.createSessionCookie(session.id).serialize() } },
        );
      },
      refuse: ({ reply }) => data<Result>({ form: 'password', ok: false, message: 'errors.passwordInvalid', result: reply.result }, { status: 400 }),
    });
  }

  return handleForm(formData, {
    schema: settingsSchema,
    run: async ({ defaultAttribution }) => {
      await services.accounts.setDefaultAttribution(user.id, defaultAttribution);
      return data<Result>({ form: 'settings', ok: true, message: 'account.saved' });
    },
    refuse: ({ reply }) => data<Result>({ form: 'settings', ok: false, message: 'errors.choice', result: reply.result }, { status: 400 }),
  });
}

const ATTRIBUTION_LABELS = { named: 'posts.attributionNamed', organisation: 'posts.attributionOrganisation', chatham: 'posts.attributionChatham' } as const;

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
  const lastResult = (form: Result['form']) => (result?.form === form ? result.result : undefined);
  const [settings, settingsFields] = useForm<{ defaultAttribution: string }>({ id: 'settings', lastResult: lastResult('settings'), defaultValue: { defaultAttribution } });
  const [password, passwordFields] = useForm<{ currentPassword: string; newPassword: string; confirmPassword: string }>({ id: 'password', lastResult: lastResult('password') });
  return (
    <div className="page page-narrow">
      <h1>{t('account.title')}</h1>
      <p>
        <bdi className="user-text">{name}</bdi> · <bdi className="user-text">{email}</bdi>
      </p>

      <section aria-labelledby="settings-title">
        <h2 id="settings-title">{t('account.settingsTitle')}</h2>
        <div aria-live="polite">{notice('settings')}</div>
        <Form method="post" className="form" id={settings.id} onSubmit={settings.onSubmit}>
          <input type="hidden" name="intent" value="settings" />
          <SelectField
            field={settingsFields.defaultAttribution}
            label={t('account.defaultAttribution')}
            hint={t('account.defaultAttributionHint')}
            options={ATTRIBUTIONS.map((a) => ({ value: a, label: t(ATTRIBUTION_LABELS[a]) }))}
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
        <Form method="post" className="form" noValidate id={password.id} onSubmit={password.onSubmit}>
          <input type="hidden" name="intent" value="password" />
          <Field field={passwordFields.currentPassword} type="password" autoComplete="current-password" label={t('account.password.current')} required />
          <Field field={passwordFields.newPassword} type="password" autoComplete="new-password" label={t('account.password.new')} required />
          <Field field={passwordFields.confirmPassword} type="password" autoComplete="new-password" label={t('account.password.confirm')} required />
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
