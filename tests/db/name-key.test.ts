/**
 * users.name_key (migration 007): existing accounts get their look-alike key on upgrade, the
 * older of two look-alikes keeping it; afterwards the unique index holds even against two
 * registrations that race past the service's check.
 */
import { Migrator, sql, type Migration } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountService } from '../../app/accounts/accounts.server';
import { nameKey } from '../../app/text/name-key.server';
import { openDatabase, type DatabaseHandle } from '../../db/database';
import * as m007 from '../../db/migrations/2026-11-25-007-name-key';
import { MIGRATIONS, migrateToLatest } from '../../db/migrate';
import { createTestDatabase, type TestDatabase } from '../support/database';

let testDb: TestDatabase;
let handle: DatabaseHandle;

/** The migrations before 007, as an older Palabre ran them. */
const before: Record<string, Migration> = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < '2026-11-25-007'));

beforeAll(async () => {
  testDb = await createTestDatabase();
  handle = await openDatabase(testDb.url);
});
afterAll(async () => {
  await handle?.close();
  await testDb?.drop();
});

describe('the look-alike key of names', () => {
  it('is computed for existing accounts on upgrade; of two look-alikes, the newer gets it suffixed', async () => {
    const { error } = await new Migrator({ db: handle.db, provider: { getMigrations: async () => before } }).migrateToLatest();
    expect(error).toBeUndefined();
    const user = (id: string, name: string, createdAt: string) =>
      sql`insert into users (id, email, name, organisation, stakeholder_group, country, password_hash, created_at, updated_at)
          values (${id}, ${`${id}@example.org`}, ${name}, 'Org', 'government', 'CH', 'x', ${createdAt}, ${createdAt})`.execute(handle.db);
    await user('older', 'Lucía Fernández', '2026-01-01T00:00:00.000Z');
    await user('newer', 'Lucía Fer\u200Dnández', '2026-02-01T00:00:00.000Z');
    await user('other', 'Jonas Okafor', '2026-03-01T00:00:00.000Z');

    const { error: upgrade } = await new Migrator({ db: handle.db, provider: { getMigrations: async () => ({ ...before, '2026-11-25-007-name-key': m007 }) } }).migrateToLatest();
    expect(upgrade).toBeUndefined();
    // db/migrate.ts lists the same name-key migration: it does not run again (later ones may).
    expect(await migrateToLatest(handle.db)).not.toContain('2026-11-25-007-name-key');
    const keys = Object.fromEntries((await handle.db.selectFrom('users').select(['id', 'nameKey']).execute()).map((u) => [u.id, u.nameKey]));
    expect(keys).toEqual({ older: nameKey('Lucía Fernández'), newer: `${nameKey('Lucía Fernández')}#newer`, other: nameKey('Jonas Okafor') });
  });

  it('refuses a look-alike at registration, and the unique index holds when the check is raced', async () => {
    const accounts = createAccountService(handle.db);
    const input = (email: string, name: string) => ({ email, name, password: 'a long enough password', organisation: 'Org', stakeholderGroup: 'government', country: 'CH' });
    await expect(accounts.register(input('copy@example.org', 'JONAS 0KAFOR'))).rejects.toMatchObject({ messageKey: 'errors.nameLookAlike', field: 'name' });
    const results = await Promise.allSettled([accounts.register(input('a@example.org', 'Amina Diallo')), accounts.register(input('b@example.org', 'Amina Dia\u200Bllo'))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { messageKey: 'errors.nameLookAlike' } });
    await expect(
      sql`insert into users (id, email, name, name_key, organisation, stakeholder_group, country, password_hash, created_at, updated_at)
          values ('raced', 'raced@example.org', 'Amina Diallo', ${nameKey('Amina Diallo')}, 'Org', 'government', 'CH', 'x', 'now', 'now')`.execute(handle.db),
    ).rejects.toThrow(/unique|duplicate/i);
  });
});
