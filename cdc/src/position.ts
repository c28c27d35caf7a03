import { assertNever } from '@sextant/domain';

/** Where a change event was read: a Kafka topic partition and offset. */
export interface KafkaPosition {
  kind: 'kafka';
  topic: string;
  partition: number;
  offset: bigint;
}

/**
 * Where a change event was read from a Postgres replication slot. Events of a snapshot share
 * one LSN, so `sequence` orders the events that carry the same LSN (0 for the first).
 */
export interface SlotPosition {
  kind: 'slot';
  slot: string;
  lsn: bigint;
  sequence: number;
}

export type CdcPosition = KafkaPosition | SlotPosition;

/** A Kafka position; offsets come as strings from kafkajs. */
export function kafkaPosition(
  topic: string,
  partition: number,
  offset: bigint | number | string,
): KafkaPosition {
  return { kind: 'kafka', topic, partition, offset: BigInt(offset) };
}

/** A replication slot position; the LSN as a number or in Postgres' `16/B374D848` form. */
export function slotPosition(
  slot: string,
  lsn: bigint | number | string,
  sequence = 0,
): SlotPosition {
  return {
    kind: 'slot',
    slot,
    lsn: typeof lsn === 'string' ? parseLsn(lsn) : BigInt(lsn),
    sequence,
  };
}

/** Parses `16/B374D848` (or a decimal string) into a 64-bit LSN. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (match) return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
  if (/^[0-9]{1,20}$/.test(text)) return BigInt(text);
  throw new RangeError(`"${text}" is not an LSN (expected like 16/B374D848)`);
}

/** Formats an LSN as Postgres does: `16/B374D848`. */
export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** The stream a position belongs to: positions compare only within one stream. */
export function streamOf(position: CdcPosition): string {
  switch (position.kind) {
    case 'kafka':
      return `kafka:${position.topic}/${position.partition}`;
    case 'slot':
      return `slot:${position.slot}`;
    default:
      return assertNever(position);
  }
}

/** The position's order within its stream, as (major, minor). */
export function ordinalOf(position: CdcPosition): { major: bigint; minor: number } {
  switch (position.kind) {
    case 'kafka':
      return { major: position.offset, minor: 0 };
    case 'slot':
      return { major: position.lsn, minor: position.sequence };
    default:
      return assertNever(position);
  }
}

/** Negative, zero or positive as a comes before, at or after b (same stream assumed). */
export function compareOrdinals(
  a: { major: bigint; minor: number },
  b: { major: bigint; minor: number },
): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  return a.minor - b.minor;
}

/** A readable position: `topic/partition@offset` or `slot@16/B374D848#3`. */
export function formatPosition(position: CdcPosition): string {
  switch (position.kind) {
    case 'kafka':
      return `${position.topic}/${position.partition}@${position.offset}`;
    case 'slot':
      return `${position.slot}@${formatLsn(position.lsn)}#${position.sequence}`;
    default:
      return assertNever(position);
  }
}
