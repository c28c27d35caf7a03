import { Pool } from 'pg';

/** The nodes a runner's movements point at. */
export class NodesRepository {
  constructor(private readonly pool: Pool) {}

  /** The ids among `ids` that have no node. */
  async missing(ids: string[]): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id::text AS id FROM node WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const found = new Set(rows.map((r) => r.id));
    return ids.filter((id) => !found.has(id));
  }
}

/**
 * A pool on Sextant's database for a runner, once the nodes its movements point at exist;
 * otherwise the pool is closed and the error names the missing nodes. `tag` prefixes the
 * report of an idle connection lost (which must not crash the process).
 */
export async function openRunnerPool(
  config: {
    databaseUrl: string;
    poolSize: number;
    sourceNodeId: string;
    destinationNodeId: string;
  },
  tag: string,
): Promise<Pool> {
  const pool = new Pool({ connectionString: config.databaseUrl, max: config.poolSize });
  pool.on('error', (error) => console.error(`${tag}: Sextant database: ${error.message}`));
  const missing = await new NodesRepository(pool)
    .missing([config.sourceNodeId, config.destinationNodeId])
    .catch(async (error: Error) => {
      await pool.end().catch(() => undefined);
      throw error;
    });
  if (missing.length > 0) {
    await pool.end();
    throw new Error(
      `no node ${missing.join(', ')} in Sextant's database (CDC_SOURCE_NODE_ID, CDC_DESTINATION_NODE_ID)`,
    );
  }
  return pool;
}
