import { createTestDatabase } from '@sextant/testing';
import { openSecret } from '@sextant/config';
import { PathDirectory, sharedKeyOf } from '@sextant/ingest';
import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  openApiTestBed,
  startApi,
  type ApiHarness,
  type ApiTestBed,
} from '../../testing/api-harness';

// What the API keeps of a new path token: no credential in the clear. token_hash is the
// sha256 of the forward shared key (sha256 of the token, what agents configure), and the
// shared key itself only sealed with SEXTANT_SECRET_KEY.
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const secretKey = 'cd'.repeat(32);
const ids = { org: randomUUID(), site: randomUUID(), lake: randomUUID(), path: randomUUID() };

describe('path token creation', () => {
  let bed: ApiTestBed;
  let sql: Pool;
  let api: ApiHarness;
  let owner = '';

  beforeAll(async () => {
    bed = await openApiTestBed(await createTestDatabase('api_path_tokens'), {
      nodes: [
        [ids.org, null, 'organisation', 'org'],
        [ids.site, ids.org, 'site', 'org.site'],
        [ids.lake, ids.org, 'database', 'org.lake'],
      ],
      members: [['owner@org.test', ids.org, 'owner']],
      api: { secretKey },
    });
    ({ sql, api } = bed);
    owner = bed.tokens['owner@org.test'];
    await sql.query(
      `INSERT INTO path (id, name, source_id, destination_id, protocol, updated_at)
       VALUES ($1, 'fwd', $2, $3, 'forward', now())`,
      [ids.path, ids.site, ids.lake],
    );
  });

  afterAll(() => bed?.close());

  it('stores the hash of the shared key and the key sealed, never the key itself', async () => {
    const created = await api.call<{ id: string; token: string }>(
      'POST',
      `/api/paths/${ids.path}/tokens`,
      { token: owner, body: { name: 'agent' } },
    );
    expect(created.status).toBe(201);
    const { token } = created.body;
    const sharedKey = sha256(token);
    expect(sharedKeyOf(token)).toBe(sharedKey);
    const { rows } = await sql.query<{
      token_hash: string;
      shared_key_sealed: Buffer;
      legacy_shared_key: string | null;
      copy: string;
    }>(
      `SELECT token_hash, shared_key_sealed, legacy_shared_key, row_to_json(t)::text AS copy
         FROM path_token t WHERE id = $1`,
      [created.body.id],
    );
    const [row] = rows;
    expect(row.token_hash).toBe(sha256(sharedKey));
    expect(row.legacy_shared_key).toBeNull();
    expect(row.copy).not.toContain(sharedKey);
    expect(row.copy).not.toContain(token);
    expect(openSecret(secretKey, row.shared_key_sealed)).toBe(sharedKey);
    // The gateway finds the path of the token as before.
    expect((await new PathDirectory(sql).authenticate(token))?.id).toBe(ids.path);
    // Neither the listing nor the answer shows the hash or the sealed key.
    const listed = await api.call<Record<string, unknown>[]>(
      'GET',
      `/api/paths/${ids.path}/tokens`,
      { token: owner },
    );
    expect(JSON.stringify(listed.body)).not.toMatch(/token_?hash|sealed|legacy/i);
    expect(Object.keys(created.body).sort()).toEqual(
      ['createdAt', 'id', 'lastUsedAt', 'name', 'pathId', 'prefix', 'revokedAt', 'token'].sort(),
    );
  });

  it('refuses to make a token without SEXTANT_SECRET_KEY, saying so, and stores none', async () => {
    const bare = await startApi(bed.db.url, { secretKey: null });
    try {
      const before = await sql.query('SELECT count(*)::int AS n FROM path_token');
      const reply = await bare.call<{ code: string; message: string }>(
        'POST',
        `/api/paths/${ids.path}/tokens`,
        { token: owner, body: { name: 'agent' } },
      );
      expect(reply.status).toBe(503);
      expect(reply.body.code).toBe('SecretKeyMissing');
      expect(reply.body.message).toMatch(/SEXTANT_SECRET_KEY is not set/);
      const after = await sql.query('SELECT count(*)::int AS n FROM path_token');
      expect(after.rows[0].n).toBe(before.rows[0].n);
    } finally {
      await bare.close();
    }
  });
});
