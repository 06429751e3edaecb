/**
 * Demo content for a newcomer's first run: accounts of every role and stakeholder group.
 * Later features add theirs here (posts, case studies, notes) so no screen starts empty.
 * Re-running resets the demo accounts' passwords and roles, and adds nothing twice.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { applyRole, createAccountService } from '../../app/accounts/accounts.server';
import type { Role } from '../../app/accounts/roles';
import type { Database } from '../schema';

export interface DemoAccount {
  email: string;
  name: string;
  organisation: string;
  group: string;
  country: string;
  role: Role;
  /** How their contributions, typing and note presence show by default (named if unset). */
  defaultAttribution?: 'organisation' | 'chatham';
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { email: 'admin@demo.palabre.org', name: 'Aïssatou Ndiaye', organisation: 'GFMD Support Unit', group: 'government', country: 'CH', role: 'admin' },
  { email: 'moderator@demo.palabre.org', name: 'Lucía Fernández', organisation: 'Red Migración y Desarrollo', group: 'civil-society', country: 'MX', role: 'moderator' },
  { email: 'rapporteur@demo.palabre.org', name: 'Jonas Okafor', organisation: 'Ministry of Labour and Employment', group: 'government', country: 'NG', role: 'rapporteur' },
  { email: 'mariama@demo.palabre.org', name: 'Mariama Sow', organisation: 'Collectif Migrations Dakar', group: 'civil-society', country: 'SN', role: 'participant' },
  { email: 'julien@demo.palabre.org', name: 'Julien Tremblay', organisation: 'Bureau d’intégration des nouveaux arrivants, Montréal', group: 'local-government', country: 'CA', role: 'participant' },
  // Takes part under the Chatham House rule: in notes, others see "a participant from business".
  { email: 'priya@demo.palabre.org', name: 'Priya Raman', organisation: 'Kerala Skills Exchange', group: 'business', country: 'IN', role: 'participant', defaultAttribution: 'chatham' },
  { email: 'ana@demo.palabre.org', name: 'Ana Reyes', organisation: 'Department of Migrant Workers', group: 'government', country: 'PH', role: 'participant' },
];

export async function seedDemo(
  db: Kysely<Database>,
  consultationId: number,
): Promise<(DemoAccount & { password: string })[]> {
  const accounts = createAccountService(db);
  const out: (DemoAccount & { password: string })[] = [];
  for (const account of DEMO_ACCOUNTS) {
    const password = `demo-${crypto.randomBytes(6).toString('base64url')}`;
    const existing = await accounts.findByEmail(account.email);
    const userId = existing
      ? existing.id
      : await accounts.register({
          email: account.email,
          name: account.name,
          organisation: account.organisation,
          stakeholderGroup: account.group,
          country: account.country,
          password,
        });
    if (existing) await accounts.setPassword(userId, password);
    await accounts.setDefaultAttribution(userId, account.defaultAttribution ?? 'named');
    const from = await accounts.roleIn(userId, consultationId);
    if (from !== account.role) {
      await db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId, consultationId, from, to: account.role }));
    }
    out.push({ ...account, password });
  }
  return out;
}
