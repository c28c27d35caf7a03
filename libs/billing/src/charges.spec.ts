import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@sextant/domain';
import { rateCharge, validateCharge, type ChargeTerms, type Tier } from './charges';
import { Money } from './money';

// 0.10 up to 100 units, 0.08 (+5 flat) up to 1000, 0.05 above.
const tiers: Tier[] = [
  { upTo: '100', unitPrice: '0.10' },
  { upTo: '1000', unitPrice: '0.08', flatFee: '5' },
  { upTo: null, unitPrice: '0.05' },
];
const perUnit: ChargeTerms = { model: 'per_unit', unitPrice: '0.0125' };
const graduated: ChargeTerms = { model: 'graduated', tiers };
const volume: ChargeTerms = { model: 'volume', tiers };
const pack: ChargeTerms = { model: 'package', packageSize: '100', packagePrice: '7.5' };

describe('rateCharge', () => {
  it.each([
    ['0', '0'],
    ['3', '0.0375'],
    ['1234.5', '15.43125'], // 1234.5 × 0.0125, not rounded
    ['-5', '0'],
  ])('per_unit at 0.0125: %s -> %s', (quantity, amount) => {
    const rated = rateCharge(perUnit, quantity);
    expect(rated.amount).toBe(amount);
    expect(rated.unitPrice).toBe('0.0125');
    expect(rated.tiers).toEqual([
      {
        from: '0',
        upTo: null,
        quantity: rated.billable,
        unitPrice: '0.0125',
        flatFee: '0',
        amount,
      },
    ]);
  });

  it.each([
    ['0', '0', 0], // no unit in any tier: not even the first tier's price applies
    ['50', '5', 1],
    ['100', '10', 1], // exactly on the bound: all in tier 1
    ['100.5', '15.04', 2], // 10 + 0.5 × 0.08 + 5 flat
    ['101', '15.08', 2], // 10 + 1 × 0.08 + 5
    ['1000', '87', 2], // 10 + 900 × 0.08 + 5
    ['1001', '87.05', 3], // 87 + 1 × 0.05
    ['2500', '162', 3], // 87 + 1500 × 0.05
  ])('graduated: %s -> %s over %i tiers', (quantity, amount, tierCount) => {
    const rated = rateCharge(graduated, quantity);
    expect(rated.amount).toBe(amount);
    expect(rated.tiers).toHaveLength(tierCount);
  });

  it('lists the graduated tiers it applied', () => {
    expect(rateCharge(graduated, '1001').tiers).toEqual([
      { from: '0', upTo: '100', quantity: '100', unitPrice: '0.1', flatFee: '0', amount: '10' },
      { from: '100', upTo: '1000', quantity: '900', unitPrice: '0.08', flatFee: '5', amount: '77' },
      { from: '1000', upTo: null, quantity: '1', unitPrice: '0.05', flatFee: '0', amount: '0.05' },
    ]);
    // Several prices apply: no single unit price.
    expect(rateCharge(graduated, '1001').unitPrice).toBeNull();
    expect(rateCharge(graduated, '40').unitPrice).toBe('0.1');
  });

  it.each([
    ['0', '0', null],
    ['50', '5', '0.1'],
    ['100', '10', '0.1'], // exactly on the bound: tier 1's price for all
    ['100.5', '13.04', '0.08'], // 100.5 × 0.08 + 5 flat
    ['1000', '85', '0.08'], // 1000 × 0.08 + 5
    ['1001', '50.05', '0.05'], // 1001 × 0.05: one more unit makes the whole bill cheaper
    ['2500', '125', '0.05'],
  ])('volume: %s -> %s at %s', (quantity, amount, unitPrice) => {
    const rated = rateCharge(volume, quantity);
    expect(rated.amount).toBe(amount);
    expect(rated.unitPrice).toBe(unitPrice);
    expect(rated.tiers).toHaveLength(quantity === '0' ? 0 : 1);
  });

  it('lists the volume tier it applied', () => {
    expect(rateCharge(volume, '1000').tiers).toEqual([
      {
        from: '100',
        upTo: '1000',
        quantity: '1000',
        unitPrice: '0.08',
        flatFee: '5',
        amount: '85',
      },
    ]);
  });

  it.each([
    ['0', '0', '0'],
    ['1', '7.5', '1'], // a started package is a whole package
    ['100', '7.5', '1'],
    ['100.01', '15', '2'],
    ['250', '22.5', '3'],
    ['-3', '0', '0'],
  ])('package of 100 at 7.5: %s -> %s (%s packages)', (quantity, amount, packages) => {
    const rated = rateCharge(pack, quantity);
    expect(rated.amount).toBe(amount);
    expect(rated.unitPrice).toBeNull();
    expect(rated.tiers).toEqual([
      { from: '0', upTo: null, quantity: packages, unitPrice: '7.5', flatFee: '0', amount },
    ]);
  });

  it.each([
    // [terms, quantity, included, billable, amount]
    [{ ...perUnit, unitPrice: '2', includedQuantity: '10' }, '4', '4', '0', '0'],
    [{ ...perUnit, unitPrice: '2', includedQuantity: '10' }, '10', '10', '0', '0'],
    [{ ...perUnit, unitPrice: '2', includedQuantity: '10' }, '15', '10', '5', '10'],
    // The included units come off first, then the tiers start again from 0: 50 × 0.10.
    [{ ...graduated, includedQuantity: '100' }, '150', '100', '50', '5'],
    // Volume picks its tier by the billable quantity (50), not the measured one (150).
    [{ ...volume, includedQuantity: '100' }, '150', '100', '50', '5'],
    [{ ...pack, includedQuantity: '100' }, '101', '100', '1', '7.5'],
    [{ ...perUnit, unitPrice: '2', includedQuantity: '10' }, '-5', '0', '0', '0'],
  ] as [ChargeTerms, string, string, string, string][])(
    'included quantity: %j at %s',
    (terms, quantity, included, billable, amount) => {
      expect(rateCharge(terms, quantity)).toMatchObject({ quantity, included, billable, amount });
    },
  );

  // 2 per unit, minimum 50, cap 100.
  const committed: ChargeTerms = {
    model: 'per_unit',
    unitPrice: '2',
    minimumAmount: '50',
    capAmount: '100',
  };
  it.each([
    ['0', '50', true, false], // the commitment is due without usage
    ['10', '50', true, false], // 20 raised to 50
    ['25', '50', false, false], // exactly the minimum: not raised
    ['30', '60', false, false],
    ['50', '100', false, false], // exactly the cap
    ['80', '100', false, true], // 160 capped
    ['-10', '50', true, false],
  ])('minimum 50, cap 100: %s -> %s', (quantity, amount, minimumApplied, capApplied) => {
    expect(rateCharge(committed, quantity)).toMatchObject({ amount, minimumApplied, capApplied });
  });

  it('applies the cap after the minimum when both are equal', () => {
    const fixed: ChargeTerms = { ...committed, capAmount: '50' };
    expect(rateCharge(fixed, '0')).toMatchObject({ amount: '50', minimumApplied: true });
    expect(rateCharge(fixed, '100')).toMatchObject({
      amount: '50',
      minimumApplied: false,
      capApplied: true,
    });
  });

  // Proration 0.5: included 10 -> 5, minimum 50 -> 25, cap 100 -> 50.
  const prorated: ChargeTerms = { ...committed, includedQuantity: '10' };
  it.each([
    ['5', '5', '0', '25', true, false], // all included; minimum 25
    ['20', '5', '15', '30', false, false], // 15 × 2
    ['40', '5', '35', '50', false, true], // 70 capped at 50
  ])(
    'proration 0.5: %s -> included %s, billable %s, amount %s',
    (quantity, included, billable, amount, minimumApplied, capApplied) => {
      expect(rateCharge(prorated, quantity, '0.5')).toMatchObject({
        included,
        billable,
        amount,
        minimumApplied,
        capApplied,
      });
    },
  );

  it('prorates by a Dec factor and defaults to the whole period', () => {
    // 10 of 30 days: the factor is 0.333... to 40 significant digits, and 50 × it is rounded at
    // the 40th significant digit too: '16.' + 37 sixes + a 7 (the dropped digit is a 5).
    const third = new Money(10).div(30);
    expect(rateCharge(committed, '0', third).amount).toBe('16.' + '6'.repeat(37) + '7');
    expect(rateCharge(committed, '0').amount).toBe('50');
    expect(rateCharge(committed, '0', '1').amount).toBe('50');
  });

  it.each(['0', '-0.5', '1.01', 'NaN'])('rejects proration %s', (proration) => {
    expect(() => rateCharge(committed, '1', proration)).toThrow('proration must be in (0, 1]');
  });

  it('throws a ValidationFailed DomainError naming the fields for invalid terms', () => {
    const bad: ChargeTerms = { model: 'graduated', tiers: [{ upTo: '10', unitPrice: '1' }] };
    let caught: unknown;
    try {
      rateCharge(bad, '1');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect(caught).toMatchObject({
      code: 'ValidationFailed',
      fieldErrors: [{ field: 'tiers[0].upTo', reason: 'the last tier must be unbounded (null)' }],
    });
  });

  it('keeps amounts in plain notation however small', () => {
    // 0.000001 × 0.1: decimal.js would write 1e-7.
    expect(rateCharge({ model: 'per_unit', unitPrice: '0.000001' }, '0.1').amount).toBe(
      '0.0000001',
    );
  });
});

describe('validateCharge', () => {
  const t = (upTo: string | null, unitPrice = '1', flatFee?: string): Tier =>
    flatFee === undefined ? { upTo, unitPrice } : { upTo, unitPrice, flatFee };
  // Fields that JSON may bring that the types do not allow.
  const loose = (terms: Record<string, unknown>) => terms as unknown as ChargeTerms;

  it.each([
    ['per_unit', perUnit, []],
    ['graduated', graduated, []],
    ['volume', volume, []],
    ['package', pack, []],
    ['a single unbounded tier', { model: 'volume', tiers: [t(null)] }, []],
    ['free units and a commitment', { ...perUnit, includedQuantity: '0', minimumAmount: '0' }, []],
    ['no unit price', { model: 'per_unit' }, ['unitPrice']],
    ['a negative unit price', { model: 'per_unit', unitPrice: '-1' }, ['unitPrice']],
    ['exponent notation', { model: 'per_unit', unitPrice: '1e3' }, ['unitPrice']],
    ['not a number', { model: 'per_unit', unitPrice: 'abc' }, ['unitPrice']],
    ['a JSON number', loose({ model: 'per_unit', unitPrice: 5 }), ['unitPrice']],
    ['tiers on per_unit', { ...perUnit, tiers }, ['tiers']],
    ['a unit price on graduated', { ...graduated, unitPrice: '1' }, ['unitPrice']],
    ['no tiers', { model: 'graduated' }, ['tiers']],
    ['empty tiers', { model: 'volume', tiers: [] }, ['tiers']],
    [
      'equal bounds',
      { model: 'graduated', tiers: [t('100'), t('100'), t(null)] },
      ['tiers[1].upTo'],
    ],
    [
      'descending bounds',
      { model: 'graduated', tiers: [t('100'), t('50'), t(null)] },
      ['tiers[1].upTo'],
    ],
    [
      'order checked against the last good bound',
      { model: 'graduated', tiers: [t('100'), t('x'), t('50'), t(null)] },
      ['tiers[1].upTo', 'tiers[2].upTo'],
    ],
    ['a bounded last tier', { model: 'volume', tiers: [t('100'), t('200')] }, ['tiers[1].upTo']],
    ['an unbounded middle tier', { model: 'volume', tiers: [t(null), t(null)] }, ['tiers[0].upTo']],
    ['a first bound of 0', { model: 'graduated', tiers: [t('0'), t(null)] }, ['tiers[0].upTo']],
    [
      'a negative tier price',
      { model: 'graduated', tiers: [t('1'), t('2'), t(null, '-0.01')] },
      ['tiers[2].unitPrice'],
    ],
    ['a negative flat fee', { model: 'volume', tiers: [t(null, '1', '-5')] }, ['tiers[0].flatFee']],
    [
      'a tier without price',
      loose({ model: 'volume', tiers: [{ upTo: null }] }),
      ['tiers[0].unitPrice'],
    ],
    ['a package of 0', { ...pack, packageSize: '0' }, ['packageSize']],
    ['no package price', { model: 'package', packageSize: '10' }, ['packagePrice']],
    ['a negative included quantity', { ...perUnit, includedQuantity: '-1' }, ['includedQuantity']],
    [
      'a cap below the minimum',
      { ...perUnit, minimumAmount: '10', capAmount: '9.99' },
      ['capAmount'],
    ],
    ['an unknown model', loose({ model: 'flat', unitPrice: '1' }), ['model']],
    [
      'several problems at once',
      { model: 'package', packageSize: '-1', minimumAmount: 'x' },
      ['packageSize', 'packagePrice', 'minimumAmount'],
    ],
  ] as [string, ChargeTerms, string[]][])('%s -> %j', (_, terms, fields) => {
    expect(validateCharge(terms).map((e) => e.field)).toEqual(fields);
  });

  it('says why', () => {
    expect(validateCharge({ model: 'graduated', tiers: [t('100'), t('50'), t(null)] })).toEqual([
      { field: 'tiers[1].upTo', reason: 'must be greater than tiers[0].upTo' },
    ]);
    expect(validateCharge({ ...pack, packageSize: '0' })).toEqual([
      { field: 'packageSize', reason: 'must be greater than 0' },
    ]);
    expect(validateCharge({ ...perUnit, tiers })).toEqual([
      { field: 'tiers', reason: 'is not used by the per_unit model' },
    ]);
  });
});
