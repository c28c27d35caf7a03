import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { NewChunk } from './new-chunk';

// New chunks go in with binary COPY: many small chunks (a busy gateway commits a few points
// per series at a time) cost a fraction of what INSERT ... unnest(text arrays) does.

/** The start of a binary COPY stream (signature, no flags, no extension). */
export const binaryCopyHeader = Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1');
/** The end of a binary COPY stream. */
export const binaryCopyTrailer = Buffer.from([0xff, 0xff]);
const columns = 12;

function rowSize(chunk: NewChunk): number {
  // field count + 12 length words + 3 int8 + int4 + 6 float8 (or none) + the two byteas
  let size = 2 + columns * 4 + 3 * 8 + 4 + chunk.data.length;
  for (const v of [chunk.min, chunk.max, chunk.sum, chunk.sumSq, chunk.first, chunk.last])
    if (v !== null) size += 8;
  if (chunk.segments) size += chunk.segments.length;
  return size;
}

/** The chunks as one binary COPY stream body. */
export function copyBody(chunks: NewChunk[]): Buffer {
  let size = binaryCopyHeader.length + binaryCopyTrailer.length;
  for (const c of chunks) size += rowSize(c);
  const out = Buffer.allocUnsafe(size);
  let at = binaryCopyHeader.copy(out, 0);
  const int8 = (v: bigint) => {
    at = out.writeInt32BE(8, at);
    at = out.writeBigInt64BE(v, at);
  };
  const float8 = (v: number | null) => {
    if (v === null) at = out.writeInt32BE(-1, at);
    else {
      at = out.writeInt32BE(8, at);
      at = out.writeDoubleBE(v, at);
    }
  };
  const bytes = (v: Buffer | null) => {
    if (v === null) at = out.writeInt32BE(-1, at);
    else {
      at = out.writeInt32BE(v.length, at);
      at += v.copy(out, at);
    }
  };
  for (const c of chunks) {
    at = out.writeInt16BE(columns, at);
    int8(c.seriesId);
    int8(c.startTime);
    int8(c.endTime);
    at = out.writeInt32BE(4, at);
    at = out.writeInt32BE(c.count, at);
    float8(c.min);
    float8(c.max);
    float8(c.sum);
    float8(c.sumSq);
    float8(c.first);
    float8(c.last);
    bytes(c.data);
    bytes(c.segments);
  }
  binaryCopyTrailer.copy(out, at);
  return out;
}

/** Inserts new chunks (sequence numbers from the table's sequence) with binary COPY. */
export async function copyChunks(client: PoolClient, chunks: NewChunk[]): Promise<void> {
  const stream = client.query(
    copyFrom(
      'COPY chunk (series_id, start_time, end_time, count, min, max, sum, sum_sq, first, last, data, segments) FROM STDIN (FORMAT binary)',
    ),
  );
  await pipeline(Readable.from([copyBody(chunks)]), stream);
}
