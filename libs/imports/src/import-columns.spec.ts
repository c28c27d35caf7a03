import { parseTurbineScada } from '@sextant/analytics';
import { describe, expect, it } from '@jest/globals';
import { columnOf, parseFile } from './import-columns';

const header =
  'Date/Time,LV ActivePower (kW),Wind Speed (m/s),Theoretical_Power_Curve (KWh),Wind Direction (°)';

describe(parseFile.name, () => {
  it('turns a parser error into a 400 on file naming the line', () => {
    const text = `${header}\n01 01 2018 00:00,1,2,3,4\n01 01 2018 00:10,1,fast,3,4\n`;
    expect(() => parseFile(() => parseTurbineScada(text, 'file'))).toThrow(
      expect.objectContaining({
        code: 'ValidationFailed',
        fieldErrors: [
          { field: 'file', reason: '"fast" is not a number (line 3, column Wind Speed (m/s))' },
        ],
      }),
    );
  });

  it('lets other errors through', () => {
    expect(() =>
      parseFile(() => {
        throw new RangeError('not an input error');
      }),
    ).toThrow(RangeError);
  });
});

describe(columnOf.name, () => {
  const resource = { reference: 'r', name: 'r', unit: 'kW', description: '' };
  const series = {
    measurement: 'm',
    field: 'f',
    tags: {},
    nodeId: 'n',
    resource,
    resourceIds: new Map([['r', 'rid']]),
  };

  it('leaves out rows without a value and dates the others in nanoseconds', () => {
    const { batch } = columnOf([1000, 2000, 3000], Float64Array.of(1, NaN, 3), series);
    expect(batch.times).toEqual([1_000_000_000n, 3_000_000_000n]);
    expect(Array.from(batch.values as Float64Array)).toEqual([1, 3]);
    expect(batch.owner).toEqual({ nodeId: 'n', resourceId: 'rid' });
  });

  it('takes only the rows given, in their order', () => {
    const { batch } = columnOf([1000, 2000, 3000], Float64Array.of(1, 2, 3), series, [2, 0]);
    expect(batch.times).toEqual([3_000_000_000n, 1_000_000_000n]);
    expect(Array.from(batch.values as Float64Array)).toEqual([3, 1]);
  });
});
