import { FluentClient } from '@fluent-org/logger';
import { InfluxDB, Point } from '@influxdata/influxdb-client';
import {
  addPlanVersion,
  BillingQuotaGate,
  createMetric,
  createPlan,
  subscribe,
} from '@sextant/billing';
import { ensureResource, foldAll } from '@sextant/billing/testing';
import { flushTallies, IngestWriter, PathDirectory } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { TimeSeriesStore } from '@sextant/timeseries';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ForwardKeys } from './forward/forward-keys';
import { ForwardServer } from './forward/forward-server';
import { ForwardRepository } from './forward/forward.repository';
import { createHttpServer } from './http/server';
import { PathStats } from './stats';
import { createGatewayPath, TestPath, testSecretKey } from './testing/gateway-fixtures';

// A plan's hard quota per metric, enforced by the gateway: under it writes go in; once the
// movements are folded and usage reaches it, writes of the organisation's paths whose movements
// the metric selects are refused with 429 (line protocol) or left unacknowledged (forward),
// naming the quota, and counted; another organisation writes on; a new plan version that raises
// the quota lets writes in again. The gate reads afresh on every write here (refreshMs 0).

const day = 86_400_000;
const now = new Date();
const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
const today = new Date(Math.floor(now.getTime() / day) * day);

