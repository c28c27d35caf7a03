import type { Pool } from 'pg';
import { IngestPath, PathDirectory } from '../paths';
import { newToken, uuidv7 } from '../tokens';

/**
 * A line-protocol path for the writer's tests: a site (`<prefix>.farm`) writing to a database
 * node (`<prefix>.lake`) with one token, authenticated as the gateway would.
 */
export async function createTestPath(
  pool: Pool,
  prefix: string,
  name: string,
): Promise<{ path: IngestPath; pathId: string }> {
  const [source, destination, pathId] = [uuidv7(), uuidv7(), uuidv7()];
  await pool.query(
    `INSERT INTO node (id, kind, reference, name, metadata, updated_at) VALUES
       ($1, 'site', $3, 'Farm', '{}', now()), ($2, 'database', $4, 'Lake', '{}', now())`,
    [source, destination, `${prefix}.farm`, `${prefix}.lake`],
  );
  await pool.query(
    `INSERT INTO path (id, name, source_id, destination_id, protocol, mapping, settings, updated_at)
     VALUES ($1, $4, $2, $3, 'line', '{}', '{}', now())`,
    [pathId, source, destination, name],
  );
  const token = newToken();
  await pool.query(
    `INSERT INTO path_token (id, path_id, name, prefix, token_hash) VALUES ($1, $2, 't', $3, $4)`,
    [uuidv7(), pathId, token.prefix, token.hash],
  );
  return { path: (await new PathDirectory(pool).authenticate(token.token))!, pathId };
}
