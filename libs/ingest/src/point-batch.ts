import type { PointValue, SeriesValueType } from '@sextant/timeseries';

// The columnar form of one write, as protocols decode it: a table of series (measurement and
// tags), a table of slots (a series' field with one value type) and the points as parallel
// typed arrays (slot, time, value, line). No object per point or line: a body of 20,000 points
// costs a handful of allocations, so the gateway's heap stays small under load.

/** A series of a batch: measurement and tags as decoded. */
export interface BatchSeries {
  /** Identifies measurement and tags cheaply (e.g. their text as written). */
  prefix: string;
  measurement: string;
  /** Sorted by key. */
  tags: [string, string][];
  /** The node the series of this prefix are on (default: the path's source node). */
  nodeId?: string;
}

/** A field of a series with one value type: where a batch's points go. */
export interface BatchSlot {
  /** Index in `PointBatch.series`. */
  series: number;
  field: string;
  type: SeriesValueType;
  /** Points of the slot in the batch. */
  count: number;
}

/** One line as a protocol decoded it (the row form of a batch, for tests and small writers). */
export interface IngestLine {
  prefix: string;
  measurement: string;
  /** Sorted by key. */
  tags: [string, string][];
  fields: { key: string; value: { type: SeriesValueType; value: PointValue } }[];
  /** Nanoseconds since the epoch. */
  time: bigint;
  /** Line or record number, to name it in errors. */
  line: number;
  /** The node the line's series are on (default: the path's source node). */
  nodeId?: string;
}

const two32 = 4294967296;

/** The arrays behind a batch. */
interface Columns {
  slotOf: Int32Array;
  times: BigInt64Array;
  floats: Float64Array;
  lines: Int32Array;
}

// Arrays of released batches, by capacity, for the next batches: a busy gateway parses bodies
// of tens of thousands of points many times a second, and allocating their columns afresh
// makes V8 collect its whole heap every few dozen bodies.
const spare = new Map<number, Columns[]>();
let spareBytes = 0;
const maxSpareBytes = 32 * 1024 * 1024;
const bytesPerPoint = 4 + 8 + 8 + 4;

function columns(capacity: number): Columns {
  let n = 16;
  while (n < capacity) n *= 2;
  const reused = spare.get(n)?.pop();
  if (reused) {
    spareBytes -= n * bytesPerPoint;
    return reused;
  }
  return {
    slotOf: new Int32Array(n),
    times: new BigInt64Array(n),
    floats: new Float64Array(n),
    lines: new Int32Array(n),
  };
}

/** A write in columns: series, slots, and per point its slot, time, value and line. */
export class PointBatch {
  readonly series: BatchSeries[] = [];
  readonly slots: BatchSlot[] = [];
  /** Points in the batch. */
  length = 0;
  /** Per point: its slot. */
  slotOf: Int32Array;
  /** Per point: nanoseconds since the epoch. */
  times: BigInt64Array;
  /** The same times as 32-bit words (low, high), to read and write without a BigInt. */
  timeWords: Int32Array;
  /** Per point of a float slot: the value. */
  floats: Float64Array;
  /** Per point of other slots: the value (sparse; null while the batch has none). */
  others: PointValue[] | null = null;
  /** Per point: the line (or record) it came from. */
  lines: Int32Array;
  /** Series by prefix, for addSeries (appendSeries callers keep their own). */
  private byPrefix: Map<string, number> | null = null;
  /** Per series its first slot, and per slot the series' next one (-1: none): short lists. */
  private firstSlot: number[] = [];
  private nextSlot: number[] = [];

  constructor(capacity = 1024) {
    const { slotOf, times, floats, lines } = columns(capacity);
    this.slotOf = slotOf;
    this.times = times;
    this.timeWords = new Int32Array(times.buffer);
    this.floats = floats;
    this.lines = lines;
  }

  /**
   * Gives the batch's arrays back for the next batches, once its write is answered: the batch
   * must not be used afterwards (it is left empty).
   */
  release(): void {
    const n = this.slotOf.length;
    const { slotOf, times, floats, lines } = this;
    this.length = 0;
    this.slotOf = new Int32Array(0);
    this.times = new BigInt64Array(0);
    this.timeWords = new Int32Array(0);
    this.floats = new Float64Array(0);
    this.lines = new Int32Array(0);
    // Only whole power-of-two arrays (grow() keeps them so) of a bounded total.
    if ((n & (n - 1)) !== 0 || spareBytes + n * bytesPerPoint > maxSpareBytes) return;
    const list = spare.get(n) ?? [];
    list.push({ slotOf, times, floats, lines });
    spare.set(n, list);
    spareBytes += n * bytesPerPoint;
  }

  /** The row form of lines, in columns. */
  static fromLines(lines: readonly IngestLine[]): PointBatch {
    let points = 0;
    for (const line of lines) points += line.fields.length;
    const batch = new PointBatch(points);
    for (const line of lines) {
      const series = batch.addSeries(line.prefix, line.measurement, line.tags, line.nodeId);
      for (const { key, value } of line.fields)
        batch.push(batch.slot(series, key, value.type), line.time, value.value, line.line);
    }
    return batch;
  }

