/**
 * The Palabre process: `npm start` (production build) and `npm run dev` (under `remix dev`).
 */
import { broadcastDevReady } from '@remix-run/node';
import { DatabaseOpenError } from '../db/database';
import { createPalabreServer } from './app';
import { ensureBuild, loadBuild } from './build';
import { RedisConnectError } from './cluster/redis';
import { ConfigError, parseConfig } from './config';

async function main() {
  const config = parseConfig();
  if (config.NODE_ENV === 'production') ensureBuild();
  const build = await loadBuild();
  const server = await createPalabreServer(config, build);
  const { url } = await server.listen();
  const cluster = server.cluster.redis ? `, node ${server.cluster.nodeId} with Redis` : '';
  console.log(`[palabre] listening on ${url} (${config.NODE_ENV}, ${server.database.kind}: ${server.database.location}${cluster})`);
  // Under `remix dev`, tell the dev server this build is live so it can reload the browser.
  if (process.env.REMIX_DEV_ORIGIN) await broadcastDevReady(build);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[palabre] ${signal}: closing sockets, finishing requests in flight…`);
    server.close().then(
      () => {
        console.log('[palabre] stopped');
        process.exit(0);
      },
      (error: unknown) => {
        // Co-editors' edits the database would not take: say which notes, and fail the exit so a
        // supervisor or an operator notices (the edits are lost with this process).
        if (error instanceof Error && error.name === 'NotesNotSavedError') console.error(`[palabre] stopped, but ${error.message}`);
        else console.error('[palabre] error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  if (error instanceof ConfigError || error instanceof DatabaseOpenError || error instanceof RedisConnectError) {
    console.error(`[palabre] ${error.message}`);
  } else {
    console.error('[palabre] failed to start:', error);
  }
  process.exit(1);
});
