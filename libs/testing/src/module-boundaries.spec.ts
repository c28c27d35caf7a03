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
];
const allowed: [string, string][] = [
  [
    'apps/portal/app/ok.tsx',
    "import { nodeKinds } from '@sextant/domain';\nexport const x = nodeKinds;\n",
  ],
  ['apps/api/src/ok.ts', "import { migrate } from '@sextant/db';\nexport const x = migrate;\n"],
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
    const cases = [...leaks, ...allowed];
    const output = execFileSync(process.execPath, ['-e', lintCases], {
      cwd: root,
      input: JSON.stringify(cases),
    });
    const messages = JSON.parse(output.toString()) as Message[][];
    cases.forEach(([file, source], i) => messagesOf.set(key(file, source), messages[i]));
  }, 120_000);

  it.each(leaks)('rejects %s importing server-only code', (file, source) => {
    expect(boundaryErrors(file, source)?.length).toBeGreaterThan(0);
  });

  it.each(allowed)('allows %s to import what its scope may use', (file, source) => {
    expect(boundaryErrors(file, source)).toEqual([]);
  });
});
