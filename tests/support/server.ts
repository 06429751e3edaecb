/**
 * A real Palabre server on an ephemeral port over a fresh database, as in production.
 */
import type { ServerBuild } from '@remix-run/node';
import { createPalabreServer, type PalabreServer } from '../../server/app';
import { loadBuild } from '../../server/build';
import { parseConfig } from '../../server/config';
import { createTestDatabase } from './database';

export interface TestServer {
  url: string;
  server: PalabreServer;
  close(): Promise<void>;
}

let build: Promise<ServerBuild> | undefined;

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const testDb = await createTestDatabase();
  const config = parseConfig({ NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: testDb.url, REGISTRATIONS_PER_ADDRESS: '10000', ...env });
  const server = await createPalabreServer(config, await (build ??= loadBuild()));
  const { port } = await server.listen();
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    async close() {
      await server.close();
      await testDb.drop();
    },
  };
}
