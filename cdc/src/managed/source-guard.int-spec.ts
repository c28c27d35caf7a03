import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceGuard } from './source-guard';

describe(`${SourceGuard.name} against a real server`, () => {
  let own: TestDatabase;
  let other: TestDatabase;

  beforeAll(async () => {
    own = await createTestDatabase('guard_own');
    other = await createTestDatabase('guard_other');
  });

  afterAll(async () => {
    await own?.drop();
    await other?.drop();
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
