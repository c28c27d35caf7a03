import { uuidv7 } from '@sextant/domain';
import type { EncodedContent } from './items.repository';
import type { JsonValue, RaisedAlert, RemainingLife } from './job-type';
import type { Db } from './runs.repository';

// What a task read and produced, written with its result in one transaction (exactly once):
// movements of origin `job` for accounting, job_lineage rows for tracing a result back to the
// series and time ranges it came from, items, alerts with their tickets, estimates.

/** Reference data the accounting needs, made once per database (ensureAccounting). */
export interface AccountingRefs {
  /** The node standing for the job platform: results move from it to the run's owner. */
  jobsNodeId: string;
  /** Resource of produced results (items), 1 per item. */
  resultResourceId: string;
  /** Resource of compute time, seconds of a task's successful attempt. */
  taskSecondsResourceId: string;
}

export const accountingReferences = {
  jobsNode: 'sextant.jobs',
  result: 'job.result',
  taskSeconds: 'job.task_seconds',
} as const;

/**
 * Creates the platform's node (under the platform operator's organisation `sextant` when there
 * is one) and resources if missing; returns their ids.
 */
/** The platform operator's organisation, `sextant` (a root; registration never hands it out). */
const operatorOrganisation = `(SELECT id FROM node WHERE reference = 'sextant' AND parent_id IS NULL)`;

export async function ensureAccounting(db: Db): Promise<AccountingRefs> {
  await db.query(
    `INSERT INTO node (id, kind, name, reference, parent_id, metadata, updated_at)
     VALUES ($1, 'other', 'Job platform', $2, ${operatorOrganisation},
             '{"role": "runs analysis jobs"}', now())
     ON CONFLICT (reference_scope, reference) DO NOTHING`,
    [uuidv7(), accountingReferences.jobsNode],
  );
  await db.query(
    `INSERT INTO resource (id, reference, name, unit, value_type, description, updated_at)
     VALUES ($1, $3, 'Analysis result', 'result', 'integer', 'An item a job produced (model, candidate, report, alert)', now()),
            ($2, $4, 'Task compute time', 's', 'float', 'Seconds of a job task''s successful attempt', now())
     ON CONFLICT (reference) DO NOTHING`,
    [uuidv7(), uuidv7(), accountingReferences.result, accountingReferences.taskSeconds],
  );
  const { rows } = await db.query<{ reference: string; id: string }>(
    `SELECT reference, id FROM node
      WHERE reference = $1 AND parent_id IS NOT DISTINCT FROM ${operatorOrganisation}
     UNION ALL SELECT reference, id FROM resource WHERE reference = ANY($2::text[])`,
    [
      accountingReferences.jobsNode,
      [accountingReferences.result, accountingReferences.taskSeconds],
    ],
  );
  const id = (reference: string) => rows.find((r) => r.reference === reference)!.id;
  return {
    jobsNodeId: id(accountingReferences.jobsNode),
    resultResourceId: id(accountingReferences.result),
    taskSecondsResourceId: id(accountingReferences.taskSeconds),
  };
}

export interface RecordedRead {
  seriesId: string;
  from: Date;
  to: Date;
  points: number;
}

export interface PlannedItem {
  reference: string;
  kind: string;
  name: string;
  ownerId: string;
  metadata: Record<string, JsonValue>;
  content?: EncodedContent;
}

export interface PlannedAlert extends RaisedAlert {
  reference: string;
}

export interface TaskOutputs {
  reads: RecordedRead[];
  items: PlannedItem[];
  alerts: PlannedAlert[];
  estimates: RemainingLife[];
}

export interface OutputContext {
  runId: string;
  taskId: string;
  ownerId: string;
  startedAt: Date;
  finishedAt: Date;
  refs: AccountingRefs;
}

export interface WrittenOutputs {
  readMovements: number;
  items: number;
  alerts: number;
  alertsSkipped: number;
  estimates: number;
}

