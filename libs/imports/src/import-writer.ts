import { DomainError, type NodeKindName } from '@sextant/domain';
import { uuidv7 } from '@sextant/ingest';
import { TimeSeriesStore, type AcceptedBatch, type ColumnBatch } from '@sextant/timeseries';
import type { Pool, PoolClient } from 'pg';

// What every file import shares (light curves, engines, turbines, solar plants): the node it
// goes under must exist, resources and machine nodes are created once and found again, and
// the points written are accounted as movements from the series' node to the node imported
// under, in the write's transaction. Importing the same file again writes no new point and
// accounts none.

export interface ResourceDefinition {
  reference: string;
  name: string;
  unit: string;
  description: string;
}

export interface NodeDefinition {
  kind: NodeKindName;
  name: string;
  /** Unique in its organisation; the same file imported again finds the same node by it. */
  reference: string;
  parentId: string;
  metadata: Record<string, unknown>;
}

export interface ImportedSeries {
  id: string;
  nodeId: string | null;
  field: string;
  tags: Record<string, string>;
  points: number;
  /** Points at timestamps the series did not hold before (accounted). */
  newPoints: number;
}

const nsPerMs = 1_000_000n;

/** 400 naming `field` when the node to import under does not exist. */
export async function requireNode(pool: Pool, id: string, field = 'parentId'): Promise<void> {
  const { rows } = await pool.query(`SELECT 1 FROM node WHERE id = $1`, [id]);
  if (!rows.length) throw DomainError.validation([{ field, reason: `no node with id ${id}` }]);
}

/** The resources by reference (float series), created when missing: reference → id. */
export async function ensureResources(
  pool: Pool,
  definitions: readonly ResourceDefinition[],
): Promise<Map<string, string>> {
  await pool.query(
    `INSERT INTO resource (id, reference, name, unit, value_type, description, updated_at)
     SELECT r.id, r.reference, r.name, r.unit, 'float', r.description, now()
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, reference text, name text, unit text,
            description text)
     ON CONFLICT (reference) DO NOTHING`,
    [JSON.stringify(definitions.map((d) => ({ id: uuidv7(), ...d })))],
  );
  const { rows } = await pool.query<{ reference: string; id: string }>(
    `SELECT reference, id FROM resource WHERE reference = ANY($1::text[])`,
    [definitions.map((d) => d.reference)],
  );
  return new Map(rows.map((r) => [r.reference, r.id]));
}

/** A node as ensureNodes found or made it. */
export interface EnsuredNode {
  id: string;
  name: string;
  reference: string;
  /** As stored: an existing node's own, not the definition's. */
  metadata: Record<string, unknown>;
  created: boolean;
}

/**
 * The nodes by reference, created when missing (an existing node keeps its name and
 * metadata), in the order given. 409 when a reference is held by a node under another parent:
 * the import's series would land outside the node imported under.
 */
export async function ensureNodes(
  pool: Pool,
  definitions: readonly NodeDefinition[],
): Promise<EnsuredNode[]> {
  if (!definitions.length) return [];
  const { rows } = await pool.query<EnsuredNode & { parentId: string | null }>(
    `INSERT INTO node (id, kind, name, reference, parent_id, metadata, updated_at)
     SELECT n.id, n.kind::"NodeKind", n.name, n.reference, n.parent_id, n.metadata, now()
       FROM jsonb_to_recordset($1::jsonb) AS n(id uuid, kind text, name text, reference text,
            parent_id uuid, metadata jsonb)
     ON CONFLICT (reference_scope, reference) DO UPDATE SET updated_at = node.updated_at
     RETURNING id, name, reference, metadata, parent_id AS "parentId", (xmax = 0) AS created`,
    [
      JSON.stringify(
        definitions.map((d) => ({
          id: uuidv7(),
          kind: d.kind,
          name: d.name.slice(0, 200),
          reference: d.reference.slice(0, 120),
          parent_id: d.parentId,
          metadata: d.metadata,
        })),
      ),
    ],
  );
  const byReference = new Map(
    rows.map(({ parentId, ...node }) => [node.reference, { parentId, node }]),
  );
  return definitions.map((d) => {
    const { parentId, node } = byReference.get(d.reference.slice(0, 120))!;
    if (parentId !== d.parentId)
      throw new DomainError(
        'ReferenceTaken',
        `node reference "${node.reference}" is taken by a node that is not under ${d.parentId}`,
        [{ field: 'parentId', reason: `node reference "${node.reference}" is taken elsewhere` }],
      );
    return node;
  });
}

/**
 * Writes the columns (each owned by its node and resource) and, in the same transaction, one
 * movement per series for its new points: from the series' node to `destinationId`.
 * `label` prefixes the movements' external ids (e.g. `lightcurve`, `cmapss`).
 */
export async function writeAccounted(
  pool: Pool,
  columns: ColumnBatch[],
  destinationId: string,
  label: string,
): Promise<ImportedSeries[]> {
  const accepted: AcceptedBatch[] = [];
  const result = await new TimeSeriesStore(pool).writeColumns(
    columns,
    {},
    {
      countNew: true,
      inTransaction: async (client, batches) => {
        accepted.push(...batches);
        await accountImport(client, batches, destinationId, label);
      },
    },
  );
  if (result.rejected.length) {
    const first = result.rejected[0];
    throw DomainError.validation([
      {
        field: 'file',
        reason: `${result.rejected.length} values rejected, first: ${first.reason}`,
      },
    ]);
  }
  return accepted.map((a) => ({
    id: a.series.id.toString(),
    nodeId: a.series.nodeId,
    field: a.series.field,
    tags: a.series.tags,
    points: a.points,
    newPoints: a.newPoints,
  }));
}

async function accountImport(
  client: PoolClient,
  batches: AcceptedBatch[],
  destinationId: string,
  label: string,
): Promise<void> {
  const movements = batches
    .filter((b) => b.newPoints > 0 && b.series.resourceId && b.series.nodeId)
    .map((b) => ({
      id: uuidv7(),
      resource_id: b.series.resourceId,
      source_id: b.series.nodeId,
      quantity: b.newPoints,
      start: new Date(Number(b.firstTime / nsPerMs)),
      // [start, stop): the last point's millisecond is inside.
      stop: new Date(Number(b.lastTime / nsPerMs) + 1),
      external_id: `${label}:${b.series.id}:${uuidv7()}`,
    }));
  if (!movements.length) return;
  await client.query(
    `INSERT INTO movement (id, resource_id, source_id, destination_id, quantity, start, stop,
                           unit_price, origin, external_id)
     SELECT m.id, m.resource_id, m.source_id, $2, m.quantity, m.start, m.stop, r.unit_price,
            'ingest', m.external_id
       FROM jsonb_to_recordset($1::jsonb) AS m(id uuid, resource_id uuid, source_id uuid,
            quantity numeric, start timestamptz, stop timestamptz, external_id text)
       JOIN resource r ON r.id = m.resource_id`,
    [JSON.stringify(movements), destinationId],
  );
}