describe('billing quotas at the gateway', () => {
  let db: TestDatabase;
  let pool: Pool;
  let app: FastifyInstance;
  let forward: ForwardServer;
  let stats: PathStats;
  let url = '';
  let forwardPort = 0;
  let acme: TestPath;
  let acmeForward: TestPath;
  let other: TestPath;
  let planId: string;
  // Points get distinct timestamps (ms) a minute ago and later: inside the current period.
  let t = Date.now() - 60_000;

  const lines = (n: number, field = 'value') =>
    Array.from({ length: n }, (_, i) => `machine ${field}=${i}.5 ${t++}`).join('\n');

  const post = (token: string, body: string) =>
    fetch(`${url}/api/v2/write?precision=ms`, {
      method: 'POST',
      headers: { authorization: `Token ${token}` },
      body,
    });

  const status = async (pathId: string) => {
    await stats.flush();
    const { rows } = await pool.query<{ rejected: number; error: string | null }>(
      `SELECT rejected_lines::int AS rejected, last_error AS error
         FROM ingest_path_status WHERE path_id = $1`,
      [pathId],
    );
    return rows[0] ?? { rejected: 0, error: null };
  };

  /** Sends one record over fluentd forward; resolves true once the gateway acknowledged it. */
  const emit = async (path: TestPath): Promise<boolean> => {
    const client = new FluentClient(null, {
      eventMode: 'PackedForward',
      socket: { host: '127.0.0.1', port: forwardPort, timeout: 10_000 },
      security: {
        clientHostname: 'quota-client',
        sharedKey: createHash('sha256').update(path.token).digest('hex'),
      },
      ack: { ackTimeout: 2000 },
    });
    try {
      await client.emit('fwd', { value: 1 }, new Date(t++));
      return true;
    } catch {
      return false;
    } finally {
      await client.shutdown().catch(() => undefined);
    }
  };

  const expectedMessage = (used: string) =>
    `quota "points" of plan "fleet" reached: 10 points per month (used ${used}) for organisation ` +
    `acme.org; resets ${nextMonth.toISOString().replace('.000Z', 'Z')}`;

  beforeAll(async () => {
    db = await createTestDatabase('ingest_billing_quota');
    pool = new Pool({ connectionString: db.url, max: 6 });
    // Before the paths: the path directory resolves mapped resources when it first reads a path.
    await ensureResource(pool, 'weather.temp', 'degC');
    acme = await createGatewayPath(pool, 'acme', 'line', { fields: { temp: 'weather.temp' } });
    other = await createGatewayPath(pool, 'other', 'line');
    // A forward path of acme's: from acme's site to acme's lake.
    acmeForward = await createGatewayPath(pool, 'acmefwd', 'forward');
    await pool.query(
      `UPDATE path SET (source_id, destination_id) = (SELECT source_id, destination_id FROM path WHERE id = $2)
        WHERE id = $1`,
      [acmeForward.pathId, acme.pathId],
    );
    await createMetric(pool, {
      code: 'points',
      name: 'Points ingested',
      unit: 'points',
      resource: 'ingest.points',
      origins: ['ingest'],
      aggregation: 'sum',
    });
    planId = await createPlan(pool, {
      code: 'fleet',
      name: 'Fleet',
      currency: 'EUR',
      interval: 'month',
      effectiveFrom: lastMonth,
      fixedFee: '0',
      charges: [{ metric: 'points', model: 'per_unit', unitPrice: '0.001', quota: '10' }],
    });
    const { rows: orgs } = await pool.query<{ id: string; reference: string }>(
      `SELECT id, reference FROM node WHERE reference IN ('acme.org', 'other.org')`,
    );
    for (const org of orgs)
      await subscribe(pool, { organisationId: org.id, planId, startsAt: monthStart });

    const store = new TimeSeriesStore(pool);
    const writer = new IngestWriter(store, {
      quotas: new BillingQuotaGate(pool, { refreshMs: 0 }),
    });
    stats = new PathStats(pool);
    const directory = new PathDirectory(pool);
    app = createHttpServer({
      directory,
      writer,
      stats,
      maxBodyBytes: 1 << 20,
      maxLineBytes: 64 * 1024,
      maxInFlight: 16,
      requestTimeoutSeconds: 30,
      version: 'test',
      health: async () => true,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const repository = new ForwardRepository(pool);
    forward = new ForwardServer({
      directory,
      repository,
      writer,
      stats,
      maxMessageBytes: 1 << 20,
      idleSeconds: 30,
      requireAuth: true,
      keys: new ForwardKeys(repository, testSecretKey, () => undefined),
      authFailures: { max: 1000, coolOffSeconds: 600 },
      defaultToken: null,
      tls: null,
      hostname: 'quota-gateway',
      log: () => undefined,
    });
    ({ port: forwardPort } = await forward.listen(0, '127.0.0.1'));
  });

  afterAll(async () => {
    await forward?.close();
    await app?.close();
    await pool?.end();
    await db?.drop();
  });

  it('takes writes under the quota', async () => {
    // The official client resolves close() only once the gateway answered 204.
    const client = new InfluxDB({ url, token: acme.token });
    const writeApi = client.getWriteApi('acme', 'lake', 'ms', { maxRetries: 0 });
    for (let i = 0; i < 11; i++)
      writeApi.writePoint(new Point('machine').floatField('value', i).timestamp(new Date(t++)));
    await writeApi.close();
    expect(await emit(acmeForward)).toBe(true);
    expect((await post(other.token, lines(3))).status).toBe(204);
  });

  it('refuses the lines a reached quota selects with 429, naming the quota, and counts them', async () => {
    await flushTallies(pool, { all: true });
    await foldAll(pool);
    // 11 points over HTTP and 1 over forward: 12 of 10.
    const reply = await post(acme.token, lines(2));
    expect(reply.status).toBe(429);
    // The period ends weeks away: the cap of an hour.
    expect(reply.headers.get('retry-after')).toBe('3600');
    const body = (await reply.json()) as { message: string };
    expect(body.message).toBe(expectedMessage('12'));
    expect(await status(acme.pathId)).toEqual({ rejected: 2, error: expectedMessage('12') });
  });

  it('stores the lines of resources the quota does not select, refusing the others', async () => {
    // Line 1 (temp) is weather.temp, which the metric does not select; line 2 is refused.
    const reply = await post(acme.token, `${lines(1, 'temp')}\n${lines(1)}`);
    expect(reply.status).toBe(429);
    const body = (await reply.json()) as { message: string; lines: { line: number }[] };
    expect(body.message).toMatch(
      /^partial write: 1 line rejected, 1 points stored; line 2: quota "points"/,
    );
    expect(body.lines.map((l) => l.line)).toEqual([2]);
    // 2 refused before, 1 now.
    expect((await status(acme.pathId)).rejected).toBe(3);
  });

  it('leaves forward messages unacknowledged and counts them', async () => {
    expect(await emit(acmeForward)).toBe(false);
    const forwardStatus = await status(acmeForward.pathId);
    expect(forwardStatus.rejected).toBe(1);
    expect(forwardStatus.error).toBe(expectedMessage('12'));
  });

  it('lets another organisation on the same plan write on', async () => {
    expect((await post(other.token, lines(3))).status).toBe(204);
  });

  it('lets writes in again once a new plan version raises the quota', async () => {
    await addPlanVersion(pool, planId, {
      effectiveFrom: today,
      fixedFee: '0',
      charges: [{ metric: 'points', model: 'per_unit', unitPrice: '0.001', quota: '1000' }],
    });
    expect((await post(acme.token, lines(2))).status).toBe(204);
    expect(await emit(acmeForward)).toBe(true);
  });
});