interface NewMovement {
  id: string;
  resourceId: string;
  sourceId: string;
  destinationId: string;
  itemId: string | null;
  quantity: number;
  start: Date;
  stop: Date;
  externalId: string;
}

async function insertMovements(db: Db, movements: NewMovement[]): Promise<void> {
  if (movements.length === 0) return;
  // Priced at the resource's price of the moment, as ingest accounting does.
  await db.query(
    `INSERT INTO movement (id, resource_id, source_id, destination_id, item_id, quantity, start, stop,
                           unit_price, origin, external_id)
     SELECT m.id, m.resource_id, m.source_id, m.destination_id, m.item_id, m.quantity, m.start, m.stop,
            r.unit_price, 'job', m.external_id
       FROM jsonb_to_recordset($1::jsonb) AS m(id uuid, resource_id uuid, source_id uuid,
            destination_id uuid, item_id uuid, quantity numeric, start timestamptz, stop timestamptz,
            external_id text)
       JOIN resource r ON r.id = m.resource_id`,
    [
      JSON.stringify(
        movements.map((m) => ({
          id: m.id,
          resource_id: m.resourceId,
          source_id: m.sourceId,
          destination_id: m.destinationId,
          item_id: m.itemId,
          quantity: m.quantity,
          start: m.start,
          stop: m.stop,
          external_id: m.externalId,
        })),
      ),
    ],
  );
}

interface NewLineage {
  kind: 'read' | 'produced';
  seriesId: string | null;
  itemId: string | null;
  movementId: string | null;
  start: Date | null;
  stop: Date | null;
  quantity: number;
}

