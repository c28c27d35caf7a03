import { randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { itemReader } from './items.repository';

// A run reads items only within its owner's organisation, whatever ids its parameters name:
// another organisation's model is as absent to it as one that does not exist.

const id = () => randomUUID();
const A = { org: id(), fleet: id(), model: id() };
const B = { org: id(), fleet: id(), model: id() };

describe('items within a run owner’s reach', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('items_reach');
    pool = new Pool({ connectionString: db.url, max: 2 });
    for (const [o, name] of [
      [A, 'alpha'],
      [B, 'beta'],
    ] as const) {
      await pool.query(
        `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES
           ($1, NULL, 'organisation', $3, $3, now()), ($2, $1, 'site', $3 || '.fleet', $3 || '.fleet', now())`,
        [o.org, o.fleet, name],
      );
      await pool.query(
        `INSERT INTO item (id, kind, reference, name, owner_id, metadata, updated_at)
         VALUES ($1, 'model', $2, $2, $3, '{"type": "rul-gbt"}', now())`,
        [o.model, `${name}.model`, o.fleet],
      );
      await pool.query(
        `INSERT INTO item_content (item_id, media_type, encoding, size, sha256, data)
         VALUES ($1, 'application/json', 'identity', 2, 'x', '{}')`,
        [o.model],
      );
    }
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('reads its own organisation’s items by id, reference and body', async () => {
    const items = itemReader(pool, A.fleet);
    expect((await items.get(A.model))?.reference).toBe('alpha.model');
    expect((await items.get('alpha.model'))?.id).toBe(A.model);
    expect((await items.content(A.model))?.mediaType).toBe('application/json');
    const found = await items.find({ ownerId: A.fleet, kind: 'model', ancestors: true });
    expect(found.map((i) => i.id)).toEqual([A.model]);
  });

  it('finds nothing of another organisation, by id, reference, body or search', async () => {
    const items = itemReader(pool, A.fleet);
    expect(await items.get(B.model)).toBeNull();
    expect(await items.get('beta.model')).toBeNull();
    expect(await items.content(B.model)).toBeNull();
    expect(await items.find({ ownerId: B.fleet, kind: 'model', ancestors: true })).toEqual([]);
  });
});
