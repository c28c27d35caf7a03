import type { PoolClient } from 'pg';
import { uuidv7 } from '@sextant/ingest';

export interface RowMovement {
  resourceReference: string;
  resourceName: string;
  externalId: string;
  quantity: number;
  /** Commit time, milliseconds since the epoch. */
  time: number;
}

export interface MovementEnds {
  sourceNodeId: string;
  destinationNodeId: string;
  pathId: string | null;
}

/** Resources `db.row:<schema>.<table>` and the movements of changed rows. */
export class MovementsRepository {
  constructor(private readonly client: PoolClient) {}

  /** Ids of the resources, creating those that are missing. */
  async ensureResources(
    resources: { reference: string; name: string }[],
  ): Promise<Map<string, string>> {
    const unique = [...new Map(resources.map((r) => [r.reference, r])).values()];
    await this.client.query(
      `INSERT INTO resource (id, reference, name, unit, value_type, description, updated_at)
       SELECT i, r, n, 'rows', 'integer', 'Rows changed in a table mirrored by change data capture', now()
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(i, r, n)
       ON CONFLICT (reference) DO NOTHING`,
      [unique.map(() => uuidv7()), unique.map((r) => r.reference), unique.map((r) => r.name)],
    );
    const { rows } = await this.client.query<{ id: string; reference: string }>(
      `SELECT id, reference FROM resource WHERE reference = ANY($1::text[])`,
      [unique.map((r) => r.reference)],
    );
    return new Map(rows.map((r) => [r.reference, r.id]));
  }

  /** Records movements once per external id (origin `cdc`); returns how many are new. */
  async record(ends: MovementEnds, movements: RowMovement[]): Promise<number> {
    if (movements.length === 0) return 0;
    const resources = await this.ensureResources(
      movements.map((m) => ({ reference: m.resourceReference, name: m.resourceName })),
    );
    const { rowCount } = await this.client.query(
      `INSERT INTO movement (id, resource_id, source_id, destination_id, path_id, quantity, start, stop,
                             unit_price, origin, external_id)
       SELECT u.i, u.r, $1::uuid, $2::uuid, $3::uuid, u.q, to_timestamp(u.t / 1000.0), to_timestamp(u.t / 1000.0),
              res.unit_price, 'cdc', u.e
         FROM unnest($4::uuid[], $5::uuid[], $6::numeric[], $7::float8[], $8::text[]) AS u(i, r, q, t, e)
         JOIN resource res ON res.id = u.r
       ON CONFLICT (origin, external_id) DO NOTHING`,
      [
        ends.sourceNodeId,
        ends.destinationNodeId,
        ends.pathId,
        movements.map(() => uuidv7()),
        movements.map((m) => resources.get(m.resourceReference)!),
        movements.map((m) => m.quantity),
        movements.map((m) => m.time),
        movements.map((m) => m.externalId),
      ],
    );
    return rowCount ?? 0;
  }
}
