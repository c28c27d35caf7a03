import { assertNever } from '@sextant/domain';
import { SourceRelation } from '../../appliers/mirror-schema';
import {
  ChangeEnvelope,
  ChangeOperation,
  ChangeRow,
  ConnectSchema,
  DecodedChange,
} from '../../envelope';
import { CdcDecodeError } from '../../errors';
import { SlotPosition, slotPosition } from '../../position';
import {
  PgoutputMessage,
  postgresTimeToMillis,
  RelationColumn,
  TupleValue,
} from './pgoutput-decoder';
import { CdcSourceError } from './pgoutput.errors';
import { connectTypeOfOid, valueOfText } from './pgoutput-values';

/** A Debezium envelope from pgoutput; `unchangedToast` lists columns left out of `after`. */
export interface PgoutputEnvelope extends ChangeEnvelope {
  /** TOASTed columns the update did not change: Postgres did not send them, the mirror keeps its value. */
  unchangedToast?: string[];
}

export interface SlotChange {
  position: SlotPosition;
  /** `relation`: the table as the last Relation message described it (the mirror follows it). */
  message: DecodedChange & { envelope: PgoutputEnvelope; relation?: SourceRelation };
}

/** A committed source transaction and its changes, in commit order. */
export interface SlotTransaction {
  xid: number;
  /** End of the commit record: the position to confirm once the transaction is applied. */
  endLsn: bigint;
  commitTime: number;
  changes: SlotChange[];
}

export interface PgoutputTranslatorOptions {
  slot: string;
  /** The source database's name (`source.db`). */
  db: string;
  /** Key columns per `schema.table` (configured, else the primary key) for the mirror. */
  keys: ReadonlyMap<string, readonly string[]>;
  now?: () => number;
}

interface Relation {
  schema: string;
  table: string;
  columns: RelationColumn[];
  connect: ConnectSchema[];
  key: readonly string[];
  shape: SourceRelation;
}

type Pending = Omit<PgoutputEnvelope, 'ts_ms' | 'source'> & {
  relation: Relation;
  lsn: bigint;
  key: ChangeRow | null;
};

/**
 * Turns decoded pgoutput messages into Debezium envelopes, one transaction at a time. Changes
 * of a transaction are positioned at its commit's end LSN with their index as sequence: commit
 * LSNs increase along the stream, while the LSNs of single changes of interleaved transactions
 * do not.
 */
export class PgoutputTranslator {
  private readonly relations = new Map<number, Relation>();
  private current: { xid: number; commitTime: number; pending: Pending[] } | null = null;

  constructor(private readonly options: PgoutputTranslatorOptions) {}

  /** True while a transaction has begun and not committed. */
  get inTransaction(): boolean {
    return this.current !== null;
  }

  /** Feeds one message read at `lsn`; returns the transaction its Commit completes. */
  push(message: PgoutputMessage, lsn: bigint): SlotTransaction | null {
    const fail = (reason: string): never => {
      throw new CdcDecodeError({ kind: 'lsn', lsn }, reason);
    };
    switch (message.tag) {
      case 'begin':
        this.current = {
          xid: message.xid,
          commitTime: postgresTimeToMillis(message.commitTime),
          pending: [],
        };
        return null;
      case 'commit': {
        const tx = this.current ?? fail('Commit without Begin');
        this.current = null;
        return this.commit(tx, message.endLsn);
      }
      case 'relation':
        this.relations.set(message.relationId, this.relation(message));
        return null;
      case 'insert': {
        const relation = this.relationOf(message.relationId, fail);
        const { row: after } = this.row(relation, message.newTuple, false);
        this.add({ op: 'c', before: null, after, relation, lsn, key: keyOf(relation, after) });
        return null;
      }
      case 'update': {
        const relation = this.relationOf(message.relationId, fail);
        const { row: after, unchanged } = this.row(relation, message.newTuple, false);
        const before = message.oldTuple
          ? this.row(relation, message.oldTuple.values, message.oldTuple.kind === 'key').row
          : null;
        const oldKey = before ? keyOf(relation, before) : null;
        const newKey = keyOf(relation, after);
        if (oldKey && JSON.stringify(oldKey) !== JSON.stringify(newKey)) {
          // A changed key is a delete and a create, as Debezium emits it.
          this.add({ op: 'd', before, after: null, relation, lsn, key: oldKey });
          this.add({ op: 'c', before: null, after, relation, lsn, key: newKey });
        } else {
          this.add({
            op: 'u',
            before,
            after,
            relation,
            lsn,
            key: newKey,
            ...(unchanged.length > 0 ? { unchangedToast: unchanged } : {}),
          });
        }
        return null;
      }
      case 'delete': {
        const relation = this.relationOf(message.relationId, fail);
        const { row: before } = this.row(
          relation,
          message.oldTuple.values,
          message.oldTuple.kind === 'key',
        );
        this.add({ op: 'd', before, after: null, relation, lsn, key: keyOf(relation, before) });
        return null;
      }
      case 'truncate':
        for (const id of message.relationIds) {
          const relation = this.relationOf(id, fail);
          this.add({ op: 't', before: null, after: null, relation, lsn, key: null });
        }
        return null;
      case 'origin':
      case 'type':
      case 'message':
        return null;
      default:
        return assertNever(message);
    }
  }

