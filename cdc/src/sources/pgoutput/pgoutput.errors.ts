/** Why a replication source cannot be read. */
export type CdcSourceErrorCode =
  | 'InvalidName'
  | 'TableNotFound'
  | 'TableWithoutKey'
  | 'SlotInUse'
  | 'SlotOfOtherPlugin'
  | 'ReplicationFailed'
  | 'SourceUnreachable'
  | 'WalLevelNotLogical'
  | 'NoReplicationPrivilege';

/** A source database that cannot be replicated as asked: the code, and the table when one is to blame. */
export class CdcSourceError extends Error {
  override readonly name = 'CdcSourceError';

  constructor(
    readonly code: CdcSourceErrorCode,
    readonly reason: string,
    readonly table: string | null = null,
  ) {
    super(`${code}: ${reason}`);
  }
}
