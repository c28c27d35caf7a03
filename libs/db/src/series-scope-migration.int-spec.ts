import { randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { migrate, readMigrations } from './migrator';
import { migrationsBefore } from './migrations-before';

// The migration that makes series unique per node, on a database holding series written
// before it: every row and chunk stays, with its id.
const migration = '20261207110000_scoped_series_keys_per_node';

describe(migration, () => {
  let db: TestDatabase;
  let client: Client;
  let earlier: ReturnType<typeof migrationsBefore>;

  beforeAll(async () => {
    db = await createTestDatabase('series_scope_migration');
    client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    // The migrations before this one only.
    earlier = migrationsBefore(migration);
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
    earlier?.remove();
  });

  it('keeps every series and chunk, with its id, and makes the key unique per node', async () => {
    expect((await readMigrations(earlier.dir)).map((m) => m.name)).not.toContain(migration);
    await migrate(db.url, earlier.dir);
    const nodes = [randomUUID(), randomUUID()];
    for (const id of nodes)
      await client.query(
        `INSERT INTO node (id, kind, name, reference, updated_at) VALUES ($1, 'machine', $2, $2, now())`,
        [id, `n-${id}`],
      );
    const { rows: before } = await client.query<{ id: string; key: string }>(
      `INSERT INTO series (key, measurement, field, value_type, node_id)
       VALUES ('scada,turbine=T01 power', 'scada', 'power', 'float', $1),
              ('scada,turbine=T02 power', 'scada', 'power', 'float', $2),
              ('orphan power', 'orphan', 'power', 'float', NULL)
       RETURNING id::text, key`,
      nodes,
    );
    await client.query(
      `INSERT INTO chunk (series_id, start_time, end_time, count, data)
       SELECT id, 0, 10, 2, '\\x00'::bytea FROM series`,
    );

    earlier.add(migration);
    expect((await migrate(db.url, earlier.dir)).applied).toEqual([migration]);

    const { rows: after } = await client.query<{ id: string; key: string; chunks: number }>(
      `SELECT s.id::text, s.key, count(c.*)::int AS chunks
         FROM series s LEFT JOIN chunk c ON c.series_id = s.id GROUP BY s.id ORDER BY s.id`,
    );
    expect(after).toEqual(before.map((s) => ({ ...s, chunks: 1 })));
    const { rows: indexes } = await client.query<{ name: string; definition: string }>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
        WHERE tablename = 'series' AND indexdef LIKE 'CREATE UNIQUE%' ORDER BY indexname`,
    );
    expect(indexes.map((i) => i.name)).toEqual(['series_node_id_key_key', 'series_pkey']);
    expect(indexes[0].definition).toMatch(/\(node_id, key\) NULLS NOT DISTINCT$/);

    // The same key on the other node is another series; twice on one node, or twice without
    // a node, it is refused.
    const insert = (key: string, nodeId: string | null) =>
      client.query(
        `INSERT INTO series (key, measurement, field, value_type, node_id)
         VALUES ($1, 'scada', 'power', 'float', $2)`,
        [key, nodeId],
      );
    await insert('scada,turbine=T01 power', nodes[1]);
    await expect(insert('scada,turbine=T01 power', nodes[0])).rejects.toThrow(/duplicate key/);
    await expect(insert('orphan power', null)).rejects.toThrow(/duplicate key/);
  });
});
