import { FluentClient } from '@fluent-org/logger';
import { openSecret } from '@sextant/config';
import { defaultMigrationsDir, migrate, readMigrations } from '@sextant/db';
import { IngestWriter, PathDirectory, uuidv7 } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { TimeSeriesStore } from '@sextant/timeseries';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PathStats } from '../stats';
import { testSecretKey } from '../testing/gateway-fixtures';
import { ForwardKeys, sealLegacyKeys } from './forward-keys';
import { ForwardServer } from './forward-server';
import { ForwardRepository } from './forward.repository';

// A path token made before shared keys were sealed: the migration hashes token_hash once more
// and keeps the key aside (SQL cannot see the platform secret), the gateway seals it when it
// starts, and the agent configured back then (shared key = sha256 of the token) and HTTP
// writers with the token go on working.

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const migration = '20261207100000_hashed_path_token_shared_keys';
const token = 'sxt_made-before-the-upgrade-0123456789ab';

describe(sealLegacyKeys.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  let before: string;
  const ids = { org: uuidv7(), site: uuidv7(), lake: uuidv7(), path: uuidv7(), token: uuidv7() };

  const row = async () =>
    (
      await pool.query<{
        token_hash: string;
        legacy_shared_key: string | null;
        shared_key_sealed: Buffer | null;
      }>('SELECT token_hash, legacy_shared_key, shared_key_sealed FROM path_token WHERE id = $1', [
        ids.token,
      ])
    ).rows[0];

  beforeAll(async () => {
    // An empty database, migrated up to the migration before this one.
    db = await createTestDatabase('ingest_forward_legacy');
    pool = new Pool({ connectionString: db.url, max: 4 });
    await pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    before = mkdtempSync(path.join(os.tmpdir(), 'sextant-migrations-'));
    copyFileSync(
      path.join(defaultMigrationsDir, 'migration_lock.toml'),
      path.join(before, 'migration_lock.toml'),
    );
    for (const { name } of await readMigrations())
      if (name < migration)
        cpSync(path.join(defaultMigrationsDir, name), path.join(before, name), {
          recursive: true,
        });
    await migrate(db.url, before);
    // The token as the API stored it then: token_hash = sha256(token), the shared key itself.
    await pool.query(
      `INSERT INTO node (id, parent_id, kind, reference, name, metadata, updated_at) VALUES
         ($1, NULL, 'organisation', 'old.org', 'Org', '{}', now()),
         ($2, $1, 'site', 'old.site', 'Site', '{}', now()),
         ($3, $1, 'database', 'old.lake', 'Lake', '{}', now())`,
      [ids.org, ids.site, ids.lake],
    );
    await pool.query(
      `INSERT INTO path (id, name, source_id, destination_id, protocol, mapping, settings, updated_at)
       VALUES ($1, 'old', $2, $3, 'forward', '{}', '{}', now())`,
      [ids.path, ids.site, ids.lake],
    );
    await pool.query(
      `INSERT INTO path_token (id, path_id, name, prefix, token_hash) VALUES ($1, $2, 'old', $3, $4)`,
      [ids.token, ids.path, token.slice(0, 10), sha256(token)],
    );
    await migrate(db.url);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
    if (before) rmSync(before, { recursive: true, force: true });
  });

  it('leaves no credential in token_hash; the key waits aside for the gateway', async () => {
    expect(await row()).toEqual({
      token_hash: sha256(sha256(token)),
      legacy_shared_key: sha256(token),
      shared_key_sealed: null,
    });
  });

  it('seals the key at start-up, once, and clears it', async () => {
    const repository = new ForwardRepository(pool);
    expect(await sealLegacyKeys(repository, testSecretKey)).toBe(1);
    expect(await sealLegacyKeys(repository, testSecretKey)).toBe(0);
    const sealed = await row();
    expect(sealed.legacy_shared_key).toBeNull();
    expect(openSecret(testSecretKey, sealed.shared_key_sealed!)).toBe(sha256(token));
    expect(sealed.token_hash).toBe(sha256(sha256(token)));
  });

  it('lets the agent configured before the upgrade, and the token over HTTP, write', async () => {
    const directory = new PathDirectory(pool);
    expect((await directory.authenticate(token))?.id).toBe(ids.path);
    const repository = new ForwardRepository(pool);
    const server = new ForwardServer({
      directory,
      repository,
      writer: new IngestWriter(new TimeSeriesStore(pool)),
      stats: new PathStats(),
      maxMessageBytes: 1 << 20,
      idleSeconds: 30,
      requireAuth: true,
      keys: new ForwardKeys(repository, testSecretKey, () => undefined),
      authFailures: { max: 10, coolOffSeconds: 60 },
      defaultToken: null,
      tls: null,
      log: () => undefined,
    });
    const { port } = await server.listen(0, '127.0.0.1');
    const client = new FluentClient(null, {
      socket: { host: '127.0.0.1', port, timeout: 10_000 },
      security: { clientHostname: 'agent-from-before', sharedKey: sha256(token) },
      ack: { ackTimeout: 10_000 },
    });
    try {
      await client.emit('old.agent', { value: 1 }, new Date(Date.UTC(2026, 10, 20)));
    } finally {
      await client.shutdown();
      await server.close();
    }
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM series WHERE measurement = 'old.agent'`,
    );
    expect(rows[0].n).toBe(1);
  });
});
