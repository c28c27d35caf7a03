import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';

const root = path.resolve(__dirname, '../../..');

const leaks: [string, string][] = [
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
];
const allowed: [string, string][] = [
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
];
// Only tests may import @sextant/jobs/testing.
const jobsTesting =
  "import { createFleet } from '@sextant/jobs/testing';\nexport const x = createFleet;\n";
const restricted: [string, number][] = [
  ['libs/analyses/src/leak.ts', 1],
  ['libs/analyses/src/leak.int-spec.ts', 0],
];

// ESLint import()s its config, which jest's module system refuses (it would need
// --experimental-vm-modules): every case is linted at once in a Node process of its own.
const lintCases = `
const path = require('node:path');
const { ESLint } = require('eslint');
const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const messages = [];
  for (const [file, source] of cases) {
    const [result] = await eslint.lintText(source, { filePath: path.join(process.cwd(), file) });
    messages.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
  }
  process.stdout.write(JSON.stringify(messages));
})();
`;

type Message = { ruleId: string | null; message: string };
const messagesOf = new Map<string, Message[]>();
const key = (file: string, source: string) => `${file}\n${source}`;
const boundaryErrors = (file: string, source: string) =>
  messagesOf
    .get(key(file, source))
    ?.filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
    .map((m) => m.message);

// The Nx tags of project.json files and the depConstraints of eslint.config.mjs must really
// constrain: these imports would compile, so only the lint rule stops them.
describe('Nx module boundaries', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts/project-graph.mjs')], { cwd: root });
    const cases = [
      ...leaks,
      ...allowed,
      ...restricted.map(([file]): [string, string] => [file, jobsTesting]),
    ];
    const output = execFileSync(process.execPath, ['-e', lintCases], {
      cwd: root,
      input: JSON.stringify(cases),
    });
    const messages = JSON.parse(output.toString()) as Message[][];
    cases.forEach(([file, source], i) => messagesOf.set(key(file, source), messages[i]));
  }, 120_000);

  it.each(leaks)('rejects %s importing what its project may not use', (file, source) => {
    expect(boundaryErrors(file, source)?.length).toBeGreaterThan(0);
  });

  it.each(allowed)('allows %s to import what its scope may use', (file, source) => {
    expect(boundaryErrors(file, source)).toEqual([]);
  });

  it.each(restricted)('lets only tests import @sextant/jobs/testing (%s)', (file, errors) => {
    const messages = messagesOf.get(key(file, jobsTesting));
    expect(messages?.filter((m) => m.ruleId === 'no-restricted-imports')).toHaveLength(errors);
  });
});
