import type { MqttConfig } from '@sextant/config';
import {
  compareSpecificity,
  parseMqttSettings,
  topicMatches,
  topicNamespace,
  type IngestPath,
  type IngestWriter,
  type MqttPathSettings,
  type PathDirectory,
} from '@sextant/ingest';
import { connect, IPublishPacket, MqttClient } from 'mqtt';
import { PathStats } from '../stats';
import { decodeMqttPayload } from './mqtt-payload';

export interface MqttSubscriberOptions {
  mqtt: MqttConfig & { url: string };
  directory: Pick<PathDirectory, 'activePaths'>;
  writer: IngestWriter;
  stats: PathStats;
  /** Longest payload line or string value, in bytes. */
  maxRecordBytes: number;
  /** How often the paths are read again (default 30 s). */
  reloadIntervalMs?: number;
  log: (line: string) => void;
}

/** A topic filter and the path whose messages it subscribes. */
export interface Route {
  filter: string;
  path: IngestPath;
  settings: MqttPathSettings;
  /** The reference of the path's organisation: the first level of its topics. */
  namespace: string;
}

/**
 * The path a message on `topic` goes to: the first route (most specific first) whose filter
 * matches and whose organisation owns the topic's namespace. A matching route of another
 * organisation is never taken but returned in `refused` (the filters are checked against their
 * namespace when read, so this is defence in depth).
 */
export function routeTopic(routes: readonly Route[], topic: string) {
  const namespace = topicNamespace(topic);
  const refused: Route[] = [];
  for (const route of routes) {
    if (!topicMatches(route.filter, topic)) continue;
    if (route.namespace === namespace) return { route, refused };
    refused.push(route);
  }
  return { route: null, refused };
}

const maxRetryDelayMs = 30_000;

