/** Debezium's change event envelope: the one event type of Sextant's change data capture. */
export type ChangeOperation = 'c' | 'u' | 'd' | 'r' | 't';

export interface ChangeSource {
  db: string;
  schema: string;
  table: string;
  lsn?: number | string | null;
  txId?: number | null;
  ts_ms: number;
  /** As Debezium writes it; `decodeChangeMessage` normalises it to a boolean. */
  snapshot?: 'true' | 'false' | 'last' | 'first' | 'incremental' | boolean | null;
  [extra: string]: unknown;
}

export interface ChangeEnvelope<Row = Record<string, unknown>> {
  before: Row | null;
  after: Row | null;
  source: ChangeSource;
  op: ChangeOperation;
  ts_ms: number;
}
