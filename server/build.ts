/**
 * Finding and loading the Remix production build.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUILD_PATH = path.join(ROOT, 'build', 'index.js');
export const ASSETS_PATH = path.join(ROOT, 'public', 'build');

/**
 * The environment `remix build` runs in. Remix 2's CLI loads `vite-node` at start even for the
 * classic compiler (for its Vite plugin, which Palabre does not use), and vite-node requires
 * Vite's CommonJS entry, which prints "The CJS build of Vite's Node API is deprecated" at every
 * build. Nothing of Vite runs here, so the notice is switched off with Vite's own variable.
 * (package.json's `build` and `dev` scripts set the same.)
 */
export const REMIX_CLI_ENV = { VITE_CJS_IGNORE_WARNING: 'true' } as const;

/** Builds the app if there is no build yet (a fresh clone's first `npm start`). */
export function ensureBuild(): void {
  if (fs.existsSync(BUILD_PATH)) return;
  console.log('[palabre] no build found: running `remix build` first…');
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'remix'), ['build'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...REMIX_CLI_ENV, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error('`remix build` failed');
}

export async function loadBuild(): Promise<ServerBuild> {
  return (await import(pathToFileURL(BUILD_PATH).href)) as ServerBuild;
}
