import { ConfigError } from '@sextant/config';
import { describe, expect, it } from '@jest/globals';
import { loadCdcConfig } from './cdc-config';

const env = {
  CDC_SOURCE_URL: 'postgresql://repl:secret@db.example:5432/Shop-DB',
  DATABASE_URL: 'postgresql://sextant:sextant@127.0.0.1:5432/sextant',
  CDC_TABLES: 'public.orders, inventory.products',
  CDC_SOURCE_NODE_ID: '0190a1b2-0000-7000-8000-000000000001',
  CDC_DESTINATION_NODE_ID: '0190a1b2-0000-7000-8000-000000000002',
};

describe(loadCdcConfig.name, () => {
  it('fills the defaults from the source database name', () => {
    expect(loadCdcConfig(env)).toMatchObject({
      source: 'shop_db',
      slot: 'sextant_shop_db',
      publication: 'sextant_shop_db',
      tables: ['public.orders', 'inventory.products'],
      pathId: null,
      keys: {},
      maxBatchChanges: 1000,
      statusIntervalMs: 10_000,
      poolSize: 2,
    });
  });

  it('names the tables of key columns as schema.table, public by default', () => {
    expect(loadCdcConfig({ ...env, CDC_KEYS: '{"events": ["id"]}' }).keys).toEqual({
      'public.events': ['id'],
    });
  });

  it('reads key columns as JSON', () => {
    expect(loadCdcConfig({ ...env, CDC_KEYS: '{"public.events": ["id", "at"]}' }).keys).toEqual({
      'public.events': ['id', 'at'],
    });
  });

  it.each([
    [{ CDC_SOURCE_URL: undefined }, 'invalid CDC_SOURCE_URL: missing (a postgres:// URL)'],
    [
      { DATABASE_URL: 'http://x' },
      'invalid DATABASE_URL: expected a postgres:// or postgresql:// URL',
    ],
    [{ CDC_TABLES: ' , ' }, 'invalid CDC_TABLES: missing (schema.table names, comma-separated)'],
    [{ CDC_TABLES: 'a.b.c' }, 'invalid CDC_TABLES: "a.b.c" is not a table or schema.table name'],
    [{ CDC_SOURCE_NODE_ID: 'node-1' }, 'invalid CDC_SOURCE_NODE_ID: expected a UUID, got "node-1"'],
    [
      { CDC_DESTINATION_NODE_ID: env.CDC_SOURCE_NODE_ID },
      'invalid CDC_DESTINATION_NODE_ID: is the same node as CDC_SOURCE_NODE_ID',
    ],
    [{ CDC_PUBLICATION: 'Pub' }, 'invalid CDC_PUBLICATION: "Pub" must match [a-z0-9_]{1,63}'],
    [
      { CDC_KEYS: '{"t": "id"}' },
      'invalid CDC_KEYS: expected {"schema.table": ["column", ...]}; "t" has "id"',
    ],
    [
      { CDC_MAX_BATCH_CHANGES: '0' },
      'invalid CDC_MAX_BATCH_CHANGES: expected a whole number 1-100000, got "0"',
    ],
  ])('rejects %j', (override, message) => {
    const load = () => loadCdcConfig({ ...env, ...override });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });
});
