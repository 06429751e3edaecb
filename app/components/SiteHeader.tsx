import { Form, Link, useLocation } from '@remix-run/react';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { can } from '../accounts/roles';
import { LANGUAGE_NAMES, SUPPORTED_LANGUAGES } from '../i18n/config';
import type { RootData } from '../root';
import { translateIsolated } from './UserText';

/**
 * The site header: brand, main navigation, language switcher.
 *
 * On a narrow screen (below 40rem: a phone, or a desktop zoomed to 400%) it holds one line: the
 * languages show as codes (FR, EN, ES; each button is still named in full, and the code is part
 * of that name) and the navigation folds into a native disclosure ("Menu", a `<details>`: opens
 * with the keyboard and without JavaScript). Wider, brand and languages share the first line and
 * the navigation is a plain row below: app.css shows the disclosure's content and hides its
 * summary (`::details-content`; where that is unsupported the "Menu" toggle stays, and works).
 * The consultation's search box (issue 15) is in the disclosure, after the navigation, when
 * narrow; wide, between brand and languages (the navigation row has no room left). Two forms,
 * one shown per width: the other is `display: none`, out of the tab order and of the
 * accessibility tree.
 * The markup follows the visual order at every width, so focus moves the way the eye does.
 * With JavaScript the menu closes after a navigation and on Escape.
 */
export function SiteHeader({ data }: { data: RootData | undefined }) {
  const { t } = useTranslation();
  const location = useLocation();
  const here = location.pathname + location.search;
  const language = data?.language;
  const menu = useRef<HTMLDetailsElement>(null);
  const unread = data?.user?.unread ?? 0;
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [location.key]);
  const closeOnEscape = (event: KeyboardEvent<HTMLDetailsElement>) => {
    if (event.key !== 'Escape' || !menu.current?.open) return;
    menu.current.open = false;
    menu.current.querySelector('summary')?.focus();
  };
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <p className="brand">
          <Link to="/">
            <span className="brand-name">{t('app.name')}</span>
            <span className="brand-tagline">{t('app.tagline')}</span>
          </Link>
        </p>
        {data?.consultation ? <HeaderSearch slug={data.consultation.slug} where="wide" /> : null}
        {/* A plain form: switching language reloads the page in the new language, with or without JS. */}
        <form method="post" action="/locale" className="language-switcher" aria-label={t('nav.language')}>
          <input type="hidden" name="redirectTo" value={here} />
          {SUPPORTED_LANGUAGES.map((lng) => (
            <button
              key={lng}
              type="submit"
              name="language"
              value={lng}
              lang={lng}
              aria-current={lng === language ? 'true' : undefined}
              title={t('nav.switchTo', { language: LANGUAGE_NAMES[lng] })}
            >
              <span className="language-name">{LANGUAGE_NAMES[lng]}</span>
              {/* Shown instead of the name on narrow screens; the button keeps the full name. */}
              <span className="language-code" aria-hidden="true">
                {lng.toUpperCase()}
              </span>
            </button>
          ))}
        </form>
        <details className="site-menu" ref={menu} onKeyDown={closeOnEscape}>
          <summary className="site-menu-toggle">
            {t('nav.menu')}
            {unread > 0 ? (
              <>
                {' '}
                <span className="nav-badge" aria-hidden="true">
                  {unread > 99 ? '99+' : unread}
                </span>
                <span className="visually-hidden"> ({t('nav.unread', { count: unread })})</span>
              </>
            ) : null}
          </summary>
          <nav aria-label={t('nav.main')} className="site-nav">
            <ul>
              {data?.consultation ? (
                <>
                  <li>
                    <Link to={`/c/${data.consultation.slug}`}>{t('nav.consultation')}</Link>
                  </li>
                  <li>
                    <Link to={`/c/${data.consultation.slug}/case-studies`}>{t('nav.caseStudies')}</Link>
                  </li>
                  {data.user ? (
                    <li>
                      <Link to={`/c/${data.consultation.slug}/notes`}>{t('nav.notes')}</Link>
                    </li>
                  ) : null}
                  {can(data.user?.role, 'moderation.act') ? (
                    <li>
                      <Link to={`/c/${data.consultation.slug}/moderation`}>{t('nav.moderation')}</Link>
                    </li>
                  ) : null}
                </>
              ) : null}
              {data?.user ? (
                <li>
                  <Link to="/notifications" className="nav-notifications">
                    {t('nav.notifications')}
                    {data.user.unread > 0 ? (
                      <>
                        {' '}
                        <span className="nav-badge" aria-hidden="true">
                          {data.user.unread > 99 ? '99+' : data.user.unread}
                        </span>
                        <span className="visually-hidden"> ({t('nav.unread', { count: data.user.unread })})</span>
                      </>
                    ) : null}
                  </Link>
                </li>
              ) : null}
              {data?.user?.isAdmin ? (
                <li>
                  <Link to="/admin/users">{t('nav.admin')}</Link>
                </li>
              ) : null}
              {data?.user ? (
                <li className="nav-account">
                  <Link to="/account" className="signed-in" title={t('nav.signedInAs', { name: data.user.name })}>
                    {/* Wide, only the name shows (cut short if long), so the navigation keeps to one
                        row; the sentence is what assistive technologies read at every width. */}
                    <span className="signed-in-sentence">{translateIsolated(t, 'nav.signedInAs', { name: data.user.name }, ['name'])}</span>
                    <bdi className="signed-in-name" aria-hidden="true">
                      {data.user.name}
                    </bdi>
                  </Link>
                  <Form method="post" action="/sign-out" className="inline-form">
                    <button type="submit" className="link-button">
                      {t('nav.signOut')}
                    </button>
                  </Form>
                </li>
              ) : (
                <>
                  <li>
                    <Link to={`/sign-in?redirectTo=${encodeURIComponent(here)}`}>{t('nav.signIn')}</Link>
                  </li>
                  <li>
                    <Link to="/register">{t('nav.register')}</Link>
                  </li>
                </>
              )}
            </ul>
            {data?.consultation ? <HeaderSearch slug={data.consultation.slug} where="narrow" /> : null}
          </nav>
        </details>
      </div>
    </header>
  );
}

/** A plain GET form to the consultation's search (works without JavaScript); its label is read, not shown. */
function HeaderSearch({ slug, where }: { slug: string; where: 'narrow' | 'wide' }) {
  const { t } = useTranslation();
  const id = `site-search-${where}`;
  return (
    <Form method="get" action={`/c/${slug}/search`} role="search" aria-label={t('nav.searchLabel')} className={`site-search site-search-${where}`}>
      <label htmlFor={id} className="visually-hidden">
        {t('nav.searchLabel')}
      </label>
      <input id={id} type="search" name="q" autoComplete="off" spellCheck={false} />
      <button type="submit">{t('nav.search')}</button>
    </Form>
  );
}
