/**
 * Runs the frozen migrations in order. The list is explicit (not read from the file system)
 * so it works the same under tsx, Vitest and any bundler.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m001 from './migrations/2026-11-25-001-initial';
import * as m002 from './migrations/2026-11-25-002-posts';
import * as m003 from './migrations/2026-11-25-003-case-studies';
import * as m004 from './migrations/2026-11-25-004-notes';
import * as m005 from './migrations/2026-11-25-005-open-flag-key';
import * as m006 from './migrations/2026-11-25-006-health-probe';
import * as m007 from './migrations/2026-11-25-007-name-key';
import * as m008 from './migrations/2026-11-25-008-form-submissions';
import * as m009 from './migrations/2026-11-25-009-compilation';
import * as m010 from './migrations/2026-11-25-010-note-citation-times';
import * as m011 from './migrations/2026-11-30-011-cluster-keys';
import * as m012 from './migrations/2026-11-30-012-search';
import type { Database } from './schema';

/** Every migration by name, in the order they run (tests take the ones before a given one). */
export const MIGRATIONS: Record<string, Migration> = {
  '2026-11-25-001-initial': m001,
  '2026-11-25-002-posts': m002,
  '2026-11-25-003-case-studies': m003,
  '2026-11-25-004-notes': m004,
  '2026-11-25-005-open-flag-key': m005,
  '2026-11-25-006-health-probe': m006,
  '2026-11-25-007-name-key': m007,
  '2026-11-25-008-form-submissions': m008,
  '2026-11-25-009-compilation': m009,
  '2026-11-25-010-note-citation-times': m010,
  '2026-11-30-011-cluster-keys': m011,
  '2026-11-30-012-search': m012,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
