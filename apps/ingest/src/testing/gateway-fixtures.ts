import { sealSecret } from '@sextant/config';
import { newToken, uuidv7 } from '@sextant/ingest';
import type { Pool } from 'pg';

/** The platform secret (SEXTANT_SECRET_KEY) of the gateway's tests. */
export const testSecretKey = 'ab'.repeat(32);

/** A path of the gateway's tests, with one token (the secret as an agent holds it). */
export interface TestPath {
  pathId: string;
  sourceId: string;
  tokenId: string;
  token: string;
  /** The token's forward shared key, as an agent is configured with it. */
  sharedKey: string;
}

/**
 * An organisation with a site and a lake, and a path of `protocol` from the site to the lake
 * with one token, as the API makes them (`<prefix>.org`, `<prefix>.site`, `<prefix>.lake`):
 * the token's hash, and its shared key sealed with testSecretKey.
 */
export async function createGatewayPath(
  pool: Pool,
  prefix: string,
  protocol: 'line' | 'forward' | 'http' = 'line',
  mapping: Record<string, unknown> = {},
): Promise<TestPath> {
  const [org, sourceId, lake, pathId] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
  await pool.query(
    `INSERT INTO node (id, parent_id, kind, reference, name, metadata, updated_at) VALUES
       ($1, NULL, 'organisation', $4, 'Org', '{}', now()),
       ($2, $1, 'site', $5, 'Site', '{}', now()),
       ($3, $1, 'database', $6, 'Lake', '{}', now())`,
    [org, sourceId, lake, `${prefix}.org`, `${prefix}.site`, `${prefix}.lake`],
  );
  await pool.query(
    `INSERT INTO path (id, name, source_id, destination_id, protocol, mapping, settings, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, '{}', now())`,
    [pathId, `${prefix} ${protocol}`, sourceId, lake, protocol, mapping],
  );
  const token = newToken();
  const tokenId = uuidv7();
  await pool.query(
    `INSERT INTO path_token (id, path_id, name, prefix, token_hash, shared_key_sealed)
     VALUES ($1, $2, 't', $3, $4, $5)`,
    [tokenId, pathId, token.prefix, token.hash, sealSecret(testSecretKey, token.sharedKey)],
  );
  return { pathId, sourceId, tokenId, token: token.token, sharedKey: token.sharedKey };
}
