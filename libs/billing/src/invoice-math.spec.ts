import { describe, expect, it } from '@jest/globals';
import { invoiceTotals } from './invoice-math';
import { Money, roundMoney } from './money';

// What per-line taxing would give: each line's tax rounded, then summed.
const perLineTax = (lines: string[], rate: string, currency: string) =>
  lines
    .map((line) => roundMoney(new Money(line).times(rate), currency))
    .reduce((a, b) => a.plus(b), new Money(0))
    .toFixed();

describe('invoiceTotals', () => {
  it.each([
    // Three rated amounts of 0.333 EUR, each rounded to 0.33 on its line. Subtotal 0.99;
    // 0.99 × 0.25 = 0.2475 -> 0.25, where per-line tax is 3 × round(0.0825) = 3 × 0.08 = 0.24.
    [['0.33', '0.33', '0.33'], '0.25', 'EUR', '0.99', '0.25', '1.24', '0.24'],
    // 30 × 0.25 = 7.5 -> 8; per line 3 × round(2.5) = 3 × 3 = 9.
    [['10', '10', '10'], '0.25', 'JPY', '30', '8', '38', '9'],
    // 0.999 × 0.25 = 0.24975 -> 0.250; per line 3 × round(0.08325) = 3 × 0.083 = 0.249.
    [['0.333', '0.333', '0.333'], '0.25', 'KWD', '0.999', '0.250', '1.249', '0.249'],
  ])(
    'taxes %j at %s %s once on the subtotal',
    (lines, rate, currency, subtotal, tax, total, lineTaxes) => {
      expect(invoiceTotals(lines, rate, currency)).toEqual({ subtotal, tax, total });
      // The per-line way really differs for these lines.
      expect(perLineTax(lines, rate, currency)).toBe(lineTaxes);
      expect(new Money(lineTaxes).equals(tax)).toBe(false);
    },
  );

  it.each([
    [[], '0.2', 'EUR', '0.00', '0.00', '0.00'],
    [['100.00', '-20.00'], '0.2', 'EUR', '80.00', '16.00', '96.00'], // a credit line counts
    [['-0.03'], '0.5', 'EUR', '-0.03', '-0.02', '-0.05'], // -0.015 rounds away from zero
    [['19.99'], '0', 'EUR', '19.99', '0.00', '19.99'],
    [[new Money('1234.5')], '0.077', 'CHF', '1234.50', '95.06', '1329.56'], // 95.0565 -> 95.06
  ])('%j at %s %s', (lines, rate, currency, subtotal, tax, total) => {
    expect(invoiceTotals(lines, rate, currency)).toEqual({ subtotal, tax, total });
  });

  it('refuses lines that were not rounded, a negative rate and unknown currencies', () => {
    expect(() => invoiceTotals(['0.33', '0.333'], '0.25', 'EUR')).toThrow(
      'line 1 (0.333) is not rounded to EUR',
    );
    expect(() => invoiceTotals(['1'], '-0.1', 'EUR')).toThrow('tax rate');
    expect(() => invoiceTotals(['1'], '0.1', 'XYZ')).toThrow('XYZ');
  });
});