  /** The series of a prefix: the existing one, or a new one with these parts. */
  addSeries(
    prefix: string,
    measurement: string,
    tags: [string, string][],
    nodeId?: string,
  ): number {
    this.byPrefix ??= new Map();
    let index = this.byPrefix.get(prefix);
    if (index === undefined) {
      index = this.appendSeries({ prefix, measurement, tags, nodeId });
      this.byPrefix.set(prefix, index);
    }
    return index;
  }

  /**
   * Adds a series the caller knows is not in the batch yet (a parser that tells its series
   * apart itself hands over its own long-lived object: nothing is allocated per batch).
   */
  appendSeries(series: BatchSeries): number {
    this.firstSlot.push(-1);
    return this.series.push(series) - 1;
  }

  /** The slot of a series' field with values of this type (a second type gets its own). */
  slot(series: number, field: string, type: SeriesValueType): number {
    let last = -1;
    for (let k = this.firstSlot[series]; k >= 0; k = this.nextSlot[k]) {
      const slot = this.slots[k];
      if (slot.field === field && slot.type === type) return k;
      last = k;
    }
    const index = this.slots.push({ series, field, type, count: 0 }) - 1;
    this.nextSlot.push(-1);
    if (last < 0) this.firstSlot[series] = index;
    else this.nextSlot[last] = index;
    return index;
  }

  /** Adds a float point whose time is given as 32-bit words (low unsigned, high signed). */
  pushFloat(slot: number, timeLow: number, timeHigh: number, value: number, line: number): void {
    const i = this.length;
    if (i === this.slotOf.length) this.grow();
    this.slotOf[i] = slot;
    this.timeWords[2 * i] = timeLow;
    this.timeWords[2 * i + 1] = timeHigh;
    this.floats[i] = value;
    this.lines[i] = line;
    this.slots[slot].count++;
    this.length = i + 1;
  }

  /** Adds a point of any type. */
  push(slot: number, time: bigint, value: PointValue, line: number): void {
    const i = this.length;
    if (i === this.slotOf.length) this.grow();
    this.slotOf[i] = slot;
    this.times[i] = time;
    if (this.slots[slot].type === 'float') this.floats[i] = value as number;
    else (this.others ??= [])[i] = value;
    this.lines[i] = line;
    this.slots[slot].count++;
    this.length = i + 1;
  }

  /** Adds a point of a non-float type whose time is given as 32-bit words. */
  pushOther(
    slot: number,
    timeLow: number,
    timeHigh: number,
    value: PointValue,
    line: number,
  ): void {
    const i = this.length;
    if (i === this.slotOf.length) this.grow();
    this.slotOf[i] = slot;
    this.timeWords[2 * i] = timeLow;
    this.timeWords[2 * i + 1] = timeHigh;
    (this.others ??= [])[i] = value;
    this.lines[i] = line;
    this.slots[slot].count++;
    this.length = i + 1;
  }

  /** The value of point i. */
  value(i: number): PointValue {
    return this.slots[this.slotOf[i]].type === 'float' ? this.floats[i] : this.others![i];
  }

  /** The time of point i as a double: exact within ±2^53 ns (to 2255), close beyond. */
  timeNumber(i: number): number {
    return this.timeWords[2 * i + 1] * two32 + (this.timeWords[2 * i] >>> 0);
  }

  /** The batch as lines again (points of one line in the order they were added). */
  toLines(): IngestLine[] {
    const out: IngestLine[] = [];
    let current: IngestLine | null = null;
    for (let i = 0; i < this.length; i++) {
      const slot = this.slots[this.slotOf[i]];
      const series = this.series[slot.series];
      const time = this.times[i];
      if (
        !current ||
        current.line !== this.lines[i] ||
        current.prefix !== series.prefix ||
        current.time !== time
      ) {
        current = {
          prefix: series.prefix,
          measurement: series.measurement,
          tags: series.tags,
          fields: [],
          time,
          line: this.lines[i],
          ...(series.nodeId ? { nodeId: series.nodeId } : {}),
        };
        out.push(current);
      }
      current.fields.push({ key: slot.field, value: { type: slot.type, value: this.value(i) } });
    }
    return out;
  }

  private grow(): void {
    const n = this.slotOf.length * 2;
    const slotOf = new Int32Array(n);
    slotOf.set(this.slotOf);
    this.slotOf = slotOf;
    const times = new BigInt64Array(n);
    times.set(this.times);
    this.times = times;
    this.timeWords = new Int32Array(times.buffer);
    const floats = new Float64Array(n);
    floats.set(this.floats);
    this.floats = floats;
    const lines = new Int32Array(n);
    lines.set(this.lines);
    this.lines = lines;
  }
}

/**
 * Writes the 32-bit words (low, high) of `seconds` × 10^9 + `nanos` nanoseconds into `out`,
 * exactly and without a BigInt, for whole seconds from 0 to 2^34 (beyond the year 2500).
 */
export function nanosecondWords(seconds: number, nanos: number, out: Int32Array): void {
  // seconds = high16 × 2^16 + low16; every product below stays under 2^53.
  const low16 = seconds % 65536;
  const high16 = (seconds - low16) / 65536;
  const a = high16 * 1e9;
  const aLow = a % 65536;
  const sum = aLow * 65536 + low16 * 1e9 + nanos;
  const carry = Math.floor(sum / two32);
  out[0] = (sum - carry * two32) | 0;
  out[1] = (a - aLow) / 65536 + carry;
}
