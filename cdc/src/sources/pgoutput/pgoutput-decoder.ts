import { CdcDecodeError } from '../../errors';

/** Microseconds between the Unix epoch and Postgres' epoch (2000-01-01). */
const postgresEpochMicros = 946_684_800_000_000n;

/** A Postgres timestamp (µs since 2000-01-01) as Unix milliseconds. */
export function postgresTimeToMillis(micros: bigint): number {
  return Number((micros + postgresEpochMicros) / 1000n);
}

/** Unix milliseconds as a Postgres timestamp (µs since 2000-01-01). */
export function millisToPostgresTime(millis: number): bigint {
  return BigInt(Math.round(millis)) * 1000n - postgresEpochMicros;
}

/** One column of a tuple: a text value, null, or an unchanged TOASTed value that was not sent. */
export type TupleValue =
  | { kind: 'text'; text: string }
  | { kind: 'binary'; bytes: Buffer }
  | { kind: 'null' }
  | { kind: 'unchanged' };

export interface RelationColumn {
  name: string;
  typeOid: number;
  typeModifier: number;
  /** Part of the replica identity (every column with REPLICA IDENTITY FULL). */
  isKey: boolean;
}

/** Replica identity: d(efault, the primary key), n(othing), f(ull), i(ndex). */
export type ReplicaIdentity = 'd' | 'n' | 'f' | 'i';

export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTime: bigint; xid: number }
  | { tag: 'commit'; flags: number; commitLsn: bigint; endLsn: bigint; commitTime: bigint }
  | { tag: 'origin'; lsn: bigint; name: string }
  | {
      tag: 'relation';
      relationId: number;
      schema: string;
      table: string;
      replicaIdentity: ReplicaIdentity;
      columns: RelationColumn[];
    }
  | { tag: 'type'; typeOid: number; schema: string; name: string }
  | { tag: 'insert'; relationId: number; newTuple: TupleValue[] }
  | {
      tag: 'update';
      relationId: number;
      /** 'K' (old key columns, when the key changed) or 'O' (full old row, REPLICA IDENTITY FULL). */
      oldTuple: { kind: 'key' | 'old'; values: TupleValue[] } | null;
      newTuple: TupleValue[];
    }
  | {
      tag: 'delete';
      relationId: number;
      oldTuple: { kind: 'key' | 'old'; values: TupleValue[] };
    }
  | { tag: 'truncate'; cascade: boolean; restartIdentity: boolean; relationIds: number[] }
  | { tag: 'message'; transactional: boolean; lsn: bigint; prefix: string; content: Buffer };

/** A CopyData message of the streaming replication protocol. */
export type ReplicationMessage =
  | { tag: 'xlogData'; walStart: bigint; walEnd: bigint; sendTime: bigint; data: Buffer }
  | { tag: 'keepalive'; walEnd: bigint; sendTime: bigint; replyRequested: boolean };

/** Reads a buffer front to back; every read checks the length and names what it expected. */
class Reader {
  offset = 0;

  constructor(
    private readonly buffer: Buffer,
    readonly fail: (reason: string) => never,
  ) {}

  private need(bytes: number, what: string) {
    if (this.offset + bytes > this.buffer.length) {
      this.fail(`truncated at byte ${this.offset}: ${what} needs ${bytes} bytes`);
    }
  }

  uint8(what: string): number {
    this.need(1, what);
    return this.buffer.readUInt8(this.offset++);
  }

