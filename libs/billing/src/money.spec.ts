import { describe, expect, it } from '@jest/globals';
import {
  allocate,
  formatAmount,
  isCurrency,
  minorUnits,
  Money,
  plainString,
  roundMoney,
  type Dec,
} from './money';

const strings = (parts: Dec[]) => parts.map((p) => plainString(p));

describe('minorUnits', () => {
  it.each([
    ['JPY', 0],
    ['KRW', 0],
    ['ISK', 0],
    ['CLP', 0],
    ['VND', 0],
    ['XAF', 0],
    ['XOF', 0],
    ['EUR', 2],
    ['USD', 2],
    ['GBP', 2],
    ['CHF', 2],
    ['KWD', 3],
    ['BHD', 3],
    ['IQD', 3],
    ['JOD', 3],
    ['LYD', 3],
    ['OMR', 3],
    ['TND', 3],
    ['CLF', 4],
  ])('%s has %i digits', (code, digits) => {
    expect(minorUnits(code)).toBe(digits);
    expect(isCurrency(code)).toBe(true);
  });

  it.each(['XYZ', 'eur', '', 'XAU', 'HRK'])('throws for %j, naming the code', (code) => {
    expect(isCurrency(code)).toBe(false);
    expect(() => minorUnits(code)).toThrow(`unknown currency code: ${JSON.stringify(code)}`);
  });
});

describe('roundMoney', () => {
  it.each([
    ['0.005', 'EUR', '0.01'],
    ['-0.005', 'EUR', '-0.01'], // half away from zero, not towards +infinity
    ['0.00499999', 'EUR', '0'],
    ['-0.004', 'EUR', '0'], // no negative zero
    ['1.235', 'EUR', '1.24'],
    ['-1.235', 'EUR', '-1.24'],
    ['2.5', 'JPY', '3'],
    ['-2.5', 'JPY', '-3'],
    ['0.4999', 'JPY', '0'],
    ['1234.4999', 'JPY', '1234'],
    ['0.0005', 'KWD', '0.001'],
    ['-0.0005', 'KWD', '-0.001'],
    ['1.2344999', 'KWD', '1.234'],
    ['10', 'KWD', '10'],
  ])('%s %s -> %s', (amount, currency, expected) => {
    expect(plainString(roundMoney(new Money(amount), currency))).toBe(expected);
  });
});

describe('formatAmount', () => {
  it.each([
    ['1234.5', 'EUR', '1234.50'],
    ['1234.5', 'JPY', '1235'], // rounded half-up to no decimals
    ['1234.5', 'KWD', '1234.500'],
    ['-0.001', 'EUR', '0.00'],
    ['-7.125', 'EUR', '-7.13'],
    ['0', 'BHD', '0.000'],
    ['1e21', 'USD', '1000000000000000000000.00'], // never exponent notation
  ])('%s %s -> %s', (amount, currency, expected) => {
    expect(formatAmount(amount, currency)).toBe(expected);
  });
});

describe('allocate', () => {
  it.each([
    // 100.00 in thirds: 33.333... each, the first remainder-tie gets the extra cent.
    ['100.00', ['1', '1', '1'], 'EUR', ['33.34', '33.33', '33.33']],
    // 10 × 0.5/0.3/0.2 exactly.
    ['10.00', ['0.5', '0.3', '0.2'], 'EUR', ['5', '3', '2']],
    // Exact shares 0.005 and 0.005: the tie goes to the earlier part.
    ['0.01', ['1', '1'], 'EUR', ['0.01', '0']],
    // Zero weights get nothing.
    ['7', ['0', '2', '0', '1'], 'JPY', ['0', '5', '0', '2']], // 4.666 -> 5, 2.333 -> 2
    // All-zero weights: equal split.
    ['1.000', ['0', '0', '0'], 'KWD', ['0.334', '0.333', '0.333']],
    // Negative totals mirror positive ones.
    ['-100.00', ['1', '1', '1'], 'EUR', ['-33.34', '-33.33', '-33.33']],
    // Largest remainder wins: shares 1.6, 1.3, 1.1 -> floors 1,1,1 and 1 unit left for the 0.6.
    ['4', ['16', '13', '11'], 'JPY', ['2', '1', '1']],
    ['0', ['1', '2'], 'EUR', ['0', '0']],
  ])('%s by %j in %s -> %j', (total, weights, currency, expected) => {
    const parts = allocate(
      new Money(total),
      weights.map((w) => new Money(w)),
      currency,
    );
    expect(strings(parts)).toEqual(expected);
  });

  it('rejects an unrounded total, negative weights and no weights', () => {
    expect(() => allocate(new Money('1.005'), [new Money(1)], 'EUR')).toThrow('not rounded');
    expect(() => allocate(new Money('1'), [new Money(1), new Money(-1)], 'EUR')).toThrow(
      'weights[1]',
    );
    expect(() => allocate(new Money('1'), [], 'EUR')).toThrow('no weights');
  });

  it('sums exactly, rounds every part and stays within a minor unit of the exact share, over random inputs', () => {
    const random = mulberry32(20261208);
    const currencies = ['EUR', 'JPY', 'KWD'];
    for (let n = 0; n < 1000; n++) {
      const currency = currencies[n % currencies.length];
      const digits = minorUnits(currency);
      const sign = random() < 0.3 ? '-' : '';
      const total = new Money(`${sign}${Math.floor(random() * 1e9)}e-${digits}`);
      const count = 1 + Math.floor(random() * 8);
      const weights = Array.from({ length: count }, () =>
        random() < 0.2 ? new Money(0) : new Money(`${Math.floor(random() * 1e7)}e-3`),
      );
      const parts = allocate(total, weights, currency);
      const context = `case ${n}: ${plainString(total)} ${currency} by ${strings(weights).join(',')}`;

      const sum = parts.reduce((a, b) => a.plus(b), new Money(0));
      expect({ context, sum: plainString(sum) }).toEqual({ context, sum: plainString(total) });
      const weightSum = weights.reduce((a, b) => a.plus(b), new Money(0));
      const unit = new Money(10).pow(-digits);
      parts.forEach((part, i) => {
        expect({ context, i, rounded: part.equals(part.toDecimalPlaces(digits)) }).toEqual({
          context,
          i,
          rounded: true,
        });
        const share = weightSum.isZero()
          ? total.div(count)
          : total.times(weights[i]).div(weightSum);
        expect({ context, i, close: part.minus(share).abs().lt(unit) }).toEqual({
          context,
          i,
          close: true,
        });
      });
      // Deterministic: the same inputs give the same parts.
      expect(strings(allocate(total, weights, currency))).toEqual(strings(parts));
    }
  });
});

// A small seeded PRNG (mulberry32), so a failure can be replayed.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
