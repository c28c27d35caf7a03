import { BillingQuotaGate } from '@sextant/billing';
import { loadConfig } from '@sextant/config';
import { IngestStage, IngestWriter, PathDirectory, stagedPoints } from '@sextant/ingest';
import { TimeSeriesStore } from '@sextant/timeseries';
import { Pool } from 'pg';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ForwardKeys, sealLegacyKeys } from './forward/forward-keys';
import { ForwardServer } from './forward/forward-server';
import { ForwardRepository } from './forward/forward.repository';
import { createHttpServer } from './http/server';
import { MqttSubscriber } from './mqtt/mqtt-subscriber';
import type { SettledMessage, SettleThreadData, StagedMessage } from './settle-thread';
import { PathStats } from './stats';

const version = '0.1.0';

function isSettled(message: unknown): message is SettledMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    Array.isArray((message as SettledMessage).settled)
  );
}

/**
 * The ingest gateway: InfluxDB-compatible HTTP writes (and, as they land, the other
 * protocols), authenticated per path, stored in the time-series store, accounted as movements.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const databaseUrl = config.databaseUrl;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set (npm start sets it)');
  // The gateway's one pool; the settling thread, a thread of its own, opens its own.
  const pool = new Pool({ connectionString: databaseUrl, max: config.ingest.poolSize });
  pool.on('error', (error) => console.error(`ingest: database connection error: ${error.message}`));
  const store = new TimeSeriesStore(pool);
  const stats = new PathStats(pool, (line) => console.error(line));
  stats.start();
  // Each staged row's data goes to the settling thread too (transferred, not copied).
  // Points this gateway staged and its settling thread has not settled yet, by row.
  const unsettled = new Map<string, number>();
  let unsettledPoints = 0;
  const stage = new IngestStage(pool, store, {
    onStaged: (seq, data) => {
      const points = stagedPoints(data);
      unsettled.set(seq, points);
      unsettledPoints += points;
      const message: StagedMessage = { seq, data };
      const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
      settler.postMessage(message, whole ? [data.buffer as ArrayBuffer] : []);
    },
  });
  const writer = new IngestWriter(store, {
    // Billing quotas per organisation, read again every 5 s (docs/ingest.md, Billing quotas).
    quotas: new BillingQuotaGate(pool, { log: (line) => console.error(line) }),
    maxPendingPoints: config.ingest.maxPendingPoints,
    stage: config.ingest.stageMinPoints > 0 ? stage : undefined,
    stageMinPoints: config.ingest.stageMinPoints,
    // Commits wait while the settling thread is this far behind: memory stays bounded.
    holdWhile:
      config.ingest.maxUnsettledPoints > 0
        ? () => unsettledPoints > config.ingest.maxUnsettledPoints
        : undefined,
  });
  // Staged commits (also those a stopped gateway left) are settled into chunks continuously,
  // in a thread of their own, started again should it fail (staged rows wait meanwhile).
  let settling = true;
  let settler = startSettler();
  function startSettler(): Worker {
    const thread = new Worker(path.join(__dirname, 'settle-thread.js'), {
      // A settling pass holds at most about 400,000 points (see IngestStage.settle).
      resourceLimits: { maxOldGenerationSizeMb: 160, maxYoungGenerationSizeMb: 16 },
      workerData: {
        databaseUrl: databaseUrl!,
        intervalMs: config.ingest.settleIntervalMs,
      } satisfies SettleThreadData,
    });
    thread.on('error', (error) =>
      console.error(`ingest: settling thread failed: ${error.message}`),
    );
    thread.on('message', (message: unknown) => {
      if (!isSettled(message)) return;
      for (const seq of message.settled) {
        unsettledPoints -= unsettled.get(seq) ?? 0;
        unsettled.delete(seq);
      }
    });
    thread.on('exit', () => {
      if (settling) setTimeout(() => settling && (settler = startSettler()), 1000).unref();
    });
    return thread;
  }
  const stopSettler = () => {
    settling = false;
    return new Promise<void>((resolve) => {
      settler.on('message', (message) => message === 'stopped' && resolve());
      settler.once('exit', () => resolve());
      settler.postMessage('stop');
    }).then(() => settler.terminate());
  };
  const http = createHttpServer({
    directory: new PathDirectory(pool),
    writer,
    stats,
    maxBodyBytes: config.ingest.maxBodyBytes,
    maxLineBytes: config.ingest.maxLineBytes,
    maxInFlight: config.ingest.maxInFlight,
    requestTimeoutSeconds: config.ingest.requestTimeoutSeconds,
    version,
    health: async () => (await pool.query('SELECT 1')).rowCount === 1,
    log: (line) => console.error(line),
  });
  http.get('/stats', async () => ({ paths: stats.snapshot(), gateway: stats.gateway }));
  await http.listen({ port: config.ingest.httpPort, host: config.ingest.host });
  const forwardConfig = config.ingest.forward;
  const forwardRepository = new ForwardRepository(pool);
  const log = (line: string) => console.error(line);
  if (config.secretKey) {
    // Keys stored before they were sealed (see the migration): sealed before the port opens.
    const sealed = await sealLegacyKeys(forwardRepository, config.secretKey);
    if (sealed > 0) log(`ingest: sealed the forward shared keys of ${sealed} path tokens`);
  } else if (forwardConfig.requireAuth) {
    log(
      'ingest: SEXTANT_SECRET_KEY is not set: forward shared keys cannot be opened, every forward handshake is refused (npm start sets one)',
    );
  }
  const forward = new ForwardServer({
    directory: new PathDirectory(pool),
    repository: forwardRepository,
    writer,
    stats,
    maxMessageBytes: forwardConfig.maxMessageBytes,
    idleSeconds: forwardConfig.idleSeconds,
    requireAuth: forwardConfig.requireAuth,
    keys: config.secretKey ? new ForwardKeys(forwardRepository, config.secretKey, log) : null,
    authFailures: {
      max: forwardConfig.authFailures,
      coolOffSeconds: forwardConfig.authCoolOffSeconds,
    },
    defaultToken: forwardConfig.defaultToken,
    tls: forwardConfig.tls && {
      cert: readPem('INGEST_FORWARD_TLS_CERT', forwardConfig.tls.certFile),
      key: readPem('INGEST_FORWARD_TLS_KEY', forwardConfig.tls.keyFile),
    },
    log: (line) => console.error(line),
  });
  const forwardAddress = await forward.listen(config.ingest.forwardPort, config.ingest.host);
  const mqttUrl = config.ingest.mqtt.url;
  // Not awaited: the broker may come later; the subscriber reconnects by itself.
  const mqtt = mqttUrl
    ? new MqttSubscriber({
        mqtt: { ...config.ingest.mqtt, url: mqttUrl },
        directory: new PathDirectory(pool),
        writer,
        stats,
        maxRecordBytes: config.ingest.maxLineBytes,
        log: (line) => console.error(line),
      })
    : null;
  mqtt?.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`ingest: ${signal}, finishing writes in progress`);
    await http.close();
    await forward.close();
    await mqtt?.stop();
    await writer.drain();
    await stopSettler();
    await stats.stop();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // The launcher waits for this line.
  console.log(
    `ingest ready: line protocol on http://${config.ingest.host}:${config.ingest.httpPort}/write, fluentd forward on ${forward.secure ? 'tls' : 'tcp'}://${config.ingest.host}:${forwardAddress.port}`,
  );
}

function readPem(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`invalid ${variable}: cannot read ${file}: ${(error as Error).message}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
