import { uuidv7 } from '@sextant/domain';
import type { Pool } from 'pg';

// Test and benchmark fixtures of billing: organisations with a machine, resources and
// movements written straight into the ledger.

export interface BilledOrganisation {
  id: string;
  machineId: string;
  reference: string;
}

/** An organisation node with one machine under it, and its billing account. */
export async function createBilledOrganisation(
  pool: Pool,
  reference: string,
  account: { taxRate?: string; graceDays?: number } = {},
): Promise<BilledOrganisation> {
  const id = uuidv7();
  const machineId = uuidv7();
  await pool.query(
    `INSERT INTO node (id, kind, name, reference, updated_at) VALUES ($1, 'organisation', $2, $2, now())`,
    [id, reference],
  );
  await pool.query(
    `INSERT INTO node (id, kind, name, reference, parent_id, updated_at)
     VALUES ($1, 'machine', 'M1', 'm1', $2, now())`,
    [machineId, id],
  );
  await pool.query(
    `INSERT INTO billing_account (organisation_id, legal_name, address, tax_rate, grace_days, updated_at)
     VALUES ($1, $2, ARRAY['1 Test Street', 'Testville'], $3, $4, now())`,
    [id, `${reference} Ltd`, account.taxRate ?? '0', account.graceDays ?? 3],
  );
  return { id, machineId, reference };
}

/** A resource by reference (made if missing); returns its id. */
export async function ensureResource(
  pool: Pool,
  reference: string,
  unit = 'points',
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO resource (id, reference, name, unit, value_type, updated_at)
     VALUES ($1, $2, $2, $3, 'float', now())
     ON CONFLICT (reference) DO UPDATE SET unit = resource.unit RETURNING id`,
    [uuidv7(), reference, unit],
  );
  return rows[0]!.id;
}

export interface MovementRow {
  resourceId: string;
  sourceId: string;
  destinationId: string;
  quantity: string;
  start: Date;
  stop: Date;
  origin?: string;
  itemId?: string | null;
  /** A correction: the id of the movement it corrects (it may then be negative). */
  correctsId?: string | null;
}

/** Writes movements in one statement (one transaction); returns their ids. */
export async function insertMovements(pool: Pool, rows: MovementRow[]): Promise<string[]> {
  if (!rows.length) return [];
  const { rows: written } = await pool.query<{ id: string }>(
    `INSERT INTO movement (id, resource_id, source_id, destination_id, item_id, quantity, start, stop, origin,
                           corrects_id)
     SELECT m.id, m.resource_id, m.source_id, m.destination_id, m.item_id, m.quantity, m.start, m.stop,
            m.origin::"MovementOrigin", m.corrects_id
       FROM jsonb_to_recordset($1::jsonb) AS m(id uuid, resource_id uuid, source_id uuid, destination_id uuid,
            item_id uuid, quantity numeric, start timestamptz, stop timestamptz, origin text, corrects_id uuid)
     RETURNING id`,
    [
      JSON.stringify(
        rows.map((r) => ({
          id: uuidv7(),
          resource_id: r.resourceId,
          source_id: r.sourceId,
          destination_id: r.destinationId,
          item_id: r.itemId ?? null,
          quantity: r.quantity,
          start: r.start.toISOString(),
          stop: r.stop.toISOString(),
          origin: r.origin ?? 'ingest',
          corrects_id: r.correctsId ?? null,
        })),
      ),
    ],
  );
  return written.map((r) => r.id);
}
