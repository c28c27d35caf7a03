import { encode } from '@msgpack/msgpack';
import dgram from 'node:dgram';
import net, { AddressInfo } from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import {
  forwardNodeRuleProblems,
  maxTagLength,
  type IngestPath,
  type IngestWriter,
  type PathDirectory,
} from '@sextant/ingest';
import type { PathStats } from '../stats';
import { ForwardDecodeError, ForwardDecoder, ForwardFrame } from './forward-decoder';
import { matchSharedKey, newHelo, pong, sharedKeyDigest } from './forward-handshake';
import type { ForwardKey, ForwardKeys } from './forward-keys';
import { ForwardMapping, forwardMappingOf, mapRecords, nodeReferencesOf } from './forward-mapping';
import type { ForwardRepository } from './forward.repository';
import { HandshakeThrottle, throttleKey } from './handshake-throttle';

export interface ForwardServerOptions {
  directory: PathDirectory;
  repository: ForwardRepository;
  writer: IngestWriter;
  stats: PathStats;
  /** Largest message (and decompressed packed entries), in bytes. */
  maxMessageBytes: number;
  /** A connection idle this long, or a message incomplete this long, is closed. */
  idleSeconds: number;
  /** Send HELO and require the shared-key handshake (the key is a path token's sha256). */
  requireAuth: boolean;
  /**
   * The shared keys the handshake checks (opened with SEXTANT_SECRET_KEY); null without that
   * secret: every handshake is then refused, saying why.
   */
  keys: ForwardKeys | null;
  /**
   * Failed handshakes from one address (IPv6: a /64) within `coolOffSeconds` after which its
   * handshakes are refused unchecked for `coolOffSeconds`.
   */
  authFailures: { max: number; coolOffSeconds: number };
  /** Without the handshake: the token whose path takes the events; null refuses them. */
  defaultToken: string | null;
  /** PEM certificate and key: serve TLS instead of plain TCP. */
  tls: { cert: Buffer; key: Buffer } | null;
  /** Connections at once; more are refused (default 1024). */
  maxConnections?: number;
  /** Sent in PONG; must differ from the clients' hostnames (default: the machine's). */
  hostname?: string;
  log: (line: string) => void;
}

/** How long a connection's path stays trusted before it is read again (revocation, mapping). */
const recheckMs = 5_000;
/** Event messages of one connection stored at once. */
const maxConcurrentWrites = 64;
/** What fluentd's in_forward sends back to a UDP heartbeat. */
const heartbeatReply = Buffer.from([0]);

/**
 * The fluentd forward protocol (v1) server: Message, Forward, PackedForward and
 * CompressedPackedForward modes, the shared-key handshake, `chunk` answered with `ack` only
 * once the points (and events) are committed, optional TLS. Bad input closes that connection
 * with a logged reason; nothing a client sends can stop the process.
 */
export class ForwardServer {
  private readonly server: net.Server;
  private readonly connections = new Set<ForwardConnection>();
  private heartbeat: dgram.Socket | null = null;
  private unwatch: (() => Promise<void>) | null = null;
  readonly hostname: string;
  private readonly throttle: HandshakeThrottle;

  constructor(private readonly options: ForwardServerOptions) {
    this.hostname = options.hostname ?? `sextant-ingest.${os.hostname()}`;
    this.throttle = new HandshakeThrottle(
      options.authFailures.max,
      options.authFailures.coolOffSeconds * 1000,
    );
    const accept = (socket: net.Socket) => {
      const connection = new ForwardConnection(
        socket,
        this.options,
        this.hostname,
        this.throttle,
        () => this.connections.delete(connection),
      );
      this.connections.add(connection);
      connection.start();
    };
    if (options.tls) {
      const server = tls.createServer({
        cert: options.tls.cert,
        key: options.tls.key,
        handshakeTimeout: options.idleSeconds * 1000,
      });
      server.on('secureConnection', accept);
      server.on('tlsClientError', (error, socket) => {
        options.log(
          `forward ${socket.remoteAddress ?? '?'}: TLS handshake failed: ${error.message}`,
        );
        socket.destroy();
      });
      this.server = server;
    } else {
      this.server = net.createServer(accept);
    }
    this.server.maxConnections = options.maxConnections ?? 1024;
    this.server.on('error', (error) => options.log(`forward server error: ${error.message}`));
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    // New tokens are known from the moment they are made, without a read per failed handshake.
    if (this.options.requireAuth) this.unwatch ??= (await this.options.keys?.watch()) ?? null;
    const address = await new Promise<AddressInfo>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
    await this.listenHeartbeat(address.port, host);
    return address;
  }

