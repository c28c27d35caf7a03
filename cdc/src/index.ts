// What the apps use of change data capture: the API (managed sources), the worker (their
// supervisor) and apps/cdc (the stand-alone runners). Everything else is internal to cdc/.

// Names of sources, schemas and tables.
export {
  cdcNamePattern,
  isKeyColumnList,
  lakeSchemaName,
  qualifiedTableName,
} from './appliers/identifiers';
export { formatLsn } from './position';

// Applying Debezium envelopes to the mirror and the movements.
export { ChangeApplier, type ChangeApplierOptions } from './appliers/change-applier';

// Reading a Postgres source (pgoutput) and Kafka topics.
export { CdcSourceError, type CdcSourceErrorCode } from './sources/pgoutput/pgoutput.errors';
export { PgoutputReader, type PgoutputReaderOptions } from './sources/pgoutput/pgoutput-reader';
export {
  createKafka,
  createKafkaConsumer,
  KafkaSource,
  type KafkaSourceOptions,
} from './sources/kafka/kafka-source';

// Managed sources: registration checks, the guard on where they may point, the supervisor.
export { connectionHint } from './managed/connection-secret';
export { checkSource, dropSlotAndPublication, type SourceCheck } from './managed/source-admin';
export { SourceGuard, type SourceGuardOptions } from './managed/source-guard';
export { CdcSupervisor, type CdcSupervisorOptions } from './managed/cdc-supervisor';
