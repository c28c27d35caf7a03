// Compiles the server projects (apps/api, apps/ingest, apps/worker, apps/cdc, libs, cdc, the
// prisma seed) with SWC into dist/, keeping the source tree's layout and rewriting @sextant/*
// aliases.
// Type checking is `npm run typecheck` (tsc --noEmit); this step only transpiles.
import { transformFile } from '@swc/core';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist');
const sources = [
  'apps/api/src',
  'apps/ingest/src',
  'apps/worker/src',
  'apps/cdc/src',
  'libs',
  'cdc/src',
  'prisma',
];
const skip = /\.(spec|int-spec|e2e-spec|browser-spec)\.ts$|\.d\.ts$/;

const tsconfig = JSON.parse(await fs.readFile(path.join(root, 'tsconfig.base.json'), 'utf8'));

async function* walk(dir) {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'migrations') continue;
      yield* walk(full);
    } else if (entry.name.endsWith('.ts') && !skip.test(entry.name)) {
      yield full;
    }
  }
}

const options = {
  sourceMaps: true,
  module: { type: 'commonjs', strict: true },
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
    baseUrl: root,
    paths: tsconfig.compilerOptions.paths,
  },
};

const started = Date.now();
const files = [];
for (const dir of sources) for await (const file of walk(path.join(root, dir))) files.push(file);
let done = 0;
const queue = [...files];
await Promise.all(
  Array.from({ length: 8 }, async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const rel = path.relative(root, file);
      const target = path.join(out, rel.replace(/\.ts$/, '.js'));
      const result = await transformFile(file, { ...options, filename: file });
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(
        target,
        result.code + `\n//# sourceMappingURL=${path.basename(target)}.map\n`,
      );
      if (result.map) await fs.writeFile(`${target}.map`, result.map);
      done++;
    }
  }),
);
console.log(`build-server: ${done} files into dist/ in ${Date.now() - started} ms`);
