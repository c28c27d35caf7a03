import { describe, expect, it } from '@jest/globals';
import { quotaMessage, quotaSelectsPath } from './quota-gate';
import type { BillingQuota } from './quotas.repository';

const acme = '01a25317-0000-7000-8000-000000000001';
const quota: BillingQuota = {
  organisationId: acme,
  organisationReference: 'acme',
  planCode: 'fleet',
  interval: 'month',
  metricId: 'm',
  metricCode: 'points',
  unit: 'points',
  payer: 'destination',
  origins: [],
  pathIds: [],
  itemKinds: [],
  resourceIds: ['r'],
  quota: '1000000',
  used: '1000412',
  period: { start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') },
  reached: true,
};
const payers = { sourceOrganisationId: null, destinationOrganisationId: acme };

describe('billing quota gate', () => {
  it('names the quota, the plan, the usage and the reset', () => {
    expect(quotaMessage(quota)).toBe(
      'quota "points" of plan "fleet" reached: 1,000,000 points per month (used 1,000,412) ' +
        'for organisation acme; resets 2027-01-01T00:00:00Z',
    );
    expect(quotaMessage({ ...quota, used: '1234.5', interval: 'year' })).toMatch(
      /per year \(used 1,234\.5\)/,
    );
  });

  it.each([
    ['any origin and path', {}, true],
    ['ingest among the origins', { origins: ['cdc', 'ingest'] }, true],
    ['other origins only', { origins: ['cdc'] }, false],
    ['the path among the paths', { pathIds: ['p1'] }, true],
    ['other paths only', { pathIds: ['p2'] }, false],
    ['item kinds (ingest movements have no item)', { itemKinds: ['sensor'] }, false],
    ['the source paying (no organisation there)', { payer: 'source' as const }, false],
  ])('a metric with %s selects the path: %s', (_, change, selects) => {
    expect(quotaSelectsPath({ ...quota, ...change }, 'p1', payers)).toBe(selects);
  });
});
