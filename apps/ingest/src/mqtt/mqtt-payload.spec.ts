import { hostname } from 'node:os';
import { loadConfig } from '@sextant/config';
import type { MqttPathSettings } from '@sextant/ingest';
import { describe, expect, it } from '@jest/globals';
import { decodeMqttPayload } from './mqtt-payload';

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
