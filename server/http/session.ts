/**
 * Reads the session cookie once per request, refreshes it when Lucia extends the session,
 * and clears it when it no longer names a session.
 */
import type { RequestHandler } from 'express';
import type { Services } from '../services';

export function sessionMiddleware({ auth }: Services): RequestHandler {
  return async (req, res, next) => {
    try {
      const sessionId = auth.readSessionCookie(req.headers.cookie ?? '');
      res.locals.session = null;
      res.locals.user = null;
      if (sessionId) {
        const { session, user } = await auth.validateSession(sessionId);
        if (session?.fresh) res.append('Set-Cookie', auth.createSessionCookie(session.id).serialize());
        if (!session) res.append('Set-Cookie', auth.createBlankSessionCookie().serialize());
        res.locals.session = session;
        res.locals.user = user;
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
