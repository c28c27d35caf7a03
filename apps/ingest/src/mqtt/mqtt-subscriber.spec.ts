import { parseMqttSettings, type IngestPath, type MqttPathSettings } from '@sextant/ingest';
import { describe, expect, it } from '@jest/globals';
import { routeTopic, type Route } from './mqtt-subscriber';

function route(name: string, filter: string, namespace: string): Route {
  const path: IngestPath = {
    id: name,
    name,
    sourceId: name,
    destinationId: 'lake',
    protocol: 'mqtt',
    tokenId: '',
    fieldResources: new Map(),
    defaultResourceId: 'points',
    limits: { pointsPerMinute: null, maxSeries: null },
  };
  // The settings' own topics do not matter here: a route is one filter.
  const parsed = parseMqttSettings({ mqtt: { topics: ['x'] } }, 'x');
  return { filter, path, settings: (parsed as { settings: MqttPathSettings }).settings, namespace };
}

describe(routeTopic.name, () => {
  // Routes as the subscriber keeps them: most specific first.
  const a = route('A plant', 'acme/plant1/+/telemetry', 'acme');
  const aAll = route('A all', 'acme/#', 'acme');
  // A filter outside its organisation's namespace: the subscriber refuses such paths when it
  // reads them, so this stands for a bug or a row changed behind its back.
  const stray = route('B stray', 'acme/plant1/T07/telemetry', 'globex');
  const b = route('B plant', 'globex/plant1/+/telemetry', 'globex');

  it('takes the most specific filter of the topic’s organisation, refusing another’s', () => {
    expect(routeTopic([stray, a, b, aAll], 'acme/plant1/T07/telemetry')).toEqual({
      route: a,
      refused: [stray],
    });
  });

  it('drops a message that only another organisation’s filter matches', () => {
    expect(routeTopic([stray, b], 'acme/plant1/T07/telemetry')).toEqual({
      route: null,
      refused: [stray],
    });
  });

  it('routes each organisation’s topics to its own paths', () => {
    expect(routeTopic([stray, a, b, aAll], 'globex/plant1/T07/telemetry').route).toBe(b);
    expect(routeTopic([stray, a, b, aAll], 'acme/other').route).toBe(aAll);
    expect(routeTopic([stray, a, b, aAll], 'initech/plant1/T07/telemetry')).toEqual({
      route: null,
      refused: [],
    });
  });
});
