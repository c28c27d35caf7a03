import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { uuidv7 } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { kafkaPosition } from '../position';
import { ChangeApplier, PositionedMessage } from './change-applier';

const dataDir = path.resolve(__dirname, '../../../../shared/data/debezium');
const haveData = existsSync(dataDir);
if (!haveData) console.log(`skipping the CDC appliers: ${dataDir} is absent`);

const topic = 'fullfillment.inventory.products';
const messages = (file: string): PositionedMessage[] =>
  readFileSync(path.join(dataDir, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((value, offset) => ({ position: kafkaPosition(topic, 0, offset), value }));

(!haveData ? describe.skip : describe)(ChangeApplier.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  let applier: ChangeApplier;
  const ids = { database: uuidv7(), lake: uuidv7() };

  beforeAll(async () => {
    db = await createTestDatabase('cdc_appliers');
    pool = new Pool({ connectionString: db.url, max: 4 });
    await pool.query(
      `INSERT INTO node (id, kind, reference, name, metadata, updated_at) VALUES
         ($1, 'database', 'cdc.shop', 'Shop database', '{}', now()), ($2, 'database', 'cdc.lake', 'Lake', '{}', now())`,
      [ids.database, ids.lake],
    );
    applier = new ChangeApplier(pool, {
      source: 'fullfillment',
      sourceNodeId: ids.database,
      destinationNodeId: ids.lake,
    });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const products = async () =>
    (
      await pool.query<{ id: number; name: string; description: string; weight: number }>(
        `SELECT * FROM lake_fullfillment."inventory.products" ORDER BY id`,
      )
    ).rows;
  const movements = async () =>
    (
      await pool.query<{
        external_id: string;
        quantity: string;
        start: Date;
        stop: Date;
        reference: string;
      }>(
        `SELECT m.external_id, m.quantity::text AS quantity, m.start, m.stop, r.reference
           FROM movement m JOIN resource r ON r.id = m.resource_id ORDER BY m.external_id`,
      )
    ).rows;

  it('replays the 16 captured events (schemas included) into the mirror, in batches', async () => {
    const all = messages('debezium-postgres-data-schema-include.txt');
    // Batches cut through the snapshot transaction (601) to exercise its continuation.
    const results = [];
    for (const batch of [all.slice(0, 5), all.slice(5, 12), all.slice(12)]) {
      results.push(await applier.applyMessages(batch));
    }
    expect(results.map((r) => r.applied)).toEqual([5, 7, 4]);
    const rows = await products();
    expect(rows.map((r) => r.id)).toEqual([101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
    expect(rows.find((r) => r.id === 106)?.description).toBe('18oz carpenter hammer');
    expect(rows.find((r) => r.id === 107)?.weight).toBe(5.1);
    expect(rows.find((r) => r.id === 110)).toEqual({
      id: 110,
      name: 'jacket',
      description: 'new water resistent white wind breaker',
      weight: 0.5,
    });
    const { rows: columns } = await pool.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'lake_fullfillment' AND table_name = 'inventory.products' ORDER BY ordinal_position`,
    );
    // types from the Connect schema: int32, string, string, double
    expect(columns.map((c) => [c.column_name, c.data_type])).toEqual([
      ['id', 'integer'],
      ['name', 'text'],
      ['description', 'text'],
      ['weight', 'double precision'],
    ]);
  });

  it('records one movement per source transaction and table, quantity = rows changed', async () => {
    const recorded = await movements();
    expect(recorded.every((m) => m.reference === 'db.row:inventory.products')).toBe(true);
    const quantities = Object.fromEntries(recorded.map((m) => [m.external_id, Number(m.quantity)]));
    expect(quantities).toEqual({
      // the snapshot (txId 601) came in two batches: 5 rows, then 4 continuing at offset 5
      'cdc:fullfillment:601:inventory.products': 5,
      [`cdc:fullfillment:601:inventory.products@${topic}/0@5`]: 4,
      'cdc:fullfillment:602:inventory.products': 1,
      'cdc:fullfillment:603:inventory.products': 1,
      'cdc:fullfillment:604:inventory.products': 1,
      'cdc:fullfillment:605:inventory.products': 1,
      'cdc:fullfillment:606:inventory.products': 1,
      'cdc:fullfillment:607:inventory.products': 1,
      'cdc:fullfillment:608:inventory.products': 1,
    });
    // 16 events, 16 rows changed
    expect(Object.values(quantities).reduce((a, b) => a + b, 0)).toBe(16);
    const delete111 = recorded.find((m) => m.external_id.includes(':608:'))!;
    expect(delete111.start.toISOString()).toBe(new Date(1596010988168).toISOString());
    expect(delete111.stop).toEqual(delete111.start);
    const { rows: resource } = await pool.query(
      `SELECT unit, value_type FROM resource WHERE reference = 'db.row:inventory.products'`,
    );
    expect(resource).toEqual([{ unit: 'rows', value_type: 'integer' }]);
  });

  it('changes nothing when everything is replayed again, bare or wrapped, in other batches', async () => {
    const [rowsBefore, movementsBefore] = [await products(), await movements()];
    const again = await applier.applyMessages(
      messages('debezium-postgres-data-schema-exclude.txt'),
    );
    expect(again).toMatchObject({ applied: 0, skipped: 16, movements: 0 });
    for (const message of messages('debezium-postgres-data-schema-include.txt')) {
      expect(await applier.applyMessages([message])).toMatchObject({ applied: 0, skipped: 1 });
    }
    expect(await products()).toEqual(rowsBefore);
    expect(await movements()).toEqual(movementsBefore);
    const { rows } = await pool.query(
      `SELECT stream, position::text AS position FROM cdc_position`,
    );
    expect(rows).toEqual([{ stream: `kafka:${topic}/0`, position: '15' }]);
  });

  it('records movements once even when the positions were lost', async () => {
    const before = await movements();
    await pool.query(`DELETE FROM cdc_position`);
    const all = messages('debezium-postgres-data-schema-include.txt');
    for (const batch of [all.slice(0, 5), all.slice(5, 12), all.slice(12)]) {
      expect(await applier.applyMessages(batch)).toMatchObject({ movements: 0 });
    }
    expect(await movements()).toEqual(before);
    expect((await products()).map((r) => r.id)).toHaveLength(10);
  });

  it('adds columns that appear later and widens a column whose values no longer fit', async () => {
    const source = {
      db: 'postgres',
      schema: 'inventory',
      table: 'products',
      ts_ms: 1596011000000,
      txId: 700,
    };
    const value = JSON.stringify({
      before: null,
      after: { id: 112, name: 'crate', description: null, weight: 'heavy', 'colour "main"': 'red' },
      source,
      op: 'c',
    });
    expect(
      await applier.applyMessages([{ position: kafkaPosition(topic, 0, 16), value }]),
    ).toMatchObject({
      applied: 1,
    });
    const { rows } = await pool.query(
      `SELECT weight, "colour ""main""" AS colour FROM lake_fullfillment."inventory.products" WHERE id IN (107, 112) ORDER BY id`,
    );
    // weight became text to hold 'heavy' (107's 5.1 survives as text); id widened to bigint
    expect(rows).toEqual([
      { weight: '5.1', colour: null },
      { weight: 'heavy', colour: 'red' },
    ]);
  });

  it('sends a malformed message to the dead letters with its position and reason, and replays it once repaired', async () => {
    const source = {
      db: 'postgres',
      schema: 'inventory',
      table: 'products',
      ts_ms: 1596012000000,
      txId: 701,
    };
    const broken = JSON.stringify({ before: null, after: null, source, op: 'c' });
    const next = JSON.stringify({
      before: { id: 101 },
      after: null,
      source: { ...source, txId: 702 },
      op: 'd',
    });
    const result = await applier.applyMessages([
      { position: kafkaPosition(topic, 0, 17), value: broken, key: '{"id":113}' },
      { position: kafkaPosition(topic, 0, 18), value: next },
    ]);
    expect(result).toMatchObject({ applied: 1, deadLetters: 1 });
    const [letter] = await applier.deadLetters();
    expect(letter).toMatchObject({
      topic,
      partition: 0,
      offset: 17n,
      position: `${topic}/0@17`,
      reason: 'after missing for op "c"',
      replayedAt: null,
    });
    expect(letter.payload?.toString()).toBe(broken);

    expect(await applier.replayDeadLetters()).toEqual({
      replayed: [],
      failed: [{ id: letter.id, reason: 'after missing for op "c"' }],
    });
    const repaired = await applier.replayDeadLetters({
      repair: (l) =>
        l.payload!.toString().replace('"after":null', '"after":{"id":113,"name":"fixed"}'),
    });
    expect(repaired).toEqual({ replayed: [letter.id], failed: [] });
    expect(await applier.deadLetters()).toEqual([]);
    expect(await applier.replayDeadLetters()).toEqual({ replayed: [], failed: [] });
    // id is bigint since the bare event above (a JSON number says no more): pg gives strings
    const ids = (await products()).map((r) => Number(r.id));
    expect(ids).toContain(113);
    expect(ids).not.toContain(101);
    const replayedMovement = (await movements()).filter((m) => m.external_id.includes(':701:'));
    expect(replayedMovement.map((m) => [m.external_id, m.quantity])).toEqual([
      [`cdc:fullfillment:701:inventory.products@${topic}/0@17`, '1.000000'],
    ]);
  });
});
