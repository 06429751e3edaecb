/**
 * A real Palabre server on an ephemeral port over a fresh database, as in production.
 */
import type { ServerBuild } from '@remix-run/node';
import { createPalabreServer, type PalabreServer } from '../../server/app';
import { loadBuild } from '../../server/build';
import { parseConfig } from '../../server/config';
import { createTestDatabase, type TestDatabase } from './database';

export interface TestServer {
  url: string;
  server: PalabreServer;
  /** The database it runs on (pass it to another startTestServer to restart on the same data). */
  database: TestDatabase;
  close(): Promise<void>;
}

let build: Promise<ServerBuild> | undefined;

/**
 * `options.database`: run on an existing test database (a restart) instead of a fresh one; the
 * new server's close() then drops it.
 */
export async function startTestServer(env: Record<string, string> = {}, options: { database?: TestDatabase } = {}): Promise<TestServer> {
  const testDb = options.database ?? (await createTestDatabase());
  const config = parseConfig({ NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: testDb.url, REGISTRATIONS_PER_ADDRESS: '10000', SEARCHES_PER_MINUTE: '10000', ...env });
  const server = await createPalabreServer(config, await (build ??= loadBuild()));
  const { port } = await server.listen();
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    database: testDb,
    async close() {
      await server.close();
      await testDb.drop();
    },
  };
}
