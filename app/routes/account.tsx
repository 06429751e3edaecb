import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { settingsSchema } from '../validation.server';
import { formValues, pageTitle, requireUser } from '../utils/http.server';

export async function loader({ context, request }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  return { title: pageTitle(context.t('account.title')), defaultAttribution: user.defaultAttribution, name: user.name, email: user.email };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export async function action({ context, request }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const parsed = settingsSchema.safeParse(formValues(await request.formData()));
  if (!parsed.success) return data({ ok: false, message: 'errors.choice' }, { status: 400 });
  await context.services.accounts.setDefaultAttribution(user.id, parsed.data.defaultAttribution);
  return { ok: true, message: 'account.saved' };
}

export default function Account() {
  const { defaultAttribution, name, email } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="page page-narrow">
      <h1>{t('account.title')}</h1>
      <p>
        {name} · {email}
      </p>
      <div aria-live="polite">
        {result ? (
          <p className={result.ok ? 'notice notice-success' : 'notice notice-error'} role={result.ok ? 'status' : 'alert'}>
            {t(result.message)}
          </p>
        ) : null}
      </div>
      <Form method="post" className="form">
        <div className="field">
          <label htmlFor="defaultAttribution">{t('account.defaultAttribution')}</label>
          <p className="field-hint" id="defaultAttribution-hint">
            {t('account.defaultAttributionHint')}
          </p>
          <select id="defaultAttribution" name="defaultAttribution" defaultValue={defaultAttribution} aria-describedby="defaultAttribution-hint">
            <option value="named">{t('posts.attributionNamed')}</option>
            <option value="organisation">{t('posts.attributionOrganisation')}</option>
            <option value="chatham">{t('posts.attributionChatham')}</option>
          </select>
        </div>
        <p>
          <button type="submit" className="button">
            {t('account.save')}
          </button>
        </p>
      </Form>
    </div>
  );
}
