import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@sextant/config';
import { AppName, startStack } from '@sextant/stack';
import { Client } from 'pg';
import type { Config } from '@jest/types';
import { onTeardown, provide } from '@sextant/testing';
import { demoApiToken, seedDemoData, seedDemoUsers, type DemoUser } from '@sextant/seed';
import { appendFileSync } from 'node:fs';

declare module '@sextant/testing' {
  export interface ProvidedContext {
    apiUrl: string;
    ingestUrl: string;
    /** The fluentd forward port of the ingest gateway on 127.0.0.1. */
    ingestForwardPort: number;
    portalUrl: string;
    databaseUrl: string;
    artefactsDir: string;
    /** A personal API token of the platform administrator (sees and may do everything). */
    apiToken: string;
    /** The demo accounts (e-mail, role, password). */
    demoUsers: { email: string; role: string; password: string }[];
    /** Where the stack's output is appended as it comes (emails without SMTP are there). */
    stackLogFile: string;
  }
}

const root = path.resolve(__dirname, '../..');

/**
 * Starts the platform from its production build (npm run build) on free ports, with a
 * throw-away embedded Postgres and the demo data, for the HTTP and browser tiers. The tier's
 * global teardown (libs/testing/src/jest/global-teardown.ts) stops it.
 */
export default async function setup(
  _globalConfig: Config.GlobalConfig,
  project: Config.ProjectConfig,
): Promise<void> {
  const tier = project.displayName?.name ?? 'e2e';
  // The browser tier runs no worker (its pages are fed by hand); the jobs pages' test starts
  // a job worker of its own.
  const apps: AppName[] = tier === 'browser' ? ['api', 'portal'] : ['api', 'ingest', 'worker'];
  if (!existsSync(path.join(root, 'dist/apps/api/src/main.js'))) {
    throw new Error('no build of the apps: run `npm run build` first (npm test does)');
  }
  // Quick queue polls and heartbeats, so that the tests wait less.
  const jobEnv = {
    JOB_POLL_INTERVAL_MS: '500',
    JOB_HEARTBEAT_SECONDS: '1',
    JOB_WORKER_LOST_SECONDS: '5',
    JOB_SCHEDULER_INTERVAL_SECONDS: '1',
  };
  // The CDC tests capture databases of the stack's own server, on this machine (never its
  // own database: that is refused whatever this says).
  const cdcEnv = { CDC_ALLOWED_HOSTS: '127.0.0.1' };
  const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), `sextant-${tier}-`));
  const config = loadConfig(
    {
      ...process.env,
      DATABASE_URL: '',
      API_PORT: '0',
      PORTAL_PORT: '0',
      PORTAL_HOST: '127.0.0.1',
      SEXTANT_DATA_DIR: path.join(tempDir, 'pg'),
      EMBEDDED_PG_PORT: '0',
      INGEST_HTTP_PORT: '0',
      INGEST_FORWARD_PORT: '0',
      ...jobEnv,
      ...cdcEnv,
    },
    root,
  );
  const logs: string[] = [];
  const artefactsDir = path.join(root, 'artefacts', tier);
  await fs.mkdir(artefactsDir, { recursive: true });
  const stackLogFile = path.join(artefactsDir, 'stack.log');
  await fs.writeFile(stackLogFile, '');
  let demoUsers: DemoUser[] = [];
  let apiToken = '';
  const stack = await startStack({
    config,
    root,
    apps,
    env: { ...jobEnv, ...cdcEnv },
    seed: async (url) => {
      const summary = await seedDemoData(url, { sharedData: path.resolve(root, '../shared/data') });
      demoUsers = await seedDemoUsers(url, path.join(tempDir, 'demo-users.json'));
      apiToken = await demoApiToken(url, 'admin@sextant.example', 'e2e');
      return summary;
    },
    print: (line) => {
      logs.push(line);
      appendFileSync(stackLogFile, `${line}\n`);
      if (process.env.SEXTANT_E2E_VERBOSE) console.log(line);
    },
  }).catch((error: Error) => {
    console.error(logs.slice(-50).join('\n'));
    throw error;
  });
  const apiUrl = stack.urls.api!.replace('localhost', '127.0.0.1').replace(/\/api$/, '');
  const portalUrl = (stack.urls.portal ?? '').replace('localhost', '127.0.0.1');
  onTeardown(tier, async () => {
    await stack.stop();
    await fs.writeFile(stackLogFile, logs.join('\n'));
    await fs.rm(tempDir, { recursive: true, force: true });
  });
  if (apps.includes('worker')) await demoRunsDone(stack.databaseUrl);
  provide(tier, {
    apiUrl,
    portalUrl,
    ingestUrl: (stack.urls.ingest ?? '').replace('localhost', '127.0.0.1'),
    ingestForwardPort: Number(new URL(stack.urls.ingestForward ?? 'tcp://x:0').port),
    databaseUrl: stack.databaseUrl,
    artefactsDir,
    apiToken,
    demoUsers,
    stackLogFile,
  });
  // Also as environment, which test workers inherit.
  Object.assign(process.env, {
    API_URL: apiUrl,
    PORTAL_URL: portalUrl,
    ARTEFACTS_DIR: artefactsDir,
  });
}

/**
 * Waits until the worker has run the demo data's job run, so that the tests (some of them
 * timing-sensitive, like the gateway's one-second request timeout) do not share the CPUs with it.
 */
async function demoRunsDone(databaseUrl: string, timeoutMs = 180_000): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM job_run WHERE state IN ('queued', 'running')`,
      );
      if (rows[0].n === 0) return;
      if (Date.now() > deadline)
        throw new Error(`demo job runs still unfinished after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await client.end();
  }
}
