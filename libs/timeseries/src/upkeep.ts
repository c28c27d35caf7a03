import type { Pool } from 'pg';
import type { ChunkMeta, NewChunk } from './chunk.repository';
import { overlapGroups } from './queries';
import type { TimeSeriesStore } from './store';

const minTime = -(2n ** 63n);
const maxTime = 2n ** 63n - 1n;

export interface CompactionReport {
  series: number;
  chunksBefore: number;
  chunksAfter: number;
  points: number;
}

/**
 * Merges small and overlapping chunks into full ones. Each series is compacted in its own
 * transaction under an advisory lock, so writers never wait and two compactors never collide.
 * Merged chunks keep the highest sequence numbers of their inputs, so a write that lands
 * during compaction (a higher sequence) still wins for equal timestamps.
 */
export async function compact(
  store: TimeSeriesStore,
  pool: Pool,
  options: { minChunkFill?: number; maxSeries?: number } = {},
): Promise<CompactionReport> {
  const smallBelow = Math.floor(store.chunkSize * (options.minChunkFill ?? 0.5));
  const report: CompactionReport = { series: 0, chunksBefore: 0, chunksAfter: 0, points: 0 };
  // Series with at least two chunks of which one is small or overlaps its neighbour.
  const { rows } = await pool.query<{ series_id: string }>(
    `SELECT series_id FROM (
       SELECT series_id, count, start_time,
              lag(end_time) OVER (PARTITION BY series_id ORDER BY start_time, seq) AS prev_end,
              count(*) OVER (PARTITION BY series_id) AS chunks
         FROM chunk) c
      WHERE chunks > 1 AND (count < $1 OR start_time <= prev_end)
      GROUP BY series_id ORDER BY series_id LIMIT $2`,
    [smallBelow, options.maxSeries ?? 100_000],
  );
  for (const { series_id } of rows) {
    const result = await compactSeries(store, pool, BigInt(series_id), smallBelow);
    if (!result) continue;
    report.series++;
    report.chunksBefore += result.before;
    report.chunksAfter += result.after;
    report.points += result.points;
  }
  return report;
}

/** Runs of neighbouring chunks worth merging: small ones, and any that overlap. */
export function compactionRuns(metas: ChunkMeta[], smallBelow: number): ChunkMeta[][] {
  const runs: ChunkMeta[][] = [];
  let run: ChunkMeta[] = [];
  const close = () => {
    if (run.length > 1) runs.push(run);
    run = [];
  };
  for (const group of overlapGroups(metas, 'asc')) {
    if (group.length > 1 || group[0].count < smallBelow) run.push(...group);
    else close();
  }
  close();
  return runs;
}

async function compactSeries(
  store: TimeSeriesStore,
  pool: Pool,
  seriesId: bigint,
  smallBelow: number,
): Promise<{ before: number; after: number; points: number } | null> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const lock = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock(7301, $1::int) AS locked',
      [Number(seriesId % 2_147_483_647n)],
    );
    const [info] = await store.chunks.findSeries({ ids: [seriesId], limit: 1 });
    const runs =
      lock.rows[0].locked && info
        ? compactionRuns(await store.chunks.chunksInRange([seriesId], minTime, maxTime), smallBelow)
        : [];
    if (runs.length === 0) {
      await client.query('ROLLBACK');
      return null;
    }
    const result = { before: 0, after: 0, points: 0 };
    for (const run of runs) {
      const points = await store.readPoints(run, minTime, maxTime);
      const merged: NewChunk[] = store.encodeChunks(info, points.times, points.values);
      // Reuse the highest input sequence numbers, highest for the latest chunk, so a write
      // that lands meanwhile (a higher sequence) still wins for equal timestamps.
      const seqs = run
        .map((m) => m.seq)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .slice(-merged.length);
      merged.forEach((chunk, i) => (chunk.seq = seqs[i]));
      await client.query(
        'DELETE FROM chunk WHERE series_id = $1::bigint AND seq = ANY($2::bigint[])',
        [String(seriesId), run.map((m) => String(m.seq))],
      );
      await store.chunks.insertChunks(client, merged);
      result.before += run.length;
      result.after += merged.length;
      result.points += points.times.length;
    }
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Drops whole chunks older than their resource's retention (resource.retention_days), and
 * returns how many chunks went.
 */
export async function applyRetention(pool: Pool, now: Date = new Date()): Promise<number> {
  const nowNs = BigInt(now.getTime()) * 1_000_000n;
  const result = await pool.query(
    `DELETE FROM chunk c USING series s, resource r
      WHERE c.series_id = s.id AND s.resource_id = r.id AND r.retention_days IS NOT NULL
        AND c.end_time < $1::bigint - r.retention_days::bigint * 86400000000000`,
    [String(nowNs)],
  );
  return result.rowCount ?? 0;
}
