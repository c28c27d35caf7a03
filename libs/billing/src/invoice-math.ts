// An invoice's totals: lines are rounded one by one (when rated), tax is computed once on the
// subtotal, never per line (per-line tax drifts by up to half a minor unit per line).
import { formatAmount, minorUnits, Money, roundMoney, type Dec } from './money';

export interface Totals {
  subtotal: string;
  tax: string;
  total: string;
}

/** Subtotal of the already-rounded `lineAmounts`, tax = round(subtotal × `taxRate`), and total. */
export function invoiceTotals(
  lineAmounts: (Dec | string)[],
  taxRate: Dec | string,
  currency: string,
): Totals {
  const digits = minorUnits(currency);
  const rate = new Money(taxRate);
  if (!rate.isFinite() || rate.isNegative()) {
    throw new RangeError(`tax rate must not be negative, got ${rate.toFixed()}`);
  }
  let subtotal = new Money(0);
  lineAmounts.forEach((line, i) => {
    const amount = new Money(line);
    // Rounding here would hide a line that was never rounded on the invoice.
    if (!amount.equals(amount.toDecimalPlaces(digits))) {
      throw new RangeError(`line ${i} (${amount.toFixed()}) is not rounded to ${currency}`);
    }
    subtotal = subtotal.plus(amount);
  });
  const tax = roundMoney(subtotal.times(rate), currency);
  return {
    subtotal: formatAmount(subtotal, currency),
    tax: formatAmount(tax, currency),
    total: formatAmount(subtotal.plus(tax), currency),
  };
}
