// Builds what `npm start` and the tests run: the Prisma client (if missing), the server
// projects (SWC, fast) and the portal (next build, skipped when its build is newer than its
// sources unless --force).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const serverOnly = process.argv.includes('--server-only');
const run = (command, args, env = {}) =>
  execFileSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

function newest(dir, skip) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full, skip) : statSync(full).mtimeMs);
  }
  return latest;
}

if (force || !existsSync(path.join(root, 'libs/db/src/generated/prisma/client.ts'))) {
  run(process.execPath, ['scripts/prisma-generate.mjs']);
}
run(process.execPath, ['scripts/build-server.mjs']);

if (!serverOnly) {
  const portal = path.join(root, 'apps/portal');
  const buildId = path.join(portal, '.next/BUILD_ID');
  const stale =
    !existsSync(buildId) || newest(portal, ['.next', 'node_modules']) > statSync(buildId).mtimeMs;
  if (force || stale) {
    console.log('building the portal (next build)...');
    run(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build', portal], {
      NEXT_TELEMETRY_DISABLED: '1',
    });
  } else {
    console.log('portal build is up to date');
  }
}
