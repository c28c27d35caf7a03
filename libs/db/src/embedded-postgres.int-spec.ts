import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from '@jest/globals';
import { embeddedPasswordFile, RunningPostgres, startEmbeddedPostgres } from './embedded-postgres';

/** Signs in to the server as its superuser with `password`: the error code, or 'ok'. */
async function signIn(port: number, password: string): Promise<string> {
  const client = new Client({
    host: '127.0.0.1',
    port,
    user: 'sextant',
    password,
    database: 'postgres',
  });
  try {
    await client.connect();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const root = os.userInfo().uid === 0;

describe(startEmbeddedPostgres.name, () => {
  const tempDirs: string[] = [];
  const servers: RunningPostgres[] = [];
  // A directory of its own for each install (the password file is kept beside the data).
  const installDir = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-embedded-'));
    tempDirs.push(dir);
    return dir;
  };

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const dir of tempDirs) await fs.rm(dir, { recursive: true, force: true });
  });

  it('gives each install its own password, kept beside the data with mode 0600', async () => {
    const dir = await installDir();
    const dataDir = path.join(dir, 'postgres');
    const pg = await startEmbeddedPostgres({ dataDir, port: 0 });
    servers.push(pg);
    const file = embeddedPasswordFile(dataDir);
    expect(file).toBe(path.join(dir, 'postgres.password'));
    expect(pg.passwordFile).toBe(file);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const password = (await fs.readFile(file, 'utf8')).trim();
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(decodeURIComponent(new URL(pg.url).password)).toBe(password);
    expect(await signIn(pg.port, password)).toBe('ok');
    // The fixed password of earlier installs, which any local user could sign in with.
    expect(await signIn(pg.port, 'sextant')).toBe('28P01');
    // Another install gets another one.
    const other = await startEmbeddedPostgres({
      dataDir: path.join(await installDir(), 'postgres'),
      port: 0,
    });
    servers.push(other);
    expect(decodeURIComponent(new URL(other.url).password)).not.toBe(password);
  });

  it('takes the password kept before the first start, for whoever must know it in advance', async () => {
    const dataDir = path.join(await installDir(), 'postgres');
    await fs.writeFile(embeddedPasswordFile(dataDir), 'chosen-in-advance-0123456789\n', {
      mode: 0o644,
    });
    const pg = await startEmbeddedPostgres({ dataDir, port: 0 });
    servers.push(pg);
    expect(new URL(pg.url).password).toBe('chosen-in-advance-0123456789');
    expect(await signIn(pg.port, 'chosen-in-advance-0123456789')).toBe('ok');
    // Rewritten readable by its owner only.
    expect((await fs.stat(embeddedPasswordFile(dataDir))).mode & 0o777).toBe(0o600);
  });

  it('starts an install made with the old fixed password, and changes it to a kept random one', async () => {
    const dataDir = path.join(await installDir(), 'postgres');
    const first = await startEmbeddedPostgres({ dataDir, port: 0 });
    // As the earlier versions left it: password "sextant", and no password file.
    const admin = new Client({ connectionString: first.url });
    await admin.connect();
    await admin.query(`ALTER ROLE sextant PASSWORD 'sextant'`);
    await admin.end();
    await first.stop();
    await fs.rm(embeddedPasswordFile(dataDir));

    const lines: string[] = [];
    const again = await startEmbeddedPostgres({ dataDir, port: 0, log: (l) => lines.push(l) });
    servers.push(again);
    const password = (await fs.readFile(embeddedPasswordFile(dataDir), 'utf8')).trim();
    expect(password).not.toBe('sextant');
    expect((await fs.stat(embeddedPasswordFile(dataDir))).mode & 0o777).toBe(0o600);
    expect(await signIn(again.port, 'sextant')).toBe('28P01');
    expect(await signIn(again.port, password)).toBe('ok');
    expect(lines.join('\n')).toMatch(/had a fixed password: it now has its own/);
  });

  (!root ? it.skip : it)(
    'as root, keeps the data where the postgres user can reach it when the directory is not',
    async () => {
      // A checkout in a directory closed to other users (like /root): mode 0700 two levels up.
      const closed = path.join(await installDir(), 'closed');
      await fs.mkdir(closed, { mode: 0o700 });
      await fs.chmod(closed, 0o700);
      const dataDir = path.join(closed, 'clone', '.sextant', 'postgres');
      const pg = await startEmbeddedPostgres({ dataDir, port: 0 });
      servers.push(pg);
      expect((await fs.lstat(dataDir)).isSymbolicLink()).toBe(true);
      expect(pg.dataDir).toBe(await fs.realpath(dataDir));
      expect(pg.dataDir.startsWith('/var/lib/sextant/data-')).toBe(true);
      expect(await signIn(pg.port, decodeURIComponent(new URL(pg.url).password))).toBe('ok');
      // The closed directory stays closed, and the password stays beside the link.
      expect((await fs.stat(closed)).mode & 0o777).toBe(0o700);
      expect(pg.passwordFile).toBe(path.join(closed, 'clone', '.sextant', 'postgres.password'));
      await pg.stop();
      servers.splice(servers.indexOf(pg), 1);
      // A second start finds the data through the link.
      const again = await startEmbeddedPostgres({ dataDir, port: 0 });
      servers.push(again);
      expect(again.dataDir).toBe(pg.dataDir);
      await again.stop();
      servers.splice(servers.indexOf(again), 1);
      await fs.rm(pg.dataDir, { recursive: true, force: true });
    },
  );
  if (!root) console.warn('skipping the root data directory test: not running as root');
});
