import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './config';
import { renderEnvExample, withConfigTable } from './config-docs';
import { configVariables } from './variables';

const root = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

// Read by the code but no configuration: set by the launcher for its own children, or the
// benchmarks' knobs (docs/benchmarks.md).
const notConfiguration = (name: string) =>
  ['PORT', 'SEXTANT_PORTAL_CLIENT_ADDRESS'].includes(name) || name.startsWith('BENCH_');

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!['node_modules', 'generated', '.next', 'bench'].includes(entry.name))
        yield* sources(file);
    } else if (/\.(ts|tsx|mjs)$/.test(entry.name) && !/(spec|\.d)\.ts$/.test(entry.name)) {
      yield file;
    }
  }
}

/** Names read as process.env.X, env.X, env['X'] or helper(env, 'X', …) in production code. */
function variablesReadByCode(): Set<string> {
  const read =
    /\benv(?:\.([A-Z][A-Z0-9_]*)\b|\[['"]([A-Z][A-Z0-9_]*)['"]\]|,\s*'([A-Z][A-Z0-9_]*)')/g;
  const names = new Set<string>();
  for (const dir of ['apps', 'libs', 'cdc', 'scripts', 'prisma'])
    for (const file of sources(dir)) {
      if (path.basename(file).startsWith('bench')) continue;
      for (const m of readFileSync(path.join(root, file), 'utf8').matchAll(read))
        names.add(m[1] ?? m[2] ?? m[3]);
    }
  return names;
}

describe('configuration docs', () => {
  it('lists every variable the code reads, and only those', () => {
    const catalogued = new Set(configVariables.map((v) => v.name));
    const used = [...variablesReadByCode()].filter((n) => !notConfiguration(n));
    expect(used.filter((n) => !catalogued.has(n)).sort()).toEqual([]);
    expect([...catalogued].filter((n) => !used.includes(n)).sort()).toEqual([]);
    expect(catalogued.size).toBe(configVariables.length); // no name twice
    expect(catalogued.has('INGEST_MAX_UNSETTLED_POINTS')).toBe(true);
  });

  it.each(configVariables.filter((v) => !v.derived).map((v) => [v.name, v.default]))(
    'documents the default of %s as loadConfig applies it (%j)',
    (name, value) => {
      // Setting a variable to its documented default changes nothing.
      expect(loadConfig({ [name]: value }, '/srv')).toEqual(loadConfig({}, '/srv'));
    },
  );

  it('has a committed docs/configuration.md table and .env.example as generated (npm run docs:config)', () => {
    const docs = read('docs/configuration.md');
    expect(docs).toBe(withConfigTable(docs));
    expect(read('.env.example')).toBe(renderEnvExample());
  });
});
