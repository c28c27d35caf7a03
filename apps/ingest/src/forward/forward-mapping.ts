import {
  forwardNodeRules,
  maxTagPatterns,
  nanosecondWords,
  PointBatch,
  TagPattern,
  tagPatternProblem,
} from '@sextant/ingest';
import type { SeriesValueType } from '@sextant/timeseries';
import { EventTime, ForwardEntry } from './forward-decoder';

/** How a path turns forward records into series: `mapping.forward` of the path. */
export interface ForwardMapping {
  /** Measurement of every record; default: the record's tag. */
  measurement: string | null;
  /** Record keys whose values become series tags rather than fields. */
  tags: Set<string>;
  /**
   * Fluentd tag patterns (`*` matches any run of characters) → the node new series of
   * records with such a tag belong to; the first match wins, none: the path's source node.
   */
  nodes: { pattern: TagPattern; nodeId: string }[];
}

/** The node of a tag under the mapping's rules, or null for the path's own. */
export function nodeOfTag(mapping: ForwardMapping, tag: string): string | null {
  for (const rule of mapping.nodes) if (rule.pattern.matches(tag)) return rule.nodeId;
  return null;
}

/** A record with no numeric value, kept in the event log instead of a series. */
export interface ForwardEvent {
  tag: string;
  time: bigint;
  /** The record as JSON (bytes as base64, big integers as text). */
  record: Record<string, unknown>;
  /** Entry number in its message (1-based). */
  entry: number;
}

export interface MappedRecords {
  /** The points of the records with numeric values (line numbers: entry numbers). */
  batch: PointBatch;
  events: ForwardEvent[];
}

const maxNameLength = 200;
const maxFlattenDepth = 8;

/**
 * Reads `mapping.forward` of a path (anything malformed counts as absent). `nodeIds` gives the
 * id of each node reference the rules may name (only nodes the path may write to). Rules past
 * the first maxTagPatterns, and patterns over maxTagPatternLength (the API refuses both; a
 * path stored before it did may hold them), are left out.
 */
export function forwardMappingOf(
  mapping: unknown,
  nodeIds: ReadonlyMap<string, string> = new Map(),
): ForwardMapping {
  const forward =
    typeof mapping === 'object' && mapping !== null
      ? (mapping as Record<string, unknown>).forward
      : undefined;
  const rules =
    typeof forward === 'object' && forward !== null ? (forward as Record<string, unknown>) : {};
  const measurement =
    typeof rules.measurement === 'string' &&
    rules.measurement.length > 0 &&
    rules.measurement.length <= maxNameLength
      ? rules.measurement
      : null;
  const tags = Array.isArray(rules.tags)
    ? rules.tags.filter((t): t is string => typeof t === 'string')
    : [];
  const nodes: ForwardMapping['nodes'] = [];
  if (typeof rules.nodes === 'object' && rules.nodes !== null && !Array.isArray(rules.nodes)) {
    const entries = Object.entries(rules.nodes as Record<string, unknown>);
    for (const [pattern, reference] of entries.slice(0, maxTagPatterns)) {
      const nodeId = typeof reference === 'string' ? nodeIds.get(reference) : undefined;
      if (nodeId && tagPatternProblem(pattern) === null)
        nodes.push({ pattern: new TagPattern(pattern), nodeId });
    }
  }
  return { measurement, tags: new Set(tags), nodes };
}

/** The node references that `mapping.forward.nodes` names. */
export function nodeReferencesOf(mapping: unknown): string[] {
  return Object.values(forwardNodeRules(mapping) ?? {}).filter(
    (r): r is string => typeof r === 'string',
  );
}

