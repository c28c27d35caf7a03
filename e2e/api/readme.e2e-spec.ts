import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoApiToken } from '@sextant/seed';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage, inject } from '@sextant/testing';

// Every shell command of the README's quick start is run by a test. The ```sh blocks of
// README.md run here, in order and in one bash (later blocks use the variables of earlier
// ones), against the started e2e stack, as a user who pasted the `export SEXTANT_TOKEN=…`
// line `npm start` prints: SEXTANT_TOKEN is a token of owner@acme.example made as npm start
// makes it, and SEXTANT_URL / SEXTANT_INGEST_URL point the README's defaults at the stack.
// Each block must exit 0 and print every `#> ` line written under its commands (`…` stands
// for any text). The ```sh examples of docs/*.md run after them, in the same shell (they use the
// quick start's variables). The README blocks not run here are run elsewhere:
const coveredElsewhere: Record<string, string> = {
  // e2e/api/start.e2e-spec.ts runs `npm start` (and .ci/run runs `npm ci`) and checks what it
  // prints; the installation itself is every run of the suite.
  'npm install && npm start': 'e2e/api/start.e2e-spec.ts',
  // `npm test` is what .ci/run runs; its closing line is printed by scripts/test.mjs.
  'npm test': '.ci/run',
};

const root = path.resolve(__dirname, '../..');

/** The ```sh blocks of a Markdown text, in order. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1].trim());
}

/** A `#> ` line as a pattern: the text literally, `…` matching anything. */
function expectation(line: string): RegExp {
  const text = line.slice(3).trim();
  const escaped = text.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(escaped.join('.*'));
}

const blocks = shellBlocks(readFileSync(path.join(root, 'README.md'), 'utf8'));
const docsBlocks = readdirSync(path.join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .sort()
  .flatMap((f) =>
    shellBlocks(readFileSync(path.join(root, 'docs', f), 'utf8')).map((b) => ({ file: f, b })),
  );
// The examples that import the real data sets need them beside the checkout, as tests do.
const hasSharedData = existsSync(path.resolve(root, '../shared/data'));
if (!hasSharedData)
  console.warn('skipping the README examples that import ../shared/data: the folder is absent');
const runHere = [
  ...blocks.filter((b) => !(b in coveredElsewhere)).map((b) => ({ file: 'README.md', b })),
  ...docsBlocks.map(({ file, b }) => ({ file: `docs/${file}`, b })),
].filter(({ b }) => hasSharedData || !b.includes('../shared/data'));

describe('the README quick start and the docs examples', () => {
  let outputs: string[] = [];
  let status: number | null = null;
  let stderr = '';

  beforeAll(async () => {
    // A checkout as a user has it after `npm start`: scripts/, .sextant/demo-users.json, and
    // the data sets in ../shared/data beside it.
    const home = mkdtempSync(path.join(os.tmpdir(), 'sextant-readme-'));
    const checkout = path.join(home, 'checkout');
    mkdirSync(path.join(checkout, '.sextant'), { recursive: true });
    symlinkSync(path.join(root, 'scripts'), path.join(checkout, 'scripts'));
    symlinkSync(path.resolve(root, '../shared'), path.join(home, 'shared'));
    writeFileSync(
      path.join(checkout, '.sextant/demo-users.json'),
      JSON.stringify(inject('demoUsers')),
      { mode: 0o600 },
    );
    const token = await demoApiToken(inject('databaseUrl'), 'owner@acme.example', 'readme', 1);

    const script = ['set -euo pipefail'];
    runHere.forEach(({ b }, i) => script.push(`echo '::block ${i}::'`, b));
    const result = spawnSync('bash', ['-c', script.join('\n')], {
      cwd: checkout,
      encoding: 'utf8',
      timeout: 240_000,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        SEXTANT_TOKEN: token,
        SEXTANT_URL: inject('apiUrl'),
        SEXTANT_INGEST_URL: inject('ingestUrl'),
      },
    });
    // The transcript, for reading what a user would see.
    writeFileSync(
      path.join(inject('artefactsDir'), 'readme.log'),
      `${result.stdout}\n--- stderr ---\n${result.stderr}`,
    );
    status = result.status;
    stderr = result.stderr;
    outputs = result.stdout.split(/^::block \d+::\n/m).slice(1);
  }, 300_000);

  it('has a test for every shell block: run here, or named where it is run', () => {
    expect(blocks.length).toBeGreaterThan(Object.keys(coveredElsewhere).length);
    for (const block of Object.keys(coveredElsewhere)) expect(blocks).toContain(block);
  });

  it('runs every block to the end, each exiting 0', () => {
    expect({ status, blocksRun: outputs.length, stderr: status === 0 ? '' : stderr }).toEqual({
      status: 0,
      blocksRun: runHere.length,
      stderr: '',
    });
  });

  it.each(runHere.map(({ file, b }, i) => [i, file, b.split('\n')[0], b] as const))(
    'block %i of %s (%s) prints what it says it prints',
    (i, _file, _first, block) => {
      const expected = block.split('\n').filter((line) => line.startsWith('#> '));
      const output = outputs[i] ?? '';
      expect(expected.length).toBeGreaterThan(0);
      for (const line of expected) expectWithMessage(output, line).toMatch(expectation(line));
    },
  );
});
