import type { IngestPath } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PathStats } from './stats';

const ids = {
  org: '00000000-0000-7000-8000-000000000001',
  turbine: '00000000-0000-7000-8000-000000000002',
  scada: '00000000-0000-7000-8000-000000000020',
  logs: '00000000-0000-7000-8000-000000000021',
  gone: '00000000-0000-7000-8000-000000000022',
};

const path = (id: string, name: string) => ({ id, name }) as IngestPath;
const t = (iso: string) => Date.parse(iso);

interface StatusRow {
  points: string;
  rejected_lines: string;
  last_seen_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
}

describe(PathStats.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  const status = async (id: string) =>
    (
      await pool.query<StatusRow>(
        `SELECT points, rejected_lines, last_seen_at, last_error, last_error_at
           FROM ingest_path_status WHERE path_id = $1`,
        [id],
      )
    ).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase('ingest_stats');
    pool = new Pool({ connectionString: db.url, max: 4 });
    await pool.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES
         ($1, NULL, 'organisation', 'Org', 'org', now()),
         ($2, $1, 'machine', 'T1', 'org.t1', now())`,
      [ids.org, ids.turbine],
    );
    await pool.query(
      `INSERT INTO path (id, name, source_id, destination_id, protocol, updated_at)
       SELECT p, n, $4, $5, 'line', now()
         FROM (VALUES ($1::uuid, 'scada'), ($2, 'logs'), ($3, 'gone')) AS v(p, n)`,
      [ids.scada, ids.logs, ids.gone, ids.turbine, ids.org],
    );
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('adds the deltas of two gateways into one row per path; the latest error wins', async () => {
    const a = new PathStats(pool);
    const b = new PathStats(pool);
    a.accepted(path(ids.scada, 'scada'), 1000, t('2026-11-23T12:00:01Z'));
    a.rejected(path(ids.scada, 'scada'), 2, 'line 7: bad value', t('2026-11-23T12:00:02Z'));
    b.accepted(path(ids.scada, 'scada'), 500, t('2026-11-23T12:00:03Z'));
    b.rejected(path(ids.scada, 'scada'), 1, 'line 1: late error', t('2026-11-23T12:00:04Z'));
    b.accepted(path(ids.logs, 'logs'), 7, t('2026-11-23T12:00:05Z'));
    await Promise.all([b.flush(), a.flush()]);

    expect(await status(ids.scada)).toEqual({
      points: '1500',
      rejected_lines: '3',
      last_seen_at: new Date('2026-11-23T12:00:04Z'),
      last_error: 'line 1: late error',
      last_error_at: new Date('2026-11-23T12:00:04Z'),
    });

    // An older error flushed later does not replace a newer one; counts keep adding up.
    a.rejected(path(ids.scada, 'scada'), 4, 'line 3: older', t('2026-11-23T12:00:03.5Z'));
    await a.flush();
    expect(await status(ids.scada)).toMatchObject({
      points: '1500',
      rejected_lines: '7', // 2 + 1 + 4
      last_error: 'line 1: late error',
      last_seen_at: new Date('2026-11-23T12:00:04Z'),
    });
    expect(await status(ids.logs)).toMatchObject({ points: '7', last_error: null });
  });

  it('flushes nothing twice', async () => {
    const a = new PathStats(pool);
    a.accepted(path(ids.logs, 'logs'), 3, t('2026-11-23T12:01:00Z'));
    await a.flush();
    await a.flush();
    await a.stop();
    expect((await status(ids.logs)).points).toBe('10'); // 7 before + 3
  });

  it('skips a path deleted meanwhile and still writes the others', async () => {
    const a = new PathStats(pool);
    a.accepted(path(ids.gone, 'gone'), 5, t('2026-11-23T12:02:00Z'));
    a.accepted(path(ids.logs, 'logs'), 1, t('2026-11-23T12:02:00Z'));
    await pool.query('DELETE FROM path WHERE id = $1', [ids.gone]);
    await a.flush();
    expect(await status(ids.gone)).toBeUndefined();
    expect((await status(ids.logs)).points).toBe('11');
  });

  it('keeps the deltas the database refused and writes them with the next flush', async () => {
    const lines: string[] = [];
    const a = new PathStats(pool, (line) => lines.push(line));
    a.accepted(path(ids.logs, 'logs'), 2, t('2026-11-23T12:03:00Z'));
    await pool.query('ALTER TABLE ingest_path_status RENAME TO ingest_path_status_away');
    try {
      await a.flush();
    } finally {
      await pool.query('ALTER TABLE ingest_path_status_away RENAME TO ingest_path_status');
    }
    expect(lines.join()).toMatch(/path status not saved, retrying: .*ingest_path_status/);
    a.accepted(path(ids.logs, 'logs'), 4, t('2026-11-23T12:03:01Z'));
    await a.flush();
    expect(await status(ids.logs)).toMatchObject({
      points: '17', // 11 before + 2 refused then kept + 4
      last_seen_at: new Date('2026-11-23T12:03:01Z'),
    });
  });

  it('keeps its in-memory snapshot for GET /stats', () => {
    const a = new PathStats();
    const now = t('2026-11-23T12:00:09.5Z');
    for (let s = 0; s < 10; s++) a.accepted(path(ids.scada, 'scada'), 90, now - s * 1000);
    const [snapshot] = a.snapshot(now);
    expect(snapshot.points).toBe(900);
    expect(snapshot.pointsPerSecond).toBe(90); // 9 whole seconds of 90, the current one left out
  });
});
