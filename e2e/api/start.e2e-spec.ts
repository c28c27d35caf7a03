import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@sextant/db';
import { afterAll, describe, expect, it } from 'vitest';

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

async function start(env: NodeJS.ProcessEnv): Promise<Started> {
  // Detached: its own process group, so that a group SIGINT is exactly what Ctrl-C sends.
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
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

describe.skipIf(!portalBuilt)('npm start', () => {
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
