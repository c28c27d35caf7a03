// `npm test`: builds, runs the static checks (types, lint, format, committed contracts), then
// every test tier of STYLE.md, and prints passed / failed / skipped per tier. Exit code 0 only
// when every check and every tier passed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'artefacts', 'test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const only = process.argv.slice(2);

function run(label, command, args) {
  console.log(`\n=== ${label}: ${[command, ...args].join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return { ok: result.status === 0, seconds };
}

const node = process.execPath;
const bin = (name, file) => path.join(root, 'node_modules', name, file);
const checks = [
  ['build', node, ['scripts/build.mjs']],
  ['typecheck', node, [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.json']],
  [
    'typecheck portal',
    node,
    [bin('typescript', 'bin/tsc'), '-p', 'apps/portal/tsconfig.json', '--noEmit'],
  ],
  [
    'lint',
    'sh',
    [
      '-c',
      `"${node}" scripts/project-graph.mjs && "${node}" "${bin('eslint', 'bin/eslint.js')}" . --max-warnings 0`,
    ],
  ],
  ['format', node, [bin('prettier', 'bin/prettier.cjs'), '--check', '.', '--log-level', 'warn']],
];
const tiers = ['unit', 'int', 'e2e', 'browser'].filter(
  (t) => only.length === 0 || only.includes(t),
);

const summary = [];
let failed = false;
if (only.length === 0) {
  for (const [label, command, args] of checks) {
    const { ok, seconds } = run(label, command, args);
    summary.push({ name: label, kind: 'check', ok, seconds });
    if (!ok) failed = true;
    if (!ok && label === 'build') break;
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };
if (!summary.some((s) => s.name === 'build' && !s.ok)) {
  for (const tier of tiers) {
    const output = path.join(results, `${tier}.json`);
    const { ok, seconds } = run(`tier ${tier}`, node, [
      bin('jest', 'bin/jest.js'),
      '--selectProjects',
      tier,
      // One Chromium: the portal's files one after another.
      ...(tier === 'browser' ? ['--runInBand'] : []),
      '--json',
      `--outputFile=${output}`,
    ]);
    const counts = { passed: 0, failed: 0, skipped: 0 };
    if (existsSync(output)) {
      const report = JSON.parse(readFileSync(output, 'utf8'));
      counts.passed = report.numPassedTests;
      counts.failed =
        report.numFailedTests +
        (report.numFailedTestSuites && !report.numFailedTests ? report.numFailedTestSuites : 0);
      counts.skipped = report.numPendingTests + report.numTodoTests;
    } else if (!ok) {
      counts.failed = 1; // the tier did not even report: count it as one failure
    }
    if (!ok && counts.failed === 0) counts.failed = 1;
    summary.push({ name: tier, kind: 'tier', ok: ok && counts.failed === 0, seconds, ...counts });
    for (const key of Object.keys(totals)) totals[key] += counts[key];
    if (!ok || counts.failed) failed = true;
  }
}

console.log('\n=== summary');
console.log('step              result   passed  failed  skipped   seconds');
for (const s of summary) {
  const cells =
    s.kind === 'tier'
      ? [String(s.passed).padStart(6), String(s.failed).padStart(7), String(s.skipped).padStart(8)]
      : ['     -', '      -', '       -'];
  console.log(
    `${s.name.padEnd(17)} ${(s.ok ? 'ok' : 'FAILED').padEnd(6)} ${cells.join(' ')} ${String(s.seconds).padStart(9)}`,
  );
}
console.log(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
