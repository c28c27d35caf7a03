import type { Pool } from 'pg';

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
