import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

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
    [
      // The job platform knows no job type built on it.
      'libs/jobs/src/leak.ts',
      "import { builtinJobTypes } from '@sextant/analyses';\nexport const x = builtinJobTypes;\n",
    ],
    [
      'libs/imports/src/leak.ts',
      "import { builtinJobTypes } from '@sextant/analyses';\nexport const x = builtinJobTypes;\n",
    ],
    [
      'libs/jobs/src/leak.ts',
      "import { importWindScada } from '@sextant/imports';\nexport const x = importWindScada;\n",
    ],
    [
      // Apps never import apps, libraries never import apps.
      'apps/cdc/src/leak.ts',
      "import { CdcService } from '../../worker/src/cdc.service';\nexport const x = CdcService;\n",
    ],
    [
      'cdc/src/leak.ts',
      "import { loadCdcConfig } from '../../apps/cdc/src/cdc-config';\nexport const x = loadCdcConfig;\n",
    ],
    [
      'apps/cdc/src/leak.ts',
      "import { createTestDatabase } from '@sextant/testing';\nexport const x = createTestDatabase;\n",
    ],
  ])('rejects %s importing what its project may not use', async (file, source) => {
    const errors = await boundaryErrors(file, source);
    expect(errors.length).toBeGreaterThan(0);
  });

  it.each([
    [
      'apps/portal/app/ok.tsx',
      "import { nodeKinds } from '@sextant/domain';\nexport const x = nodeKinds;\n",
    ],
    ['apps/api/src/ok.ts', "import { migrate } from '@sextant/db';\nexport const x = migrate;\n"],
    [
      'apps/cdc/src/ok.ts',
      "import { PgoutputReader } from '@sextant/cdc';\nexport const x = PgoutputReader;\n",
    ],
    [
      'libs/analyses/src/ok.ts',
      "import { defineJobType } from '@sextant/jobs';\nexport const x = defineJobType;\n",
    ],
    [
      'libs/analyses/src/ok.ts',
      "import { windSeries } from '@sextant/imports';\nexport const x = windSeries;\n",
    ],
  ])('allows %s to import what its scope may use', async (file, source) => {
    expect(await boundaryErrors(file, source)).toEqual([]);
  });

  it.each([
    ['libs/analyses/src/leak.ts', 1],
    ['libs/analyses/src/leak.int-spec.ts', 0],
  ])('lets only tests import @sextant/jobs/testing (%s)', async (file, errors) => {
    const source =
      "import { createFleet } from '@sextant/jobs/testing';\nexport const x = createFleet;\n";
    const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
    const restricted = result.messages.filter((m) => m.ruleId === 'no-restricted-imports');
    expect(restricted).toHaveLength(errors);
  });
});
