import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { SextantConfig } from '@sextant/config';
import { allocatorEnv, DatabaseHandle, freePort, migrate, openDatabase } from '@sextant/db';
import { installJobQueue } from '@sextant/jobs';
import { ManagedProcess, startProcess, stopProcess, waitForHttp, waitForLine } from './processes';

export type AppName = 'api' | 'portal' | 'ingest' | 'worker';

export interface StackOptions {
  config: SextantConfig;
  /** The repository root (holds dist/ and apps/portal/.next). */
  root: string;
  apps: AppName[];
  /** Loads the demo data once (idempotent). */
  seed?: (databaseUrl: string) => Promise<string>;
  print?: (line: string) => void;
  /** Extra environment for every app. */
  env?: NodeJS.ProcessEnv;
}

export interface RunningStack {
  databaseUrl: string;
  urls: {
    api?: string;
    graphql?: string;
    docs?: string;
    portal?: string;
    ingest?: string;
    /** The fluentd forward port, as tcp://host:port. */
    ingestForward?: string;
  };
  processes: ManagedProcess[];
  stop(): Promise<void>;
}

/** Finds the repository root from a file inside it (source or dist). */
export function findRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
  }
  throw new Error(`no nx.json above ${from}`);
}

/**
 * Brings the platform up: database (embedded unless configured), migrations, demo data, then
 * each app from its production build. stop() takes everything down in reverse order.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const print = options.print ?? ((line: string) => console.log(line));
  const { config, root } = options;
  const processes: ManagedProcess[] = [];
  let database: DatabaseHandle | null = null;
  const stop = async () => {
    await Promise.all(processes.map((p) => stopProcess(p)));
    if (database) await database.stop();
  };
  try {
    database = await openDatabase(config, (line) => {
      // The server's errors, and where the launcher put what the server's user cannot reach
      // (run as root) or that it replaced a fixed password: things to know about this install.
      if (/FATAL|PANIC|ERROR|user cannot reach|had a fixed password/.test(line))
        print(`[postgres] ${line}`);
    });
    print(
      database.embedded
        ? `database: embedded Postgres at ${redact(database.url)}`
        : `database: ${redact(database.url)}`,
    );
    const migrations = await migrate(database.url);
    print(
      `migrations: ${migrations.applied.length} applied, ${migrations.alreadyApplied.length} already there`,
    );
    // The job queue's own schema (pg-boss), before the demo data submits runs to it.
    await installJobQueue(database.url);
    if (options.seed) print(`demo data: ${await options.seed(database.url)}`);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...options.env,
      DATABASE_URL: database.url,
      NODE_ENV: 'production',
      SEXTANT_SECRET_KEY: await secretKey(config, print),
    };
    // Every app gets the gateway's ports: the API tells agents where to send (ingest/endpoints).
    const ingestPorts = {
      http: config.ingest.httpPort || (await freePort()),
      forward: config.ingest.forwardPort || (await freePort()),
    };
    env.INGEST_HTTP_PORT = String(ingestPorts.http);
    env.INGEST_FORWARD_PORT = String(ingestPorts.forward);
    const urls: RunningStack['urls'] = {};
    const node = process.execPath;
    const waits: Promise<void>[] = [];
    // Chosen first, so that the API's emails link to the portal that runs.
    const portalPort = options.apps.includes('portal')
      ? config.portal.port || (await freePort())
      : config.portal.port;
    if (
      options.apps.includes('portal') &&
      !process.env.PORTAL_PUBLIC_URL &&
      !options.env?.PORTAL_PUBLIC_URL
    )
      env.PORTAL_PUBLIC_URL = `http://localhost:${portalPort}`;

    if (options.apps.includes('api')) {
      const port = config.api.port || (await freePort());
      const api = startProcess(
        'api',
        node,
        [path.join(root, 'dist/apps/api/src/main.js')],
        { ...env, API_PORT: String(port) },
        root,
        print,
      );
      processes.push(api);
      urls.api = `http://localhost:${port}/api`;
      urls.docs = `http://localhost:${port}/api/docs`;
      urls.graphql = `http://localhost:${port}/graphql`;
      waits.push(waitForHttp(`http://127.0.0.1:${port}/api/health`, 60_000, api));
    }
    if (options.apps.includes('portal')) {
      const port = portalPort;
      const apiUrl = urls.api
        ? urls.api.replace(/\/api$/, '').replace('localhost', '127.0.0.1')
        : config.portal.apiUrl;
      // `next start`, with the client's address set from the socket (see the file); the
      // secret key in env lets it prove to the API that it did.
      const portal = startProcess(
        'portal',
        node,
        [
          path.join(root, 'apps/portal/portal-server.mjs'),
          path.join(root, 'apps/portal'),
          '-p',
          String(port),
          '-H',
          config.portal.host,
        ],
        { ...env, SEXTANT_API_URL: apiUrl, PORT: String(port) },
        root,
        print,
      );
      processes.push(portal);
      urls.portal = `http://localhost:${port}`;
      waits.push(waitForHttp(`http://127.0.0.1:${port}/`, 60_000, portal));
    }
    for (const name of ['ingest', 'worker'] as const) {
      if (!options.apps.includes(name)) continue;
      const appEnv = { ...env };
      if (name === 'ingest') {
        // The gateway moves large buffers: see allocatorEnv.
        Object.assign(appEnv, allocatorEnv(env));
        const httpPort = ingestPorts.http;
        const forwardPort = ingestPorts.forward;
        Object.assign(appEnv, {
          INGEST_HTTP_PORT: String(httpPort),
          INGEST_FORWARD_PORT: String(forwardPort),
        });
        urls.ingest = `http://localhost:${httpPort}`;
        urls.ingestForward = `tcp://localhost:${forwardPort}`;
      }
      const app = startProcess(
        name,
        node,
        [path.join(root, `dist/apps/${name}/src/main.js`)],
        appEnv,
        root,
        print,
      );
      processes.push(app);
      waits.push(waitForLine(app, `${name} ready`, 60_000));
    }
    await Promise.all(waits);
    return { databaseUrl: database.url, urls, processes, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/**
 * SEXTANT_SECRET_KEY when set; else the key kept beside the embedded data directory
 * (`.sextant/secret.key`), made on first start.
 */
async function secretKey(config: SextantConfig, print: (line: string) => void): Promise<string> {
  if (config.secretKey) return config.secretKey;
  const file = path.join(path.dirname(config.embeddedPostgres.dataDir), 'secret.key');
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  print(`secret key: SEXTANT_SECRET_KEY is unset; made ${file} (keep it: it opens stored secrets)`);
  return (await fs.readFile(file, 'utf8')).trim();
}

/** Hides the password of a connection string. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
