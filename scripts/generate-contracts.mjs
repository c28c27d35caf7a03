// `npm run contracts`: writes the API's generated contracts, committed and reviewed as diffs:
// apps/api/schema.gql (GraphQL, sorted), apps/api/openapi.json (REST) and the portal's types
// generated from it (apps/portal/lib/api-types.ts). An integration test fails while the
// committed files differ from what the code generates.
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
require('reflect-metadata');
const { generateContracts } = require(path.join(root, 'dist/apps/api/src/contracts.js'));

for (const [file, content] of Object.entries(await generateContracts())) {
  await fs.writeFile(path.join(root, file), content);
  console.log(`wrote ${file}`);
}
