import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { IngestLine } from '@sextant/ingest';
import { expectWithMessage, sharedDataFile } from '@sextant/testing';
import { parseLineProtocol, precisionUnit } from './parser';

// influxdata/line-protocol-corpus, curated (../shared/data/line-protocol): every decode case,
// ok versus error and every value.
interface CorpusCase {
  input: { text: string | { binary: string }; defaultTime: string; precision: string };
  output: {
    result?: {
      time: string;
      name: string;
      tags: { key: string; value: string }[];
      fields: { key: string; value: Record<string, unknown> }[];
    }[];
    error?: string;
  };
}

const file = sharedDataFile('line-protocol', 'corpus-curated.json');
if (!file) console.log('skipped the line-protocol corpus: shared/data/line-protocol is absent');
// 64-bit integers and timestamps would lose digits as JSON numbers: read them as strings.
const source = file
  ? readFileSync(file, 'utf8').replace(/"(int|uint|time|defaultTime)": (-?\d+)/g, '"$1": "$2"')
  : '{"decode": {}}';
const cases = Object.entries(JSON.parse(source).decode as Record<string, CorpusCase>);

function asCorpus(line: IngestLine) {
  return {
    time: String(line.time),
    name: line.measurement,
    tags: line.tags.map(([key, value]) => ({ key, value })),
    fields: line.fields.map((f) => {
      const kind = {
        float: 'float',
        integer: 'int',
        unsigned: 'uint',
        boolean: 'bool',
        string: 'string',
      }[f.value.type];
      const value = typeof f.value.value === 'bigint' ? String(f.value.value) : f.value.value;
      return { key: f.key, value: { [kind]: value } };
    }),
  };
}

(!file ? describe.skip : describe)('line protocol parser against the curated corpus', () => {
  it('has the corpus cases', () => {
    expect(cases.length).toBe(240);
  });

  it.each(cases)('%s', (_, c) => {
    const bytes =
      typeof c.input.text === 'string'
        ? Buffer.from(c.input.text, 'utf8')
        : Buffer.from(c.input.text.binary, 'base64');
    const unit = precisionUnit(c.input.precision.replace(/^1/, ''));
    expect(unit).not.toBeNull();
    const { batch, errors } = parseLineProtocol(bytes, {
      unit: unit!,
      defaultTime: BigInt(c.input.defaultTime),
    });
    const lines = batch.toLines();
    const allErrors = errors;
    if (c.output.error !== undefined) {
      expectWithMessage(
        allErrors.length,
        `expected an error like: ${c.output.error}`,
      ).toBeGreaterThan(0);
      expect(allErrors[0].message).toBeTruthy();
    } else {
      expect(allErrors).toEqual([]);
      expect(lines.map(asCorpus)).toEqual(c.output.result);
    }
  });
});
