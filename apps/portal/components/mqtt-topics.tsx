'use client';

import { publishCommand, publishTopics } from '@/lib/mqtt-topics';
import { CopyButton } from './copy-button';

/** Where the devices of an MQTT path publish: the exact topics, and a command to try one. */
export function MqttTopicsPanel({ settings }: { settings: Record<string, unknown> }) {
  const topics = publishTopics(settings);
  const command = publishCommand(topics);
  return (
    <section aria-labelledby="mqtt-topics-title" data-testid="mqtt-topics">
      <h2 id="mqtt-topics-title">Publish over MQTT</h2>
      <div className="panel">
        {topics.length === 0 ? (
          <p className="muted" style={{ marginTop: 0 }}>
            No topics yet: set <code>settings.mqtt.topics</code>, starting with the organisation’s
            reference.
          </p>
        ) : (
          <>
            <p className="muted" style={{ marginTop: 0 }}>
              Devices publish to the gateway’s broker on these topics (<code>+</code> is one level
              of your choosing, <code>#</code> any levels below). The first level is the
              organisation’s namespace, which no other organisation’s path may take; the broker’s
              access rules decide who may publish there.
            </p>
            <ul>
              {topics.map((topic) => (
                <li key={topic}>
                  <code data-testid="mqtt-topic">{topic}</code>
                </li>
              ))}
            </ul>
            {command ? (
              <>
                <pre className="snippet" data-testid="mqtt-command">
                  <code>{command}</code>
                </pre>
                <CopyButton text={command} label="Copy command" />
              </>
            ) : null}
          </>
        )}
      </div>
    </section>
  );
}
