// Property test: rateCharge against a deliberately naive rating written here with plain BigInt
// fixed-point numbers (no decimal.js, none of the library's code). Every case has its own seed;
// a failure prints the seed and the case. Another run: BILLING_PROPERTY_SEED=123 npx jest ...
import { describe, expect, it } from '@jest/globals';
import {
  rateCharge,
  validateCharge,
  type ChargeModel,
  type ChargeTerms,
  type Tier,
} from './charges';

const baseSeed = Number(process.env.BILLING_PROPERTY_SEED ?? 20261208);
const caseCount = 2000;

// A fixed-point number: n × 10^-s.
interface Fixed {
  n: bigint;
  s: number;
}

const fx = (text: string): Fixed => {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const n = BigInt(whole + fraction);
  return { n: negative ? -n : n, s: fraction.length };
};
const zero: Fixed = { n: 0n, s: 0 };
const rescale = (a: Fixed, s: number): bigint => a.n * 10n ** BigInt(s - a.s);
const add = (a: Fixed, b: Fixed): Fixed => {
  const s = Math.max(a.s, b.s);
  return { n: rescale(a, s) + rescale(b, s), s };
};
const sub = (a: Fixed, b: Fixed): Fixed => add(a, { n: -b.n, s: b.s });
const mul = (a: Fixed, b: Fixed): Fixed => ({ n: a.n * b.n, s: a.s + b.s });
const cmp = (a: Fixed, b: Fixed): number => {
  const d = sub(a, b).n;
  return d === 0n ? 0 : d < 0n ? -1 : 1;
};
const min = (a: Fixed, b: Fixed): Fixed => (cmp(a, b) <= 0 ? a : b);
const max = (a: Fixed, b: Fixed): Fixed => (cmp(a, b) >= 0 ? a : b);
// ceil(a / b) for a >= 0, b > 0.
const ceilDiv = (a: Fixed, b: Fixed): Fixed => {
  const s = Math.max(a.s, b.s);
  const [x, y] = [rescale(a, s), rescale(b, s)];
  return { n: (x + y - 1n) / y, s: 0 };
};
const text = (a: Fixed): string => {
  const negative = a.n < 0n;
  const digits = (negative ? -a.n : a.n).toString().padStart(a.s + 1, '0');
  const whole = digits.slice(0, digits.length - a.s);
  const fraction = digits.slice(digits.length - a.s);
  return normalise(`${negative ? '-' : ''}${whole}${fraction ? '.' + fraction : ''}`);
};
// Canonical decimal text: no trailing fractional zeros, no '-0'. Exponents are left alone (and
// then never match).
const normalise = (value: string): string => {
  let out = value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
  if (/^-0(\.0*)?$/.test(out)) out = '0';
  return out;
};

interface Expected {
  included: string;
  billable: string;
  amount: string;
}

// The naive rating, straight from the definitions.
function naive(terms: ChargeTerms, quantity: string, proration: string | undefined): Expected {
  const factor = fx(proration ?? '1');
  const q = fx(quantity);
  const used = max(q, zero);
  const included = min(used, mul(fx(terms.includedQuantity ?? '0'), factor));
  const billable = sub(used, included);
  let amount = zero;
  const tiers = terms.tiers ?? [];
  if (terms.model === 'per_unit') {
    amount = mul(billable, fx(terms.unitPrice ?? '0'));
  } else if (terms.model === 'graduated') {
    // Each tier: the units of billable that fall in (lower, upper], clamped; no early exit.
    let lower = zero;
    for (const tier of tiers) {
      const upper = tier.upTo === null ? billable : fx(tier.upTo);
      const inTier = max(zero, sub(min(billable, upper), lower));
      if (inTier.n > 0n) {
        amount = add(amount, add(mul(inTier, fx(tier.unitPrice)), fx(tier.flatFee ?? '0')));
      }
      lower = max(lower, upper);
    }
  } else if (terms.model === 'volume') {
    const tier = tiers.find((t) => t.upTo === null || cmp(billable, fx(t.upTo)) <= 0);
    if (tier && billable.n > 0n) {
      amount = add(mul(billable, fx(tier.unitPrice)), fx(tier.flatFee ?? '0'));
    }
  } else {
    const packages = ceilDiv(billable, fx(terms.packageSize ?? '1'));
    amount = mul(packages, fx(terms.packagePrice ?? '0'));
  }
  if (terms.minimumAmount !== undefined) amount = max(amount, mul(fx(terms.minimumAmount), factor));
  if (terms.capAmount !== undefined) amount = min(amount, mul(fx(terms.capAmount), factor));
  return { included: text(included), billable: text(billable), amount: text(amount) };
}

// mulberry32: a small seeded PRNG.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  terms: ChargeTerms;
  quantity: string;
  proration?: string;
}

