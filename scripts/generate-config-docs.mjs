// `npm run docs:config`: writes the configuration table of docs/configuration.md (between its
// markers) and .env.example from libs/config's variable catalogue. A unit test
// (libs/config/src/config-docs.spec.ts) fails while the committed files differ.
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { renderEnvExample, withConfigTable } = require(
  path.join(root, 'dist/libs/config/src/config-docs.js'),
);

const docs = path.join(root, 'docs/configuration.md');
await fs.writeFile(docs, withConfigTable(await fs.readFile(docs, 'utf8')));
console.log('wrote docs/configuration.md');
await fs.writeFile(path.join(root, '.env.example'), renderEnvExample());
console.log('wrote .env.example');
