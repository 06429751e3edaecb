import type { LinksFunction, LoaderFunctionArgs } from '@remix-run/node';
import {
  Links,
  LiveReload,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useLoaderData,
  useRouteError,
  useRouteLoaderData,
} from '@remix-run/react';
import type { TFunction } from 'i18next';
import { type ReactNode, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { PhaseBar } from './components/PhaseNotice';
import { SiteHeader } from './components/SiteHeader';
import { consultationTitle } from './consultations/localize';
import { useLiveSession } from './live/useLiveSession';
import styles from './styles/app.css';
import printStyles from './styles/print.css';
import { useNonce } from './utils/nonce';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: styles },
  // Print only: the browser fetches it without holding the page's rendering for it.
  { rel: 'stylesheet', href: printStyles, media: 'print' },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
];

export async function loader({ context, params }: LoaderFunctionArgs) {
  const { user, language, services } = context;
  // The header links to (and shows the role in) the consultation being browsed, else the default
  // (never a draft's title: its pages are 404 to most, and the header must not tell it).
  const browsed = params.slug ? await services.consultations.getBySlug(params.slug) : null;
  const consultation = browsed && browsed.phase !== 'draft' ? browsed : await services.consultations.getDefault();
  const [unread, role] = user
    ? await Promise.all([
        services.notifications.unreadCount(user.id),
        consultation ? services.accounts.roleIn(user.id, consultation.id) : null,
      ])
    : [0, null];
  return {
    language,
    // The id is the user's own: the page compares it to keep its live connection theirs.
    user: user ? { id: user.id, name: user.name, isAdmin: user.siteRole === 'admin', unread, role } : null,
    consultation: consultation
      ? {
          slug: consultation.slug,
          title: consultationTitle(consultation, language),
          // Shown on every page (PhaseBar): what participants may do now depends on it.
          phase: consultation.phase,
        }
      : null,
  };
}

export type RootData = Awaited<ReturnType<typeof loader>>;

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>('root');
  const nonce = useNonce();
  const { t, i18n } = useTranslation();
  const language = data?.language ?? i18n.language ?? 'en';
  const error = useRouteError();
  // Marks the page as interactive (`<html data-hydrated>`), error pages too: the browser tests
  // wait for it before leaving a page, rather than cutting a hydration short.
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true';
  }, []);
  return (
    <html lang={language} dir="ltr">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        {error ? <title>{`${errorText(error, t)[0]} · Palabre`}</title> : null}
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          {t('app.skipToContent')}
        </a>
        <SiteHeader data={data} />
        <PhaseBar consultation={data?.consultation} />
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <p>{t('app.footer')}</p>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
        {/* Renders nothing in production; under `remix dev` it reloads the page after a rebuild. */}
        <LiveReload nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  const data = useLoaderData<typeof loader>();
  const userId = data.user?.id ?? null;
  useLiveSession(userId);
  // Keyed by the user: nothing one person typed or chose (a composer's attribution, a note's
  // presence) survives into the page of whoever signs in next in this tab.
  return <Outlet key={userId ?? 'anonymous'} />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  const data = useRouteLoaderData<typeof loader>('root');
  const [title, text] = errorText(error, t);
  return (
    <div className="page page-narrow">
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <a href={data?.consultation ? `/c/${data.consultation.slug}` : '/'}>{t('errors.backHome')}</a>
      </p>
    </div>
  );
}

function errorText(error: unknown, t: TFunction): [title: string, text: string] {
  const status = isRouteErrorResponse(error) ? error.status : 500;
  if (status === 404) return [t('errors.notFoundTitle'), t('errors.notFoundText')];
  if (status === 403) return [t('errors.forbiddenTitle'), t('errors.forbidden')];
  return [t('errors.serverErrorTitle'), t('errors.serverErrorText')];
}
