import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { setRoleSchema } from '../validation.server';
import { countryName } from '../accounts/countries.server';
import { ROLES, can } from '../accounts/roles';
import { translateIsolated, UserText } from '../components/UserText';
import { consultationTitle, localize } from '../consultations/localize';
import { isolate } from '../text/policy';
import { handleForm } from '../utils/forms.server';
import { notFound, pageTitle, requireUser } from '../utils/http.server';

async function requireAdmin(context: LoaderFunctionArgs['context'], request: Request) {
  const user = requireUser(context, request);
  if (!can(user.siteRole === 'admin' ? 'admin' : null, 'users.manage')) {
    throw new Response('Forbidden', { status: 403 });
  }
  const consultation = await context.services.consultations.getDefault();
  if (!consultation) notFound();
  return { user, consultation };
}

export async function loader({ context, request }: LoaderFunctionArgs) {
  const { language, services, t } = context;
  const { consultation } = await requireAdmin(context, request);
  const [users, changes] = await Promise.all([
    services.accounts.listUsers(consultation.id),
    services.audit.list({ action: 'user.role_changed', limit: 20 }),
  ]);
  const groups = new Map(consultation.stakeholderGroups.map((g) => [g.id, localize(g, language, 'fr')!.text]));
  const names = new Map(users.map((u) => [u.id, u.name]));
  return {
    title: pageTitle(t('admin.usersTitle')),
    consultationTitle: consultationTitle(consultation, language),
    users: users.map((u) => ({
      ...u,
      stakeholderGroup: groups.get(u.stakeholderGroup) ?? u.stakeholderGroup,
      country: countryName(u.country, language),
    })),
    changes: changes.map((c) => ({
      id: c.id,
      at: c.at,
      actor: c.actor?.name ?? null,
      subject: names.get(c.subjectId) ?? c.subjectId,
      from: String(c.details.from ?? ''),
      to: String(c.details.to ?? ''),
    })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

type ActionData = { ok: boolean; message: string; userId?: string; name?: string; role?: string };

export async function action({ context, request }: ActionFunctionArgs) {
  const { services } = context;
  const { user, consultation } = await requireAdmin(context, request);
  const formData = await request.formData();
  return handleForm(formData, {
    schema: setRoleSchema,
    run: async ({ userId, role }) => {
      const changed = await services.accounts.setRole(user.id, userId, consultation.id, role);
      const target = (await services.accounts.listUsers(consultation.id)).find((u) => u.id === userId);
      // Saving the role a user already holds changes nothing, and says so.
      return data<ActionData>({ ok: true, message: changed ? 'admin.saved' : 'admin.unchanged', userId, name: target?.name, role });
    },
    refuse: ({ status, message }) => data<ActionData>({ ok: false, message, userId: String(formData.get('userId') ?? '') }, { status }),
  });
}

export default function AdminUsers() {
  const { users, changes, consultationTitle } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t, i18n } = useTranslation();
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  return (
    <div className="page page-wide">
      <h1>{t('admin.usersTitle')}</h1>
      <p className="lead">{t('admin.usersIntro', { consultation: consultationTitle })}</p>
      <div aria-live="polite" className="status-region">
        {result ? (
          <p className={result.ok ? 'notice notice-success' : 'notice notice-error'} role={result.ok ? 'status' : 'alert'}>
            {translateIsolated(t, result.message, { name: result.name, role: result.role ? t(`roles.${result.role}`) : '' }, ['name'])}
          </p>
        ) : null}
      </div>
      <p className="muted">{t('admin.userCount', { count: users.length })}</p>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('admin.name')}</th>
              <th scope="col">{t('admin.email')}</th>
              <th scope="col">{t('admin.organisation')}</th>
              <th scope="col">{t('admin.group')}</th>
              <th scope="col">{t('admin.country')}</th>
              <th scope="col">{t('admin.role')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <th scope="row">
                  <UserText>{u.name}</UserText>
                </th>
                <td>
                  <UserText>{u.email}</UserText>
                </td>
                <td>
                  <UserText>{u.organisation}</UserText>
                </td>
                <td>{u.stakeholderGroup}</td>
                <td>{u.country}</td>
                <td>
                  <Form method="post" className="role-form">
                    <input type="hidden" name="userId" value={u.id} />
                    <label htmlFor={`role-${u.id}`} className="visually-hidden">
                      {translateIsolated(t, 'admin.roleOf', { name: u.name }, ['name'])}
                    </label>
                    <select id={`role-${u.id}`} name="role" defaultValue={u.role} key={u.role}>
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {t(`roles.${r}`)}
                        </option>
                      ))}
                    </select>
                    <button
                      type="submit"
                      className="button button-small"
                      aria-label={t('admin.saveFor', { name: isolate(u.name) })}
                      disabled={navigation.state === 'submitting' && navigation.formData?.get('userId') === u.id}
                    >
                      {t('admin.save')}
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <section aria-labelledby="changes-heading" className="section">
        <h2 id="changes-heading">{t('admin.recentChanges')}</h2>
        {changes.length === 0 ? (
          <p className="muted">{t('admin.noChanges')}</p>
        ) : (
          <ul className="audit-list">
            {changes.map((c) => (
              <li key={c.id}>
                <time dateTime={c.at}>{date.format(new Date(c.at))}</time>{' '}
                {translateIsolated(
                  t,
                  'admin.changeEntry',
                  { actor: c.actor ?? t('admin.system'), subject: c.subject, from: t(`roles.${c.from}`), to: t(`roles.${c.to}`) },
                  c.actor ? ['actor', 'subject'] : ['subject'],
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