  /**
   * fluentd's UDP heartbeat (`heartbeat_type udp`): any datagram on the forward port is
   * answered with one, so the sender knows the node is alive. Without it (the port taken for
   * UDP) the gateway still serves TCP, and says why.
   */
  private listenHeartbeat(port: number, host: string): Promise<void> {
    const type = host.includes(':') ? 'udp6' : 'udp4';
    const socket = dgram.createSocket(type);
    socket.on('message', (_message, peer) => {
      socket.send(heartbeatReply, peer.port, peer.address);
    });
    return new Promise((resolve) => {
      socket.once('error', (error) => {
        this.options.log(`forward: no UDP heartbeat on port ${port}: ${error.message}`);
        socket.close();
        resolve();
      });
      socket.bind(port, host, () => {
        socket.removeAllListeners('error');
        socket.on('error', (error) => this.options.log(`forward heartbeat: ${error.message}`));
        this.heartbeat = socket;
        resolve();
      });
    });
  }

  get secure(): boolean {
    return this.options.tls !== null;
  }

  /** Stops accepting, lets writes in progress finish (and ack), then closes every connection. */
  async close(): Promise<void> {
    this.heartbeat?.close();
    this.heartbeat = null;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.finish()));
    await closed;
    await this.unwatch?.();
    this.unwatch = null;
  }
}

class ForwardConnection {
  private readonly decoder: ForwardDecoder;
  private readonly queue: ForwardFrame[] = [];
  private state: 'helo' | 'ready' | 'closed' = 'helo';
  private nonce: Uint8Array = new Uint8Array(0);
  private busy = false;
  private idle: (() => void)[] = [];
  private path: IngestPath | null = null;
  /** Token hash proven in the handshake, or null for the default token. */
  private tokenHash: string | null = null;
  private mapping: ForwardMapping = { measurement: null, tags: new Set(), nodes: [] };
  private checkedAt = 0;
  private refreshing: Promise<boolean> | null = null;
  private incomplete: NodeJS.Timeout | null = null;
  private readonly peer: string;

