import { describe, expect, it } from '@jest/globals';
import { moveTopics, parseMqttSettings } from './mqtt-settings';

describe(parseMqttSettings.name, () => {
  it('applies the defaults: JSON, QoS 1, milliseconds, floats', () => {
    expect(parseMqttSettings({ mqtt: { topics: ['acme/plant1/+/telemetry'] } }, 'acme')).toEqual({
      settings: {
        topics: ['acme/plant1/+/telemetry'],
        format: 'json',
        qos: 1,
        topicTags: [],
        unit: 1_000_000n,
        integers: false,
      },
    });
  });

  it('reads topic tags, line protocol in nanoseconds by default', () => {
    const parsed = parseMqttSettings(
      {
        mqtt: { topics: ['acme/+/b'], format: 'line', qos: 0, topicTags: { '1': 'turbine' } },
      },
      'acme',
    );
    expect(parsed).toMatchObject({
      settings: { format: 'line', qos: 0, topicTags: [[1, 'turbine']], unit: 1n },
    });
  });

  it.each([
    [{}, 'settings.mqtt', /is missing: set \{ "topics": \["acme\/site\/\+\/telemetry"\] \}/],
    [{ mqtt: { topics: [] } }, 'settings.mqtt.topics', /must be a non-empty array/],
    [
      { mqtt: { topics: ['acme/#/b'] } },
      'settings.mqtt.topics[0]',
      /"acme\/#\/b": # must be a whole level/,
    ],
    [{ mqtt: { topics: ['acme', 7] } }, 'settings.mqtt.topics[1]', /must be a string/],
    [
      { mqtt: { topics: ['acme', '#'] } },
      'settings.mqtt.topics[1]',
      /a wildcard at the first level/,
    ],
    [{ mqtt: { topics: ['$SYS/#'] } }, 'settings.mqtt.topics[0]', /belong to the broker/],
    [
      { mqtt: { topics: ['plant1/+/x'] } },
      'settings.mqtt.topics[0]',
      /outside the organisation’s namespace: start it with acme\//,
    ],
    [
      { mqtt: { topics: ['acme'], format: 'xml' } },
      'settings.mqtt.format',
      /must be one of json, ndjson, line/,
    ],
    [{ mqtt: { topics: ['acme'], qos: 2 } }, 'settings.mqtt.qos', /must be 0 or 1/],
    [
      { mqtt: { topics: ['acme'], topicTags: { x: 'turbine' } } },
      'settings.mqtt.topicTags',
      /"x" is not a topic level/,
    ],
    [
      { mqtt: { topics: ['acme'], topicTags: { '1': '' } } },
      'settings.mqtt.topicTags["1"]',
      /must be a tag name/,
    ],
    [
      { mqtt: { topics: ['acme'], precision: 'h' } },
      'settings.mqtt.precision',
      /must be ns, us, ms or s/,
    ],
    [
      { mqtt: { topics: ['acme'], precision: 'toString' } },
      'settings.mqtt.precision',
      /must be ns/,
    ],
    [
      { mqtt: { topics: ['acme'], integers: 'yes' } },
      'settings.mqtt.integers',
      /must be true or false/,
    ],
  ])('refuses %j naming the setting %s', (settings, field, reason) => {
    const parsed = parseMqttSettings(settings, 'acme');
    expect(parsed).toMatchObject({ field });
    expect('reason' in parsed && parsed.reason).toMatch(reason);
    expect('problem' in parsed && parsed.problem).toBe(
      `${field}: ${'reason' in parsed && parsed.reason}`,
    );
  });

  it('refuses the topics of a path outside any organisation', () => {
    expect(parseMqttSettings({ mqtt: { topics: ['acme/#'] } }, null)).toMatchObject({
      field: 'settings.mqtt.topics[0]',
      reason: expect.stringMatching(/no organisation/) as unknown as string,
    });
  });
});

describe(moveTopics.name, () => {
  it('moves the filters of the old namespace, keeping the rest of the settings', () => {
    const settings = {
      limits: { pointsPerMinute: 10 },
      mqtt: { topics: ['acme/a/+', '$share/g/acme/#', 'other/x'], topicTags: { '2': 't' } },
    };
    expect(moveTopics(settings, 'acme', 'acme-corp')).toEqual({
      limits: { pointsPerMinute: 10 },
      mqtt: {
        topics: ['acme-corp/a/+', '$share/g/acme-corp/#', 'other/x'],
        topicTags: { '2': 't' },
      },
    });
  });

  it.each([
    [{}],
    [{ mqtt: 'x' }],
    [{ mqtt: { topics: 'acme/#' } }],
    [{ mqtt: { topics: ['b/#'] } }],
  ])('leaves %j alone', (settings) => {
    expect(moveTopics(settings, 'acme', 'acme-corp')).toBeNull();
  });
});
