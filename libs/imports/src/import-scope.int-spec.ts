import { DomainError } from '@sextant/domain';
import { uuidv7 } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createFleet, Fleet } from '@sextant/jobs/testing';
import { importWindScada } from './wind-import';

// An import finds its machine nodes again by reference: a node of that reference planted
// in another organisation is another node, and one elsewhere in the same organisation is
// refused, so the import's series never land outside the node imported under.

const csv = [
  'Date/Time,LV ActivePower (kW),Wind Speed (m/s),Theoretical_Power_Curve (KWh),Wind Direction (°)',
  '01 01 2018 00:00,380.04,5.31,416.32,259.99',
  '01 01 2018 00:10,453.76,5.67,519.91,268.64',
].join('\n');

describe('imports stay under the node imported under', () => {
  let db: TestDatabase;
  let pool: Pool;
  let acme: Fleet;
  let rival: Fleet;

  beforeAll(async () => {
    db = await createTestDatabase('jobs_import_scope');
    pool = new Pool({ connectionString: db.url, max: 4 });
    acme = await createFleet(pool, 'acme');
    rival = await createFleet(pool, 'rival');
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('makes its own node where another organisation planted the reference, writing nothing there', async () => {
    const planted = uuidv7();
    await pool.query(
      `INSERT INTO node (id, kind, name, reference, parent_id, updated_at)
       VALUES ($1, 'machine', 'T1', $2, $3, now())`,
      [planted, `wind-turbine:${acme.siteId}:T1`, rival.siteId],
    );
    const imported = await importWindScada(pool, { text: csv, parentId: acme.siteId });
    expect(imported.turbine.id).not.toBe(planted);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM series WHERE node_id = $1', [
      planted,
    ]);
    expect(rows[0].n).toBe(0);
    expect(imported.series.map((s) => s.points)).toEqual([2, 2, 2, 2]);
  });

  it('refuses with 409 a machine reference held elsewhere in the organisation', async () => {
    // ACME's own T3, moved out from under the site (to the organisation) since.
    const moved = uuidv7();
    await pool.query(
      `INSERT INTO node (id, kind, name, reference, parent_id, updated_at)
       VALUES ($1, 'machine', 'T3', $2, $3, now())`,
      [moved, `wind-turbine:${acme.siteId}:T3`, acme.ownerId],
    );
    const refused = importWindScada(pool, { text: csv, parentId: acme.siteId, turbine: 'T3' });
    await expect(refused).rejects.toThrow(DomainError);
    await expect(refused).rejects.toMatchObject({ code: 'ReferenceTaken' });
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM series WHERE node_id = $1', [
      moved,
    ]);
    expect(rows[0].n).toBe(0);
    // Another turbine name makes its own node under ACME's site, with the series on it.
    const imported = await importWindScada(pool, {
      text: csv,
      parentId: acme.siteId,
      turbine: 'T2',
    });
    const { rows: nodes } = await pool.query<{ parent_id: string }>(
      'SELECT parent_id FROM node WHERE id = $1',
      [imported.turbine.id],
    );
    expect(nodes[0].parent_id).toBe(acme.siteId);
  });
});
