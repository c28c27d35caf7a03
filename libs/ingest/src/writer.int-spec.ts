import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { TimeSeriesStore } from '@sextant/timeseries';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IngestPath } from './paths';
import type { IngestLine } from './point-batch';
import { IngestStage } from './stage';
import { createTestPath } from './testing/test-path';
import { IngestWriter } from './writer';

// When the group commit goes: writes announced as on their way (IngestWriter.arrive) hold it
// until the last of them is handed over or given up, then it goes at once instead of waiting
// for the timer; commits wait while holdWhile says so (the settling thread behind), for a
// bounded time. Every commit is staged here (one ingest_stage row each, none settled), so
// the rows count the commits.

function line(measurement: string, value: number): IngestLine {
  return {
    prefix: measurement,
    measurement,
    tags: [],
    fields: [{ key: 'v', value: { type: 'float', value } }],
    time: 1_700_000_000_000_000_000n,
    line: 1,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('IngestWriter group commit timing', () => {
  let db: TestDatabase;
  let pool: Pool;
  let path: IngestPath;
  let store: TimeSeriesStore;
  let stage: IngestStage;

  beforeAll(async () => {
    db = await createTestDatabase('ingest_writer');
    pool = new Pool({ connectionString: db.url, max: 4 });
    ({ path } = await createTestPath(pool, 'writer', 'writes'));
    store = new TimeSeriesStore(pool);
    stage = new IngestStage(pool, store);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const commits = async () =>
    Number((await pool.query(`SELECT count(*)::int AS n FROM ingest_stage`)).rows[0].n);

  /** A write that records when it was answered. */
  const tracked = (writer: IngestWriter, measurement: string, flushWhenIdle = true) => {
    const write = {
      done: false,
      outcome: writer.write(path, [line(measurement, 1)], { flushWhenIdle }),
    };
    void write.outcome.then(() => (write.done = true));
    return write;
  };

  it('holds the commit while another write is on its way, then commits both at once', async () => {
    // The timer alone would take a minute: the test's 10 s timeout catches any wait for it.
    const writer = new IngestWriter(store, { stage, stageMinPoints: 1, flushDelayMs: 60_000 });
    const before = await commits();
    const leaveA = writer.arrive();
    const leaveB = writer.arrive();
    leaveA(true);
    const a = tracked(writer, 'together_a');
    await sleep(200);
    expect(a.done).toBe(false);
    leaveB(true);
    const b = tracked(writer, 'together_b');
    expect(await a.outcome).toMatchObject({ status: 'written', accepted: 1 });
    expect(await b.outcome).toMatchObject({ status: 'written', accepted: 1 });
    expect(await commits()).toBe(before + 1);
  }, 10_000);

  it('commits at once when the write it waited for is given up', async () => {
    const writer = new IngestWriter(store, { stage, stageMinPoints: 1, flushDelayMs: 60_000 });
    const before = await commits();
    const leaveA = writer.arrive();
    const leaveB = writer.arrive();
    leaveA(true);
    const a = tracked(writer, 'given_up_a');
    await sleep(200);
    expect(a.done).toBe(false);
    leaveB(false); // e.g. its body was too large
    leaveB(false); // a second call changes nothing
    expect(await a.outcome).toMatchObject({ status: 'written', accepted: 1 });
    expect(await commits()).toBe(before + 1);
  }, 10_000);

  it('keeps the timer for writes that do not ask to commit when idle (forward, MQTT)', async () => {
    const writer = new IngestWriter(store, { stage, stageMinPoints: 1, flushDelayMs: 400 });
    const started = Date.now();
    const a = tracked(writer, 'timer_a', false);
    await sleep(150);
    expect(a.done).toBe(false);
    await a.outcome;
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  }, 10_000);

  it('holds commits while told to, for at most maxHoldMs at a time', async () => {
    let behind = true;
    const writer = new IngestWriter(store, {
      stage,
      stageMinPoints: 1,
      flushDelayMs: 1,
      holdWhile: () => behind,
      maxHoldMs: 5000,
    });
    const a = tracked(writer, 'held_a', false);
    await sleep(300);
    expect(a.done).toBe(false); // the settling thread is behind: the commit waits
    behind = false;
    expect(await a.outcome).toMatchObject({ status: 'written', accepted: 1 });

    // A settler that never catches up does not stop ingest: the hold ends after maxHoldMs.
    const stuck = new IngestWriter(store, {
      stage,
      stageMinPoints: 1,
      flushDelayMs: 1,
      holdWhile: () => true,
      maxHoldMs: 300,
    });
    const started = Date.now();
    expect(await tracked(stuck, 'held_b', false).outcome).toMatchObject({ status: 'written' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  }, 10_000);
});
