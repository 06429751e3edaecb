/** Opens and migrates the configured database for a command-line tool. */
import { parseConfig } from '../../server/config';
import { openDatabase, type DatabaseHandle } from '../database';
import { migrateToLatest } from '../migrate';

export async function openMigratedDatabase(): Promise<DatabaseHandle> {
  const config = parseConfig();
  const handle = await openDatabase(config.DATABASE_URL);
  const applied = await migrateToLatest(handle.db);
  for (const name of applied) console.log(`migrated: ${name}`);
  return handle;
}

/** Runs a CLI body, printing expected failures as one line and exiting non-zero. */
export function runCli(body: () => Promise<void>): void {
  body().then(
    () => process.exit(0),
    (error) => {
      const known = ['ConfigError', 'DatabaseOpenError', 'CliError', 'DomainError'].includes((error as Error).name);
      console.error(known ? `error: ${(error as Error).message}` : error);
      process.exit(1);
    },
  );
}

export class CliError extends Error {
  override name = 'CliError';
}
