import { filterProblem, moveToNamespace, namespaceProblem } from './mqtt-topics';

export type MqttPayloadFormat = 'json' | 'ndjson' | 'line';

/** `settings.mqtt` of a path of protocol mqtt, checked. */
export interface MqttPathSettings {
  /** Topic filters to subscribe, each in the organisation's namespace. */
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

/** Why settings cannot be used: the setting, and what is wrong with it. */
export interface MqttSettingsProblem {
  field: string;
  reason: string;
  /** `field: reason`, for logs. */
  problem: string;
}

const formats: readonly MqttPayloadFormat[] = ['json', 'ndjson', 'line'];
const maxLevels = 64;
/** Nanoseconds per unit of the precisions MQTT payloads may use. */
const units: Record<string, bigint> = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n };

class SettingsProblem extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

function check(condition: unknown, field: string, reason: string): asserts condition {
  if (!condition) throw new SettingsProblem(field, reason);
}

/**
 * Reads `settings.mqtt` of a path whose organisation has the reference `namespace` (null: the
 * source is in no organisation), e.g. `{ topics: ["acme/plant1/+/telemetry"], format: "json",
 * qos: 1, topicTags: { "2": "turbine" } }`. Returns the setting and the reason when it is not
 * usable: every topic filter must lie in the namespace.
 */
export function parseMqttSettings(
  settings: Record<string, unknown>,
  namespace: string | null,
): { settings: MqttPathSettings } | MqttSettingsProblem {
  try {
    const raw = settings.mqtt;
    const example = `${namespace ?? '<organisation>'}/site/+/telemetry`;
    check(
      typeof raw === 'object' && raw !== null && !Array.isArray(raw),
      'settings.mqtt',
      `is missing: set { "topics": ["${example}"] }`,
    );
    const mqtt = raw as Record<string, unknown>;
    const topics = mqtt.topics;
    check(
      Array.isArray(topics) && topics.length > 0,
      'settings.mqtt.topics',
      'must be a non-empty array of topic filters',
    );
    for (const [i, topic] of topics.entries()) {
      const field = `settings.mqtt.topics[${i}]`;
      check(typeof topic === 'string', field, 'must be a string');
      const problem = filterProblem(topic) ?? namespaceProblem(topic, namespace);
      check(problem === null, field, problem!);
    }
    const format = mqtt.format ?? 'json';
    check(
      formats.includes(format as MqttPayloadFormat),
      'settings.mqtt.format',
      `must be one of ${formats.join(', ')}`,
    );
    const qos = mqtt.qos ?? 1;
    check(
      qos === 0 || qos === 1,
      'settings.mqtt.qos',
      'must be 0 or 1 (QoS 1 is acknowledged after commit; 2 is not supported)',
    );
    const topicTags: [number, string][] = [];
    const rawTags = mqtt.topicTags ?? {};
    check(
      typeof rawTags === 'object' && rawTags !== null && !Array.isArray(rawTags),
      'settings.mqtt.topicTags',
      'must be an object of topic level → tag name',
    );
    for (const [level, tag] of Object.entries(rawTags)) {
      check(
        /^\d+$/.test(level) && Number(level) < maxLevels,
        'settings.mqtt.topicTags',
        `"${level.slice(0, 20)}" is not a topic level 0-${maxLevels - 1}`,
      );
      check(
        typeof tag === 'string' && tag.length > 0 && tag.length <= 200,
        `settings.mqtt.topicTags["${level}"]`,
        'must be a tag name of 1-200 characters',
      );
      topicTags.push([Number(level), tag]);
    }
    const precision = mqtt.precision ?? (format === 'line' ? 'ns' : 'ms');
    const unit =
      typeof precision === 'string' && Object.hasOwn(units, precision)
        ? units[precision]
        : undefined;
    check(unit !== undefined, 'settings.mqtt.precision', 'must be ns, us, ms or s');
    const integers = mqtt.integers ?? false;
    check(typeof integers === 'boolean', 'settings.mqtt.integers', 'must be true or false');
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
    if (error instanceof SettingsProblem)
      return { field: error.field, reason: error.reason, problem: error.message };
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

/**
 * `settings` with the topic filters in the namespace `from` moved to `to` (an organisation's
 * reference changed, or a node moved to another organisation); null when no filter moves.
 */
export function moveTopics(
  settings: Record<string, unknown>,
  from: string,
  to: string,
): Record<string, unknown> | null {
  const mqtt = settings.mqtt;
  if (typeof mqtt !== 'object' || mqtt === null || Array.isArray(mqtt)) return null;
  const topics = (mqtt as { topics?: unknown }).topics;
  if (!Array.isArray(topics)) return null;
  const moved = topics.map((t: unknown) =>
    typeof t === 'string' ? moveToNamespace(t, from, to) : t,
  );
  if (moved.every((t, i) => t === topics[i])) return null;
  return { ...settings, mqtt: { ...mqtt, topics: moved } };
}
