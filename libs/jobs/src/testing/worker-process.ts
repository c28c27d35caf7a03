// A job worker process for the worker-crash test: the test job types, quick
// heartbeats. Prints `ready <workerId>` once it takes work; the test kills it with SIGKILL.
// Usage: node worker-process.js <databaseUrl>
import { startTestWorker } from './harness';

async function main(): Promise<void> {
  const [url] = process.argv.slice(2);
  const worker = await startTestWorker(url, { concurrency: 1 });
  console.log(`ready ${worker.id}`);
  const stop = () => void worker.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
