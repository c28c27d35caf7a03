// Rating of one charge: the priced amount of a quantity under a plan's terms (per unit,
// graduated, volume, package; included quantity, minimum, cap). Exact, never rounded here:
// invoice lines round once (money.ts), invoices tax once (invoice-math.ts).
import { assertNever, DomainError, type FieldError } from '@sextant/domain';
import { Money, plainString, scaled, type Dec } from './money';

export const chargeModels = ['per_unit', 'graduated', 'volume', 'package'] as const;
export type ChargeModel = (typeof chargeModels)[number];

/** A price tier; `upTo` is inclusive, the last tier's is null (unbounded). */
export interface Tier {
  upTo: string | null;
  unitPrice: string;
  flatFee?: string;
}

/** A charge's terms as a plan stores them; every number is a decimal string. */
export interface ChargeTerms {
  model: ChargeModel;
  /** per_unit */
  unitPrice?: string;
  /** graduated, volume: ascending by upTo */
  tiers?: Tier[];
  /** package: ceil(billable / packageSize) × packagePrice */
  packageSize?: string;
  packagePrice?: string;
  /** Free units, taken off the quantity first. */
  includedQuantity?: string;
  /** Commitment: the amount is raised to at least this. */
  minimumAmount?: string;
  /** The amount is at most this (applied after the minimum). */
  capAmount?: string;
}

/** One tier as applied to a quantity; `from` is exclusive, `upTo` inclusive. */
export interface AppliedTier {
  from: string;
  upTo: string | null;
  quantity: string;
  unitPrice: string;
  flatFee: string;
  amount: string;
}

export interface RatedCharge {
  /** The quantity as measured (kept even when negative). */
  quantity: string;
  /** The units the (prorated) included quantity covered: quantity = included + billable when >= 0. */
  included: string;
  billable: string;
  /** Exact, NOT rounded. */
  amount: string;
  /** The one unit price of all billable units when there is one (per_unit, volume, one graduated tier). */
  unitPrice: string | null;
  /** The tiers applied; one entry for per_unit, and for package (quantity = packages started). */
  tiers: AppliedTier[];
  minimumApplied: boolean;
  capApplied: boolean;
}

// Plain decimal notation only: plans are written by people and read back by SQL `numeric`.
const decimalPattern = /^-?\d+(\.\d+)?$/;

/** Everything wrong with `terms`, each with its field (e.g. `tiers[1].upTo`); empty when valid. */
export function validateCharge(terms: ChargeTerms): FieldError[] {
  const errors: FieldError[] = [];
  const number = (
    field: string,
    value: unknown,
    rule: 'non-negative' | 'positive',
    required: boolean,
  ): Dec | undefined => {
    if (value === undefined || value === null) {
      if (required) errors.push({ field, reason: 'is required' });
      return undefined;
    }
    if (typeof value !== 'string' || !decimalPattern.test(value)) {
      errors.push({ field, reason: 'must be a decimal number written as a string, e.g. "12.5"' });
      return undefined;
    }
    const d = new Money(value);
    if (rule === 'positive' && !d.gt(0)) errors.push({ field, reason: 'must be greater than 0' });
    if (rule === 'non-negative' && d.isNegative() && !d.isZero()) {
      errors.push({ field, reason: 'must not be negative' });
    }
    return d;
  };

  const model: unknown = terms.model;
  if (!chargeModels.some((m) => m === model)) {
    errors.push({ field: 'model', reason: `must be one of ${chargeModels.join(', ')}` });
  } else {
    const used = fieldsOf(terms.model);
    for (const field of ['unitPrice', 'tiers', 'packageSize', 'packagePrice'] as const) {
      if (terms[field] !== undefined && !used.includes(field)) {
        errors.push({ field, reason: `is not used by the ${terms.model} model` });
      }
    }
    if (used.includes('unitPrice')) number('unitPrice', terms.unitPrice, 'non-negative', true);
    if (used.includes('tiers')) errors.push(...validateTiers(terms.tiers, number));
    if (used.includes('packageSize')) {
      number('packageSize', terms.packageSize, 'positive', true);
      number('packagePrice', terms.packagePrice, 'non-negative', true);
    }
  }

  number('includedQuantity', terms.includedQuantity, 'non-negative', false);
  const minimum = number('minimumAmount', terms.minimumAmount, 'non-negative', false);
  const cap = number('capAmount', terms.capAmount, 'non-negative', false);
  if (minimum && cap && cap.lt(minimum)) {
    errors.push({ field: 'capAmount', reason: 'must not be less than minimumAmount' });
  }
  return errors;
}

