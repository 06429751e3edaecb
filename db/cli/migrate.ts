/** `npm run db:migrate`: applies pending migrations to DATABASE_URL. */
import { openMigratedDatabase, runCli } from './open';

runCli(async () => {
  const handle = await openMigratedDatabase();
  console.log(`database up to date (${handle.kind}: ${handle.location})`);
  await handle.close();
});
