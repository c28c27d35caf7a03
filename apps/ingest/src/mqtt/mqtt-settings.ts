import { precisionUnit } from '../line-protocol/parser';
import { filterProblem } from './topic-filter';

export type MqttPayloadFormat = 'json' | 'ndjson' | 'line';

/** `settings.mqtt` of a path of protocol mqtt, checked. */
export interface MqttPathSettings {
  /** Topic filters to subscribe. */
  topics: string[];
  format: MqttPayloadFormat;
  /** 0 or 1; a QoS 1 message is acknowledged only after its points are committed. */
  qos: 0 | 1;
  /** Topic level (0-based) → tag name. */
  topicTags: [number, string][];
  /** Nanoseconds per unit of numeric times (default ms for JSON, ns for line protocol). */
  unit: bigint;
  /** JSON whole numbers as integers. */
  integers: boolean;
}

const formats: readonly MqttPayloadFormat[] = ['json', 'ndjson', 'line'];
const maxLevels = 64;

class SettingsProblem extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new SettingsProblem(message);
}

/**
 * Reads `settings.mqtt` of a path, e.g.
 * `{ topics: ["plant1/+/telemetry"], format: "json", qos: 1, topicTags: { "1": "turbine" } }`.
 * Returns the reason, naming the setting, when it is not usable.
 */
export function parseMqttSettings(
  settings: Record<string, unknown>,
): { settings: MqttPathSettings } | { problem: string } {
  try {
    const raw = settings.mqtt;
    check(
      typeof raw === 'object' && raw !== null && !Array.isArray(raw),
      'settings.mqtt is missing: set { "topics": ["site/+/telemetry"] }',
    );
    const mqtt = raw as Record<string, unknown>;
    const topics = mqtt.topics;
    check(
      Array.isArray(topics) && topics.length > 0,
      'settings.mqtt.topics must be a non-empty array of topic filters',
    );
    for (const [i, topic] of topics.entries()) {
      check(typeof topic === 'string', `settings.mqtt.topics[${i}] must be a string`);
      const problem = filterProblem(topic);
      check(problem === null, `settings.mqtt.topics[${i}]: ${problem}`);
    }
    const format = mqtt.format ?? 'json';
    check(
      formats.includes(format as MqttPayloadFormat),
      `settings.mqtt.format must be one of ${formats.join(', ')}`,
    );
    const qos = mqtt.qos ?? 1;
    check(
      qos === 0 || qos === 1,
      'settings.mqtt.qos must be 0 or 1 (QoS 1 is acknowledged after commit; 2 is not supported)',
    );
    const topicTags: [number, string][] = [];
    const rawTags = mqtt.topicTags ?? {};
    check(
      typeof rawTags === 'object' && rawTags !== null && !Array.isArray(rawTags),
      'settings.mqtt.topicTags must be an object of topic level → tag name',
    );
    for (const [level, tag] of Object.entries(rawTags)) {
      check(
        /^\d+$/.test(level) && Number(level) < maxLevels,
        `settings.mqtt.topicTags: "${level.slice(0, 20)}" is not a topic level 0-${maxLevels - 1}`,
      );
      check(
        typeof tag === 'string' && tag.length > 0 && tag.length <= 200,
        `settings.mqtt.topicTags["${level}"] must be a tag name of 1-200 characters`,
      );
      topicTags.push([Number(level), tag]);
    }
    const precision = mqtt.precision ?? (format === 'line' ? 'ns' : 'ms');
    const unit =
      typeof precision === 'string' && ['ns', 'us', 'ms', 's'].includes(precision)
        ? precisionUnit(precision)
        : null;
    check(unit !== null, 'settings.mqtt.precision must be ns, us, ms or s');
    const integers = mqtt.integers ?? false;
    check(typeof integers === 'boolean', 'settings.mqtt.integers must be true or false');
    return {
      settings: {
        topics: topics as string[],
        format: format as MqttPayloadFormat,
        qos,
        topicTags,
        unit,
        integers,
      },
    };
  } catch (error) {
    if (error instanceof SettingsProblem) return { problem: error.message };
    throw error;
  }
}

/** The tags a topic gives by its levels; missing and empty levels give none. */
export function topicTagsOf(settings: MqttPathSettings, topic: string): [string, string][] {
  if (settings.topicTags.length === 0) return [];
  const levels = topic.split('/');
  const tags: [string, string][] = [];
  for (const [level, tag] of settings.topicTags) {
    const value = levels[level];
    if (value) tags.push([tag, value]);
  }
  return tags;
}
