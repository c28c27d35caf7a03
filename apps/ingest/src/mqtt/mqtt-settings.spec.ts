import { hostname } from 'node:os';
import { loadConfig } from '@sextant/config';
import { describe, expect, it } from 'vitest';
import { decodeMqttPayload } from './mqtt-payload';
import { MqttPathSettings, parseMqttSettings } from './mqtt-settings';
import { compareSpecificity, filterProblem, topicMatches } from './topic-filter';

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
  ])('refuses the filter %j', (filter, message) => {
    expect(filterProblem(filter)).toMatch(message);
  });

  it('orders filters from the most specific', () => {
    const filters = ['#', 'a/#', 'a/+/c', 'a/b/c', 'a/+/+'];
    expect([...filters].sort(compareSpecificity)).toEqual(['a/b/c', 'a/+/c', 'a/+/+', 'a/#', '#']);
  });
});

describe(parseMqttSettings.name, () => {
  it('applies the defaults: JSON, QoS 1, milliseconds, floats', () => {
    expect(parseMqttSettings({ mqtt: { topics: ['plant1/+/telemetry'] } })).toEqual({
      settings: {
        topics: ['plant1/+/telemetry'],
        format: 'json',
        qos: 1,
        topicTags: [],
        unit: 1_000_000n,
        integers: false,
      },
    });
  });

  it('reads topic tags, line protocol in nanoseconds by default', () => {
    const parsed = parseMqttSettings({
      mqtt: { topics: ['a/+/b'], format: 'line', qos: 0, topicTags: { '1': 'turbine' } },
    });
    expect(parsed).toMatchObject({
      settings: { format: 'line', qos: 0, topicTags: [[1, 'turbine']], unit: 1n },
    });
  });

  it.each([
    [{}, /settings\.mqtt is missing/],
    [{ mqtt: { topics: [] } }, /topics must be a non-empty array/],
    [{ mqtt: { topics: ['a/#/b'] } }, /topics\[0\]: "a\/#\/b": # must be a whole level/],
    [{ mqtt: { topics: ['a'], format: 'xml' } }, /format must be one of json, ndjson, line/],
    [{ mqtt: { topics: ['a'], qos: 2 } }, /qos must be 0 or 1/],
    [{ mqtt: { topics: ['a'], topicTags: { x: 'turbine' } } }, /"x" is not a topic level/],
    [{ mqtt: { topics: ['a'], topicTags: { '1': '' } } }, /topicTags\["1"\] must be a tag name/],
    [{ mqtt: { topics: ['a'], precision: 'h' } }, /precision must be ns, us, ms or s/],
    [{ mqtt: { topics: ['a'], integers: 'yes' } }, /integers must be true or false/],
  ])('refuses %j naming the setting', (settings, message) => {
    const parsed = parseMqttSettings(settings);
    expect('problem' in parsed && parsed.problem).toMatch(message);
  });
});

describe(decodeMqttPayload.name, () => {
  const settings = (over: Partial<MqttPathSettings>): MqttPathSettings => ({
    topics: ['plant1/+/telemetry'],
    format: 'json',
    qos: 1,
    topicTags: [[1, 'turbine']],
    unit: 1_000_000n,
    integers: false,
    ...over,
  });
  const options = { maxRecordBytes: 1000, defaultTime: 5n };

  it('tags JSON records with their topic levels', () => {
    const decoded = decodeMqttPayload(
      settings({}),
      'plant1/T07/telemetry',
      Buffer.from(
        '[{"measurement":"scada","power_kw":1},{"measurement":"scada","turbine":"x","power_kw":2}]',
      ),
      options,
    );
    expect(decoded.errors).toEqual([]);
    expect(decoded.lines.map((l) => l.tags)).toEqual([[['turbine', 'T07']], [['turbine', 'T07']]]);
  });

  it('tags line protocol and keeps series apart by topic', () => {
    const payload = Buffer.from('scada,site=n power_kw=1 1000\nscada power_kw= 2000');
    const a = decodeMqttPayload(
      settings({ format: 'line', unit: 1n }),
      'plant1/T01/telemetry',
      payload,
      options,
    );
    const b = decodeMqttPayload(
      settings({ format: 'line', unit: 1n }),
      'plant1/T02/telemetry',
      payload,
      options,
    );
    expect(a.lines[0].tags).toEqual([
      ['site', 'n'],
      ['turbine', 'T01'],
    ]);
    expect(a.lines[0].time).toBe(1000n);
    expect(a.lines[0].prefix).not.toBe(b.lines[0].prefix);
    expect(a.errors).toEqual([
      {
        record: 2,
        message: expect.stringMatching(
          /field value is missing \(column \d+\)/,
        ) as unknown as string,
      },
    ]);
  });

  it('leaves out a tag whose topic level is missing', () => {
    const decoded = decodeMqttPayload(
      settings({ topicTags: [[5, 'deep']] }),
      'plant1/T01/telemetry',
      Buffer.from('{"measurement":"m","v":1}'),
      options,
    );
    expect(decoded.lines[0].tags).toEqual([]);
  });
});

describe('MQTT configuration', () => {
  it('is off without MQTT_URL, with a per-process client id', () => {
    expect(loadConfig({}).ingest.mqtt).toEqual({
      url: null,
      clientId: `sextant-ingest-${hostname()}`,
      username: null,
      password: null,
    });
  });

  it('reads the broker, client id and credentials', () => {
    const mqtt = loadConfig({
      MQTT_URL: 'mqtts://broker.example:8883',
      MQTT_CLIENT_ID: 'sextant-ingest-a',
      MQTT_USERNAME: 'gateway',
      MQTT_PASSWORD: 'secret',
    }).ingest.mqtt;
    expect(mqtt).toEqual({
      url: 'mqtts://broker.example:8883',
      clientId: 'sextant-ingest-a',
      username: 'gateway',
      password: 'secret',
    });
  });

  it.each([
    [{ MQTT_URL: 'not a url' }, /MQTT_URL: not a valid URL/],
    [{ MQTT_URL: 'http://broker:1883' }, /MQTT_URL: expected an mqtt:\/\//],
    [{ MQTT_CLIENT_ID: 'has space' }, /MQTT_CLIENT_ID: expected 1-128 printable ASCII/],
    [{ MQTT_PASSWORD: 'secret' }, /MQTT_PASSWORD: is set without MQTT_USERNAME/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
