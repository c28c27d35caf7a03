import { describe, expect, it } from '@jest/globals';
import { inject } from '@sextant/testing';
import { api, graphql } from '../support/http';
import { pathWithToken } from '../support/ingest';

interface IngestStatus {
  points: number;
  pointsPerSecond: number;
  lastSeenAt: string | null;
  rejectedLines: number;
  lastError: string | null;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('live path statistics', () => {
  it('tells agents where the gateway listens', async () => {
    const endpoints = await api<{ httpUrl: string; forwardPort: number }>(
      'GET',
      '/api/ingest/endpoints',
    );
    expect(endpoints.status).toBe(200);
    expect(endpoints.body.httpUrl).toBe(inject('ingestUrl').replace('127.0.0.1', 'localhost'));
    expect(endpoints.body.forwardPort).toBeGreaterThan(0);
  });

  it('shows what the gateway stored and refused, within seconds', async () => {
    const { pathId, token, measurement } = await pathWithToken();
    const now = Math.floor(Date.now() / 1000);
    const response = await fetch(`${inject('ingestUrl')}/api/v2/write?precision=s`, {
      method: 'POST',
      headers: { authorization: `Token ${token.token}` },
      body: [
        `${measurement} wind_speed_ms=oops ${now}`,
        ...Array.from({ length: 120 }, (_, i) => `${measurement} wind_speed_ms=7.1 ${now - i}`),
      ].join('\n'),
    });
    expect(response.status).toBe(400); // a partial write: 120 points stored, 1 line refused

    const read = async () =>
      (await api<IngestStatus>('GET', `/api/paths/${pathId}/ingest-status`)).body;
    // The gateway flushes its counters about once a second.
    const status = await until(read, (s) => s.points === 120 && s.rejectedLines === 1);
    expect(status).toMatchObject({ points: 120, rejectedLines: 1 });
    expect(status.lastError).toMatch(/^line 1: /);
    expect(Date.now() - Date.parse(status.lastSeenAt!)).toBeLessThan(60_000);
    // 120 points over 60 s, or (past the minute's turn) the share of them still in the window
    expect(status.pointsPerSecond).toBeGreaterThan(0);
    expect(status.pointsPerSecond).toBeLessThanOrEqual(2);

    const list = await api<{ pathId: string; points: number }[]>(
      'GET',
      `/api/paths/ingest-status?ids=${pathId},not-a-uuid`,
    );
    expect(list.status).toBe(400);
    expect(list.body).toMatchObject({ errors: [{ field: 'ids' }] });
    const listed = await api<{ pathId: string; points: number }[]>(
      'GET',
      `/api/paths/ingest-status?ids=${pathId}`,
    );
    expect(listed.body).toEqual([expect.objectContaining({ pathId, points: 120 })]);

    const gql = await graphql<{
      path: { ingestStatus: { points: number; rejectedLines: number } };
    }>('query($id: ID!) { path(id: $id) { ingestStatus { points rejectedLines } } }', {
      id: pathId,
    });
    expect(gql.data?.path.ingestStatus).toEqual({ points: 120, rejectedLines: 1 });
  });
});
