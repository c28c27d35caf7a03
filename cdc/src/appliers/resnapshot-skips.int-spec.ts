import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool, PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PositionsRepository } from './positions.repository';
import { ResnapshotSkipsRepository } from './resnapshot-skips.repository';

describe(ResnapshotSkipsRepository.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  let client: PoolClient;

  beforeAll(async () => {
    db = await createTestDatabase('cdc_resnapshot_skips');
    pool = new Pool({ connectionString: db.url, max: 2 });
    client = await pool.connect();
  });

  afterAll(async () => {
    client?.release();
    await pool?.end();
    await db?.drop();
  });

  const at = (major: bigint) => ({ stream: 'slot:s', major, minor: 0, txId: null });

  it('keeps the largest position per table and only what the stored position is not past', async () => {
    const skips = new ResnapshotSkipsRepository(client);
    const positions = new PositionsRepository(client);
    await skips.save('shop', 'slot:s', 'public.a', 200n);
    await skips.save('shop', 'slot:s', 'public.a', 150n);
    await skips.save('shop', 'slot:s', 'public.b', 100n);
    await skips.save('shop', 'slot:other', 'public.a', 50n);
    await skips.save('other', 'slot:s', 'public.a', 50n);
    expect(await skips.find('shop', 'slot:s')).toEqual(
      new Map([
        ['public.a', 200n],
        ['public.b', 100n],
      ]),
    );

    // At 100 itself the transaction ending there may still hold left-out changes of public.b.
    await positions.save('shop', [at(100n)]);
    expect([...(await skips.find('shop', 'slot:s')).keys()].sort()).toEqual([
      'public.a',
      'public.b',
    ]);
    await positions.save('shop', [at(101n)]);
    expect(await skips.find('shop', 'slot:s')).toEqual(new Map([['public.a', 200n]]));
    await positions.save('shop', [at(201n)]);
    expect(await skips.find('shop', 'slot:s')).toEqual(new Map());
    // Other streams and sources keep theirs.
    expect(await skips.find('shop', 'slot:other')).toEqual(new Map([['public.a', 50n]]));
    expect(await skips.find('other', 'slot:s')).toEqual(new Map([['public.a', 50n]]));
  });
});
