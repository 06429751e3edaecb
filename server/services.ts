/**
 * The domain services, created once per process around the database handle and handed to
 * Remix (getLoadContext) and to the Socket.io handlers alike.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { createAccountService } from '../app/accounts/accounts.server';
import { createAuditService } from '../app/audit/audit.server';
import { createAuth } from '../app/auth/auth.server';
import { createConsultationService } from '../app/consultations/consultations.server';
import { RateLimiter } from '../app/utils/rate-limit.server';

export interface ServiceOptions {
  secureCookies: boolean;
  signInAttemptsPerAddress: number;
  registrationsPerAddress: number;
}

export function createServices(db: Kysely<Database>, options: ServiceOptions) {
  return {
    db,
    auth: createAuth(db, { secureCookies: options.secureCookies }),
    accounts: createAccountService(db),
    consultations: createConsultationService(db),
    audit: createAuditService(db),
    limits: {
      /** Failed sign-ins per email and address: 5 per 15 minutes. */
      signInPerAccount: new RateLimiter(5, 15 * 60_000),
      /** Sign-in attempts per address, per 15 minutes. */
      signInPerAddress: new RateLimiter(options.signInAttemptsPerAddress, 15 * 60_000),
      /** Registrations per address, per hour. */
      registerPerAddress: new RateLimiter(options.registrationsPerAddress, 60 * 60_000),
    },
  };
}

export type Services = ReturnType<typeof createServices>;
