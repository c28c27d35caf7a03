import { randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultMigrationsDir, migrate } from './migrator';
import { migrationsBefore } from './migrations-before';

// The migration that makes references unique per organisation, on a database holding nodes
// and items from before it: each row's scope is its tree's root, and two organisations may
// then share names they could not before.
const migration = '20261207130000_scoped_references_to_organisations';

describe(migration, () => {
  let db: TestDatabase;
  let client: Client;
  let earlier: ReturnType<typeof migrationsBefore>;

  beforeAll(async () => {
    db = await createTestDatabase('reference_scope_migration');
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

  it('scopes every existing node and item by its root', async () => {
    await migrate(db.url, earlier.dir);
    const [org, site, machine, other] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await client.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES
         ($1, NULL, 'organisation', 'a', 'a', now()),
         ($2, $1, 'site', 's', 'a.s', now()),
         ($3, $2, 'machine', 'm', 'a.s.m', now()),
         ($4, NULL, 'organisation', 'b', 'b', now())`,
      [org, site, machine, other],
    );
    await client.query(
      `INSERT INTO item (id, kind, reference, name, owner_id, updated_at) VALUES
         ($1, 'sensor', 'on-root', 'x', $3, now()), ($2, 'sensor', 'on-machine', 'x', $4, now())`,
      [randomUUID(), randomUUID(), org, machine],
    );
    await migrate(db.url, defaultMigrationsDir);
    const { rows } = await client.query<{ reference: string; scope: string }>(
      `SELECT reference, reference_scope::text AS scope FROM node
       UNION ALL SELECT reference, reference_scope::text FROM item ORDER BY 1`,
    );
    const nil = '00000000-0000-0000-0000-000000000000';
    expect(rows).toEqual([
      { reference: 'a', scope: nil },
      { reference: 'a.s', scope: org },
      { reference: 'a.s.m', scope: org },
      { reference: 'b', scope: nil },
      { reference: 'on-machine', scope: org },
      { reference: 'on-root', scope: org },
    ]);
    // Organisation b may now have its own a.s; organisation a may not have a second one.
    await client.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES ($1, $2, 'site', 's', 'a.s', now())`,
      [randomUUID(), other],
    );
    await expect(
      client.query(
        `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES ($1, $2, 'site', 's', 'a.s', now())`,
        [randomUUID(), machine],
      ),
    ).rejects.toThrow(/node_reference_scope_reference_key/);
  });
});
