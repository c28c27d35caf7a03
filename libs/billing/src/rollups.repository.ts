import type { Pool, PoolClient } from 'pg';

// Hourly rollups of billable metrics, kept in step with the movement ledger.
//
// A movement carries the id of the transaction that wrote it (`tx`). Every transaction below
// the oldest one still running (the snapshot's xmin) is over, so the movements with tx below it
// are all there is ever going to be below it, whatever order transactions committed in. A pass
// folds [metric.rolled_to, xmin) into the rollups and moves rolled_to to xmin in the same
// transaction: every movement is folded exactly once, and rolled_to is the "settled up to"
// watermark that invoice lines record.

const foldLock = 0x5e7a_b111; // one folder at a time across workers

/** What one pass folded. */
export interface FoldResult {
  /** Movements written by the transactions folded (whether or not a metric selects them). */
  movements: number;
  /** Rollup rows written or updated. */
  rollups: number;
  /** The new watermark (transaction ids below it are folded); null when another pass ran. */
  upper: bigint | null;
}

/** Folds the movements written since the last pass into the rollups of every live metric. */
export async function foldMovements(pool: Pool): Promise<FoldResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: locked } = await client.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1) AS ok',
      [foldLock],
    );
    if (!locked[0]!.ok) {
      await client.query('ROLLBACK');
      return { movements: 0, rollups: 0, upper: null };
    }
    // The planner estimates a transaction range past the movement statistics at a row or two,
    // and would then join every movement to every payer in a nested loop: hash joins instead,
    // and room to keep a pass's movements in memory rather than spill them to disk.
    await client.query("SET LOCAL enable_nestloop = off; SET LOCAL work_mem = '256MB'");
    const result = await foldIn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function foldIn(client: PoolClient): Promise<FoldResult> {
  const { rows: bound } = await client.query<{ upper: string }>(
    'SELECT (pg_snapshot_xmin(pg_current_snapshot()))::text AS upper',
  );
  const upper = BigInt(bound[0]!.upper);
  const { rows: metrics } = await client.query<{ id: string; rolled_to: string }>(
    `SELECT id, rolled_to::text FROM billable_metric WHERE archived_at IS NULL AND rolled_to < $1`,
    [upper.toString()],
  );
  // Metrics created since the last pass start from the beginning of the ledger: group by start.
  const groups = new Map<string, string[]>();
  for (const metric of metrics) {
    const ids = groups.get(metric.rolled_to) ?? [];
    ids.push(metric.id);
    groups.set(metric.rolled_to, ids);
  }
  let movements = 0;
  let rollups = 0;
  for (const [from, ids] of groups) {
    const folded = await foldRange(client, ids, BigInt(from), upper);
    movements = Math.max(movements, folded.movements);
    rollups += folded.rollups;
  }
  if (metrics.length) {
    await client.query(
      `UPDATE billable_metric SET rolled_to = $2, rolled_at = now() WHERE id = ANY($1::uuid[])`,
      [metrics.map((m) => m.id), upper.toString()],
    );
  }
  return { movements, rollups, upper };
}

