import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultMigrationsDir } from './migrator';

/**
 * A folder with the migrations before `migration` only, to build a database as it was before
 * it and test the migration on the rows of that time (test support).
 */
export function migrationsBefore(migration: string): {
  dir: string;
  /** Adds one more migration (this one, say) to the folder. */
  add(name: string): void;
  remove(): void;
} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sextant-migrations-'));
  cpSync(defaultMigrationsDir, dir, {
    recursive: true,
    filter: (source) =>
      path.basename(source) < migration || !/^\d{14}_/.test(path.basename(source)),
  });
  return {
    dir,
    add: (name) =>
      cpSync(path.join(defaultMigrationsDir, name), path.join(dir, name), { recursive: true }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
