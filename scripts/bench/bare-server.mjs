// The baseline of bench:api: a bare Fastify route doing what GET /api/movements?limit=100 does
// for a caller with a personal API token: the token's sha256 looked up (and kept 5 s, as the
// API's AUTH_CACHE_SECONDS), then the movements of the subtrees where the caller's roles allow
// reading movements (the SQL of MovementsRepository.list with its scope).
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE || 20),
});
const tokenSql = `SELECT u.id, u.platform_admin AS "platformAdmin",
    coalesce((SELECT array_agg(m.node_id) FROM membership m WHERE m.user_id = u.id), '{}') AS roots
  FROM api_token t JOIN app_user u ON u.id = t.user_id
  WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()`;
const sql = `WITH RECURSIVE scope AS (
    SELECT id FROM node WHERE id = ANY($2::uuid[])
    UNION SELECT n.id FROM node n JOIN scope s ON n.parent_id = s.id
  )
  SELECT id, resource_id AS "resourceId", source_id AS "sourceId",
  destination_id AS "destinationId", item_id AS "itemId", path_id AS "pathId",
  quantity::text AS quantity, start, stop, unit_price::text AS "unitPrice", origin::text AS origin,
  external_id AS "externalId", created_at AS "createdAt"
  FROM movement
  WHERE (source_id IN (SELECT id FROM scope) OR destination_id IN (SELECT id FROM scope))
  ORDER BY start DESC, id DESC LIMIT $1`;

const cache = new Map();
async function caller(header) {
  const token = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
  if (!token) return null;
  const hash = createHash('sha256').update(token).digest('hex');
  const hit = cache.get(hash);
  if (hit && hit.until > Date.now()) return hit.user;
  const { rows } = await pool.query(tokenSql, [hash]);
  if (rows[0]) cache.set(hash, { user: rows[0], until: Date.now() + 5000 });
  return rows[0] ?? null;
}

const app = Fastify();
app.get('/movements', async (request, reply) => {
  const user = await caller(request.headers.authorization);
  if (!user) return reply.status(401).send({ statusCode: 401 });
  const limit = Number(request.query.limit ?? 50);
  const { rows } = await pool.query(sql, [limit + 1, user.roots]);
  return { items: rows.slice(0, limit), nextCursor: rows.length > limit ? 'next' : null };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('bare ready');
process.on('SIGTERM', async () => {
  await app.close();
  await pool.end();
  process.exit(0);
});