  constructor(
    private readonly socket: net.Socket,
    private readonly options: ForwardServerOptions,
    private readonly hostname: string,
    private readonly throttle: HandshakeThrottle,
    private readonly onClosed: () => void,
  ) {
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.decoder = new ForwardDecoder({ maxMessageBytes: options.maxMessageBytes });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.setTimeout(options.idleSeconds * 1000);
    socket.on('timeout', () => {
      if (!this.busy) this.close(`idle for ${options.idleSeconds} s`);
    });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.close(`socket error: ${error.message}`));
    socket.on('close', () => {
      this.state = 'closed';
      if (this.incomplete) clearTimeout(this.incomplete);
      this.onClosed();
      for (const done of this.idle.splice(0)) done();
    });
  }

  start(): void {
    if (this.options.requireAuth) {
      const { nonce, helo } = newHelo(true);
      this.nonce = nonce;
      this.socket.write(helo);
      return;
    }
    if (!this.options.defaultToken) {
      this.close(
        'refused: the handshake is off (INGEST_FORWARD_REQUIRE_AUTH=false) and no INGEST_FORWARD_DEFAULT_TOKEN names a path',
      );
      return;
    }
    this.socket.pause();
    this.busy = true;
    void this.run(async () => {
      if (!(await this.refreshPath(true))) return;
      this.state = 'ready';
    });
  }

  /** Resolves once no write is in progress, then closes. */
  finish(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    this.socket.pause();
    const done = new Promise<void>((resolve) => this.idle.push(resolve));
    if (!this.busy) this.close('the gateway is stopping');
    return done;
  }

  private receive(chunk: Buffer): void {
    if (this.state === 'closed') return;
    let completed = 0;
    try {
      for (const frame of this.decoder.push(chunk)) completed = this.queue.push(frame);
    } catch (error) {
      if (!(error instanceof ForwardDecodeError)) throw error;
      this.reject(error.message);
      return;
    }
    this.watchIncomplete(completed > 0);
    if (!this.busy && this.queue.length > 0) {
      this.busy = true;
      this.socket.pause();
      void this.run(() => this.drainQueue());
    }
  }

  /**
   * A message that stays incomplete longer than the idle time is a stalled or slow client;
   * the clock restarts with each message completed.
   */
  private watchIncomplete(progress: boolean): void {
    if (this.incomplete && (progress || this.decoder.buffered === 0)) {
      clearTimeout(this.incomplete);
      this.incomplete = null;
    }
    if (this.decoder.buffered > 0 && !this.incomplete) {
      this.incomplete = setTimeout(
        () => this.close(`a message stayed incomplete for ${this.options.idleSeconds} s`),
        this.options.idleSeconds * 1000,
      );
    }
  }

  /** Runs connection work one task at a time, the socket paused meanwhile (backpressure). */
  private async run(task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.close(
        `could not store events, closing so the client retries: ${(error as Error).message}`,
      );
    } finally {
      this.busy = false;
      if (this.state === 'closed') for (const done of this.idle.splice(0)) done();
      else if (this.idle.length > 0) this.close('the gateway is stopping');
      else this.socket.resume();
    }
  }

  /**
   * Handles the decoded messages in order, except that consecutive event messages are stored
   * concurrently (they join the same group commit, so a client sending one event per message
   * is not held to one commit per message); each is acknowledged when its own write commits.
   */
  private async drainQueue(): Promise<void> {
    let writes: Promise<void>[] = [];
    while (this.queue.length > 0 && this.state !== 'closed') {
      const frame = this.queue.shift()!;
      if (frame.kind === 'events' && writes.length < maxConcurrentWrites) {
        writes.push(this.store(frame));
        continue;
      }
      await Promise.all(writes);
      writes = [];
      if (frame.kind === 'events') writes.push(this.store(frame));
      else await this.handle(frame);
    }
    await Promise.all(writes);
  }

  private async handle(frame: ForwardFrame): Promise<void> {
    switch (frame.kind) {
      case 'heartbeat':
        return;
      case 'ping':
        return this.handshake(frame);
      case 'events':
        return this.store(frame);
      default:
        assertNever(frame);
    }
  }

  private async handshake(ping: Extract<ForwardFrame, { kind: 'ping' }>): Promise<void> {
    if (this.state !== 'helo' || !this.options.requireAuth)
      return this.reject(`PING at byte ${ping.offset} outside the handshake`);
    const { keys, stats } = this.options;
    const client = `client "${ping.clientHostname.slice(0, 100)}"`;
    // An address that failed too often is refused before any key is read or digest computed.
    const address = throttleKey(this.socket.remoteAddress);
    const wait = this.throttle.begin(address);
    if (wait > 0) {
      stats.gateway.forwardHandshakesThrottled++;
      return this.refuse(
        `too many failed handshakes from this address: retry in ${wait} s`,
        `handshake refused unchecked for ${client}: ${address} is cooling off (${wait} s left)`,
      );
    }
    let failed = false;
    let match: ForwardKey | null = null;
    try {
      if (!keys)
        return this.refuse(
          'the gateway cannot check shared keys (SEXTANT_SECRET_KEY is not set)',
          `handshake refused for ${client}: SEXTANT_SECRET_KEY is not set, shared keys cannot be opened`,
        );
      // Cached keys, also on a miss: a failed handshake costs no database read.
      match = matchSharedKey(ping, this.nonce, await keys.current());
      this.tokenHash = match?.tokenHash ?? null;
      failed = !match || !(await this.refreshPath(true));
    } finally {
      this.throttle.end(address, failed);
    }
    if (failed || !match) {
      stats.gateway.forwardHandshakesRefused++;
      return this.refuse(
        'shared key mismatch: use the sha256 of an active path token',
        `handshake refused for ${client}: shared key mismatch`,
      );
    }
    const digest = sharedKeyDigest(ping.salt, this.hostname, this.nonce, match.key);
    this.socket.write(pong(true, '', this.hostname, digest));
    this.state = 'ready';
  }

  /** Answers a PING with a refusal the client shows, then closes. */
  private refuse(reason: string, logged: string): void {
    this.socket.write(pong(false, reason, this.hostname, ''));
    this.close(logged, true);
  }

  /** Reads the connection's path again (revoked tokens and paused paths stop at once). */
  private refreshPath(force = false): Promise<boolean> {
    if (!force && this.path && Date.now() - this.checkedAt < recheckMs)
      return Promise.resolve(true);
    // Concurrent writes share one lookup.
    this.refreshing ??= this.lookUpPath(force).finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async lookUpPath(force: boolean): Promise<boolean> {
    const { directory, repository, defaultToken } = this.options;
    const path = this.tokenHash
      ? await directory.authenticateHash(this.tokenHash)
      : this.options.requireAuth
        ? null
        : await directory.authenticate(defaultToken);
    if (!path) {
      if (!force) this.close('the path token was revoked or the path is no longer active');
      else if (!this.tokenHash)
        this.close('INGEST_FORWARD_DEFAULT_TOKEN is not a token of an active path');
      this.path = null;
      return false;
    }
    this.path = path;
    const mapping = await repository.mappingOf(path.id);
    for (const problem of forwardNodeRuleProblems(mapping))
      this.options.log(
        `forward path "${path.name}": ${problem.field} ${problem.reason}: rule ignored`,
      );
    const references = nodeReferencesOf(mapping);
    const nodeIds = await repository.nodesUnderSource(path, references);
    for (const reference of references)
      if (!nodeIds.has(reference))
        this.options.log(
          `forward path "${path.name}": mapping.forward.nodes names "${reference.slice(0, 100)}", which is not the path's source node or under it: rule ignored`,
        );
    this.mapping = forwardMappingOf(mapping, nodeIds);
    this.checkedAt = Date.now();
    return true;
  }

  private async store(frame: Extract<ForwardFrame, { kind: 'events' }>): Promise<void> {
    if (this.state !== 'ready')
      return this.reject(
        `events at byte ${frame.offset} before the handshake (send PING after HELO)`,
      );
    if (!(await this.refreshPath())) return;
    const path = this.path!;
    const { stats, writer, repository, log } = this.options;
    if (frame.tag.length > maxTagLength) {
      // Never matched against the path's tag patterns; not acknowledged, like a refused write.
      const reason = `tag of ${frame.tag.length} characters is longer than the limit of ${maxTagLength}`;
      stats.gateway.forwardTagsRefused++;
      stats.rejected(path, frame.entries.length, `message at byte ${frame.offset}: ${reason}`);
      log(
        `forward ${this.peer} path "${path.name}": message at byte ${frame.offset} refused, not acknowledged: ${reason}`,
      );
      return;
    }
    const { batch, events } = mapRecords(frame.tag, frame.entries, this.mapping);
    const outcome = await writer.write(path, batch).finally(() => batch.release());
    if (outcome.status !== 'written') {
      stats.rejected(path, frame.entries.length - events.length, outcome.message);
      log(
        `forward ${this.peer} path "${path.name}": ${outcome.status}, not acknowledged${frame.option.chunk ? ' (the client retries)' : ' (the client asked for no ack: records dropped)'}: ${outcome.message}`,
      );
      return;
    }
    await repository.insertEvents(path.id, events, frame.option.chunk);
    stats.accepted(path, outcome.accepted);
    const refused = outcome.rejected.length;
    if (refused > 0 || outcome.quota) {
      const first = outcome.rejected[0];
      const message = first ? `entry ${first.line}: ${first.message}` : outcome.quota!.message;
      stats.rejected(path, refused, message);
      log(
        `forward ${this.peer} path "${path.name}": ${refused} points refused in the message at byte ${frame.offset}; ${message}`,
      );
    }
    // The connection may have closed while the write was committing.
    if (frame.option.chunk !== undefined && !this.socket.destroyed)
      this.socket.write(encode({ ack: frame.option.chunk }));
  }

  /** Bad input: log why and where, and close this connection only. */
  private reject(reason: string): void {
    this.close(`bad input, closing: ${reason}`);
  }

  private close(reason: string, flush = false): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.queue.length = 0;
    this.options.log(`forward ${this.peer}: ${reason}`);
    if (flush) {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    } else this.socket.destroy();
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
