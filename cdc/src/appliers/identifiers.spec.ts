import { describe, expect, it } from '@jest/globals';
import { identifier, lakeSchemaName, lakeTableName, limitLength } from './identifiers';

describe('mirror identifiers', () => {
  it.each([
    ['fullfillment', 'lake_fullfillment'],
    ['Shop-DB.eu', 'lake_shop_db_eu'],
    ['"; DROP SCHEMA public; --', 'lake____drop_schema_public____'],
  ])('names the lake schema of source %j %j', (source, expected) => {
    expect(lakeSchemaName(source)).toBe(expected);
  });

  it('quotes names from outside so they cannot end the identifier', () => {
    expect(identifier('products')).toBe('"products"');
    expect(identifier('a"b')).toBe('"a""b"');
    expect(identifier('x\0y')).toBe('"xy"');
  });

  it('shortens names beyond 63 bytes with a stable hash instead of letting Postgres cut them', () => {
    const long = lakeTableName('inventory', 'é'.repeat(40));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long).toBe(lakeTableName('inventory', 'é'.repeat(40)));
    expect(long).not.toBe(lakeTableName('inventory', `${'é'.repeat(39)}e`));
    expect(lakeSchemaName('s'.repeat(100))).toHaveLength(63);
  });

  it('limits text to a length, keeping it distinct', () => {
    expect(limitLength('short', 10)).toBe('short');
    // 200 characters: 183 of the text, a tilde and 16 hex digits of its hash
    expect(limitLength('x'.repeat(300), 200)).toHaveLength(200);
  });
});
