// The baseline worker of `npm run bench:jobs`: pg-boss alone, shaped like the platform's
// worker (CONCURRENCY fetch loops of one job each, the same polling, notified after each job),
// with handlers that do nothing. Prints `ready` once working.
// Usage: node pgboss-worker.mjs <databaseUrl> <queue> <concurrency>
import PgBoss from 'pg-boss';

const [url, queue, concurrency] = process.argv.slice(2);
const boss = new PgBoss({
  connectionString: url,
  schema: 'pgboss',
  max: Number(concurrency) + 2,
  supervise: false,
  schedule: false,
});
boss.on('error', (error) => console.error(error.message));
await boss.start();
for (let i = 0; i < Number(concurrency); i++) {
  const loop = { id: '' };
  loop.id = await boss.work(queue, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async () => {
    if (loop.id) boss.notifyWorker(loop.id);
  });
}
console.log('ready');
process.on('SIGTERM', () => void boss.stop({ graceful: false }).then(() => process.exit(0)));
