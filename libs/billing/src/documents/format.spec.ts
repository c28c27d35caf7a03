import { describe, expect, it } from '@jest/globals';
import {
  formatAmount,
  formatDateTime,
  formatPercent,
  formatPeriod,
  formatPrice,
  formatQuantity,
} from './format';

describe(formatAmount.name, () => {
  it.each([
    ['1234.5', 2, '1,234.50'],
    ['12345', 0, '12,345'],
    ['1.235', 3, '1.235'],
    ['1.2345', 3, '1.235'], // half up
    ['1.2344', 3, '1.234'],
    ['-1.2345', 3, '-1.235'], // half away from zero
    ['-12.5', 2, '-12.50'],
    ['-0.001', 2, '0.00'], // rounded to zero: no sign
    ['999999.995', 2, '1,000,000.00'],
    ['0', 2, '0.00'],
    ['123', 2, '123.00'],
    ['+1000', 0, '1,000'],
    // beyond a float's 15-16 significant digits
    ['12345678901234567890.125', 2, '12,345,678,901,234,567,890.13'],
  ])('writes %s with %i decimals as %s', (value, minorUnits, shown) => {
    expect(formatAmount(value, minorUnits)).toBe(shown);
  });

  it.each(['1e3', '1,000', 'abc', '', '.5', 'NaN', 'Infinity'])('rejects %j', (value) => {
    expect(() => formatAmount(value, 2)).toThrow(RangeError);
  });
});

describe(formatPrice.name, () => {
  it.each([
    ['0.0005', 2, '0.0005'],
    ['0.90', 2, '0.90'],
    ['0.9', 2, '0.90'],
    ['1500', 2, '1,500.00'],
    ['0.00050', 2, '0.0005'], // trailing zeros past the minor unit go
    ['7', 0, '7'],
  ])('writes %s with at least %i decimals as %s', (value, minorUnits, shown) => {
    expect(formatPrice(value, minorUnits)).toBe(shown);
  });
});

describe(formatQuantity.name, () => {
  it.each([
    ['1250000', '1,250,000'],
    ['512.50', '512.5'],
    ['0', '0'],
    ['-3', '-3'],
  ])('writes %s as %s', (value, shown) => {
    expect(formatQuantity(value)).toBe(shown);
  });
});

describe(formatPercent.name, () => {
  it.each([
    ['0.2', '20%'],
    ['0.20', '20%'],
    ['0.077', '7.7%'],
    ['0', '0%'],
    ['0.19', '19%'],
  ])('writes the rate %s as %s', (rate, shown) => {
    expect(formatPercent(rate)).toBe(shown);
  });
});

describe(formatPeriod.name, () => {
  it.each([
    ['2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', '2026-11-01 – 2026-11-30'],
    ['2026-11-07T00:00:00Z', '2026-11-08T00:00:00Z', '2026-11-07'],
    ['2026-11-07T06:00:00Z', '2026-11-08T06:00:00Z', '2026-11-07 06:00 – 2026-11-08 06:00 UTC'],
  ])('writes [%s, %s) as %s', (start, end, shown) => {
    expect(formatPeriod(new Date(start), new Date(end))).toBe(shown);
  });
});

describe(formatDateTime.name, () => {
  it('writes an instant to the minute in UTC', () => {
    expect(formatDateTime(new Date('2026-12-02T03:04:59.999Z'))).toBe('2026-12-02 03:04 UTC');
  });
});
