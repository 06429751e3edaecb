/**
 * Sessions (Lucia v3) and password hashing (argon2id).
 */
import { hash, verify } from '@node-rs/argon2';
import { Lucia, TimeSpan } from 'lucia';
import type { Kysely } from 'kysely';
import type { Attribution, Database, SiteRole } from '../../db/schema';
import type { PublishAccess } from './access-events';
import { KyselySessionAdapter } from './kysely-adapter.server';

export const SESSION_COOKIE = 'palabre_session';

/** The user as every request sees it (never the password hash). */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  organisation: string;
  stakeholderGroup: string;
  country: string;
  siteRole: SiteRole;
  defaultAttribution: Attribution;
  locale: string | null;
}

export function createAuth(db: Kysely<Database>, options: { secureCookies: boolean; publish?: PublishAccess }) {
  return new Lucia(new KyselySessionAdapter(db, options.publish), {
    sessionExpiresIn: new TimeSpan(30, 'd'),
    sessionCookie: {
      name: SESSION_COOKIE,
      attributes: { secure: options.secureCookies, sameSite: 'lax', path: '/' },
    },
    getUserAttributes: (attributes): Omit<SessionUser, 'id'> => {
      const { email, name, organisation, stakeholderGroup, country, siteRole, defaultAttribution, locale } =
        attributes;
      return { email, name, organisation, stakeholderGroup, country, siteRole, defaultAttribution, locale };
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

declare module 'lucia' {
  interface Register {
    Lucia: Auth;
    DatabaseUserAttributes: Omit<SessionUser, 'id'>;
  }
}

// argon2id (algorithm 2) with the OWASP-recommended minimums: 19 MiB, 2 passes, 1 lane.
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2 as Parameters<typeof hash>[1]);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
