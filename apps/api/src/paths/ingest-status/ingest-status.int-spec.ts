import { DomainError } from '@sextant/domain';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { testApiConfig } from '../../testing/api-harness';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccessRepository } from '../../access/access.repository';
import { AccessService } from '../../access/access.service';
import type { Principal } from '../../auth/principal';
import { PrismaService } from '../../prisma/prisma.service';
import { IngestStatusRepository } from './ingest-status.repository';
import { IngestStatusService } from './ingest-status.service';

const ids = {
  org: '00000000-0000-7000-8000-000000000001',
  turbine: '00000000-0000-7000-8000-000000000002',
  wind: '00000000-0000-7000-8000-000000000010',
  power: '00000000-0000-7000-8000-000000000011',
  busy: '00000000-0000-7000-8000-000000000020',
  other: '00000000-0000-7000-8000-000000000021',
  quiet: '00000000-0000-7000-8000-000000000022',
  unknown: '00000000-0000-7000-8000-0000000000ff',
};

// A platform administrator sees every path.
const admin: Principal = {
  kind: 'user',
  userId: ids.unknown,
  email: 'admin@example.org',
  name: 'Admin',
  platformAdmin: true,
  grants: [],
  via: 'api-token',
  credentialId: ids.unknown,
  csrfToken: null,
};

// A fixed clock: 30 s into the minute 12:00.
const at = new Date('2026-11-23T12:00:30Z');

describe(IngestStatusService.name, () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let service: IngestStatusService;

  beforeAll(async () => {
    db = await createTestDatabase('ingest_status');
    prisma = new PrismaService(testApiConfig(db.url, { poolSize: 2 }));
    service = new IngestStatusService(
      new IngestStatusRepository(prisma),
      new AccessService(new AccessRepository(prisma)),
    );
    const sql = prisma.pool;
    await sql.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES
         ($1, NULL, 'organisation', 'Org', 'org', now()),
         ($2, $1, 'machine', 'T1', 'org.t1', now())`,
      [ids.org, ids.turbine],
    );
    await sql.query(
      `INSERT INTO resource (id, reference, name, unit, value_type, updated_at) VALUES
         ($1, 'wind.speed', 'Wind', 'm/s', 'float', now()),
         ($2, 'power', 'Power', 'kW', 'float', now())`,
      [ids.wind, ids.power],
    );
    await sql.query(
      `INSERT INTO path (id, name, source_id, destination_id, protocol, updated_at) VALUES
         ($1, 'busy', $4, $5, 'line', now()),
         ($2, 'other', $4, $5, 'line', now()),
         ($3, 'quiet', $4, $5, 'line', now())`,
      [ids.busy, ids.other, ids.quiet, ids.turbine, ids.org],
    );
    // Tallies as the gateways commit them: per path, resource and minute of arrival.
    await sql.query(
      `INSERT INTO ingest_tally (id, path_id, resource_id, minute, points, first_time, last_time)
       SELECT gen_random_uuid(), p, r, m::timestamptz, n, m::timestamptz, m::timestamptz
         FROM (VALUES
           ($1::uuid, $3::uuid, '2026-11-23T11:58:00Z', 6000),
           ($1, $3, '2026-11-23T11:59:00Z', 400),
           ($1, $4, '2026-11-23T11:59:00Z', 200),
           ($1, $3, '2026-11-23T12:00:00Z', 300),
           ($2, $3, '2026-11-23T12:00:00Z', 60)
         ) AS t(p, r, m, n)`,
      [ids.busy, ids.other, ids.wind, ids.power],
    );
    await sql.query(
      `INSERT INTO ingest_path_status
         (path_id, points, rejected_lines, last_seen_at, last_error, last_error_at, updated_at)
       VALUES ($1, 9000000000, 3, '2026-11-23T12:00:29.5Z',
               'line 2: invalid field value (column 14)', '2026-11-23T12:00:12Z', '2026-11-23T12:00:29.9Z')`,
      [ids.busy],
    );
  });

  afterAll(async () => {
    await prisma?.onModuleDestroy();
    await db?.drop();
  });

  it('sums every gateway’s counters and rates a path over the last 60 seconds', async () => {
    expect(await service.get(ids.busy, at)).toEqual({
      pathId: ids.busy,
      points: 9_000_000_000, // beyond 32 bits: bigint read exactly
      // half of 11:59 (400 + 200 across both resources) + 300 of 12:00 so far, over 60 s;
      // 11:58 lies outside the window
      pointsPerSecond: 10,
      lastSeenAt: new Date('2026-11-23T12:00:29.500Z'),
      rejectedLines: 3,
      lastError: 'line 2: invalid field value (column 14)',
      lastErrorAt: new Date('2026-11-23T12:00:12Z'),
      updatedAt: new Date('2026-11-23T12:00:29.900Z'),
    });
  });

  it('rates a path from its tallies alone before any gateway reported its counters', async () => {
    const status = await service.get(ids.other, at);
    expect(status.pointsPerSecond).toBe(1); // 60 points so far this minute, over 60 s
    expect(status.points).toBe(0);
    expect(status.updatedAt).toBeNull();
  });

  it('answers zeros for a path nothing was written through', async () => {
    expect(await service.get(ids.quiet, at)).toEqual({
      pathId: ids.quiet,
      points: 0,
      pointsPerSecond: 0,
      lastSeenAt: null,
      rejectedLines: 0,
      lastError: null,
      lastErrorAt: null,
      updatedAt: null,
    });
  });

  it('uses the database clock when none is given', async () => {
    // The fixture's minutes are long past: nothing in the last 60 s.
    expect((await service.get(ids.busy)).pointsPerSecond).toBe(0);
  });

  it('lists several paths in the order asked, leaving out unknown ids and repeats', async () => {
    const statuses = await service.list(
      admin,
      [ids.quiet, ids.unknown, ids.busy.toUpperCase(), ids.quiet],
      at,
    );
    expect(statuses.map((s) => [s.pathId, s.pointsPerSecond])).toEqual([
      [ids.quiet, 0],
      [ids.busy, 10],
    ]);
  });

  it('refuses an unknown path with PathNotFound', async () => {
    await expect(service.get(ids.unknown)).rejects.toMatchObject({ code: 'PathNotFound' });
  });

  it.each([
    ['not a UUID', ['t01'], /must be UUIDs separated by commas, got "t01"/],
    ['no id', [''], /must be UUIDs/],
    [
      'too many ids',
      Array.from(
        { length: 101 },
        (_, i) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
      ),
      /expected 1 to 100 path ids, got 101/,
    ],
  ])('refuses %s with a 400 naming the field ids', async (_case, pathIds, reason) => {
    const error = await service.list(admin, pathIds).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).status).toBe(400);
    expect((error as DomainError).fieldErrors).toEqual([
      { field: 'ids', reason: expect.stringMatching(reason) },
    ]);
  });

  it('drops the counters with their path', async () => {
    await prisma.pool.query('DELETE FROM ingest_tally WHERE path_id = $1', [ids.busy]);
    await prisma.pool.query('DELETE FROM path WHERE id = $1', [ids.busy]);
    const { rowCount } = await prisma.pool.query(
      'SELECT 1 FROM ingest_path_status WHERE path_id = $1',
      [ids.busy],
    );
    expect(rowCount).toBe(0);
  });
});
