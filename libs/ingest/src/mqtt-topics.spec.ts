import { describe, expect, it } from '@jest/globals';
import {
  compareSpecificity,
  filterProblem,
  filtersOverlap,
  moveToNamespace,
  namespaceProblem,
  topicMatches,
  topicNamespace,
} from './mqtt-topics';

describe('MQTT topic filters', () => {
  it.each([
    ['plant1/+/telemetry', 'plant1/T01/telemetry', true],
    ['plant1/+/telemetry', 'plant1/T01/status', false],
    ['plant1/+/telemetry', 'plant1/a/b/telemetry', false],
    ['plant1/#', 'plant1', true], // # includes the parent level
    ['plant1/#', 'plant1/T01/telemetry', true],
    ['plant1/+', 'plant1', false],
    ['+/+', '/x', true], // an empty first level is a level
    ['#', '$SYS/broker/uptime', false], // wildcards do not reach $ topics
    ['$SYS/#', '$SYS/broker/uptime', true],
    ['$share/ingest/plant1/+/telemetry', 'plant1/T01/telemetry', true],
  ])('%s matches %s: %s', (filter, topic, matches) => {
    expect(filterProblem(filter)).toBeNull();
    expect(topicMatches(filter, topic)).toBe(matches);
  });

  it.each([
    ['', /cannot be empty/],
    ['plant1/#/x', /# must be a whole level, and the last/],
    ['plant1/T#', /# must be a whole level/],
    ['plant1/T+/x', /\+ must be a whole level/],
    ['$share/group', /\$share\/<group>\/<filter>/],
    ['$share//x', /\$share\/<group>\/<filter>/],
    ['$share/g+/acme/x', /the group without \+ or #/],
  ])('refuses the filter %j', (filter, message) => {
    expect(filterProblem(filter)).toMatch(message);
  });

  it('orders filters from the most specific', () => {
    const filters = ['#', 'a/#', 'a/+/c', 'a/b/c', 'a/+/+'];
    expect([...filters].sort(compareSpecificity)).toEqual(['a/b/c', 'a/+/c', 'a/+/+', 'a/#', '#']);
  });
});

describe(filtersOverlap.name, () => {
  // Two filters overlap when one topic matches both: then two paths compete for its messages.
  it.each([
    ['#', 'a/b/c', true],
    ['#', '#', true],
    ['#', '+', true],
    ['+', 'a', true],
    ['+', 'a/b', false],
    ['+/x', 'a/x', true],
    ['+/x', 'a/y', false],
    ['+/x', 'a/b/c', false],
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a/b/d', false],
    ['a/+/c', 'a/+/+', true],
    ['a/+/c', 'a/b/+', true], // a/b/c matches both
    ['a/b/c', 'a/b/c', true],
    ['a/b/c', 'a/b', false],
    ['a/b', 'a/b/c', false],
    ['a/#', 'a', true], // # includes the parent level
    ['a/#', 'a/b/c/d', true],
    ['a/#', 'b/#', false],
    ['a/+', 'a', false],
    ['a/+/#', 'a', false], // + needs a level
    ['a/+/#', 'a/b', true],
    ['a//c', 'a/+/c', true], // an empty level is a level
    ['$SYS/#', '#', false], // wildcards at the first level do not reach $ topics
    ['$SYS/#', '+/broker', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
    ['$SYS/+', '$SYS/broker', true],
    ['$share/g/a/#', 'a/b', true], // a shared subscription matches as its filter
    ['$share/g/a/#', '$share/h/b/#', false],
    ['acme/plant1/+/telemetry', 'globex/plant1/+/telemetry', false],
    ['acme/#', 'acme-corp/#', false],
  ])('%s and %s: %s', (a, b, overlaps) => {
    expect(filterProblem(a)).toBeNull();
    expect(filterProblem(b)).toBeNull();
    expect(filtersOverlap(a, b)).toBe(overlaps);
    expect(filtersOverlap(b, a)).toBe(overlaps);
  });
});

describe(namespaceProblem.name, () => {
  it.each(['acme/plant1/+/telemetry', 'acme/#', 'acme', 'acme/+', '$share/ingest/acme/plant1/#'])(
    'accepts %s in the namespace acme',
    (filter) => {
      expect(namespaceProblem(filter, 'acme')).toBeNull();
    },
  );

  it.each([
    [
      '#',
      /a wildcard at the first level would take other organisations’ topics; start the filter with acme\//,
    ],
    ['+/plant1/+/telemetry', /a wildcard at the first level/],
    ['$share/g/#', /a wildcard at the first level/],
    ['$SYS/#', /topics starting with \$ \(\$SYS and the like\) belong to the broker/],
    ['$SYS/broker/uptime', /belong to the broker/],
    ['$share/g/$SYS/#', /belong to the broker/],
    ['$share', /belong to the broker/],
    [
      'plant1/+/telemetry',
      /outside the organisation’s namespace: start it with acme\/ \(for example "acme\/plant1\/\+\/telemetry"\)/,
    ],
    ['globex/plant1/T07/telemetry', /outside the organisation’s namespace/],
    ['acme-corp/#', /outside the organisation’s namespace/], // a prefix of a level is not the level
    ['ACME/#', /outside the organisation’s namespace/], // topics are case-sensitive
  ])('refuses %s in the namespace acme', (filter, message) => {
    expect(namespaceProblem(filter, 'acme')).toMatch(message);
  });

  it('refuses every filter of a path outside any organisation', () => {
    expect(namespaceProblem('acme/#', null)).toMatch(/the path’s source is in no organisation/);
  });
});

describe(moveToNamespace.name, () => {
  it.each([
    ['acme/plant1/+/telemetry', 'acme-corp/plant1/+/telemetry'],
    ['acme', 'acme-corp'],
    ['acme/#', 'acme-corp/#'],
    ['$share/ingest/acme/#', '$share/ingest/acme-corp/#'],
    ['acmex/#', 'acmex/#'], // another namespace stays
  ])('moves %s to %s', (filter, moved) => {
    expect(moveToNamespace(filter, 'acme', 'acme-corp')).toBe(moved);
  });

  it('reads the namespace of a topic', () => {
    expect(topicNamespace('acme/plant1/T07/telemetry')).toBe('acme');
    expect(topicNamespace('acme')).toBe('acme');
    expect(topicNamespace('/x')).toBe('');
  });
});
