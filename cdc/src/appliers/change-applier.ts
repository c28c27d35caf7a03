import type { Pool, PoolClient } from 'pg';
import { DecodedMessage, decodeChangeMessage, MessageBytes } from '../envelope';
import { CdcApplyError, CdcDecodeError } from '../errors';
import { DeadLetter, DeadLettersRepository } from '../dead-letters/dead-letters.repository';
import {
  CdcPosition,
  compareOrdinals,
  kafkaPosition,
  ordinalOf,
  slotPosition,
  streamOf,
} from '../position';
import { lakeTableName } from './identifiers';
import { MirrorApplier, MirrorChange } from './mirror-applier';
import { MirrorRepository } from './mirror.repository';
import { MirrorSchema, SchemaChangeHooks, SourceRelation } from './mirror-schema';
import { CountedChange, MovementsApplier } from './movements-applier';
import { PositionsRepository, StoredPosition } from './positions.repository';
import { ResnapshotSkipsRepository } from './resnapshot-skips.repository';

export interface ChangeApplierOptions {
  /** Name of the source (the registered database); mirror schema `lake_<source>`. */
  source: string;
  /** The registered database's node: source of the movements. */
  sourceNodeId: string;
  /** Destination node of the movements (Sextant's lake). */
  destinationNodeId: string;
  pathId?: string | null;
  /** Key columns per source table (`schema.table`); else the message key's, else `id`. */
  keys?: Readonly<Record<string, readonly string[]>>;
  /** How schema changes carried by the changes (pgoutput relations) are followed; see MirrorSchema. */
  schemaChanges?: SchemaChangeHooks;
}

/** A raw message as read from Kafka (or re-encoded from a replication slot). */
export interface PositionedMessage {
  position: CdcPosition;
  value: MessageBytes;
  key?: MessageBytes;
}

export interface PositionedChange {
  position: CdcPosition;
  message: DecodedMessage;
}

export interface ApplyResult {
  /** Changes applied to the mirror. */
  applied: number;
  /** Messages at or below the stored position, left alone. */
  skipped: number;
  tombstones: number;
  deadLetters: number;
  /** New movements recorded. */
  movements: number;
}

export interface ReplayResult {
  replayed: string[];
  failed: { id: string; reason: string }[];
}

type Item =
  | { position: CdcPosition; message: DecodedMessage }
  | { position: CdcPosition; failure: { reason: string; value: MessageBytes; key: MessageBytes } };

/**
 * Applies batches of change messages to the mirror tables and records their movements, one
 * transaction per batch together with the stream positions: a change at or below the stored
 * position is skipped, so a batch re-read after a crash changes nothing. Messages that do not
 * decode are recorded as dead letters in the same transaction.
 */
export class ChangeApplier {
  readonly mirror: MirrorApplier;
  readonly movements: MovementsApplier;
  readonly schema: MirrorSchema;

  constructor(
    private readonly pool: Pool,
    private readonly options: ChangeApplierOptions,
  ) {
    this.mirror = new MirrorApplier(options);
    this.schema = new MirrorSchema(options);
    this.movements = new MovementsApplier({ ...options, pathId: options.pathId ?? null });
  }

  /** Decodes and applies raw messages; malformed ones become dead letters. */
  applyMessages(messages: readonly PositionedMessage[]): Promise<ApplyResult> {
    const items = messages.map((m): Item => {
      try {
        return { position: m.position, message: decodeChangeMessage(m.value, m.position, m.key) };
      } catch (error) {
        if (!(error instanceof CdcDecodeError)) throw error;
        return {
          position: m.position,
          failure: { reason: error.reason, value: m.value, key: m.key },
        };
      }
    });
    return this.transaction((client) => this.applyItems(client, items));
  }

  /** Applies decoded changes. */
  apply(changes: readonly PositionedChange[]): Promise<ApplyResult> {
    return this.transaction((client) => this.applyItems(client, changes));
  }

  /** Lists the source's dead letters not yet replayed. */
  deadLetters(options: { includeReplayed?: boolean; limit?: number } = {}): Promise<DeadLetter[]> {
    return new DeadLettersRepository(this.pool).list({ source: this.options.source, ...options });
  }

  /**
   * Decodes dead letters again (after `repair`, when given, which may return a corrected
   * payload) and applies them regardless of the stream position, each in its own transaction
   * that also marks it replayed. A letter that still fails keeps its row with the new reason.
   */
  async replayDeadLetters(
    options: { ids?: string[]; repair?: (letter: DeadLetter) => MessageBytes } = {},
  ): Promise<ReplayResult> {
    const result: ReplayResult = { replayed: [], failed: [] };
    const letters = await new DeadLettersRepository(this.pool).list({
      source: this.options.source,
      ids: options.ids,
    });
    for (const letter of letters) {
      try {
        const position = positionOf(letter);
        await this.transaction(async (client) => {
          const repository = new DeadLettersRepository(client);
          const locked = await repository.lockForReplay(letter.id);
          if (!locked) return;
          const value = options.repair ? options.repair(locked) : locked.payload;
          const message = decodeChangeMessage(value, position, locked.key);
          await this.applyChanges(client, [{ position, message }], () => true);
          await repository.markReplayed(letter.id);
        });
        result.replayed.push(letter.id);
      } catch (error) {
        if (!(error instanceof CdcDecodeError || error instanceof CdcApplyError)) throw error;
        await new DeadLettersRepository(this.pool).updateReason(letter.id, error.reason);
        result.failed.push({ id: letter.id, reason: error.reason });
      }
    }
    return result;
  }