type NumberCheck = (
  field: string,
  value: unknown,
  rule: 'non-negative' | 'positive',
  required: boolean,
) => Dec | undefined;

function validateTiers(tiers: unknown, number: NumberCheck): FieldError[] {
  if (!Array.isArray(tiers) || tiers.length === 0) {
    return [{ field: 'tiers', reason: 'at least one tier is required' }];
  }
  const errors: FieldError[] = [];
  let previous: Dec | undefined;
  tiers.forEach((tier: unknown, i) => {
    const at = `tiers[${i}]`;
    if (typeof tier !== 'object' || tier === null) {
      errors.push({ field: at, reason: 'must be an object' });
      return;
    }
    const { upTo, unitPrice, flatFee } = tier as Record<string, unknown>;
    const last = i === tiers.length - 1;
    if (last && upTo !== null) {
      errors.push({ field: `${at}.upTo`, reason: 'the last tier must be unbounded (null)' });
    } else if (!last && upTo === null) {
      errors.push({ field: `${at}.upTo`, reason: 'only the last tier may be unbounded (null)' });
    } else if (!last) {
      const bound = number(`${at}.upTo`, upTo, 'positive', true);
      if (bound && previous && !bound.gt(previous)) {
        errors.push({ field: `${at}.upTo`, reason: `must be greater than tiers[${i - 1}].upTo` });
      }
      // A bad bound does not hide the next tier's order against the last good one.
      if (bound) previous = bound;
    }
    number(`${at}.unitPrice`, unitPrice, 'non-negative', true);
    number(`${at}.flatFee`, flatFee, 'non-negative', false);
  });
  return errors;
}

function fieldsOf(model: ChargeModel): (keyof ChargeTerms)[] {
  switch (model) {
    case 'per_unit':
      return ['unitPrice'];
    case 'graduated':
    case 'volume':
      return ['tiers'];
    case 'package':
      return ['packageSize', 'packagePrice'];
    default:
      return assertNever(model);
  }
}

/**
 * Rates `quantity` under `terms`. `proration` (in (0, 1], default 1) scales the included
 * quantity, the minimum and the cap for a partial period. Throws a ValidationFailed
 * DomainError for invalid terms.
 */
export function rateCharge(
  terms: ChargeTerms,
  quantity: Dec | string,
  proration: Dec | string = '1',
): RatedCharge {
  const errors = validateCharge(terms);
  if (errors.length > 0) throw DomainError.validation(errors);
  const factor = new Money(proration);
  if (!factor.gt(0) || factor.gt(1)) {
    throw new RangeError(`proration must be in (0, 1], got ${plainString(factor)}`);
  }
  const measured = new Money(quantity);
  if (!measured.isFinite()) throw new RangeError(`quantity must be finite, got ${measured}`);

  const allowance = new Money(terms.includedQuantity ?? 0).times(factor);
  // Negative quantities (returns, corrections) bill nothing here; credits are separate lines.
  const used = Money.max(measured, 0);
  const included = Money.min(used, allowance);
  const billable = used.minus(included);

  const priced = price(terms, billable);
  let amount = priced.amount;
  let minimumApplied = false;
  let capApplied = false;
  if (terms.minimumAmount !== undefined) {
    const minimum = new Money(terms.minimumAmount).times(factor);
    if (amount.lt(minimum)) [amount, minimumApplied] = [minimum, true];
  }
  if (terms.capAmount !== undefined) {
    const cap = new Money(terms.capAmount).times(factor);
    if (amount.gt(cap)) [amount, capApplied] = [cap, true];
  }
  return {
    quantity: plainString(measured),
    included: plainString(included),
    billable: plainString(billable),
    amount: plainString(amount),
    unitPrice: priced.unitPrice,
    tiers: priced.tiers,
    minimumApplied,
    capApplied,
  };
}

