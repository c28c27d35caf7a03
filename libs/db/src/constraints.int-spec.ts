import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

// Rules the database enforces by itself, whatever client writes to it.
describe('UBM constraints in Postgres', () => {
  let db: TestDatabase;
  let sql: Client;
  const ids = {
    org: '00000000-0000-7000-8000-000000000001',
    site: '00000000-0000-7000-8000-000000000002',
    turbine: '00000000-0000-7000-8000-000000000003',
    resource: '00000000-0000-7000-8000-000000000010',
    movement: '00000000-0000-7000-8000-000000000020',
  };

  beforeAll(async () => {
    db = await createTestDatabase('constraints');
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES
         ($1, NULL, 'organisation', 'Org', 'org', now()),
         ($2, $1, 'site', 'Site', 'org.site', now()),
         ($3, $2, 'machine', 'T1', 'org.site.t1', now())`,
      [ids.org, ids.site, ids.turbine],
    );
    await sql.query(
      `INSERT INTO resource (id, reference, name, unit, value_type, updated_at) VALUES ($1, 'wind.speed', 'Wind', 'm/s', 'float', now())`,
      [ids.resource],
    );
    await sql.query(
      `INSERT INTO movement (id, resource_id, source_id, destination_id, quantity, start, stop, origin)
       VALUES ($1, $2, $3, $4, 10, '2026-11-21', '2026-11-22', 'manual')`,
      [ids.movement, ids.resource, ids.turbine, ids.org],
    );
  });

  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  it.each([
    [
      'a node made its own parent',
      `UPDATE node SET parent_id = id WHERE reference = 'org'`,
      /node_not_own_parent_check|own ancestor/,
    ],
    [
      'a node made a child of its descendant',
      `UPDATE node SET parent_id = '${ids.turbine}' WHERE reference = 'org'`,
      /would become its own ancestor/,
    ],
    [
      'a path from a node to itself',
      `INSERT INTO path (id, name, source_id, destination_id, protocol, updated_at) VALUES (gen_random_uuid(), 'p', '${ids.site}', '${ids.site}', 'line', now())`,
      /path_source_not_destination_check/,
    ],
    [
      'a movement that stops before it starts',
      `INSERT INTO movement (id, resource_id, source_id, destination_id, quantity, start, stop, origin) VALUES (gen_random_uuid(), '${ids.resource}', '${ids.turbine}', '${ids.org}', 1, '2026-11-22', '2026-11-21', 'manual')`,
      /movement_stop_after_start_check/,
    ],
    [
      'a negative quantity',
      `INSERT INTO movement (id, resource_id, source_id, destination_id, quantity, start, stop, origin) VALUES (gen_random_uuid(), '${ids.resource}', '${ids.turbine}', '${ids.org}', -1, '2026-11-21', '2026-11-22', 'manual')`,
      /movement_quantity_not_negative_check/,
    ],
    [
      'an edited movement',
      `UPDATE movement SET quantity = 11 WHERE id = '${ids.movement}'`,
      /movements are immutable/,
    ],
    [
      'a deleted movement',
      `DELETE FROM movement WHERE id = '${ids.movement}'`,
      /movements are immutable/,
    ],
    [
      'a second movement with the same origin and external id',
      `INSERT INTO movement (id, resource_id, source_id, destination_id, quantity, start, stop, origin, external_id) VALUES (gen_random_uuid(), '${ids.resource}', '${ids.turbine}', '${ids.org}', 1, '2026-11-21', '2026-11-22', 'ingest', 'x'), (gen_random_uuid(), '${ids.resource}', '${ids.turbine}', '${ids.org}', 1, '2026-11-21', '2026-11-22', 'ingest', 'x')`,
      /movement_origin_external_id_key/,
    ],
    [
      'deleting a node that movements refer to',
      `DELETE FROM node WHERE id = '${ids.turbine}'`,
      /movement_source_id_fkey/,
    ],
  ])('rejects %s', async (_case, statement, message) => {
    await expect(sql.query(statement)).rejects.toThrow(message);
  });

  it('accepts a legal move inside the tree', async () => {
    await sql.query(`UPDATE node SET parent_id = $1 WHERE reference = 'org.site.t1'`, [ids.org]);
    const { rows } = await sql.query(`SELECT parent_id FROM node WHERE reference = 'org.site.t1'`);
    expect(rows[0].parent_id).toBe(ids.org);
  });
});