  private add(pending: Pending) {
    if (!this.current) {
      throw new CdcDecodeError(
        { kind: 'lsn', lsn: pending.lsn },
        `${pending.op} outside a transaction`,
      );
    }
    this.current.pending.push(pending);
  }

  private commit(
    tx: { xid: number; commitTime: number; pending: Pending[] },
    endLsn: bigint,
  ): SlotTransaction {
    const now = this.options.now?.() ?? Date.now();
    const changes = tx.pending.map(({ relation, lsn, key, ...change }, i): SlotChange => {
      const op: ChangeOperation = change.op;
      return {
        position: slotPosition(this.options.slot, endLsn, i),
        message: {
          kind: 'change',
          key,
          columns: relation.connect,
          relation: relation.shape,
          envelope: {
            ...change,
            op,
            source: {
              db: this.options.db,
              schema: relation.schema,
              table: relation.table,
              lsn: Number(lsn),
              txId: tx.xid,
              ts_ms: tx.commitTime,
              snapshot: false,
            },
            ts_ms: now,
          },
        },
      };
    });
    return { xid: tx.xid, endLsn, commitTime: tx.commitTime, changes };
  }

  private relationOf(id: number, fail: (reason: string) => never): Relation {
    return this.relations.get(id) ?? fail(`relation ${id} was not described by a Relation message`);
  }

  private relation(message: Extract<PgoutputMessage, { tag: 'relation' }>): Relation {
    const name = `${message.schema}.${message.table}`;
    const fromFlags =
      message.replicaIdentity === 'f'
        ? []
        : message.columns.filter((c) => c.isKey).map((c) => c.name);
    const key = this.options.keys.get(name) ?? fromFlags;
    if (key.length === 0) {
      throw new CdcSourceError(
        'TableWithoutKey',
        `table ${name} has no primary key or replica identity index; add one or configure its key columns`,
        name,
      );
    }
    const connect: ConnectSchema[] = message.columns.map((c) => ({
      type: connectTypeOfOid(c.typeOid),
      optional: true,
      field: c.name,
    }));
    return {
      schema: message.schema,
      table: message.table,
      columns: message.columns,
      connect,
      key,
      shape: {
        schema: message.schema,
        table: message.table,
        columns: connect,
        // Key flags are the primary key's only with the default replica identity.
        primaryKey: message.replicaIdentity === 'd' ? fromFlags : null,
      },
    };
  }

  /** A tuple as a row; unchanged TOAST columns are left out and listed. */
  private row(
    relation: Relation,
    values: TupleValue[],
    keyOnly: boolean,
  ): { row: ChangeRow; unchanged: string[] } {
    const row: ChangeRow = {};
    const unchanged: string[] = [];
    relation.columns.forEach((column, i) => {
      if (keyOnly && !column.isKey) return;
      const value = values[i] ?? { kind: 'null' };
      switch (value.kind) {
        case 'null':
          row[column.name] = null;
          break;
        case 'unchanged':
          unchanged.push(column.name);
          break;
        case 'text':
          row[column.name] = valueOfText(value.text, column.typeOid);
          break;
        case 'binary':
          row[column.name] = value.bytes.toString('base64');
          break;
        default:
          assertNever(value);
      }
    });
    return { row, unchanged };
  }
}

function keyOf(relation: Relation, row: ChangeRow): ChangeRow | null {
  if (relation.key.some((column) => !(column in row))) return null;
  return Object.fromEntries(relation.key.map((column) => [column, row[column]]));
}