async function insertLineage(db: Db, context: OutputContext, rows: NewLineage[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO job_lineage (id, run_id, task_id, kind, series_id, item_id, movement_id, start, stop, quantity)
     SELECT l.id, $2, $3, l.kind::"JobLineageKind", l.series_id, l.item_id, l.movement_id, l.start, l.stop, l.quantity
       FROM jsonb_to_recordset($1::jsonb) AS l(id uuid, kind text, series_id bigint, item_id uuid,
            movement_id uuid, start timestamptz, stop timestamptz, quantity numeric)`,
    [
      JSON.stringify(
        rows.map((r) => ({
          id: uuidv7(),
          kind: r.kind,
          series_id: r.seriesId,
          item_id: r.itemId,
          movement_id: r.movementId,
          start: r.start,
          stop: r.stop,
          quantity: r.quantity,
        })),
      ),
      context.runId,
      context.taskId,
    ],
  );
}

/** Writes a succeeded task's reads, items, alerts and estimates, with their movements. */
export async function writeOutputs(
  db: Db,
  context: OutputContext,
  outputs: TaskOutputs,
): Promise<WrittenOutputs> {
  const { refs } = context;
  const movements: NewMovement[] = [];
  const lineage: NewLineage[] = [];

  // Reads: one movement per resource and node (series without either are traced, not billed).
  const seriesIds = [...new Set(outputs.reads.map((r) => r.seriesId))];
  const { rows: series } = seriesIds.length
    ? await db.query<{ id: string; nodeId: string | null; resourceId: string | null }>(
        `SELECT id::text, node_id AS "nodeId", resource_id AS "resourceId" FROM series WHERE id = ANY($1::bigint[])`,
        [seriesIds],
      )
    : { rows: [] };
  const seriesById = new Map(series.map((s) => [s.id, s]));
  const groups = new Map<string, NewMovement>();
  for (const read of outputs.reads) {
    const info = seriesById.get(read.seriesId);
    let movement: NewMovement | undefined;
    if (info?.nodeId && info.resourceId) {
      const key = `${info.resourceId}:${info.nodeId}`;
      movement = groups.get(key);
      if (!movement) {
        movement = {
          id: uuidv7(),
          resourceId: info.resourceId,
          sourceId: info.nodeId,
          destinationId: context.ownerId,
          itemId: null,
          quantity: 0,
          start: read.from,
          stop: read.to,
          externalId: `task:${context.taskId}:read:${key}`,
        };
        groups.set(key, movement);
      }
      movement.quantity += read.points;
      if (read.from < movement.start) movement.start = read.from;
      if (read.to > movement.stop) movement.stop = read.to;
    }
    lineage.push({
      kind: 'read',
      seriesId: info ? read.seriesId : null,
      itemId: null,
      movementId: movement?.id ?? null,
      start: read.from,
      stop: read.to,
      quantity: read.points,
    });
  }
  movements.push(...groups.values());

  // Items, and alerts (items with a ticket) unless one with their key is still open.
  const produced: PlannedItem[] = [...outputs.items];
  const alerts: PlannedAlert[] = [];
  let alertsSkipped = 0;
  // An order answering an alert that was not raised again answers the open one.
  const openAlertIds = new Map<string, string>();
  for (const alert of outputs.alerts) {
    const kind = alert.kind ?? 'alert';
    if (alert.dedupeKey) {
      const { rows } = await db.query<{ id: string }>(
        `SELECT i.id FROM maintenance_ticket t JOIN item i ON i.id = t.item_id
          WHERE i.owner_id = $1 AND i.kind = $3::"ItemKind" AND t.dedupe_key = $2
            AND t.state IN ('open', 'planned')
          LIMIT 1`,
        [alert.nodeId, alert.dedupeKey, kind],
      );
      if (rows.length) {
        openAlertIds.set(alert.reference, rows[0].id);
        alertsSkipped++;
        continue;
      }
    }
    alerts.push(alert);
    produced.push({
      reference: alert.reference,
      kind,
      name: alert.title.slice(0, 200),
      ownerId: alert.nodeId,
      metadata: alert.metadata ?? {},
    });
  }
  const itemIds = new Map<string, string>();
  if (produced.length) {
    for (const item of produced) itemIds.set(item.reference, uuidv7());
    await db.query(
      `INSERT INTO item (id, kind, reference, name, owner_id, metadata, updated_at)
       SELECT i.id, i.kind::"ItemKind", i.reference, i.name, i.owner_id, i.metadata, now()
         FROM jsonb_to_recordset($1::jsonb) AS i(id uuid, kind text, reference text, name text,
              owner_id uuid, metadata jsonb)`,
      [
        JSON.stringify(
          produced.map((i) => ({
            id: itemIds.get(i.reference),
            kind: i.kind,
            reference: i.reference,
            name: i.name.slice(0, 200),
            owner_id: i.ownerId,
            metadata: { ...i.metadata, runId: context.runId, taskId: context.taskId },
          })),
        ),
      ],
    );
    const bodies = produced.filter((i) => i.content);
    if (bodies.length) {
      await db.query(
        `INSERT INTO item_content (item_id, media_type, encoding, size, sha256, data)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::bytea[])`,
        [
          bodies.map((i) => itemIds.get(i.reference)),
          bodies.map((i) => i.content!.mediaType),
          bodies.map((i) => i.content!.encoding),
          bodies.map((i) => i.content!.size),
          bodies.map((i) => i.content!.sha256),
          bodies.map((i) => i.content!.data),
        ],
      );
    }
    produced.forEach((item, n) => {
      const movementId = uuidv7();
      movements.push({
        id: movementId,
        resourceId: refs.resultResourceId,
        sourceId: refs.jobsNodeId,
        destinationId: context.ownerId,
        itemId: itemIds.get(item.reference)!,
        quantity: 1,
        start: context.finishedAt,
        stop: context.finishedAt,
        externalId: `task:${context.taskId}:item:${n}`,
      });
      lineage.push({
        kind: 'produced',
        seriesId: null,
        itemId: itemIds.get(item.reference)!,
        movementId,
        start: null,
        stop: null,
        quantity: 1,
      });
    });
  }
  if (alerts.length) {
    await db.query(
      `INSERT INTO maintenance_ticket (item_id, priority, description, failure_from, failure_to,
                                       dedupe_key, alert_id, run_id, task_id)
       SELECT a.item_id, a.priority::"MaintenancePriority", a.description, a.failure_from,
              a.failure_to, a.dedupe_key, a.alert_id, $2, $3
         FROM jsonb_to_recordset($1::jsonb) AS a(item_id uuid, priority text, description text,
              failure_from timestamptz, failure_to timestamptz, dedupe_key text, alert_id uuid)`,
      [
        JSON.stringify(
          alerts.map((a) => ({
            item_id: itemIds.get(a.reference),
            priority: a.priority,
            description: (a.description ?? '').slice(0, 4000),
            failure_from: a.failureFrom ?? null,
            failure_to: a.failureTo ?? null,
            dedupe_key: a.dedupeKey ?? null,
            alert_id: a.answers
              ? (itemIds.get(a.answers) ?? openAlertIds.get(a.answers) ?? null)
              : null,
          })),
        ),
        context.runId,
        context.taskId,
      ],
    );
    // An open alert that an order answers is planned from now on (as when a person orders).
    await db.query(
      `UPDATE maintenance_ticket SET state = 'planned', updated_at = now()
        WHERE state = 'open' AND item_id IN (
          SELECT alert_id FROM maintenance_ticket WHERE task_id = $1 AND alert_id IS NOT NULL)`,
      [context.taskId],
    );
  }

  if (outputs.estimates.length) {
    const references = outputs.estimates.flatMap((e) =>
      e.modelReference ? [e.modelReference] : [],
    );
    const { rows: models } = references.length
      ? await db.query<{ id: string; reference: string }>(
          // References are unique within an organisation: the run owner's.
          `SELECT id, reference FROM item
            WHERE reference = ANY($1::text[]) AND reference_scope = node_root($2)`,
          [references, context.ownerId],
        )
      : { rows: [] };
    await db.query(
      `INSERT INTO remaining_life_estimate (id, node_id, at, remaining, lower, upper, unit, health,
                                            model_item_id, run_id, task_id)
       SELECT e.id, e.node_id, e.at, e.remaining, e.lower, e.upper, e.unit, e.health, e.model_item_id, $2, $3
         FROM jsonb_to_recordset($1::jsonb) AS e(id uuid, node_id uuid, at timestamptz,
              remaining float8, lower float8, upper float8, unit text, health float8, model_item_id uuid)`,
      [
        JSON.stringify(
          outputs.estimates.map((e) => ({
            id: uuidv7(),
            node_id: e.nodeId,
            at: e.at,
            remaining: e.remaining,
            lower: e.lower ?? null,
            upper: e.upper ?? null,
            unit: e.unit,
            health: e.health ?? null,
            model_item_id: models.find((m) => m.reference === e.modelReference)?.id ?? null,
          })),
        ),
        context.runId,
        context.taskId,
      ],
    );
  }

  const seconds = Math.max(0, (context.finishedAt.getTime() - context.startedAt.getTime()) / 1000);
  movements.push({
    id: uuidv7(),
    resourceId: refs.taskSecondsResourceId,
    sourceId: refs.jobsNodeId,
    destinationId: context.ownerId,
    itemId: null,
    quantity: Math.round(seconds * 1000) / 1000,
    start: context.startedAt,
    stop: context.finishedAt,
    externalId: `task:${context.taskId}:compute`,
  });

  await insertMovements(db, movements);
  await insertLineage(db, context, lineage);
  return {
    readMovements: groups.size,
    items: outputs.items.length,
    alerts: alerts.length,
    alertsSkipped,
    estimates: outputs.estimates.length,
  };
}

// The lineage of a run, as the API serves it.

export interface LineageInput {
  taskId: string;
  taskKey: string;
  seriesId: string | null;
  seriesKey: string | null;
  nodeId: string | null;
  resourceId: string | null;
  resourceReference: string | null;
  start: Date | null;
  stop: Date | null;
  points: number;
  movementId: string | null;
}

export interface LineageOutput {
  taskId: string;
  taskKey: string;
  itemId: string | null;
  itemKind: string | null;
  itemReference: string | null;
  itemName: string | null;
  ownerId: string | null;
  movementId: string | null;
}

export interface LineageMovement {
  id: string;
  resourceReference: string;
  sourceId: string;
  destinationId: string;
  itemId: string | null;
  quantity: string;
  unitPrice: string | null;
  start: Date;
  stop: Date;
  externalId: string | null;
}

export interface RunLineage {
  inputs: LineageInput[];
  outputs: LineageOutput[];
  /** Every movement of origin job the run's tasks recorded (reads, results, compute time). */
  movements: LineageMovement[];
  /** True when a list was cut at maxLineageRows. */
  truncated: boolean;
}

/** The most rows of each lineage list (inputs, outputs, movements) a read returns. */
export const maxLineageRows = 5_000;

export async function runLineage(db: Db, runId: string): Promise<RunLineage> {
  const [inputs, outputs, movements] = await Promise.all([
    db.query<LineageInput>(
      `SELECT l.task_id AS "taskId", t.key AS "taskKey", l.series_id::text AS "seriesId",
              s.key AS "seriesKey", s.node_id AS "nodeId", s.resource_id AS "resourceId",
              r.reference AS "resourceReference", l.start, l.stop, l.quantity::float8 AS points,
              l.movement_id AS "movementId"
         FROM job_lineage l JOIN job_task t ON t.id = l.task_id
         LEFT JOIN series s ON s.id = l.series_id LEFT JOIN resource r ON r.id = s.resource_id
        WHERE l.run_id = $1 AND l.kind = 'read'
        ORDER BY t.created_at, t.position NULLS FIRST, l.id LIMIT $2`,
      [runId, maxLineageRows + 1],
    ),
    db.query<LineageOutput>(
      `SELECT l.task_id AS "taskId", t.key AS "taskKey", l.item_id AS "itemId", i.kind::text AS "itemKind",
              i.reference AS "itemReference", i.name AS "itemName", i.owner_id AS "ownerId",
              l.movement_id AS "movementId"
         FROM job_lineage l JOIN job_task t ON t.id = l.task_id LEFT JOIN item i ON i.id = l.item_id
        WHERE l.run_id = $1 AND l.kind = 'produced'
        ORDER BY l.created_at, l.id LIMIT $2`,
      [runId, maxLineageRows + 1],
    ),
    db.query<LineageMovement>(
      `SELECT m.id, r.reference AS "resourceReference", m.source_id AS "sourceId",
              m.destination_id AS "destinationId", m.item_id AS "itemId", m.quantity::text AS quantity,
              m.unit_price::text AS "unitPrice", m.start, m.stop, m.external_id AS "externalId"
         FROM movement m JOIN resource r ON r.id = m.resource_id
        WHERE m.id IN (SELECT movement_id FROM job_lineage WHERE run_id = $1 AND movement_id IS NOT NULL)
           OR (m.origin = 'job'
               AND m.external_id IN (SELECT 'task:' || id || ':compute' FROM job_task WHERE run_id = $1))
        ORDER BY m.start, m.id LIMIT $2`,
      [runId, maxLineageRows + 1],
    ),
  ]);
  const lists = [inputs.rows, outputs.rows, movements.rows];
  return {
    inputs: inputs.rows.slice(0, maxLineageRows),
    outputs: outputs.rows.slice(0, maxLineageRows),
    movements: movements.rows.slice(0, maxLineageRows),
    truncated: lists.some((rows) => rows.length > maxLineageRows),
  };
}
