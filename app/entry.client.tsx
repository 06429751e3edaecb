/**
 * Hydration: loads only the page's language (a small chunk) before hydrating, so the first
 * client render matches the server's.
 */
import { RemixBrowser } from '@remix-run/react';
import i18next from 'i18next';
import { StrictMode, startTransition } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { I18nextProvider, initReactI18next } from 'react-i18next';

async function translations(language: string) {
  switch (language) {
    case 'fr':
      return (await import('./i18n/locales/fr.json')).default;
    case 'es':
      return (await import('./i18n/locales/es.json')).default;
    default:
      return (await import('./i18n/locales/en.json')).default;
  }
}

async function hydrate() {
  const language = document.documentElement.lang || 'en';
  await i18next.use(initReactI18next).init({
    lng: language,
    resources: { [language]: { translation: await translations(language) } },
    interpolation: { escapeValue: false },
  });
  startTransition(() => {
    hydrateRoot(
      document,
      <I18nextProvider i18n={i18next}>
        <StrictMode>
          <RemixBrowser />
        </StrictMode>
      </I18nextProvider>,
    );
  });
}

void hydrate();