interface Priced {
  amount: Dec;
  unitPrice: string | null;
  tiers: AppliedTier[];
}

// The amount of `billable` (>= 0) before the minimum and the cap.
function price(terms: ChargeTerms, billable: Dec): Priced {
  switch (terms.model) {
    case 'per_unit': {
      const unitPrice = new Money(terms.unitPrice ?? 0);
      const amount = billable.times(unitPrice);
      const tier = applied(new Money(0), null, billable, unitPrice, new Money(0), amount);
      return { amount, unitPrice: tier.unitPrice, tiers: [tier] };
    }
    case 'graduated':
      return graduated(terms.tiers ?? [], billable);
    case 'volume':
      return volume(terms.tiers ?? [], billable);
    case 'package': {
      const size = new Money(terms.packageSize ?? 1);
      const packagePrice = new Money(terms.packagePrice ?? 0);
      const packages = ceilDiv(billable, size);
      const amount = packages.times(packagePrice);
      const tier = applied(new Money(0), null, packages, packagePrice, new Money(0), amount);
      return { amount, unitPrice: null, tiers: [tier] };
    }
    default:
      return assertNever(terms.model);
  }
}

// Tier i prices the units in (tiers[i-1].upTo, tiers[i].upTo]; its flat fee is due once any
// unit falls in it.
function graduated(tiers: Tier[], billable: Dec): Priced {
  const result: AppliedTier[] = [];
  let amount = new Money(0);
  let from = new Money(0);
  for (const tier of tiers) {
    if (!billable.gt(from)) break;
    const upTo = tier.upTo === null ? null : new Money(tier.upTo);
    const top = upTo === null || billable.lt(upTo) ? billable : upTo;
    const units = top.minus(from);
    const unitPrice = new Money(tier.unitPrice);
    const flatFee = new Money(tier.flatFee ?? 0);
    const tierAmount = units.times(unitPrice).plus(flatFee);
    result.push(applied(from, upTo, units, unitPrice, flatFee, tierAmount));
    amount = amount.plus(tierAmount);
    if (upTo === null) break;
    from = upTo;
  }
  return { amount, unitPrice: result.length === 1 ? result[0].unitPrice : null, tiers: result };
}

// The whole quantity at the one tier that contains it (a quantity equal to upTo is inside).
function volume(tiers: Tier[], billable: Dec): Priced {
  if (billable.isZero()) return { amount: new Money(0), unitPrice: null, tiers: [] };
  let from = new Money(0);
  for (const tier of tiers) {
    const upTo = tier.upTo === null ? null : new Money(tier.upTo);
    if (upTo === null || billable.lte(upTo)) {
      const unitPrice = new Money(tier.unitPrice);
      const flatFee = new Money(tier.flatFee ?? 0);
      const amount = billable.times(unitPrice).plus(flatFee);
      const only = applied(from, upTo, billable, unitPrice, flatFee, amount);
      return { amount, unitPrice: only.unitPrice, tiers: [only] };
    }
    from = upTo;
  }
  // validateCharge guarantees an unbounded last tier.
  throw new Error('volume tiers end without an unbounded tier');
}

function applied(
  from: Dec,
  upTo: Dec | null,
  quantity: Dec,
  unitPrice: Dec,
  flatFee: Dec,
  amount: Dec,
): AppliedTier {
  return {
    from: plainString(from),
    upTo: upTo === null ? null : plainString(upTo),
    quantity: plainString(quantity),
    unitPrice: plainString(unitPrice),
    flatFee: plainString(flatFee),
    amount: plainString(amount),
  };
}

// ceil(a / b) for a >= 0, b > 0, in exact integer arithmetic (a 40-digit quotient could round
// 2.000...01 down to 2).
function ceilDiv(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.decimalPlaces(), b.decimalPlaces());
  const [n, d] = [scaled(a, scale), scaled(b, scale)];
  return new Money(((n + d - 1n) / d).toString());
}