  int16(what: string): number {
    this.need(2, what);
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(what: string): number {
    this.need(4, what);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint32(what: string): number {
    this.need(4, what);
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint64(what: string): bigint {
    this.need(8, what);
    const value = this.buffer.readBigUInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  int64(what: string): bigint {
    this.need(8, what);
    const value = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  /** A NUL-terminated string. */
  string(what: string): string {
    const end = this.buffer.indexOf(0, this.offset);
    if (end < 0) this.fail(`${what} at byte ${this.offset} is not NUL-terminated`);
    const text = this.buffer.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return text;
  }

  bytes(length: number, what: string): Buffer {
    this.need(length, what);
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  rest(): Buffer {
    const value = this.buffer.subarray(this.offset);
    this.offset = this.buffer.length;
    return value;
  }

  end(what: string) {
    if (this.offset !== this.buffer.length) {
      this.fail(`${this.buffer.length - this.offset} bytes left after ${what}`);
    }
  }
}

const failAt = (lsn: bigint) => (reason: string) => {
  throw new CdcDecodeError({ kind: 'lsn', lsn }, reason);
};

/** Decodes one CopyData payload of START_REPLICATION: XLogData ('w') or a keepalive ('k'). */
export function decodeReplicationMessage(payload: Buffer, lastLsn = 0n): ReplicationMessage {
  const r = new Reader(payload, failAt(lastLsn));
  const tag = String.fromCharCode(r.uint8('message tag'));
  switch (tag) {
    case 'w':
      return {
        tag: 'xlogData',
        walStart: r.uint64('XLogData start'),
        walEnd: r.uint64('XLogData end'),
        sendTime: r.int64('XLogData send time'),
        data: r.rest(),
      };
    case 'k': {
      const message = {
        tag: 'keepalive' as const,
        walEnd: r.uint64('keepalive end'),
        sendTime: r.int64('keepalive send time'),
        replyRequested: r.uint8('keepalive reply flag') === 1,
      };
      r.end('keepalive');
      return message;
    }
    default:
      return failAt(lastLsn)(`unknown replication message tag ${JSON.stringify(tag)}`);
  }
}

/** Standby Status Update ('r'): written, flushed and applied LSNs, the client's clock. */
export function encodeStandbyStatus(
  status: { written: bigint; flushed: bigint; applied: bigint; replyRequested?: boolean },
  nowMillis: number,
): Buffer {
  const buffer = Buffer.alloc(34);
  buffer.write('r', 0, 'latin1');
  buffer.writeBigUInt64BE(status.written, 1);
  buffer.writeBigUInt64BE(status.flushed, 9);
  buffer.writeBigUInt64BE(status.applied, 17);
  buffer.writeBigInt64BE(millisToPostgresTime(nowMillis), 25);
  buffer.writeUInt8(status.replyRequested ? 1 : 0, 33);
  return buffer;
}

function tupleData(r: Reader): TupleValue[] {
  const count = r.int16('tuple column count');
  const values: TupleValue[] = [];
  for (let i = 0; i < count; i++) {
    const kind = String.fromCharCode(r.uint8(`tuple column ${i} kind`));
    switch (kind) {
      case 'n':
        values.push({ kind: 'null' });
        break;
      case 'u':
        values.push({ kind: 'unchanged' });
        break;
      case 't': {
        const length = r.uint32(`tuple column ${i} length`);
        values.push({ kind: 'text', text: r.bytes(length, `tuple column ${i}`).toString('utf8') });
        break;
      }
      case 'b': {
        const length = r.uint32(`tuple column ${i} length`);
        values.push({ kind: 'binary', bytes: Buffer.from(r.bytes(length, `tuple column ${i}`)) });
        break;
      }
      default:
        return r.fail(`unknown tuple column kind ${JSON.stringify(kind)} of column ${i}`);
    }
  }
  return values;
}

function oldTupleKind(tag: number, r: Reader, what: string): 'key' | 'old' {
  if (tag === 0x4b) return 'key'; // 'K'
  if (tag === 0x4f) return 'old'; // 'O'
  return r.fail(`${what}: expected 'K' or 'O', got ${JSON.stringify(String.fromCharCode(tag))}`);
}

const replicaIdentities: readonly string[] = ['d', 'n', 'f', 'i'];

/**
 * Decodes one pgoutput message (protocol versions 1 and 2 without streamed transactions).
 * Throws CdcDecodeError at `lsn` with the byte where it failed.
 */
export function decodePgoutputMessage(data: Buffer, lsn: bigint): PgoutputMessage {
  const fail = failAt(lsn);
  const r = new Reader(data, fail);
  const tag = String.fromCharCode(r.uint8('pgoutput tag'));
  let message: PgoutputMessage;
  switch (tag) {
    case 'B':
      message = {
        tag: 'begin',
        finalLsn: r.uint64('Begin final LSN'),
        commitTime: r.int64('Begin commit time'),
        xid: r.uint32('Begin xid'),
      };
      break;
    case 'C':
      message = {
        tag: 'commit',
        flags: r.uint8('Commit flags'),
        commitLsn: r.uint64('Commit LSN'),
        endLsn: r.uint64('Commit end LSN'),
        commitTime: r.int64('Commit time'),
      };
      break;
    case 'O':
      message = { tag: 'origin', lsn: r.uint64('Origin LSN'), name: r.string('Origin name') };
      break;
    case 'R': {
      const relationId = r.uint32('Relation id');
      const schema = r.string('Relation namespace');
      const table = r.string('Relation name');
      const identity = String.fromCharCode(r.uint8('Relation replica identity'));
      if (!replicaIdentities.includes(identity)) {
        fail(`unknown replica identity ${JSON.stringify(identity)} of ${schema}.${table}`);
      }
      const count = r.int16('Relation column count');
      const columns: RelationColumn[] = [];
      for (let i = 0; i < count; i++) {
        const flags = r.uint8(`Relation column ${i} flags`);
        columns.push({
          isKey: (flags & 1) === 1,
          name: r.string(`Relation column ${i} name`),
          typeOid: r.uint32(`Relation column ${i} type`),
          typeModifier: r.int32(`Relation column ${i} type modifier`),
        });
      }
      message = {
        tag: 'relation',
        relationId,
        schema: schema === '' ? 'pg_catalog' : schema,
        table,
        replicaIdentity: identity as ReplicaIdentity,
        columns,
      };
      break;
    }
    case 'Y':
      message = {
        tag: 'type',
        typeOid: r.uint32('Type oid'),
        schema: r.string('Type namespace'),
        name: r.string('Type name'),
      };
      break;
    case 'I': {
      const relationId = r.uint32('Insert relation id');
      const marker = r.uint8('Insert tuple marker');
      if (marker !== 0x4e) fail(`Insert: expected 'N', got ${marker}`);
      message = { tag: 'insert', relationId, newTuple: tupleData(r) };
      break;
    }
    case 'U': {
      const relationId = r.uint32('Update relation id');
      let marker = r.uint8('Update tuple marker');
      let oldTuple: { kind: 'key' | 'old'; values: TupleValue[] } | null = null;
      if (marker !== 0x4e) {
        oldTuple = { kind: oldTupleKind(marker, r, 'Update old tuple'), values: tupleData(r) };
        marker = r.uint8('Update new tuple marker');
        if (marker !== 0x4e) fail(`Update: expected 'N', got ${marker}`);
      }
      message = { tag: 'update', relationId, oldTuple, newTuple: tupleData(r) };
      break;
    }
    case 'D': {
      const relationId = r.uint32('Delete relation id');
      const kind = oldTupleKind(r.uint8('Delete tuple marker'), r, 'Delete old tuple');
      message = { tag: 'delete', relationId, oldTuple: { kind, values: tupleData(r) } };
      break;
    }
    case 'T': {
      const count = r.uint32('Truncate relation count');
      const options = r.uint8('Truncate options');
      const relationIds: number[] = [];
      for (let i = 0; i < count; i++) relationIds.push(r.uint32(`Truncate relation ${i}`));
      message = {
        tag: 'truncate',
        cascade: (options & 1) === 1,
        restartIdentity: (options & 2) === 2,
        relationIds,
      };
      break;
    }
    case 'M': {
      const transactional = r.uint8('Message flags') === 1;
      const messageLsn = r.uint64('Message LSN');
      const prefix = r.string('Message prefix');
      const length = r.uint32('Message length');
      message = {
        tag: 'message',
        transactional,
        lsn: messageLsn,
        prefix,
        content: Buffer.from(r.bytes(length, 'Message content')),
      };
      break;
    }
    default:
      return fail(`unknown pgoutput message tag ${JSON.stringify(tag)}`);
  }
  r.end(`the ${message.tag} message`);
  return message;
}
