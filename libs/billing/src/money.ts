// Exact money: one decimal.js clone for all of billing, ISO 4217 minor units, rounding and the
// split of a rounded amount into parts that add up to it.
import Decimal from 'decimal.js';

/** The decimal type of billing: 40 significant digits, ties rounded away from zero. */
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = InstanceType<typeof Money>;

// ISO 4217 list A: the active codes with minor units (metals, SDR and test codes have none).
// Withdrawn codes (ANG, BGN, CUC, HRK, SLL, ZWL...) are left out on purpose.
const codesByDigits: [digits: number, codes: string][] = [
  [0, 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'],
  [3, 'BHD IQD JOD KWD LYD OMR TND'],
  // Chilean and Uruguayan units of account.
  [4, 'CLF UYW'],
  [
    2,
    'AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
      'CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP ' +
      'GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK ' +
      'LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO ' +
      'NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS ' +
      'SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST ' +
      'XCD XCG YER ZAR ZMW ZWG',
  ],
];
const minorUnitsByCode: ReadonlyMap<string, number> = new Map(
  codesByDigits.flatMap(([digits, codes]) =>
    codes.split(' ').map((code) => [code, digits] as const),
  ),
);

/** Whether `code` is an active ISO 4217 currency code (upper case) that this table knows. */
export function isCurrency(code: string): boolean {
  return minorUnitsByCode.has(code);
}

/** Digits after the decimal point of `currency` (ISO 4217); throws for an unknown code. */
export function minorUnits(currency: string): number {
  const digits = minorUnitsByCode.get(currency);
  if (digits === undefined) throw new Error(`unknown currency code: ${JSON.stringify(currency)}`);
  return digits;
}

/** `amount` rounded to the minor units of `currency`, ties away from zero (-0.005 -> -0.01). */
export function roundMoney(amount: Dec, currency: string): Dec {
  const rounded = new Money(amount).toDecimalPlaces(minorUnits(currency), Money.ROUND_HALF_UP);
  // No negative zero: -0.001 rounds to 0, not -0.
  return rounded.isZero() ? new Money(0) : rounded;
}

/** `amount` rounded to `currency` and written with exactly its minor units, e.g. '1234.50'. */
export function formatAmount(amount: Dec | string, currency: string): string {
  return roundMoney(new Money(amount), currency).toFixed(minorUnits(currency));
}

/** `value` in plain notation (never '1e-7'), as amounts cross APIs. */
export function plainString(value: Dec): string {
  return value.isZero() ? '0' : value.toFixed();
}

/**
 * Splits `total` (already rounded to `currency`) in proportion to `weights` by largest
 * remainder: every part is rounded to minor units and the parts sum exactly to `total`.
 * All-zero weights split equally; ties go to the earlier part, so the result is deterministic.
 */
export function allocate(total: Dec, weights: Dec[], currency: string): Dec[] {
  const digits = minorUnits(currency);
  const exactTotal = new Money(total);
  if (!exactTotal.equals(exactTotal.toDecimalPlaces(digits))) {
    throw new Error(`allocate: total ${plainString(exactTotal)} is not rounded to ${currency}`);
  }
  if (weights.length === 0) throw new Error('allocate: no weights');
  const ws = weights.map((w) => new Money(w));
  ws.forEach((w, i) => {
    if (!w.isFinite() || (w.isNegative() && !w.isZero())) {
      throw new Error(`allocate: weights[${i}] is not a non-negative number`);
    }
  });
  const allZero = ws.every((w) => w.isZero());
  // Weights as integers on one common scale, so that the split is exact integer arithmetic.
  const scale = ws.reduce((most, w) => Math.max(most, w.decimalPlaces()), 0);
  const intWeights = allZero ? ws.map(() => 1n) : ws.map((w) => scaled(w, scale));
  const weightSum = intWeights.reduce((a, b) => a + b, 0n);

  // Split the magnitude in minor units and put the sign back: negative totals mirror positive ones.
  const units = scaled(exactTotal.abs(), digits);
  const shares = intWeights.map((w) => ({
    floor: (units * w) / weightSum,
    rest: (units * w) % weightSum,
  }));
  let left = units - shares.reduce((a, s) => a + s.floor, 0n);
  // The `left` largest remainders get one more minor unit; a stable sort keeps ties in order.
  const order = shares
    .map((s, i) => ({ rest: s.rest, i }))
    .sort((a, b) => (a.rest === b.rest ? 0 : a.rest > b.rest ? -1 : 1));
  const parts = shares.map((s) => s.floor);
  for (const { i } of order) {
    if (left === 0n) break;
    parts[i] += 1n;
    left -= 1n;
  }
  const sign = exactTotal.isNegative() ? -1 : 1;
  return parts.map((p) => {
    const part = new Money(`${p}e-${digits}`).times(sign);
    return part.isZero() ? new Money(0) : part;
  });
}

/** `value` × 10^scale as a bigint; `value` must have at most `scale` decimal places. */
export function scaled(value: Dec, scale: number): bigint {
  const [whole, fraction = ''] = value.toFixed(scale).split('.');
  return BigInt(whole + fraction);
}