  /**
   * Replaces a mirror table's rows with a snapshot of the source table (changes with op `r`)
   * and records their movements, in one transaction: the mirror's columns and key are made to
   * match the snapshot's, its rows deleted, the snapshot's inserted. The stream's position is
   * left alone; `at`, the snapshot's position on the stream, is recorded in the same transaction
   * as a resnapshot skip (the table's changes up to it are in the mirror now, and are left out
   * when streamed, also after a restart). Returns the rows inserted.
   */
  replaceTable(
    relation: SourceRelation,
    changes: readonly PositionedChange[],
    at: CdcPosition,
  ): Promise<number> {
    return this.transaction(async (client) => {
      await new ResnapshotSkipsRepository(client).save(
        this.options.source,
        streamOf(at),
        `${relation.schema}.${relation.table}`,
        ordinalOf(at).major,
      );
      const repository = new MirrorRepository(client);
      const mirror = await repository.describe(
        this.mirror.schema,
        lakeTableName(relation.schema, relation.table),
      );
      if (mirror.columns.size > 0) await repository.deleteAll(mirror);
      this.schema.forget(relation.schema, relation.table);
      await this.schema.follow(client, relation, true);
      await this.applyChanges(client, changes, () => false);
      return changes.length;
    });
  }

  /**
   * Applies a new initial snapshot (changes with op `r`, positioned) over mirror tables that may
   * hold an earlier one, as after the slot was dropped: the tables' mirror rows are deleted and
   * their columns and key made to match, then the snapshot applied with its position, in one
   * transaction, so that rows deleted on the source meanwhile do not stay in the mirror.
   */
  applySnapshot(
    relations: readonly SourceRelation[],
    changes: readonly PositionedChange[],
  ): Promise<ApplyResult> {
    return this.transaction(async (client) => {
      const repository = new MirrorRepository(client);
      for (const relation of relations) {
        const mirror = await repository.describe(
          this.mirror.schema,
          lakeTableName(relation.schema, relation.table),
        );
        if (mirror.columns.size > 0) await repository.deleteAll(mirror);
        this.schema.forget(relation.schema, relation.table);
        await this.schema.follow(client, relation, true);
      }
      return this.applyItems(client, changes);
    });
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async applyItems(client: PoolClient, items: readonly Item[]): Promise<ApplyResult> {
    const result: ApplyResult = {
      applied: 0,
      skipped: 0,
      tombstones: 0,
      deadLetters: 0,
      movements: 0,
    };
    if (items.length === 0) return result;
    const positions = new PositionsRepository(client);
    const stored = await positions.lock(
      this.options.source,
      items.map((i) => streamOf(i.position)),
    );
    // Transactions already under way when the batch starts: their first part has the plain id.
    const openTx = new Map([...stored.values()].map((p) => [p.stream, p.txId]));
    const fresh: Item[] = [];
    const reached = new Map<string, StoredPosition>(stored);
    for (const item of items) {
      const stream = streamOf(item.position);
      const ordinal = ordinalOf(item.position);
      const last = reached.get(stream);
      if (last && compareOrdinals(ordinal, last) <= 0) {
        result.skipped += 1;
        continue;
      }
      // Tombstones and dead letters keep the transaction of the change before them.
      const txId =
        'message' in item && item.message.kind === 'change'
          ? (item.message.envelope.source.txId ?? null)
          : (last?.txId ?? null);
      reached.set(stream, { stream, ...ordinal, txId });
      fresh.push(item);
    }

    const changes: PositionedChange[] = [];
    const deadLetters = new DeadLettersRepository(client);
    for (const item of fresh) {
      if ('failure' in item) {
        await deadLetters.record({
          source: this.options.source,
          position: item.position,
          reason: item.failure.reason,
          payload: item.failure.value,
          key: item.failure.key,
        });
        result.deadLetters += 1;
      } else if (item.message.kind === 'tombstone') {
        result.tombstones += 1;
      } else {
        changes.push(item);
      }
    }
    result.movements = await this.applyChanges(
      client,
      changes,
      (stream, txId) => openTx.get(stream) === txId,
    );
    result.applied = changes.length;
    await positions.save(
      this.options.source,
      [...reached.values()].filter((p) => p !== stored.get(p.stream)),
    );
    return result;
  }

  /** Mirrors the changes and records their movements; returns the new movements. */
  private async applyChanges(
    client: PoolClient,
    changes: readonly PositionedChange[],
    continued: (stream: string, txId: number) => boolean,
  ): Promise<number> {
    const mirrorChanges: (MirrorChange & { position: CdcPosition })[] = [];
    for (const { position, message } of changes) {
      if (message.kind === 'change') mirrorChanges.push({ ...message, position });
    }
    // Cut where a change carries a new description of its table, whose DDL goes first.
    const rows = await this.schema.apply(client, mirrorChanges, (part) =>
      this.mirror.apply(client, part),
    );
    const counted: CountedChange[] = mirrorChanges.map((c, i) => ({
      envelope: c.envelope,
      position: c.position,
      rows: rows[i],
    }));
    return this.movements.apply(client, counted, continued);
  }
}

/** Where a dead letter was read, from its stored columns. */
function positionOf(letter: DeadLetter): CdcPosition {
  if (letter.topic !== null && letter.partition !== null && letter.offset !== null) {
    return kafkaPosition(letter.topic, letter.partition, letter.offset);
  }
  const slot = /^(.*)@([0-9A-F]+\/[0-9A-F]+)#(\d+)$/.exec(letter.position ?? '');
  if (slot) return slotPosition(slot[1], slot[2], Number(slot[3]));
  throw new CdcApplyError(null, `dead letter ${letter.id} has no position to replay at`);
}
