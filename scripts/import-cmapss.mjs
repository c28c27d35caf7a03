// `node scripts/import-cmapss.mjs <train_FD001.txt> --parent <node id>`: uploads a NASA C-MAPSS
// turbofan file to a running API (POST /api/imports/cmapss/:parentId): one machine node per
// engine under the node, one series per setting and sensor. With --train, submits a rul-train
// run on the node (a remaining-life model; with --estimate, then estimates the in-service
// engines) and waits for it, printing the held-out error. The API and a token come from
// SEXTANT_API (default http://localhost:3000/api) and SEXTANT_TOKEN (npm start prints one).
import { readFileSync } from 'node:fs';
import { URLSearchParams } from 'node:url';
import { parseArgs } from 'node:util';

const usage =
  'usage: node scripts/import-cmapss.mjs <file.txt> --parent <node id> [--fleet FD001] [--history run-to-failure|in-service] [--cycle-hours 8] [--train [--estimate]] [--wait-seconds 300]';
let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      parent: { type: 'string' },
      fleet: { type: 'string' },
      history: { type: 'string' },
      'cycle-hours': { type: 'string' },
      train: { type: 'boolean', default: false },
      estimate: { type: 'boolean', default: false },
      'wait-seconds': { type: 'string', default: '300' },
    },
  });
} catch (error) {
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
}
const [file] = args.positionals;
if (!file || !args.values.parent) {
  console.error(usage);
  process.exit(2);
}
const api = (process.env.SEXTANT_API || 'http://localhost:3000/api').replace(/\/$/, '');
const token = process.env.SEXTANT_TOKEN;
if (!token) {
  console.error(
    'missing SEXTANT_TOKEN: an API token (npm start prints one; or the portal profile)',
  );
  process.exit(2);
}

async function call(method, path, body, contentType = 'application/json') {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    body: body === undefined || contentType !== 'application/json' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const answer = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const reasons = (answer?.errors ?? []).map((e) => `${e.field}: ${e.reason}`).join('; ');
    throw new Error(`${method} ${path}: ${response.status} ${reasons || answer?.message}`);
  }
  return answer;
}

try {
  const query = new URLSearchParams();
  if (args.values.fleet) query.set('fleet', args.values.fleet);
  if (args.values.history) query.set('history', args.values.history);
  if (args.values['cycle-hours']) query.set('cycleHours', args.values['cycle-hours']);
  const parent = encodeURIComponent(args.values.parent);
  const imported = await call(
    'POST',
    `/imports/cmapss/${parent}${query.size ? `?${query}` : ''}`,
    readFileSync(file),
    'text/plain',
  );
  const created = imported.engines.filter((e) => e.created).length;
  console.log(
    `${imported.engines.length} ${imported.history} engines of ${imported.fleet} (${created} new): ${imported.series} series, ${imported.points} points (${imported.newPoints} new)`,
  );
  if (args.values.train) {
    const run = await call('POST', '/jobs/runs', {
      type: 'rul-train',
      ownerId: args.values.parent,
      params: { fleetId: args.values.parent, estimate: args.values.estimate },
    });
    console.log(`rul-train submitted: run ${run.id}`);
    const deadline = Date.now() + Number(args.values['wait-seconds']) * 1000;
    for (;;) {
      const state = await call('GET', `/jobs/runs/${run.id}`);
      if (state.state === 'succeeded') {
        const r = state.result;
        console.log(
          `model v${r.version}: held-out RMSE ${r.rmseAllCycles} cycles (all cycles), ${r.rmseCutPoints} (cut points) on ${r.heldOut} of ${r.engines} engines`,
        );
        if (r.estimate) {
          console.log(
            `${r.estimate.engines} engines estimated; ${r.estimate.alertsRaised} alerts and ${r.estimate.ordersRaised} orders raised`,
          );
        }
        break;
      }
      if (['failed', 'cancelled'].includes(state.state)) {
        throw new Error(`rul-train ${state.state}: ${state.error ?? 'see its logs in the portal'}`);
      }
      if (Date.now() > deadline) {
        console.log(
          `rul-train is ${state.state} at ${state.progress} % (is a worker running?); see the run in the portal`,
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
