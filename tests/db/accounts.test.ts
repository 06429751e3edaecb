import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountService } from '../../app/accounts/accounts.server';
import { registerSchema } from '../../app/accounts/account.schema';
import { isCountry } from '../../app/accounts/countries.server';
import { createAuditService } from '../../app/audit/audit.server';
import { seedConsultation } from '../../db/seeds/consultation';
import { openTestDatabase } from '../support/database';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let consultationId: number;
const input = (email: string, name = 'Julien Tremblay') => ({
  email,
  name,
  password: 'correct horse battery',
  organisation: 'Ville de Montréal',
  stakeholderGroup: 'local-government',
  country: 'CA',
});

beforeAll(async () => {
  handle = await openTestDatabase();
  ({ consultationId } = await seedConsultation(handle.db));
});
afterAll(() => handle?.drop());

describe('accounts', () => {
  it('registers with an argon2id hash and authenticates by email, case-insensitively', async () => {
    const accounts = createAccountService(handle.db);
    const id = await accounts.register(input('Julien@Example.org'));
    const row = await handle.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.email).toBe('julien@example.org');
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain('correct horse');
    expect(await accounts.authenticate('JULIEN@example.org', 'correct horse battery')).toBe(id);
    expect(await accounts.authenticate('julien@example.org', 'wrong password!!')).toBeNull();
    expect(await accounts.authenticate('nobody@example.org', 'correct horse battery')).toBeNull();
  });

  it('refuses a second account with the same email', async () => {
    const accounts = createAccountService(handle.db);
    await expect(accounts.register(input('julien@example.org', 'Someone else'))).rejects.toMatchObject({
      name: 'DomainError',
      code: 'conflict',
      field: 'email',
    });
    const { n } = await handle.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('email', '=', 'julien@example.org')
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(1);
  });

  it('lets only an admin change roles, records each change in the audit log, and keeps the last admin', async () => {
    const accounts = createAccountService(handle.db);
    const audit = createAuditService(handle.db);
    const admin = await accounts.register(input('admin@example.org', 'Admin'), { siteRole: 'admin' });
    const participant = await accounts.register(input('p@example.org', 'Participant'));
    const target = (await accounts.findByEmail('julien@example.org'))!.id;

    expect(await accounts.roleIn(target, consultationId)).toBe('participant');
    await expect(accounts.setRole(participant, target, consultationId, 'moderator')).rejects.toMatchObject({ code: 'forbidden' });
    expect(await accounts.roleIn(target, consultationId)).toBe('participant');

    await accounts.setRole(admin, target, consultationId, 'moderator');
    expect(await accounts.roleIn(target, consultationId)).toBe('moderator');
    await accounts.setRole(admin, target, consultationId, 'rapporteur');
    expect(await accounts.roleIn(target, consultationId)).toBe('rapporteur');

    const entries = await audit.list({ action: 'user.role_changed', subjectId: target });
    expect(entries.map((e) => [e.actor?.id, e.details.from, e.details.to])).toEqual([
      [admin, 'moderator', 'rapporteur'],
      [admin, 'participant', 'moderator'],
    ]);

    await expect(accounts.setRole(admin, admin, consultationId, 'participant')).rejects.toMatchObject({ code: 'conflict' });
    await accounts.setRole(admin, participant, consultationId, 'admin');
    await accounts.setRole(participant, admin, consultationId, 'participant'); // two admins: one may step down
    expect(await accounts.roleIn(admin, consultationId)).toBe('participant');
    await expect(accounts.setRole(admin, target, consultationId, 'moderator')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('validates registrations field by field, with message keys for every language', () => {
    const schema = registerSchema({ stakeholderGroups: ['government', 'civil-society'], isCountry });
    const result = schema.safeParse({ name: ' ', email: 'not-an-email', password: 'short', organisation: 'x', stakeholderGroup: 'pirates', country: 'XX' });
    expect(result.success).toBe(false);
    const byField = Object.fromEntries(result.error!.issues.map((i) => [i.path[0], i.message]));
    expect(byField).toEqual({
      name: 'errors.required',
      email: 'errors.email',
      password: 'errors.passwordTooShort',
      stakeholderGroup: 'errors.choice',
      country: 'errors.country',
    });
    const missing = schema.safeParse({});
    expect(missing.error!.issues.map((i) => i.message)).toEqual(Array(6).fill('errors.required'));
  });
});
