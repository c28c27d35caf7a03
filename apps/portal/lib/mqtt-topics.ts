/**
 * The topics devices publish on for a path of protocol mqtt: its `settings.mqtt.topics` (each
 * starting with the organisation's reference, its namespace) without a `$share/<group>/` prefix,
 * which only tells the broker how to share the gateway's subscription.
 */
export function publishTopics(settings: Record<string, unknown>): string[] {
  const mqtt = settings.mqtt;
  if (typeof mqtt !== 'object' || mqtt === null) return [];
  const topics = (mqtt as { topics?: unknown }).topics;
  if (!Array.isArray(topics)) return [];
  return topics
    .filter((t): t is string => typeof t === 'string')
    .map((t) => (t.startsWith('$share/') ? t.split('/').slice(2).join('/') : t));
}

// Only such topics go into a shell command: a typed topic could break out of the quotes.
const shellSafe = /^[A-Za-z0-9._:/-]+$/;

/**
 * A `mosquitto_pub` command publishing a test record on the first topic (wildcards replaced by
 * a device's name), or null when no topic can go into a command safely.
 */
export function publishCommand(topics: string[]): string | null {
  const topic = topics
    .map((t) =>
      t
        .split('/')
        .map((level) => (level === '+' || level === '#' ? 'device1' : level))
        .join('/'),
    )
    .find((t) => shellSafe.test(t));
  if (!topic) return null;
  const record = '{"measurement":"test","fields":{"value":1}}';
  return `mosquitto_pub -h <broker host> -q 1 -t '${topic}' -m '${record}'`;
}
