import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { SourceRelation } from '../../appliers/mirror-schema';
import { ConnectSchema } from '../../envelope';
import { parseLsn, slotPosition } from '../../position';
import { SlotChange } from './pgoutput-translator';
import { connectTypeOfOid, valueOfText } from './pgoutput-values';
import { SourceConnector, trustedConnector } from './source-connection';
import { SnapshotColumn, SourceRepository, SourceTable } from './source.repository';

// Timestamps in ISO form and UTC, so their text converts the same on every server.
export const sessionOptions = '-c DateStyle=ISO,YMD -c TimeZone=UTC';

/** The Connect schema of a snapshot's columns (the types the mirror gets). */
export function snapshotSchema(columns: readonly SnapshotColumn[]): ConnectSchema[] {
  return columns.map((c) => ({ type: connectTypeOfOid(c.typeOid), optional: true, field: c.name }));
}

/** A table's rows as read in a snapshot, as changes with op `r` at `lsn`, numbered from `first`. */
export function snapshotChanges(
  table: SourceTable,
  read: { columns: SnapshotColumn[]; rows: (string | null)[][] },
  at: { slot: string; lsn: bigint; db: string; now: number; first: number },
): SlotChange[] {
  const connect = snapshotSchema(read.columns);
  return read.rows.map((values, i): SlotChange => {
    const after = Object.fromEntries(
      read.columns.map((c, j) => [
        c.name,
        values[j] === null ? null : valueOfText(values[j]!, c.typeOid),
      ]),
    );
    return {
      position: slotPosition(at.slot, at.lsn, at.first + i),
      message: {
        kind: 'change',
        key: Object.fromEntries(table.key.map((k) => [k, after[k]])),
        columns: connect,
        envelope: {
          op: 'r',
          before: null,
          after,
          source: {
            db: at.db,
            schema: table.schema,
            table: table.table,
            lsn: Number(at.lsn),
            txId: null,
            ts_ms: at.now,
            snapshot: true,
          },
          ts_ms: at.now,
        },
      },
    };
  });
}

export interface TableSnapshot {
  /** The consistent point: transactions ending at or before it are in the snapshot. */
  lsn: bigint;
  relation: SourceRelation;
  changes: SlotChange[];
}

/**
 * Reads one table consistently at a new point of the WAL: a temporary logical slot exports a
 * snapshot at its consistent point, the table is read in it on a normal connection, and the
 * slot goes with the replication connection. Changes are positioned on `slot` (the stream's
 * slot) at that point.
 */
export async function readTableSnapshot(options: {
  sourceUrl: string;
  slot: string;
  table: string;
  keys?: Readonly<Record<string, readonly string[]>>;
  connect?: SourceConnector;
}): Promise<TableSnapshot> {
  const connect = options.connect ?? trustedConnector;
  let replication: Client | null = null;
  let source: Client | null = null;
  try {
    replication = await connect(options.sourceUrl, { sessionOptions, replication: true });
    source = await connect(options.sourceUrl, { sessionOptions });
    const repository = new SourceRepository(source);
    const [table] = await repository.tables([options.table], options.keys);
    const db = await repository.database();
    const temporary = `${options.slot.slice(0, 48)}_rs_${randomBytes(4).toString('hex')}`;
    const created = await replication.query<{
      consistent_point: string;
      snapshot_name: string;
    }>(`CREATE_REPLICATION_SLOT ${temporary} TEMPORARY LOGICAL pgoutput EXPORT_SNAPSHOT`);
    const lsn = parseLsn(created.rows[0].consistent_point);
    await repository.beginSnapshot(created.rows[0].snapshot_name);
    let read: Awaited<ReturnType<SourceRepository['readTable']>>;
    try {
      read = await repository.readTable(table);
    } finally {
      await repository.endSnapshot();
    }
    return {
      lsn,
      relation: {
        schema: table.schema,
        table: table.table,
        columns: snapshotSchema(read.columns),
        primaryKey: table.key,
      },
      changes: snapshotChanges(table, read, {
        slot: options.slot,
        lsn,
        db,
        now: Date.now(),
        first: 0,
      }),
    };
  } finally {
    await source?.end().catch(() => undefined);
    await replication?.end().catch(() => undefined);
  }
}
