// Serves the built portal as `next start` does, and sets the client address first: Next keeps
// an X-Forwarded-For that the client wrote, which the portal's proxy to the API would pass on,
// so that any client could pick its own address there. Here X-Forwarded-For is replaced, before
// Next sees the request, by the address of the socket, or, behind TRUST_PROXY_HOPS proxies,
// by the entry the farthest of them wrote.
//
//   node apps/portal/portal-server.mjs [dir] [-p port] [-H host]
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import next from 'next';

const { values, positionals } = parseArgs({
  options: { port: { type: 'string', short: 'p' }, hostname: { type: 'string', short: 'H' } },
  allowPositionals: true,
});
const dir = path.resolve(positionals[0] ?? path.dirname(fileURLToPath(import.meta.url)));
const port = Number(values.port ?? process.env.PORT ?? 3001);
const hostname = values.hostname ?? '0.0.0.0';
const hops = Number(process.env.TRUST_PROXY_HOPS || 0);
if (!Number.isInteger(hops) || hops < 0 || hops > 10) {
  console.error(`invalid TRUST_PROXY_HOPS: expected a whole number 0-10`);
  process.exit(2);
}

/** The client: the socket's peer, or the entry of the farthest trusted proxy. */
function clientAddress(request) {
  const forwarded = String(request.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const chain = [request.socket.remoteAddress ?? '', ...forwarded.reverse()];
  const address = chain[Math.min(hops, chain.length - 1)];
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}

// Tells the proxy route (lib/proxy.ts) that X-Forwarded-For was set here, so it may vouch for it.
process.env.SEXTANT_PORTAL_CLIENT_ADDRESS = 'x-forwarded-for';
const app = next({ dev: false, dir, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();
const server = createServer((request, response) => {
  request.headers['x-forwarded-for'] = clientAddress(request);
  void handle(request, response);
});
server.listen(port, hostname, () => console.log(`portal ready on http://${hostname}:${port}`));
for (const signal of ['SIGTERM', 'SIGINT'])
  process.once(signal, () => {
    server.close();
    process.exit(0);
  });
