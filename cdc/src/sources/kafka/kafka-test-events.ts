import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KafkaBatchLike, KafkaMessageLike } from './kafka-batch';

// Test fixtures only: the captured Debezium events of ../shared/data, shaped as a kafkajs batch.

/** `../shared/data/debezium` from the repository root; absent on machines without the data. */
export const debeziumDataDir = path.resolve(__dirname, '../../../../../shared/data/debezium');
export const haveDebeziumData = existsSync(debeziumDataDir);

export type DebeziumFile =
  'debezium-postgres-data-schema-exclude.txt' | 'debezium-postgres-data-schema-include.txt';

/** The 16 captured events of a file, one JSON text each. */
export function debeziumEvents(file: DebeziumFile): string[] {
  return readFileSync(path.join(debeziumDataDir, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** Debezium's message key: the row's `id`, bare JSON. */
export function debeziumKey(event: string): string {
  const parsed = JSON.parse(event) as { payload?: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  const envelope = (parsed.payload ?? parsed) as {
    after?: { id: number };
    before?: { id: number };
  };
  return JSON.stringify({ id: (envelope.after ?? envelope.before)!.id });
}

export const notJson = 'not json {';
export const unknownOp = JSON.stringify({
  before: null,
  after: { id: 120 },
  source: { db: 'postgres', schema: 'inventory', table: 'products', ts_ms: 1596011000000 },
  op: 'x',
});

/**
 * The 16 events as messages from `firstOffset` on, with a not-JSON message after the snapshot
 * (offset +9), an unknown op after the update of 107 (offset +12) and a tombstone after the
 * delete of 111 (the last offset, +18): 19 messages.
 */
export function debeziumBatch(
  file: DebeziumFile,
  topic: string,
  partition = 0,
  firstOffset = 100,
): KafkaBatchLike {
  const events = debeziumEvents(file);
  const values: { key: string | null; value: string | null }[] = events.map((value) => ({
    key: debeziumKey(value),
    value,
  }));
  values.splice(9, 0, { key: null, value: notJson });
  values.splice(12, 0, { key: '{"id":120}', value: unknownOp });
  values.push({ key: debeziumKey(events[15]), value: null });
  const messages: KafkaMessageLike[] = values.map((m, i) => ({
    offset: String(firstOffset + i),
    key: m.key === null ? null : Buffer.from(m.key),
    value: m.value === null ? null : Buffer.from(m.value),
  }));
  return {
    topic,
    partition,
    highWatermark: String(firstOffset + messages.length),
    messages,
  };
}
