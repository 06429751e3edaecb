/**
 * Dependencies run one way (docs/decisions/0014): routes → components and editor → domain → db.
 * Reads every module under app/ and checks where its imports (static, dynamic, re-exports,
 * `import type` included) lead. A broken direction fails here with the file and the import.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const app = path.join(root, 'app');

/** Presentation layers: everything else under app/ (its top-level folders and files) is domain. */
const NOT_DOMAIN = new Set(['components', 'editor', 'routes', 'styles', 'i18n']);
/**
 * Remix's one seam: it declares the type of what server/ hands every loader and action
 * (AppLoadContext). A type-only import, erased at build; no code of app/ reaches server/.
 */
const SEAMS = new Set(['app/load-context.ts']);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

const IMPORT = /(?:\bimport\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?|\bexport\s+(?:type\s+)?[^'"`;]*?\s+from\s+|\bimport\s*\(\s*)['"]([^'"]+)['"]/g;

/** Every relative import of `file`, as a path from the repository root (`app/editor/nodes`). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1]!;
    if (!spec.startsWith('.')) continue;
    found.push(path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep).join('/'));
  }
  return found;
}

const layerOf = (relative: string) => relative.split('/')[1] ?? '';
const files = sources(app).map((file) => ({ file: path.relative(root, file).split(path.sep).join('/'), imports: importsOf(file) }));

/** `file → import` pairs that break `rule`. */
const breaking = (from: (file: string) => boolean, to: (target: string) => boolean) =>
  files.flatMap(({ file, imports }) => (from(file) ? imports.filter(to).map((target) => `${file} → ${target}`) : []));

describe('dependency direction', () => {
  it('reads imports the way the rules need (the scanner finds what it must)', () => {
    // Known edges: if the scanner stopped seeing them, every rule below would pass vacuously.
    const routes = files.find((f) => f.file === 'app/routes/c.$slug.notes.$id.sources.tsx');
    expect(routes?.imports).toContain('app/contributions/refs');
    const sample = 'import type { A } from "../x";\nexport { b } from \'./y\';\nconst c = await import("../z");\nimport "./side";';
    const seen = [...sample.matchAll(IMPORT)].map((m) => m[1]);
    expect(seen).toEqual(['../x', './y', '../z', './side']);
    expect(files.length).toBeGreaterThan(50);
  });

  it('nothing under app/ imports app/routes or server/', () => {
    expect(breaking((f) => !f.startsWith('app/routes/') && !SEAMS.has(f), (t) => t.startsWith('app/routes/') || t.startsWith('server/'))).toEqual([]);
  });

  it('components and the editor do not import db/schema', () => {
    expect(breaking((f) => f.startsWith('app/components/') || f.startsWith('app/editor/'), (t) => t === 'db/schema' || t.startsWith('db/'))).toEqual([]);
  });

  it('domain modules do not import components, the editor or routes', () => {
    const domain = (f: string) => f.split('/').length > 2 && !NOT_DOMAIN.has(layerOf(f));
    expect(breaking(domain, (t) => ['components', 'editor', 'routes'].includes(layerOf(t)) && t.startsWith('app/'))).toEqual([]);
  });

  it('the demo seeds do not import the server', () => {
    const seeds = sources(path.join(root, 'db/seeds')).map((file) => ({ file: path.relative(root, file), imports: importsOf(file) }));
    expect(seeds.flatMap(({ file, imports }) => imports.filter((t) => t.startsWith('server/')).map((t) => `${file} → ${t}`))).toEqual([]);
  });
});
