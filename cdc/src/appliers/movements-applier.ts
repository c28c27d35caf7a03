import type { PoolClient } from 'pg';
import { ChangeEnvelope } from '../envelope';
import { CdcPosition, formatPosition, streamOf } from '../position';
import { limitLength } from './identifiers';
import { MovementEnds, MovementsRepository, RowMovement } from './movements.repository';

/** An applied change and the rows it changed. */
export interface CountedChange {
  envelope: ChangeEnvelope;
  position: CdcPosition;
  rows: number;
}

export interface MovementsOptions extends MovementEnds {
  source: string;
}

/** The resource of a table's changed rows. */
export const rowResourceReference = (schema: string, table: string) =>
  limitLength(`db.row:${schema}.${table}`, 120);

/**
 * Turns applied changes into movements: per source transaction (or per batch without one) and
 * table, quantity = rows changed, at the commit time. The external id makes it idempotent:
 * `cdc:<source>:<txId>:<schema.table>`, with `@<position>` for a transaction continued from an
 * earlier batch (or replayed), whose first part already has the plain id.
 */
export class MovementsApplier {
  constructor(private readonly options: MovementsOptions) {}

  movementsOf(
    changes: readonly CountedChange[],
    continued: (stream: string, txId: number) => boolean,
  ): RowMovement[] {
    const groups = new Map<string, RowMovement>();
    // Changes of one transaction and table come in runs: those skip the lookup by name.
    let previous: { change: CountedChange; movement: RowMovement } | null = null;
    for (const change of changes) {
      const { envelope, position, rows } = change;
      const { schema, table, txId } = envelope.source;
      if (previous && sameGroup(previous.change, change)) {
        previous.movement.quantity += rows;
        previous.movement.time = Math.max(previous.movement.time, envelope.source.ts_ms);
        continue;
      }
      const name = `${schema}.${table}`;
      const group = `${txId ?? 'batch'}:${streamOf(position)}:${name}`;
      const seen = groups.get(group);
      if (seen) {
        seen.quantity += rows;
        seen.time = Math.max(seen.time, envelope.source.ts_ms);
        previous = { change, movement: seen };
        continue;
      }
      const id =
        txId === null || txId === undefined
          ? `cdc:${this.options.source}:batch:${formatPosition(position)}:${name}`
          : `cdc:${this.options.source}:${txId}:${name}${continued(streamOf(position), txId) ? `@${formatPosition(position)}` : ''}`;
      const movement: RowMovement = {
        resourceReference: rowResourceReference(schema, table),
        resourceName: limitLength(`Rows of ${name}`, 200),
        externalId: limitLength(id, 200),
        quantity: rows,
        time: envelope.source.ts_ms,
      };
      groups.set(group, movement);
      previous = { change, movement };
    }
    return [...groups.values()].filter((m) => m.quantity > 0);
  }

  /** Records the movements of the changes in the caller's transaction; returns how many are new. */
  async apply(
    client: PoolClient,
    changes: readonly CountedChange[],
    continued: (stream: string, txId: number) => boolean,
  ): Promise<number> {
    return new MovementsRepository(client).record(
      this.options,
      this.movementsOf(changes, continued),
    );
  }
}

/** Same transaction, table and stream: the same movement (as its group key in movementsOf says). */
function sameGroup(a: CountedChange, b: CountedChange): boolean {
  const [x, y] = [a.envelope.source, b.envelope.source];
  if ((x.txId ?? null) !== (y.txId ?? null) || x.schema !== y.schema || x.table !== y.table) {
    return false;
  }
  const [p, q] = [a.position, b.position];
  if (p.kind === 'slot' && q.kind === 'slot') return p.slot === q.slot;
  if (p.kind === 'kafka' && q.kind === 'kafka') {
    return p.topic === q.topic && p.partition === q.partition;
  }
  return false;
}
