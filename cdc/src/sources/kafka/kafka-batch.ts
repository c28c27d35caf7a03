import type { PositionedMessage } from '../../appliers/change-applier';
import { decodeChangeMessage, MessageBytes } from '../../envelope';
import { CdcDecodeError } from '../../errors';
import { kafkaPosition } from '../../position';

/** One message of a kafkajs batch, as far as CDC reads it. */
export interface KafkaMessageLike {
  offset: string;
  key?: MessageBytes;
  value: MessageBytes;
}

/** A kafkajs batch (`EachBatchPayload.batch`), as far as CDC reads it. */
export interface KafkaBatchLike {
  topic: string;
  partition: number;
  /** Offset the next produced message will get; absent when unknown. */
  highWatermark?: string;
  messages: readonly KafkaMessageLike[];
}

/** A message that does not decode; the applier records it in `cdc_dead_letter`. */
export interface KafkaDeadLetter {
  topic: string;
  partition: number;
  offset: string;
  reason: string;
}

/** One applier transaction's worth of a batch and what to commit once it is applied. */
export interface KafkaBatchChunk {
  /** Input for `ChangeApplier.applyMessages`, every message of the chunk in offset order. */
  messages: PositionedMessage[];
  changes: number;
  tombstones: number;
  deadLetters: KafkaDeadLetter[];
  /** Last offset of the chunk: what `resolveOffset` gets after the apply. */
  lastOffset: string;
  /** Offset to commit after the apply: the next one to read (last offset + 1). */
  commitOffset: string;
  /** Messages behind the high watermark once this chunk is committed; null when unknown. */
  lag: string | null;
}

/**
 * Cuts a kafkajs batch into applier chunks of at most `maxMessages` messages, decoding each
 * message to tell changes, tombstones and dead letters apart (with topic, partition, offset
 * and reason), and says which offset to commit after each chunk is applied.
 */
export function planKafkaBatch(
  batch: KafkaBatchLike,
  options: { maxMessages?: number } = {},
): KafkaBatchChunk[] {
  const maxMessages = Math.max(1, options.maxMessages ?? Number.POSITIVE_INFINITY);
  const chunks: KafkaBatchChunk[] = [];
  let current: KafkaBatchChunk | null = null;
  for (const message of batch.messages) {
    if (!current || current.messages.length >= maxMessages) {
      current = {
        messages: [],
        changes: 0,
        tombstones: 0,
        deadLetters: [],
        lastOffset: message.offset,
        commitOffset: '',
        lag: null,
      };
      chunks.push(current);
    }
    const position = kafkaPosition(batch.topic, batch.partition, message.offset);
    current.messages.push({ position, value: message.value, key: message.key ?? null });
    current.lastOffset = message.offset;
    try {
      const decoded = decodeChangeMessage(message.value, position, message.key);
      if (decoded.kind === 'change') current.changes += 1;
      else current.tombstones += 1;
    } catch (error) {
      if (!(error instanceof CdcDecodeError)) throw error;
      current.deadLetters.push({
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        reason: error.reason,
      });
    }
  }
  const highWatermark = batch.highWatermark === undefined ? null : BigInt(batch.highWatermark);
  for (const chunk of chunks) {
    const next = BigInt(chunk.lastOffset) + 1n;
    chunk.commitOffset = next.toString();
    chunk.lag =
      highWatermark === null ? null : (highWatermark > next ? highWatermark - next : 0n).toString();
  }
  return chunks;
}
