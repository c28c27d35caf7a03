import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, startEmbeddedPostgres } from '@sextant/db';
import { installJobQueue } from '@sextant/jobs';
import { Client } from 'pg';
import type { Config } from '@jest/types';
import { onTeardown, provide } from './provided';

export const templateDatabase = 'sextant_test_template';

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * One Postgres server for the integration tier: embedded in a temporary directory, or the
 * server of TEST_DATABASE_URL (e.g. the machine's Postgres 15). The migrated schema is built
 * once as a template (with the job queue's schema); each test file clones it into a database
 * of its own. Its global teardown (./jest/global-teardown.ts) stops the server.
 */
export default async function setup(
  _globalConfig: Config.GlobalConfig,
  project: Config.ProjectConfig,
): Promise<void> {
  const tier = project.displayName?.name ?? 'int';
  const external = process.env.TEST_DATABASE_URL;
  let stop = async () => undefined as void;
  let adminUrl: string;
  let tempDir: string | null = null;
  if (external) {
    adminUrl = external;
  } else {
    tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-int-'));
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(tempDir, 'data'),
      port: 0,
      database: 'postgres',
    });
    adminUrl = pg.url;
    stop = pg.stop;
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${templateDatabase}`);
  await admin.end();
  await migrate(withDatabase(adminUrl, templateDatabase));
  // The job queue's own schema (pg-boss), as the launcher installs it at start-up.
  await installJobQueue(withDatabase(adminUrl, templateDatabase));
  provide(tier, { postgresAdminUrl: adminUrl, postgresTemplate: templateDatabase });
  onTeardown(tier, async () => {
    if (external) {
      const cleanup = new Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${templateDatabase} WITH (FORCE)`);
      await cleanup.end();
    }
    await stop();
    if (tempDir) await fs.rm(tempDir, { recursive: true, force: true });
  });
}
