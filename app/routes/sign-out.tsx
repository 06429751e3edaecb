import { redirect, type ActionFunctionArgs } from '@remix-run/node';

export async function action({ context }: ActionFunctionArgs) {
  const { services, session } = context;
  if (session) await services.auth.invalidateSession(session.id);
  throw redirect('/', { headers: { 'Set-Cookie': services.auth.createBlankSessionCookie().serialize() } });
}

export async function loader() {
  throw redirect('/');
}
