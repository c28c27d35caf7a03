import { existsSync } from 'node:fs';
import path from 'node:path';

const repositoryRoot = path.resolve(__dirname, '../../..');

/**
 * The shared data folder (`shared/data`, beside the checkout as docs/development.md says), found by
 * looking upwards from the repository: a checkout in a deeper folder (a git worktree such as
 * `work/wt/<name>`) still finds it. Null when there is none; tests then skip with a reason.
 */
export function sharedDataDir(from: string = repositoryRoot): string | null {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'data');
    if (existsSync(candidate)) return candidate;
    if (dir === path.dirname(dir)) return null;
  }
}

/** A file of the shared data folder, or null when the folder or the file is absent. */
export function sharedDataFile(...parts: string[]): string | null {
  const dir = sharedDataDir();
  const file = dir ? path.join(dir, ...parts) : null;
  return file && existsSync(file) ? file : null;
}

/** A path in the shared data folder, or where it would be beside the checkout when absent. */
export function sharedDataPath(...parts: string[]): string {
  const dir = sharedDataDir() ?? path.join(path.dirname(repositoryRoot), 'shared', 'data');
  return path.join(dir, ...parts);
}
