import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from '@jest/globals';

const root = path.resolve(__dirname, '../../..');

let eslint: ESLint;

async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
  return result.messages
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
    .map((m) => m.message);
}

// The Nx tags of project.json files and the depConstraints of eslint.config.mjs must really
// constrain: these imports would compile, so only the lint rule stops them.
describe('Nx module boundaries', () => {
  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(root, 'scripts/project-graph.mjs')], { cwd: root });
    // The first lint loads the config and its plugins (seconds on a busy machine): here, not
    // inside the first test's 5 s.
    eslint = new ESLint({ cwd: root });
    await boundaryErrors('apps/portal/app/warm-up.tsx', 'export const x = 1;\n');
  }, 120_000);

  it.each([
    [
      'apps/portal/app/leak.tsx',
      "import { createPrismaClient } from '@sextant/db';\nexport const x = createPrismaClient;\n",
    ],
    [
      'apps/portal/app/leak.tsx',
      "import { loadConfig } from '@sextant/config';\nexport const x = loadConfig;\n",
    ],
    [
      // node:os and worker threads (the BLS pool): server only.
      'apps/portal/app/leak.tsx',
      "import { BlsPool } from '@sextant/analytics';\nexport const x = BlsPool;\n",
    ],
    [
      'libs/domain/src/leak.ts',
      "import { migrate } from '@sextant/db';\nexport const x = migrate;\n",
    ],
    [
      'libs/db/src/leak.ts',
      "import { createTestDatabase } from '@sextant/testing';\nexport const x = createTestDatabase;\n",
    ],
  ])('rejects %s importing server-only code', async (file, source) => {
    const errors = await boundaryErrors(file, source);
    expect(errors.length).toBeGreaterThan(0);
  });

  it.each([
    [
      'apps/portal/app/ok.tsx',
      "import { nodeKinds } from '@sextant/domain';\nexport const x = nodeKinds;\n",
    ],
    ['apps/api/src/ok.ts', "import { migrate } from '@sextant/db';\nexport const x = migrate;\n"],
  ])('allows %s to import what its scope may use', async (file, source) => {
    expect(await boundaryErrors(file, source)).toEqual([]);
  });
});