/** Postgres text and jsonb cannot hold NUL. */
function clean(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** A value as JSON for the event log. */
function jsonOf(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return clean(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof EventTime) return value.nanoseconds.toString();
  if (value instanceof Date) return value.toISOString();
  if (depth >= maxFlattenDepth) return null;
  if (Array.isArray(value)) return value.map((v) => jsonOf(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[clean(k)] = jsonOf(v, depth + 1);
    return out;
  }
  return null;
}

// A record's fields and tags while it is mapped (reused: no arrays per record).
const fieldKeys: string[] = [];
const fieldTypes: SeriesValueType[] = [];
const fieldValues: (number | bigint | boolean)[] = [];
const tagPairs: [string, string][] = [];
const words = new Int32Array(2);

function collect(
  object: Record<string, unknown>,
  prefix: string,
  depth: number,
  tags: Set<string>,
): void {
  for (const key in object) {
    const value = object[key];
    const name = prefix === '' ? key : prefix + key;
    if (tags.has(name)) {
      if (typeof value === 'string') tagPairs.push([name, value]);
      else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
        tagPairs.push([name, String(value)]);
      continue;
    }
    if (name.length === 0 || name.length > maxNameLength) continue;
    let type: SeriesValueType | null = null;
    if (typeof value === 'number') type = 'float';
    else if (typeof value === 'bigint') type = 'integer';
    else if (typeof value === 'boolean') type = 'boolean';
    else if (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      !(value instanceof Uint8Array) &&
      !(value instanceof EventTime) &&
      depth < maxFlattenDepth
    )
      collect(value as Record<string, unknown>, `${name}.`, depth + 1, tags);
    if (type === null) continue;
    fieldKeys.push(name);
    fieldTypes.push(type);
    fieldValues.push(value as number | bigint | boolean);
  }
}

const byName = (a: [string, string], b: [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

/**
 * Turns the entries of one forward message into points and events. Numbers become float
 * fields (msgpack integers beyond 32 bits, which decode as bigint, integer fields), booleans
 * boolean fields, nested maps dotted keys (`{cpu: {p: 1}}` → `cpu.p`). String values become
 * tags only for keys the mapping lists; a record without any numeric value is an event.
 * Points go straight into a PointBatch (one series per measurement and tag values).
 */
export function mapRecords(
  tag: string,
  entries: readonly ForwardEntry[],
  mapping: ForwardMapping,
  firstLine = 1,
): MappedRecords {
  const measurement = (mapping.measurement ?? tag).slice(0, maxNameLength);
  const nodeId = nodeOfTag(mapping, tag) ?? undefined;
  const batch = new PointBatch(entries.length);
  const events: ForwardEvent[] = [];
  // Records without tags (the usual case) are all one series.
  const plain =
    mapping.tags.size === 0 ? batch.addSeries(measurement, measurement, [], nodeId) : -1;
  for (let i = 0; i < entries.length; i++) {
    const { record, seconds, nanos } = entries[i];
    fieldKeys.length = 0;
    fieldTypes.length = 0;
    fieldValues.length = 0;
    tagPairs.length = 0;
    collect(record, '', 0, mapping.tags);
    if (fieldKeys.length === 0) {
      events.push({
        tag: clean(tag),
        time: entries[i].time,
        record: jsonOf(record) as Record<string, unknown>,
        entry: i + 1,
      });
      continue;
    }
    let series = plain;
    if (series < 0) {
      tagPairs.sort(byName);
      let prefix = measurement;
      for (const [k, v] of tagPairs) prefix += `\u0000${k}\u0000${v}`;
      series = batch.addSeries(prefix, measurement, tagPairs.slice(), nodeId);
    }
    nanosecondWords(seconds, nanos, words);
    const line = firstLine + i;
    for (let f = 0; f < fieldKeys.length; f++) {
      const slot = batch.slot(series, fieldKeys[f], fieldTypes[f]);
      if (fieldTypes[f] === 'float')
        batch.pushFloat(slot, words[0], words[1], fieldValues[f] as number, line);
      else batch.pushOther(slot, words[0], words[1], fieldValues[f], line);
    }
  }
  return { batch, events };
}
