/**
 * The browser modules a lazily loaded editor needs, so that a page can ask for all of them at
 * once (`<link rel="modulepreload">`) instead of discovering them one import level at a time:
 * on a 400 ms round trip each level costs a round trip more.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Remix's assetsBuildDirectory (remix.config.js default), from the project root the server runs in. */
const BUILD_DIR = path.resolve('public', 'build');
const PUBLIC_PATH = '/build/';
const STATIC_IMPORT = /(?:from|import)\s*"(\/build\/[^"]+\.js)"/g;

const graphs = new Map<string, string[]>();

/**
 * URLs (`/build/_shared/…js`) of the chunk esbuild emitted for the dynamic import of `name`
 * (e.g. `RichComposer`) and of every chunk it statically imports, the chunk itself first.
 * Empty when there is no such build (development, tests without a build): the import still works,
 * only without the preloading.
 */
export function lazyModuleGraph(name: string): string[] {
  let graph = graphs.get(name);
  if (graph) return graph;
  graph = [];
  try {
    const shared = path.join(BUILD_DIR, '_shared');
    const file = fs.readdirSync(shared).find((f) => f.startsWith(`${name}-`) && f.endsWith('.js'));
    const queue = file ? [`${PUBLIC_PATH}_shared/${file}`] : [];
    while (queue.length) {
      const url = queue.shift()!;
      if (graph.includes(url)) continue;
      graph.push(url);
      const source = fs.readFileSync(path.join(BUILD_DIR, url.slice(PUBLIC_PATH.length)), 'utf8');
      for (const match of source.matchAll(STATIC_IMPORT)) queue.push(match[1]);
    }
  } catch {
    graph = [];
  }
  graphs.set(name, graph);
  return graph;
}