/** The broker URL without its password, for logs. */
function redacted(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * Subscribes to the topic filters of every active path of protocol mqtt (`settings.mqtt`) and
 * writes each message through the path whose filter matches its topic: topics belong to paths,
 * so the path is the credential. Messages are taken one at a time and a QoS 1 message is
 * acknowledged (PUBACK) only once its points are committed; the session is persistent
 * (`clean: false`), so whatever was not acknowledged when the gateway died is delivered again.
 * A payload that cannot be decoded is logged, counted as rejected and acknowledged: a poison
 * message is not redelivered forever. A failed commit is retried in place until it succeeds.
 */
export class MqttSubscriber {
  private client: MqttClient | null = null;
  private routes: Route[] = [];
  /** Filters subscribed on the broker, with their QoS. */
  private readonly subscribed = new Map<string, 0 | 1>();
  /** The last settings problem logged per path, to log each once. */
  private readonly problems = new Map<string, string>();
  /** Unrouted or refused topics logged recently, to log each at most once a minute. */
  private readonly unrouted = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private reloading: Promise<void> | null = null;
  private handling: Promise<void> | null = null;
  private readonly wakers = new Set<() => void>();
  private stopping = false;
  private shutdownDone: Promise<void> | null = null;
  private readonly stopped: Promise<void>;
  private readonly routesLoaded: Promise<void>;
  private readonly firstSubscribed: Promise<void>;
  private resolveStopped: () => void = () => undefined;
  private resolveRoutes: () => void = () => undefined;
  private resolveFirst: () => void = () => undefined;

  constructor(private readonly options: MqttSubscriberOptions) {
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    this.routesLoaded = new Promise((resolve) => (this.resolveRoutes = resolve));
    this.firstSubscribed = new Promise((resolve) => (this.resolveFirst = resolve));
  }

  /** Connects and subscribes; reconnects by itself if the broker goes away. */
  start(): void {
    const { mqtt, log } = this.options;
    const client = connect(mqtt.url, {
      clientId: mqtt.clientId,
      username: mqtt.username ?? undefined,
      password: mqtt.password ?? undefined,
      // MQTT 3.1.1: understood by every broker (aedes has no MQTT 5). A persistent session
      // keeps our subscriptions and unacknowledged messages while we are away.
      protocolVersion: 4,
      clean: false,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
      resubscribe: true,
    });
    this.client = client;
    // PUBACK goes out when the callback is called: only after the commit (publish handler of
    // mqtt.js). customHandleAcks would do the same but only exists in MQTT 5.
    client.handleMessage = (packet, callback) => {
      const handling = this.handle(packet).then(
        () => callback(),
        (error: Error) => callback(error),
      );
      this.handling = handling.finally(() => (this.handling = null));
    };
    client.on('connect', (connack) => {
      log(
        `ingest mqtt: connected to ${redacted(mqtt.url)} as ${mqtt.clientId}${connack.sessionPresent ? ' (session resumed)' : ''}`,
      );
      void this.reload();
    });
    client.on('offline', () =>
      log(`ingest mqtt: broker ${redacted(mqtt.url)} unreachable; retrying`),
    );
    client.on('error', (error) => log(`ingest mqtt: ${error.message}`));
    this.timer = setInterval(() => void this.reload(), this.options.reloadIntervalMs ?? 30_000);
    this.timer.unref();
  }

  /** Resolves once the paths were read and their filters subscribed the first time. */
  ready(): Promise<void> {
    return this.firstSubscribed;
  }

  /** Reads the mqtt paths again: subscribes new filters, unsubscribes those no path has. */
  reload(): Promise<void> {
    this.reloading ??= this.load().finally(() => (this.reloading = null));
    return this.reloading;
  }

  /** Finishes the message in progress (acknowledged if committed), then disconnects. */
  stop(): Promise<void> {
    this.shutdownDone ??= this.shutdown();
    return this.shutdownDone;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.resolveStopped();
    if (this.timer) clearInterval(this.timer);
    for (const wake of this.wakers) wake();
    await this.handling;
    await this.client?.endAsync();
  }

  private async load(): Promise<void> {
    const { directory, stats, log } = this.options;
    const client = this.client;
    if (!client || this.stopping) return;
    let paths;
    try {
      paths = await directory.activePaths('mqtt');
    } catch (error) {
      if (!this.stopping)
        log(`ingest mqtt: could not read the mqtt paths: ${(error as Error).message}`);
      return;
    }
    const routes: Route[] = [];
    for (const { path, settings, namespace } of paths) {
      // Each filter must lie in the namespace of the path's organisation: paths stored before
      // topics were namespaced, or left behind by a move, are refused here with the reason.
      const parsed = parseMqttSettings(settings, namespace);
      if ('problem' in parsed) {
        if (this.problems.get(path.id) !== parsed.problem) {
          log(`ingest mqtt: path "${path.name}" is not subscribed: ${parsed.problem}`);
          stats.rejected(path, 0, parsed.problem);
          this.problems.set(path.id, parsed.problem);
        }
        continue;
      }
      this.problems.delete(path.id);
      // Parsed, so the topics lie in a namespace: the organisation's reference.
      for (const filter of parsed.settings.topics)
        routes.push({ filter, path, settings: parsed.settings, namespace: namespace! });
    }
    // Most specific filter first; among equals, the older path (the query's order).
    this.routes = routes
      .map((route, i) => ({ route, i }))
      .sort((a, b) => compareSpecificity(a.route.filter, b.route.filter) || a.i - b.i)
      .map(({ route }) => route);
    this.resolveRoutes();

    const wanted = new Map<string, 0 | 1>();
    for (const { filter, settings } of routes)
      wanted.set(filter, Math.max(wanted.get(filter) ?? 0, settings.qos) as 0 | 1);
    const add = [...wanted].filter(([filter, qos]) => this.subscribed.get(filter) !== qos);
    const remove = [...this.subscribed.keys()].filter((filter) => !wanted.has(filter));
    try {
      if (add.length) {
        const granted = await client.subscribeAsync(
          Object.fromEntries(add.map(([filter, qos]) => [filter, { qos }])),
        );
        for (const grant of granted) {
          if (grant.qos === 128) {
            const route = routes.find((r) => r.filter === grant.topic);
            const message = `the broker refused the subscription to ${grant.topic}`;
            log(`ingest mqtt: ${message}${route ? ` (path "${route.path.name}")` : ''}`);
            if (route) stats.rejected(route.path, 0, message);
          } else this.subscribed.set(grant.topic, wanted.get(grant.topic)!);
        }
      }
      if (remove.length) {
        await client.unsubscribeAsync(remove);
        for (const filter of remove) this.subscribed.delete(filter);
      }
      if (add.length || remove.length)
        log(
          `ingest mqtt: ${this.subscribed.size} topic filter${this.subscribed.size === 1 ? '' : 's'} subscribed for ${new Set(routes.map((r) => r.path.id)).size} path(s)`,
        );
      this.resolveFirst();
    } catch (error) {
      // Offline or closing: the next connect or reload tries again.
      if (!this.stopping) log(`ingest mqtt: could not subscribe: ${(error as Error).message}`);
    }
  }

  private async handle(packet: IPublishPacket): Promise<void> {
    const { writer, stats, log } = this.options;
    // A resumed session delivers at once what waited for us: not before we know the paths.
    await Promise.race([this.routesLoaded, this.stopped]);
    if (this.stopping) throw new Error('stopping');
    const topic = packet.topic;
    const { route, refused } = routeTopic(this.routes, topic);
    for (const other of refused) {
      const reason = `${topic}: outside the namespace of the path’s organisation (${other.namespace}/); refused`;
      stats.rejected(other.path, 1, reason);
      this.logSometimes(`${other.path.id} ${topic}`, `path "${other.path.name}", topic ${reason}`);
    }
    if (!route) {
      // A filter of a path paused or deleted meanwhile (or kept by the broker's session).
      if (!refused.length)
        this.logSometimes(topic, `no active path subscribes ${topic}; message dropped`);
      return;
    }
    const { path, settings } = route;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const decoded = decodeMqttPayload(settings, topic, payload, {
      maxRecordBytes: this.options.maxRecordBytes,
    });
    const name = (record: number) =>
      settings.format === 'json' ? `record [${record}]` : `line ${record}`;
    if (decoded.bodyError) {
      log(`ingest mqtt: path "${path.name}", topic ${topic}: ${decoded.bodyError}`);
      stats.rejected(path, 1, `${topic}: ${decoded.bodyError}`);
      return;
    }
    for (let attempt = 0; ; attempt++) {
      let outcome;
      try {
        outcome = await writer.write(path, decoded.lines);
      } catch (error) {
        // Nothing of this message is stored: keep it unacknowledged and try again.
        if (this.stopping) throw error;
        const delay = Math.min(maxRetryDelayMs, 500 * 2 ** attempt);
        log(
          `ingest mqtt: could not store the message on ${topic} (${(error as Error).message}); retrying in ${delay} ms`,
        );
        await this.sleep(delay);
        if (this.stopping) throw error;
        continue;
      }
      if (outcome.status === 'busy') {
        // Back pressure: the broker holds the next messages meanwhile.
        await this.sleep(outcome.retryAfterSeconds * 1000);
        if (this.stopping) throw new Error('stopping');
        continue;
      }
      if (outcome.status === 'rate-limited' || outcome.status === 'over-quota') {
        // An MQTT device cannot be told to retry: what is beyond the path's limit or a billing
        // quota is dropped (and counted).
        log(
          `ingest mqtt: path "${path.name}", topic ${topic}: ${outcome.message}; message dropped`,
        );
        stats.rejected(path, decoded.lines.length, `${topic}: ${outcome.message}`);
        return;
      }
      stats.accepted(path, outcome.accepted);
      const bad = [
        ...decoded.errors,
        ...outcome.rejected.map((r) => ({ record: r.line, message: r.message })),
      ].sort((a, b) => a.record - b.record);
      if (bad.length) {
        const records = new Set(bad.map((e) => e.record)).size;
        const first = `${name(bad[0].record)}: ${bad[0].message}`;
        log(
          `ingest mqtt: path "${path.name}", topic ${topic}: ${records} record${records === 1 ? '' : 's'} rejected, ${outcome.accepted} points stored; ${first}`,
        );
        stats.rejected(path, records, `${topic}: ${first}`);
      }
      return;
    }
  }

  /** Logs a line at most once a minute per key (a topic, say): a device may publish often. */
  private logSometimes(key: string, line: string): void {
    const now = Date.now();
    if (now - (this.unrouted.get(key) ?? 0) <= 60_000) return;
    if (this.unrouted.size > 10_000) this.unrouted.clear();
    this.unrouted.set(key, now);
    this.options.log(`ingest mqtt: ${line}`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
