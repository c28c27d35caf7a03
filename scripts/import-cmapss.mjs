// `node scripts/import-cmapss.mjs <train_FD001.txt> --parent <node id>`: uploads a NASA C-MAPSS
// turbofan file to a running API (POST /api/imports/cmapss/:parentId): one machine node per
// engine under the node, one series per setting and sensor. With --train, submits a rul-train
// run on the node (a remaining-life model; with --estimate, then estimates the in-service
// engines) and waits for it, printing the held-out error. The API and a token come from
// SEXTANT_API (default http://localhost:3000/api) and SEXTANT_TOKEN (npm start prints one).
import { readFileSync } from 'node:fs';
import { URLSearchParams } from 'node:url';
import { apiClient, cliArgs, seconds } from './lib/api-client.mjs';

const usage =
  'usage: node scripts/import-cmapss.mjs <file.txt> --parent <node id> [--fleet FD001] [--history run-to-failure|in-service] [--cycle-hours 8] [--train [--estimate]] [--wait-seconds 300]';
const args = cliArgs(
  usage,
  {
    parent: { type: 'string' },
    fleet: { type: 'string' },
    history: { type: 'string' },
    'cycle-hours': { type: 'string' },
    train: { type: 'boolean', default: false },
    estimate: { type: 'boolean', default: false },
    'wait-seconds': { type: 'string', default: '300' },
  },
  { positionals: 1, required: ['parent'] },
);
const [file] = args.positionals;
const { call, runJob } = apiClient();

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
    const done = await runJob(
      {
        type: 'rul-train',
        ownerId: args.values.parent,
        params: { fleetId: args.values.parent, estimate: args.values.estimate },
      },
      seconds(args.values['wait-seconds'], 'wait-seconds', usage),
    );
    if (done?.state === 'succeeded') {
      const r = done.result;
      console.log(
        `model v${r.version}: held-out RMSE ${r.rmseAllCycles} cycles (all cycles), ${r.rmseCutPoints} (cut points) on ${r.heldOut} of ${r.engines} engines`,
      );
      if (r.estimate) {
        console.log(
          `${r.estimate.engines} engines estimated; ${r.estimate.alertsRaised} alerts and ${r.estimate.ordersRaised} orders raised`,
        );
      }
    } else if (done) {
      throw new Error(`rul-train ${done.state}: ${done.error ?? 'see its logs in the portal'}`);
    }
  }
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
