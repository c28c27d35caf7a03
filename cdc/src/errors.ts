import { CdcPosition, formatPosition } from './position';

/** Where a message that failed to decode was read; the LSN alone when no slot is known. */
export type CdcWhere = CdcPosition | { kind: 'lsn'; lsn: bigint };

function describeWhere(where: CdcWhere): string {
  return where.kind === 'lsn' ? `lsn ${where.lsn}` : formatPosition(where);
}

/** A change message that is not a valid Debezium envelope: where it was read, and why. */
export class CdcDecodeError extends Error {
  override readonly name = 'CdcDecodeError';

  constructor(
    readonly where: CdcWhere,
    readonly reason: string,
  ) {
    super(`cannot decode change event at ${describeWhere(where)}: ${reason}`);
  }
}

/** A decoded change that cannot be applied (a name Postgres cannot hold, an unknown key...). */
export class CdcApplyError extends Error {
  override readonly name = 'CdcApplyError';

  constructor(
    readonly where: CdcPosition | null,
    readonly reason: string,
  ) {
    super(`cannot apply change event${where ? ` at ${formatPosition(where)}` : ''}: ${reason}`);
  }
}
