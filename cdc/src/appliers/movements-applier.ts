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
    for (const { envelope, position, rows } of changes) {
      const { schema, table, txId } = envelope.source;
      const name = `${schema}.${table}`;
      const group = `${txId ?? 'batch'}:${streamOf(position)}:${name}`;
      const seen = groups.get(group);
      if (seen) {
        seen.quantity += rows;
        seen.time = Math.max(seen.time, envelope.source.ts_ms);
        continue;
      }
      const id =
        txId === null || txId === undefined
          ? `cdc:${this.options.source}:batch:${formatPosition(position)}:${name}`
          : `cdc:${this.options.source}:${txId}:${name}${continued(streamOf(position), txId) ? `@${formatPosition(position)}` : ''}`;
      groups.set(group, {
        resourceReference: rowResourceReference(schema, table),
        resourceName: limitLength(`Rows of ${name}`, 200),
        externalId: limitLength(id, 200),
        quantity: rows,
        time: envelope.source.ts_ms,
      });
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
