import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeContent, jsonBody } from '@sextant/jobs';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { membersWithTokens, startApi, type ApiHarness } from '../testing/api-harness';

// POST /api/imports/... with the real files of ../shared/data (FD001's first engines, T1.csv as
// its Latin-1 bytes, solar plant 1): machines and series created, the same file again writes
// nothing new, a broken file gets 400 naming its line; who may import where, and what another
// organisation gets (404).
const data = path.resolve(__dirname, '../../../../../shared/data');
const file = path.join(data, 'cmapss/train_FD001.txt');
const wind = path.join(data, 'wind/T1.csv');
const solar = {
  generation: path.join(data, 'solar/Plant_1_Generation_Data.csv'),
  weather: path.join(data, 'solar/Plant_1_Weather_Sensor_Data.csv'),
};
const absent = [file, wind, solar.generation, solar.weather].filter((f) => !existsSync(f));
const missing = absent.length > 0;
if (missing) console.warn(`skipping the imports API: missing ${absent.join(', ')}`);

const A = { org: randomUUID(), cell: randomUUID() };
const B = { org: randomUUID(), cell: randomUUID() };

(missing ? describe.skip : describe)('imports API', () => {
  let db: TestDatabase;
  let sql: Pool;
  let api: ApiHarness;
  const tokens: Record<string, string> = {};
  /** The file's first three engines. */
  let text = '';

  const upload = async (
    url: string,
    payload: string | Buffer,
    token: string,
    contentType = 'text/plain',
  ) => {
    const response = await api.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
        payload,
      });
    return { status: response.statusCode, body: JSON.parse(response.body) };
  };

  beforeAll(async () => {
    text = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() && Number(l.trim().split(/\s+/)[0]) <= 3)
      .join('\n');
    db = await createTestDatabase('api_imports');
    sql = new Pool({ connectionString: db.url, max: 2 });
    for (const [o, prefix] of [
      [A, 'alpha'],
      [B, 'beta'],
    ] as const) {
      await sql.query(
        `INSERT INTO node (id, parent_id, kind, name, reference, updated_at)
         VALUES ($1, NULL, 'organisation', $3, $3, now()), ($2, $1, 'site', $4, $4, now())`,
        [o.org, o.cell, prefix, `${prefix}.cell`],
      );
    }
    Object.assign(
      tokens,
      await membersWithTokens(
        sql,
        db.url,
        [
          ['admin@alpha.test', A.org, 'admin'],
          ['viewer@alpha.test', A.org, 'viewer'],
          ['admin@beta.test', B.org, 'admin'],
        ] as const,
        'imports',
      ),
    );
    api = await startApi(db.url);
  });

  afterAll(async () => {
    await api?.close();
    await sql?.end();
    await db?.drop();
  });

  it('imports C-MAPSS engines as machines with a series per column, once', async () => {
    const url = `/api/imports/cmapss/${A.cell}?fleet=FD001&history=run-to-failure&cycleHours=6`;
    const reply = await upload(url, text, tokens['admin@alpha.test']);
    expect(reply.status).toBe(201);
    // Units 1-3 of FD001 run 192, 287 and 179 cycles.
    expect(reply.body).toMatchObject({
      parentId: A.cell,
      fleet: 'FD001',
      history: 'run-to-failure',
      engines: [
        { name: 'FD001 engine 1', unit: 1, cycles: 192, created: true },
        { name: 'FD001 engine 2', unit: 2, cycles: 287, created: true },
        { name: 'FD001 engine 3', unit: 3, cycles: 179, created: true },
      ],
      series: 72,
      points: (192 + 287 + 179) * 24,
      newPoints: (192 + 287 + 179) * 24,
    });
    // Cycle 192 of engine 1 is 191 × 6 hours after 2025-01-01.
    const { rows } = await sql.query(
      `SELECT max(c.end_time)::text AS last FROM chunk c JOIN series s ON s.id = c.series_id
        WHERE s.node_id = $1`,
      [reply.body.engines[0].id],
    );
    expect(Number(BigInt(rows[0].last) / 1_000_000n)).toBe(
      Date.UTC(2025, 0, 1) + 191 * 6 * 3_600_000,
    );

    const again = await upload(url, Buffer.from(text), tokens['admin@alpha.test'], 'text/csv');
    expect(again.status).toBe(201);
    expect(again.body.newPoints).toBe(0);
    expect(again.body.engines.map((e: { created: boolean }) => e.created)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('answers 400 naming the line of a bad row, and the query parameter that is wrong', async () => {
    const broken = text.replace(/\n1 5 .*\n/, '\n1 5 0.1 oops\n');
    const reply = await upload(`/api/imports/cmapss/${A.cell}`, broken, tokens['admin@alpha.test']);
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      { field: 'file', reason: 'expected 26 columns, found 4 (line 5)' },
    ]);
    const empty = await upload(`/api/imports/cmapss/${A.cell}`, ' ', tokens['admin@alpha.test']);
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0]).toMatchObject({ field: 'file' });
    const wrong = await upload(
      `/api/imports/cmapss/${A.cell}?history=retired&cycleHours=-1`,
      text,
      tokens['admin@alpha.test'],
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'cycleHours',
      'history',
    ]);
  });

  it('lets only those who manage the node import, and hides other organisations (404)', async () => {
    const viewer = await upload(`/api/imports/cmapss/${A.cell}`, text, tokens['viewer@alpha.test']);
    expect(viewer.status).toBe(403);
    const other = await upload(`/api/imports/cmapss/${A.cell}`, text, tokens['admin@beta.test']);
    expect(other.status).toBe(404);
    const { rows } = await sql.query(
      `SELECT count(*)::int AS n FROM node WHERE parent_id = $1 AND kind = 'machine'`,
      [A.cell],
    );
    expect(rows[0].n).toBe(3);
  });

  it('serves an item body (a model) as a download, 404 for an item without one or of another organisation', async () => {
    const model = { kind: 'rul-gbt', trees: [{ value: [1.5] }] };
    const encoded = encodeContent(jsonBody(model));
    const id = randomUUID();
    const bare = randomUUID();
    await sql.query(
      `INSERT INTO item (id, kind, reference, name, owner_id, updated_at)
       VALUES ($1, 'model', 'job:test:0', 'RUL model v1', $3, now()),
              ($2, 'report', 'report:bare', 'no body', $3, now())`,
      [id, bare, A.cell],
    );
    await sql.query(
      `INSERT INTO item_content (item_id, media_type, encoding, size, sha256, data)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, encoded.mediaType, encoded.encoding, encoded.size, encoded.sha256, encoded.data],
    );
    const get = (itemId: string, token: string) =>
      api.app
        .getHttpAdapter()
        .getInstance()
        .inject({
          method: 'GET',
          url: `/api/items/${itemId}/content`,
          headers: { authorization: `Bearer ${token}` },
        });
    const reply = await get(id, tokens['viewer@alpha.test']);
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.headers['content-disposition']).toBe('attachment; filename="job_test_0.json"');
    expect(JSON.parse(reply.body)).toEqual(model);
    const none = await get(bare, tokens['viewer@alpha.test']);
    expect(none.statusCode).toBe(404);
    expect(JSON.parse(none.body).message).toBe('item report:bare has no body');
    expect((await get(id, tokens['admin@beta.test'])).statusCode).toBe(404);
  });

  it('imports a wind turbine from its Latin-1 SCADA file as sent, and a solar plant from its two files', async () => {
    const turbine = await upload(
      `/api/imports/wind-scada/${A.cell}?turbine=T1`,
      readFileSync(wind),
      tokens['admin@alpha.test'],
      'text/csv',
    );
    expect(turbine.status).toBe(201);
    expect(turbine.body).toMatchObject({ turbine: { name: 'T1', created: true }, rows: 50_530 });
    expect(turbine.body.series.map((c: { field: string }) => c.field).sort()).toEqual([
      'active_power_kw',
      'theoretical_power_kw',
      'wind_direction_deg',
      'wind_speed_ms',
    ]);
    const generation = await upload(
      `/api/imports/solar-generation/${A.cell}`,
      readFileSync(solar.generation),
      tokens['admin@alpha.test'],
      'text/csv',
    );
    expect(generation.status).toBe(201);
    expect(generation.body.inverters).toHaveLength(22);
    const weather = await upload(
      `/api/imports/solar-weather/${A.cell}`,
      readFileSync(solar.weather),
      tokens['admin@alpha.test'],
      'application/octet-stream',
    );
    expect(weather.status).toBe(201);
    // Either file finds the same plant.
    expect(weather.body.plant).toEqual({ ...generation.body.plant, created: false });
    const broken = await upload(
      `/api/imports/solar-weather/${A.cell}`,
      `${readFileSync(solar.weather, 'utf8').split('\n').slice(0, 3).join('\n')}\nnot a date,1,x,1,2,3\n`,
      tokens['admin@alpha.test'],
      'text/csv',
    );
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0].field).toBe('file');
    expect(broken.body.errors[0].reason).toMatch(/\(line 4\b/);
    const other = await upload(
      `/api/imports/wind-scada/${A.cell}`,
      readFileSync(wind),
      tokens['admin@beta.test'],
      'text/csv',
    );
    expect(other.status).toBe(404);
  }, 120_000);
});
