import { uuidv7 } from '@sextant/domain';
import type { Queryable } from './usage.repository';

/** The resource of stored bytes, measured every hour. */
export const storageResource = 'storage.bytes';

/**
 * Records the bytes each organisation holds (time-series chunks, CDC mirror tables, item
 * contents) as one movement per organisation for the hour [hour, hour + 1h), origin
 * `metering`, from the organisation to itself. Idempotent per organisation and hour: a second
 * call for the same hour records nothing. Returns the movements recorded.
 */
export async function recordStorage(db: Queryable, hour: Date): Promise<number> {
  const start = new Date(Math.floor(hour.getTime() / 3_600_000) * 3_600_000);
  await ensureStorageResource(db);
  const { rowCount } = await db.query(
    `WITH RECURSIVE held(node_id, bytes) AS (
       SELECT s.node_id, sum(pg_column_size(c.data) + COALESCE(pg_column_size(c.segments), 0))::numeric
         FROM chunk c JOIN series s ON s.id = c.series_id
        WHERE s.node_id IS NOT NULL GROUP BY s.node_id
       UNION ALL
       SELECT p.destination_id,
              COALESCE((SELECT sum(pg_total_relation_size(format('%I.%I', t.schemaname, t.tablename)::regclass))
                          FROM pg_tables t WHERE t.schemaname = 'lake_' || cs.name), 0)::numeric
         FROM cdc_source cs JOIN path p ON p.id = cs.path_id
       UNION ALL
       SELECT i.owner_id, sum(ic.size)::numeric
         FROM item_content ic JOIN item i ON i.id = ic.item_id GROUP BY i.owner_id
     ),
     up(node_id, id, kind, parent_id) AS (
       SELECT n.id, n.id, n.kind, n.parent_id FROM node n WHERE n.id IN (SELECT node_id FROM held)
       UNION ALL
       SELECT up.node_id, p.id, p.kind, p.parent_id FROM up JOIN node p ON p.id = up.parent_id
        WHERE up.kind <> 'organisation'
     ),
     per_org AS (
       SELECT up.id AS organisation_id, sum(held.bytes) AS bytes
         FROM held JOIN up ON up.node_id = held.node_id AND up.kind = 'organisation'
        GROUP BY up.id
     )
     INSERT INTO movement (id, resource_id, source_id, destination_id, quantity, start, stop, origin, external_id)
     SELECT gen_random_uuid(), r.id, o.organisation_id, o.organisation_id, o.bytes, $1, $2, 'metering',
            'storage:' || o.organisation_id || ':' || to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24')
       FROM per_org o CROSS JOIN resource r
      WHERE r.reference = $3 AND o.bytes > 0
     ON CONFLICT (origin, external_id) DO NOTHING`,
    [start, new Date(start.getTime() + 3_600_000), storageResource],
  );
  return rowCount ?? 0;
}

/** Makes the `storage.bytes` resource if it is missing. */
export async function ensureStorageResource(db: Queryable): Promise<void> {
  await db.query(
    `INSERT INTO resource (id, reference, name, unit, value_type, description, updated_at)
     VALUES ($1, $2, 'Stored bytes', 'B', 'integer',
             'Bytes an organisation holds: time-series chunks, CDC mirrors and item contents, measured hourly.', now())
     ON CONFLICT (reference) DO NOTHING`,
    [uuidv7(), storageResource],
  );
}
