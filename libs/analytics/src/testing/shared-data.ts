// Where the shared real data sets live for tests and benchmarks: ../shared/data beside the
// repository root (see its README). Not exported from the library's index.
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root (this file is libs/analytics/src/testing/ in source and in dist). */
const root = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../../../..' : '../../../..',
);

/** Absolute path of a file under ../shared/data. */
export function sharedData(...parts: string[]): string {
  return path.resolve(root, '../shared/data', ...parts);
}

/** Why a test needing these shared files must skip, or undefined when they are all present. */
export function missingSharedData(...files: string[]): string | undefined {
  const missing = files.filter((f) => !existsSync(sharedData(f)));
  return missing.length
    ? `shared data missing: ${missing.map((f) => sharedData(f)).join(', ')}`
    : undefined;
}
