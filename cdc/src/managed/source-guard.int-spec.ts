import { randomBytes } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SourceGuard } from './source-guard';

describe(`${SourceGuard.name} against a real server`, () => {
  let own: TestDatabase;
  let other: TestDatabase;
  const suffix = randomBytes(4).toString('hex');
  const replicator = `guard_rep_${suffix}`;
  const plain = `guard_plain_${suffix}`;
  const as = (url: string, user: string) => {
    const changed = new URL(url);
    changed.username = user;
    changed.password = 'guard-secret';
    return changed.toString();
  };

  beforeAll(async () => {
    own = await createTestDatabase('guard_own');
    other = await createTestDatabase('guard_other');
    const admin = new Client({ connectionString: own.url });
    await admin.connect();
    await admin.query(`CREATE ROLE ${replicator} LOGIN REPLICATION PASSWORD 'guard-secret';
                       CREATE ROLE ${plain} LOGIN PASSWORD 'guard-secret'`);
    await admin.end();
    // As some managed services have it: pg_control_system() closed to ordinary users.
    for (const db of [own, other]) {
      const client = new Client({ connectionString: db.url });
      await client.connect();
      await client.query('REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC');
      await client.end();
    }
  });

  afterAll(async () => {
    await own?.drop();
    await other?.drop();
    const admin = new Client({ connectionString: other.url.replace(/\/[^/]*$/, '/postgres') });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${replicator}; DROP ROLE IF EXISTS ${plain}`);
    await admin.end();
  });

  it('connects to the address it checked, never resolving the name again', async () => {
    // A name only this lookup knows, answering like a DNS that rebinds between two questions.
    const answers = [['127.0.0.1'], ['169.254.169.254']];
    const asked: string[] = [];
    const lines: string[] = [];
    const guard = new SourceGuard({
      allowedHosts: ['127.0.0.1'],
      ownDatabaseUrl: own.url,
      lookup: async (host) => {
        asked.push(host);
        return answers.shift() ?? [];
      },
      log: (line) => lines.push(line),
    });
    const url = new URL(other.url);
    url.hostname = 'rebinding.invalid';
    const client = await guard.connect(url.toString());
    try {
      const { rows } = await client.query<{ address: string; db: string }>(
        'SELECT host(inet_server_addr()) AS address, current_database() AS db',
      );
      expect(rows[0]).toEqual({ address: '127.0.0.1', db: other.name });
    } finally {
      await client.end();
    }
    // The second answer is a metadata address: refused before any connection is tried.
    await expect(guard.connect(url.toString())).rejects.toThrow(/HostNotAllowed/);
    expect(asked).toEqual(['rebinding.invalid', 'rebinding.invalid']);
    expect(lines).toEqual([]);
  });

  it('asks a replication connection who the server is when pg_control_system() is closed', async () => {
    const guard = new SourceGuard({ allowedHosts: ['127.0.0.1'], ownDatabaseUrl: own.url });
    await expect(guard.connect(as(own.url, replicator))).rejects.toThrow(
      "OwnDatabase: the platform's own database cannot be a source",
    );
    const client = await guard.connect(as(other.url, replicator));
    expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe(replicator);
    await client.end();
    // A user that may do neither cannot be told apart from the platform's: refused.
    await expect(guard.connect(as(other.url, plain))).rejects.toThrow(
      /OwnDatabase: cannot tell whether the source is the platform's own database/,
    );
  });

  it("refuses the platform's own database on replication connections too", async () => {
    const guard = new SourceGuard({ allowedHosts: ['127.0.0.1'], ownDatabaseUrl: own.url });
    await expect(guard.connect(own.url, { replication: true })).rejects.toThrow(
      "OwnDatabase: the platform's own database cannot be a source",
    );
    const replication = await guard.connect(other.url, { replication: true });
    const { rows } = await replication.query<{ dbname: string }>('IDENTIFY_SYSTEM');
    expect(rows[0].dbname).toBe(other.name);
    await replication.end();
  });
});
