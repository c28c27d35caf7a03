// The baseline of bench:api: a bare Fastify route running the same database query as
// GET /api/movements?limit=100 (the SQL of MovementsRepository.list without filters).
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE || 20),
});
const sql = `SELECT id, resource_id AS "resourceId", source_id AS "sourceId",
  destination_id AS "destinationId", item_id AS "itemId", path_id AS "pathId",
  quantity::text AS quantity, start, stop, unit_price::text AS "unitPrice", origin::text AS origin,
  external_id AS "externalId", created_at AS "createdAt"
  FROM movement ORDER BY start DESC, id DESC LIMIT $1`;

const app = Fastify();
app.get('/movements', async (request) => {
  const limit = Number(request.query.limit ?? 50);
  const { rows } = await pool.query(sql, [limit + 1]);
  return { items: rows.slice(0, limit), nextCursor: rows.length > limit ? 'next' : null };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('bare ready');
process.on('SIGTERM', async () => {
  await app.close();
  await pool.end();
  process.exit(0);
});
