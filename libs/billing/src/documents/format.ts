// How amounts, quantities and dates read on a document. Inputs are decimal strings; they are
// rounded with decimal.js (never through a float) and grouped as text.
import Decimal from 'decimal.js';

const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

const DECIMAL = /^[+-]?\d+(\.\d+)?$/;
const DAY_MS = 86_400_000;

function parse(value: string): Decimal {
  if (!DECIMAL.test(value)) throw new RangeError(`"${value}" is not a decimal number`);
  return new Money(value);
}

// "-1234567.5" -> "-1,234,567.5"; a value that rounded to zero loses its sign.
function grouped(fixed: string): string {
  const negative = fixed.startsWith('-');
  const [whole, fraction] = (negative ? fixed.slice(1) : fixed).split('.');
  const sign = negative && /[1-9]/.test(fixed) ? '-' : '';
  const digits = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return fraction === undefined ? sign + digits : `${sign}${digits}.${fraction}`;
}

/** An amount with exactly `minorUnits` decimals (half up) and thousands separators: `1,234.50`. */
export function formatAmount(value: string, minorUnits: number): string {
  return grouped(parse(value).toFixed(minorUnits));
}

/** A unit price: at least `minorUnits` decimals, and every further significant one (`0.0005`). */
export function formatPrice(value: string, minorUnits: number): string {
  const price = parse(value);
  return grouped(price.toFixed(Math.max(minorUnits, price.decimalPlaces())));
}

/** A quantity as given, without trailing zeros, with thousands separators: `1,234,567.5`. */
export function formatQuantity(value: string): string {
  return grouped(parse(value).toFixed());
}

/** A tax rate given as a fraction, as a percentage: `0.2` -> `20%`, `0.077` -> `7.7%`. */
export function formatPercent(rate: string): string {
  return `${parse(rate).times(100).toFixed()}%`;
}

/** Whether an amount is zero (`0`, `0.00`, `-0`). */
export function isZero(value: string): boolean {
  return parse(value).isZero();
}

/** `b - a` as a decimal string (for a report's month-on-month change). */
export function difference(a: string, b: string): string {
  return parse(b).minus(parse(a)).toFixed();
}

/** A UTC calendar day: `2026-11-30`. */
export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A UTC instant to the minute: `2026-11-30 14:05 UTC`. */
export function formatDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 16)} UTC`;
}

const atMidnight = (date: Date) => date.getTime() % DAY_MS === 0;

/**
 * A period [start, end) as people read it: whole UTC days by their first and last day
 * (`2026-11-01 – 2026-11-30`), anything else by its two instants.
 */
export function formatPeriod(start: Date, end: Date): string {
  if (atMidnight(start) && atMidnight(end)) {
    const last = new Date(end.getTime() - DAY_MS);
    return last.getTime() <= start.getTime()
      ? formatDate(start)
      : `${formatDate(start)} – ${formatDate(last)}`;
  }
  return `${formatDate(start)} ${start.toISOString().slice(11, 16)} – ${formatDateTime(end)}`;
}
