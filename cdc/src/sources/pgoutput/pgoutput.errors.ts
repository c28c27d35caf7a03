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
  | 'NoReplicationPrivilege'
  /** The connection string carries what a source may not: a file-reading parameter, several hosts… */
  | 'ConnectionParameter'
  /** Loopback, link-local, metadata, this machine's addresses and Unix sockets, unless allowed. */
  | 'HostNotAllowed'
  /** The platform's own database. */
  | 'OwnDatabase';

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
