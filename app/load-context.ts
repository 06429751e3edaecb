/**
 * What the server hands every loader and action (server/http/remix.ts builds it).
 */
import type { i18n as I18n, TFunction } from 'i18next';
import type { Session } from 'lucia';
import type { Services } from '../server/services';
import type { SessionUser } from './auth/auth.server';
import type { Language } from './consultations/content.schema';

declare module '@remix-run/node' {
  interface AppLoadContext {
    services: Services;
    user: SessionUser | null;
    session: Session | null;
    language: Language;
    i18n: I18n;
    t: TFunction;
    cspNonce: string;
    clientAddress: string;
  }
}

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true;
  }
}

export {};