const models: ChargeModel[] = ['per_unit', 'graduated', 'volume', 'package'];

function generate(seed: number, model: ChargeModel): Case {
  const random = prng(seed);
  const int = (below: number) => Math.floor(random() * below);
  // A non-negative decimal below `below` with up to `maxDigits` decimals (sometimes trailing 0s).
  const decimal = (below: number, maxDigits: number): string => {
    const digits = int(maxDigits + 1);
    const whole = int(below).toString();
    if (digits === 0) return whole;
    return `${whole}.${Array.from({ length: digits }, () => int(10)).join('')}`;
  };
  const price = () => decimal(random() < 0.5 ? 2 : 100, 6);

  const terms: ChargeTerms = { model };
  const bounds: string[] = [];
  if (model === 'per_unit') terms.unitPrice = price();
  if (model === 'graduated' || model === 'volume') {
    const tiers: Tier[] = [];
    const count = 1 + int(5);
    let upTo = zero;
    for (let i = 0; i < count; i++) {
      const last = i === count - 1;
      if (!last) {
        // Integer or decimal steps; never 0, so the bounds ascend strictly.
        const step = random() < 0.5 ? `${1 + int(1000)}` : `${int(50)}.${1 + int(999)}`;
        upTo = add(upTo, fx(step));
        bounds.push(text(upTo));
      }
      const tier: Tier = { upTo: last ? null : text(upTo), unitPrice: price() };
      if (random() < 0.3) tier.flatFee = decimal(50, 6);
      tiers.push(tier);
    }
    terms.tiers = tiers;
  }
  if (model === 'package') {
    terms.packageSize = random() < 0.6 ? `${1 + int(500)}` : `${int(20)}.${1 + int(99)}`;
    terms.packagePrice = price();
    const size = fx(terms.packageSize);
    for (let k = 1; k <= 5; k++) bounds.push(text(mul(size, fx(`${k}`))));
  }
  if (random() < 0.3) terms.includedQuantity = decimal(200, 3);
  const minimum = random() < 0.25 ? decimal(500, 6) : undefined;
  if (minimum !== undefined) terms.minimumAmount = minimum;
  if (random() < 0.25) {
    terms.capAmount = text(add(fx(minimum ?? '0'), fx(decimal(2000, 6))));
  }
  const prorations = ['1', '0.5', '0.25', '0.125', '0.2', '0.75', '0.04'];
  const proration = random() < 0.3 ? prorations[int(prorations.length)] : undefined;

  // Billable quantities exactly on a bound (or just past it) are the interesting ones.
  const allowance = mul(fx(terms.includedQuantity ?? '0'), fx(proration ?? '1'));
  let quantity: string;
  const roll = random();
  if (roll < 0.35 && bounds.length > 0) {
    const target = fx(bounds[int(bounds.length)]);
    const nudge = random() < 0.25 ? fx('0.0001') : zero;
    quantity = text(add(add(target, nudge), allowance));
  } else if (roll < 0.4) {
    quantity = text(allowance); // billable exactly 0
  } else if (roll < 0.45) {
    quantity = `-${decimal(100, 4)}`;
  } else {
    quantity = decimal(random() < 0.5 ? 100 : 20000, 4);
  }
  return proration === undefined ? { terms, quantity } : { terms, quantity, proration };
}

describe('rateCharge (property)', () => {
  it(`matches a naive BigInt rating on ${caseCount} random charges of every model (seed ${baseSeed})`, () => {
    const failures: string[] = [];
    const seen = new Set<ChargeModel>();
    let onBounds = 0;
    for (let i = 0; i < caseCount; i++) {
      const seed = baseSeed + i;
      const model = models[i % models.length];
      const c = generate(seed, model);
      seen.add(model);
      const report = (problem: string) =>
        failures.push(`seed ${seed}: ${problem}; case ${JSON.stringify(c)}`);
      const invalid = validateCharge(c.terms);
      if (invalid.length > 0) {
        report(`generated invalid terms ${JSON.stringify(invalid)}`);
        continue;
      }
      const expected = naive(c.terms, c.quantity, c.proration);
      if ((c.terms.tiers ?? []).some((t) => t.upTo === expected.billable)) onBounds++;
      try {
        const rated = rateCharge(c.terms, c.quantity, c.proration);
        const actual = {
          included: normalise(rated.included),
          billable: normalise(rated.billable),
          amount: normalise(rated.amount),
        };
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          report(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
        }
      } catch (error) {
        report(`threw ${String(error)}`);
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect([...seen].sort()).toEqual([...models].sort());
    // The generator really hits tier bounds exactly (about 35% of 1000 tiered cases aim at one).
    expect(onBounds).toBeGreaterThan(100);
  });
});