/** Folds the movements with tx in [from, upper) into the rollups of the given metrics. */
async function foldRange(
  client: PoolClient,
  metricIds: string[],
  from: bigint,
  upper: bigint,
): Promise<{ movements: number; rollups: number }> {
  const { rows } = await client.query<{ movements: string; rollups: string }>(
    `WITH RECURSIVE
     pairs AS (
       SELECT bm.id AS metric_id, r.id AS resource_id, bm.payer, bm.origins, bm.path_ids,
              bm.item_kinds, bm.unique_of, bm.aggregation = 'latest' AS latest
         FROM billable_metric bm
         JOIN resource r ON r.id = bm.resource_id
           OR (bm.resource_pattern IS NOT NULL AND r.reference LIKE
               replace(replace(replace(replace(bm.resource_pattern, '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%'))
        WHERE bm.id = ANY($1::uuid[])
     ),
     moved AS MATERIALIZED (
       SELECT p.metric_id, p.unique_of, p.latest, m.id, m.resource_id, m.quantity, m.start, m.stop,
              CASE WHEN p.payer = 'destination' THEN m.destination_id ELSE m.source_id END AS payer_node,
              CASE p.unique_of WHEN 'item' THEN m.item_id WHEN 'source_node' THEN m.source_id
                               WHEN 'destination_node' THEN m.destination_id END AS unique_key
         FROM movement m
         JOIN pairs p ON p.resource_id = m.resource_id
         LEFT JOIN item i ON cardinality(p.item_kinds) > 0 AND i.id = m.item_id
        WHERE m.tx >= $2::bigint AND m.tx < $3::bigint
          AND (cardinality(p.origins) = 0 OR m.origin = ANY(p.origins))
          AND (cardinality(p.path_ids) = 0 OR m.path_id = ANY(p.path_ids))
          AND (cardinality(p.item_kinds) = 0 OR i.kind = ANY(p.item_kinds))
     ),
     up(node_id, id, kind, parent_id) AS (
       SELECT n.id, n.id, n.kind, n.parent_id FROM node n
        WHERE n.id IN (SELECT DISTINCT payer_node FROM moved)
       UNION ALL
       SELECT up.node_id, p.id, p.kind, p.parent_id FROM up JOIN node p ON p.id = up.parent_id
        WHERE up.kind <> 'organisation'
     ),
     payers AS (SELECT node_id, id AS organisation_id FROM up WHERE kind = 'organisation'),
     billed AS MATERIALIZED (
       SELECT moved.*, payers.organisation_id, date_trunc('hour', moved.start) AS hour
         FROM moved JOIN payers ON payers.node_id = moved.payer_node
     ),
     keys AS (
       INSERT INTO billing_rollup_key (metric_id, organisation_id, hour, key)
       SELECT DISTINCT metric_id, organisation_id, hour, unique_key FROM billed
        WHERE unique_of IS NOT NULL AND unique_key IS NOT NULL
       ON CONFLICT DO NOTHING
       RETURNING 1
     ),
     -- The last movement of each rollup of a 'latest' metric; sorting only those keeps the sums
     -- below a hash aggregate.
     last AS (
       SELECT DISTINCT ON (metric_id, organisation_id, resource_id, hour)
              metric_id, organisation_id, resource_id, hour, id, quantity
         FROM billed WHERE latest
        ORDER BY metric_id, organisation_id, resource_id, hour, stop DESC, id DESC
     ),
     folded AS (
       INSERT INTO billing_rollup AS r (metric_id, organisation_id, resource_id, hour, quantity, movements,
                                        max_quantity, latest_stop, latest_id, latest_quantity, weighted_ms)
       SELECT g.metric_id, g.organisation_id, g.resource_id, g.hour, g.quantity, g.movements, g.max_quantity,
              g.latest_stop, COALESCE(last.id, '00000000-0000-0000-0000-000000000000'::uuid),
              COALESCE(last.quantity, 0), g.weighted_ms
         FROM (SELECT metric_id, organisation_id, resource_id, hour, sum(quantity) AS quantity,
                      count(*) AS movements, max(quantity) AS max_quantity, max(stop) AS latest_stop,
                      sum(quantity * (extract(epoch FROM stop - start) * 1000)) AS weighted_ms
                 FROM billed
                GROUP BY metric_id, organisation_id, resource_id, hour) g
         LEFT JOIN last USING (metric_id, organisation_id, resource_id, hour)
       ON CONFLICT (metric_id, organisation_id, hour, resource_id) DO UPDATE SET
         quantity = r.quantity + EXCLUDED.quantity,
         movements = r.movements + EXCLUDED.movements,
         max_quantity = GREATEST(r.max_quantity, EXCLUDED.max_quantity),
         weighted_ms = r.weighted_ms + EXCLUDED.weighted_ms,
         latest_quantity = CASE WHEN (EXCLUDED.latest_stop, EXCLUDED.latest_id) > (r.latest_stop, r.latest_id)
                                THEN EXCLUDED.latest_quantity ELSE r.latest_quantity END,
         latest_id = CASE WHEN (EXCLUDED.latest_stop, EXCLUDED.latest_id) > (r.latest_stop, r.latest_id)
                          THEN EXCLUDED.latest_id ELSE r.latest_id END,
         latest_stop = GREATEST(r.latest_stop, EXCLUDED.latest_stop)
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM movement WHERE tx >= $2::bigint AND tx < $3::bigint)::text AS movements,
            ((SELECT count(*) FROM folded) + (SELECT count(*) FROM keys))::text AS rollups`,
    [metricIds, from.toString(), upper.toString()],
  );
  return { movements: Number(rows[0]!.movements), rollups: Number(rows[0]!.rollups) };
}

/**
 * Folds until every movement written so far is in the rollups (imports, demo data, tests). The
 * watermark waits for the oldest transaction running anywhere in the cluster.
 */
export async function foldAll(pool: Pool, timeoutMs = 30_000): Promise<void> {
  const { rows } = await pool.query<{ tx: string }>(
    'SELECT COALESCE(max(tx), 0)::text AS tx FROM movement',
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await foldMovements(pool);
    const { rows: behind } = await pool.query(
      'SELECT 1 FROM billable_metric WHERE archived_at IS NULL AND rolled_to <= $1 LIMIT 1',
      [rows[0]!.tx],
    );
    if (!behind.length) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the usage rollups did not reach transaction ${rows[0]!.tx} in ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
