import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@sextant/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openApiTestBed, organisationTree, type ApiTestBed } from '../testing/api-harness';

// The movement list, the API's hottest read, is written by a serialiser compiled from its
// documented schema; the test bed fails any response that differs from JSON.stringify's.

const ids = { org: randomUUID(), site: randomUUID(), machine: randomUUID(), lake: randomUUID() };
const resource = randomUUID();

describe('compiled response serialisers', () => {
  let bed: ApiTestBed;

  beforeAll(async () => {
    bed = await openApiTestBed(await createTestDatabase('response-serializer'), {
      nodes: organisationTree(ids, 'serial'),
      members: [['owner@serial.test', ids.org, 'owner']],
    });
    await bed.sql.query(
      `INSERT INTO resource (id, reference, name, unit, value_type, updated_at) VALUES ($1, 'r', 'R', 'u', 'float', now())`,
      [resource],
    );
    for (let i = 0; i < 3; i++)
      await bed.sql.query(
        `INSERT INTO movement (id, resource_id, source_id, destination_id, quantity, unit_price, start, stop, origin, external_id)
         VALUES ($1, $2, $3, $4, $5, $6, now() - make_interval(hours => $7), now(), 'manual', $8)`,
        [
          randomUUID(),
          resource,
          ids.machine,
          ids.lake,
          `${i}.25`,
          i ? '0.5' : null,
          i + 1,
          `e${i}`,
        ],
      );
  });

  afterAll(() => bed?.close());

  it('gives Fastify a compiled serialiser for the movement list and the other closed routes', () => {
    const serializers = bed.api.app.getHttpAdapter().getInstance().responseSerializers;
    expect(serializers?.operations).toEqual(
      expect.arrayContaining(['MovementsController_list', 'MovementsController_get']),
    );
    expect(serializers?.installed).toEqual(
      expect.arrayContaining(['GET /api/movements', 'GET /api/movements/:id']),
    );
    // Every compiled operation is a registered route.
    expect(serializers?.installed.length).toBe(serializers?.operations.length);
  });

  it('writes the movement list as JSON.stringify would, with its JSON content type', async () => {
    const answer = await bed.api.call<{ items: Record<string, unknown>[]; nextCursor: null }>(
      'GET',
      '/api/movements?limit=10',
      { token: bed.tokens['owner@serial.test'] },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.body.nextCursor).toBeNull();
    expect(answer.body.items.map((m) => [m.quantity, m.unitPrice, m.externalId])).toEqual([
      ['0.250000', null, 'e0'],
      ['1.250000', '0.5000000000', 'e1'],
      ['2.250000', '0.5000000000', 'e2'],
    ]);
    expect(answer.body.items[0]).toEqual(
      expect.objectContaining({ itemId: null, pathId: null, origin: 'manual' }),
    );
    expect(String(answer.body.items[0].start)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('leaves errors to the error filter', async () => {
    const answer = await bed.api.call<{ code: string }>('GET', `/api/movements/${randomUUID()}`, {
      token: bed.tokens['owner@serial.test'],
    });
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('MovementNotFound');
  });
});
