import { decide, type Subject } from '@sextant/policy';
import type { Pool } from 'pg';
import { hashToken } from './tokens';

/** What a write needs to know about the path its token belongs to. */
export interface IngestPath {
  id: string;
  name: string;
  sourceId: string;
  destinationId: string;
  protocol: string;
  tokenId: string;
  /** field or measurement.field → resource id; '*' for the rest. */
  fieldResources: Map<string, string>;
  defaultResourceId: string;
  limits: PathLimits;
}

export interface PathLimits {
  /** Points a minute the path may write; null: no limit. */
  pointsPerMinute: number | null;
  /** Series the path may create in all; null: no limit. */
  maxSeries: number | null;
}

interface PathRow {
  id: string;
  name: string;
  source_id: string;
  destination_id: string;
  protocol: string;
  mapping: { fields?: Record<string, string> } | null;
  settings: { limits?: { pointsPerMinute?: number; maxSeries?: number } } | null;
  token_id: string;
  state?: string;
  revoked?: boolean;
}

/** The policy's view of a path token (libs/policy decides what it may write). */
export function pathTokenSubject(path: Pick<IngestPath, 'id' | 'sourceId' | 'tokenId'>): Subject {
  return {
    kind: 'path-token',
    tokenId: path.tokenId,
    pathId: path.id,
    sourceId: path.sourceId,
    revoked: false,
  };
}

function positive(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/**
 * Finds the path of a token. Every lookup reads the database (one indexed row), so a revoked
 * token or a paused path stops writing at once; resources are cached briefly.
 */
export class PathDirectory {
  private resources: { byReference: Map<string, string>; loadedAt: number } | null = null;
  private readonly lastUsed = new Map<string, number>();

  constructor(private readonly pool: Pool) {}

  async authenticate(token: string | undefined | null): Promise<IngestPath | null> {
    if (!token || token.length > 200) return null;
    return this.authenticateHash(hashToken(token));
  }

  /** The path of a token known by its hash (the forward handshake proves a token this way). */
  async authenticateHash(tokenHash: string): Promise<IngestPath | null> {
    const { rows } = await this.pool.query<PathRow>(
      `SELECT p.id, p.name, p.source_id, p.destination_id, p.protocol::text AS protocol,
              p.mapping, p.settings, t.id AS token_id, p.state::text AS state,
              t.revoked_at IS NOT NULL AS revoked
         FROM path_token t JOIN path p ON p.id = t.path_id
        WHERE t.token_hash = $1`,
      [tokenHash],
    );
    const row = rows[0];
    if (!row) return null;
    // The one policy decides, as for every other caller: an unrevoked token of this path,
    // and the path active.
    const subject: Subject = {
      kind: 'path-token',
      tokenId: row.token_id,
      pathId: row.id,
      sourceId: row.source_id,
      revoked: row.revoked ?? false,
    };
    if (
      !decide(subject, 'ingest.write', { kind: 'path', pathId: row.id, state: row.state ?? '' })
        .allow
    )
      return null;
    this.touch(row.token_id);
    return this.toPath(row);
  }

  /**
   * The active paths of a protocol, with their settings: protocols without tokens (MQTT) find
   * their paths by what the settings subscribe. Such a path's `tokenId` is empty. `namespace` is
   * the reference of the path's organisation (the nearest organisation at or above its source),
   * null when there is none.
   */
  async activePaths(
    protocol: string,
  ): Promise<{ path: IngestPath; settings: Record<string, unknown>; namespace: string | null }[]> {
    const { rows } = await this.pool.query<PathRow & { namespace: string | null }>(
      `WITH RECURSIVE up AS (
         SELECT p.id AS path_id, n.parent_id, n.kind, n.reference, 0 AS depth
           FROM path p JOIN node n ON n.id = p.source_id
          WHERE p.protocol::text = $1 AND p.state = 'active'
         UNION ALL
         SELECT up.path_id, n.parent_id, n.kind, n.reference, up.depth + 1
           FROM up JOIN node n ON n.id = up.parent_id
          WHERE up.kind <> 'organisation' AND up.depth < 1000
       )
       SELECT p.id, p.name, p.source_id, p.destination_id, p.protocol::text AS protocol,
              p.mapping, p.settings, '' AS token_id, up.reference AS namespace
         FROM path p LEFT JOIN up ON up.path_id = p.id AND up.kind = 'organisation'
        WHERE p.protocol::text = $1 AND p.state = 'active'
        ORDER BY p.created_at, p.id`,
      [protocol],
    );
    const paths = [];
    for (const row of rows)
      paths.push({
        path: await this.toPath(row),
        settings: (row.settings ?? {}) as Record<string, unknown>,
        namespace: row.namespace,
      });
    return paths;
  }

  private async toPath(row: PathRow): Promise<IngestPath> {
    const resources = await this.resourceIds();
    const fieldResources = new Map<string, string>();
    for (const [pattern, reference] of Object.entries(row.mapping?.fields ?? {})) {
      const id = resources.get(reference);
      if (id) fieldResources.set(pattern, id);
    }
    const limits = row.settings?.limits ?? {};
    return {
      id: row.id,
      name: row.name,
      sourceId: row.source_id,
      destinationId: row.destination_id,
      protocol: row.protocol,
      tokenId: row.token_id,
      fieldResources,
      defaultResourceId: fieldResources.get('*') ?? resources.get('ingest.points')!,
      limits: {
        pointsPerMinute: positive(limits.pointsPerMinute),
        maxSeries: positive(limits.maxSeries),
      },
    };
  }

  /** The resource of a field written through the path. */
  static resourceOf(path: IngestPath, measurement: string, field: string): string {
    return (
      path.fieldResources.get(`${measurement}.${field}`) ??
      path.fieldResources.get(field) ??
      path.defaultResourceId
    );
  }

  private async resourceIds(): Promise<Map<string, string>> {
    if (this.resources && Date.now() - this.resources.loadedAt < 10_000)
      return this.resources.byReference;
    const { rows } = await this.pool.query<{ id: string; reference: string }>(
      'SELECT id, reference FROM resource',
    );
    this.resources = {
      byReference: new Map(rows.map((r) => [r.reference, r.id])),
      loadedAt: Date.now(),
    };
    return this.resources.byReference;
  }

  /** Records when a token was last used, at most once a minute per token. */
  private touch(tokenId: string): void {
    const now = Date.now();
    if (now - (this.lastUsed.get(tokenId) ?? 0) < 60_000) return;
    this.lastUsed.set(tokenId, now);
    this.pool
      .query('UPDATE path_token SET last_used_at = now() WHERE id = $1', [tokenId])
      .catch(() => undefined);
  }
}
