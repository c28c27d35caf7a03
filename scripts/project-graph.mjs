// Refreshes Nx's cached project graph, which @nx/enforce-module-boundaries reads: without it
// the rule skips every file (with a warning that --max-warnings 0 turns into a failure).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(
  process.execPath,
  [path.join(root, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'],
  {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  },
);
