import { describe, expect, it } from '@jest/globals';
import { DecodedChange, decodeChangeMessage } from '../envelope/debezium-codec';
import { kafkaPosition } from '../position';
import {
  debeziumDataDir,
  debeziumEvents,
  haveDebeziumData,
} from '../sources/kafka/kafka-test-events';
import { PublishableChange, toKafkaRecords } from './kafka-publisher';

if (!haveDebeziumData) console.log(`skipping the Kafka publisher: ${debeziumDataDir} is absent`);

const decoded = (): DecodedChange[] =>
  debeziumEvents('debezium-postgres-data-schema-exclude.txt').map(
    (value, offset) =>
      decodeChangeMessage(value, kafkaPosition('file', 0, offset)) as DecodedChange,
  );

(!haveDebeziumData ? describe.skip : describe)(toKafkaRecords.name, () => {
  it.each([false, true])(
    'writes the captured events under Debezium topic names and keys (withSchema %s)',
    (withSchema) => {
      const events = decoded();
      const changes: PublishableChange[] = events.map((e) => ({ envelope: e.envelope }));
      const topics = toKafkaRecords(changes, { server: 'shop', withSchema });
      expect(topics.map((t) => t.topic)).toEqual(['shop.inventory.products']);
      const [{ messages }] = topics;
      // 16 events and the tombstone that follows the delete of 111
      expect(messages).toHaveLength(17);
      expect(messages[16]).toEqual({ key: messages[15].key, value: null });
      messages.slice(0, 16).forEach((record, i) => {
        const where = kafkaPosition('shop.inventory.products', 0, i);
        const back = decodeChangeMessage(record.value, where, record.key);
        const row = events[i].envelope.after ?? events[i].envelope.before;
        expect(back).toMatchObject({ kind: 'change', key: { id: row!.id } });
        expect((back as DecodedChange).envelope).toEqual(events[i].envelope);
        if (withSchema) expect(JSON.parse(record.key!)).toHaveProperty('schema.type', 'struct');
        else expect(record.key).toBe(`{"id":${row!.id as number}}`);
      });
    },
  );

  it('uses configured key columns, a given key first, and sends a truncate without a key', () => {
    const [first] = decoded();
    const truncate = { ...first.envelope, op: 't' as const, before: null, after: null };
    const [{ messages }] = toKafkaRecords(
      [
        { envelope: first.envelope },
        { envelope: first.envelope, key: { id: 7 } },
        { envelope: truncate },
      ],
      { server: 'shop', withSchema: false, keys: { 'inventory.products': ['name', 'id'] } },
    );
    expect(messages.map((m) => m.key)).toEqual(['{"name":"scooter","id":101}', '{"id":7}', null]);
  });
});
