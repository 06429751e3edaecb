/**
 * The Remix request handler and the load context it hands loaders and actions.
 */
import { createRequestHandler } from '@remix-run/express';
import type { AppLoadContext, ServerBuild } from '@remix-run/node';
import type { Request, Response } from 'express';
import { detectLanguage } from '../../app/i18n/detect.server';
import { i18nFor } from '../../app/i18n/i18n.server';
import type { Services } from '../services';

/** What loaders and actions get: the services, the signed-in user, the language and its i18next. */
export function loadContextFor(services: Services) {
  return (req: Request, res: Response): AppLoadContext => {
    const user = res.locals.user ?? null;
    const language = detectLanguage(req.headers, user?.locale);
    const i18n = i18nFor(language);
    return {
      services,
      user,
      session: res.locals.session ?? null,
      language,
      i18n,
      t: i18n.t,
      cspNonce: res.locals.cspNonce as string,
      clientAddress: req.ip ?? req.socket.remoteAddress ?? 'unknown',
    };
  };
}

export function remixHandler(build: ServerBuild, services: Services, mode: string) {
  return createRequestHandler({ build, mode, getLoadContext: loadContextFor(services) });
}
