import { describe, expect, it } from '@jest/globals';
import {
  currencyDigits,
  formatDecimal,
  formatMoney,
  formatPrice,
  formatQuantity,
  formatRate,
} from './format';

describe(formatDecimal.name, () => {
  it.each([
    ['1234.565', 2, '1,234.57'],
    ['1234.564', 2, '1,234.56'],
    ['0.995', 2, '1.00'],
    ['999999.995', 2, '1,000,000.00'],
    // Ties away from zero, as the API rounds.
    ['-2.345', 2, '-2.35'],
    // No negative zero.
    ['-0.004', 2, '0.00'],
    ['12', 2, '12.00'],
    ['.5', 0, '1'],
    ['1234567', 0, '1,234,567'],
    ['1.2345', 3, '1.235'],
    // More digits than a float keeps.
    ['12345678901234567890.125', 2, '12,345,678,901,234,567,890.13'],
    ['abc', 2, 'abc'],
  ])('%s to %i places is %s', (value, digits, expected) => {
    expect(formatDecimal(value, digits)).toBe(expected);
  });
});

describe(formatMoney.name, () => {
  it('uses the minor units of the currency', () => {
    expect(currencyDigits('EUR')).toBe(2);
    expect(formatMoney('1234.5', 'EUR')).toBe('1,234.50 EUR');
    expect(formatMoney('1234.5', 'JPY')).toBe('1,235 JPY');
    expect(formatMoney('1.2345', 'BHD')).toBe('1.235 BHD');
  });
});

describe(formatQuantity.name, () => {
  it.each([
    ['1500000', '1,500,000'],
    ['12.500', '12.5'],
    ['0.000001', '0.000001'],
  ])('%s is %s', (value, expected) => expect(formatQuantity(value)).toBe(expected));
});

describe(formatRate.name, () => {
  it.each([
    ['0.2', '20 %'],
    ['0.055', '5.5 %'],
    ['0', '0 %'],
    ['1', '100 %'],
  ])('%s is %s', (value, expected) => expect(formatRate(value)).toBe(expected));
});

describe(formatPrice.name, () => {
  it.each([
    ['0.000002', 'EUR', '0.000002 EUR'],
    ['1.5000000000', 'EUR', '1.50 EUR'],
    ['12', 'JPY', '12 JPY'],
    ['0.0300', 'KWD', '0.030 KWD'],
    ['1234.56789', 'EUR', '1,234.56789 EUR'],
  ])('shows %s %s as %s, keeping every significant digit', (amount, currency, shown) => {
    expect(formatPrice(amount, currency)).toBe(shown);
  });
});
