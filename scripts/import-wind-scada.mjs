// `node scripts/import-wind-scada.mjs <T1.csv> --parent <node id>`: uploads a wind turbine's
// 10-minute SCADA (the layout of the Kaggle "Wind Turbine Scada Dataset") to a running API
// (POST /api/imports/wind-scada/:parentId) as a turbine under the node; with --run, submits a
// wind-performance run of the turbine and waits for its result. The API and a token come from
// SEXTANT_API (default http://localhost:3000/api) and SEXTANT_TOKEN (npm start prints one).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { URLSearchParams } from 'node:url';
import { apiClient, cliArgs, seconds } from './lib/api-client.mjs';

const usage =
  'usage: node scripts/import-wind-scada.mjs <file.csv> --parent <node id> [--turbine <name>] [--run] [--owner <node id>] [--wait-seconds 120]';
const args = cliArgs(
  usage,
  {
    parent: { type: 'string' },
    turbine: { type: 'string' },
    run: { type: 'boolean', default: false },
    owner: { type: 'string' },
    'wait-seconds': { type: 'string', default: '120' },
  },
  { positionals: 1, required: ['parent'] },
);
const [file] = args.positionals;
const waitSeconds = seconds(args.values['wait-seconds'], 'wait-seconds', usage);
const { call, runJob } = apiClient();

try {
  const turbine = args.values.turbine || path.basename(file).replace(/\.[^.]*$/, '');
  const query = new URLSearchParams({ turbine });
  const imported = await call(
    'POST',
    `/imports/wind-scada/${encodeURIComponent(args.values.parent)}?${query}`,
    // As it is: the API reads UTF-8, or Latin-1 as T1.csv's header is (its degree sign).
    readFileSync(file),
    'text/csv',
  );
  const points = imported.series.map((s) => `${s.field} ${s.points} (${s.newPoints} new)`);
  console.log(
    `${imported.turbine.created ? 'created' : 'updated'} turbine ${imported.turbine.name} (${imported.turbine.id}): ${imported.rows} rows ${imported.from} to ${imported.to}; ${points.join(', ')}`,
  );
  if (args.values.run) {
    const done = await runJob(
      {
        type: 'wind-performance',
        // The node imported under pays for the analysis, as it receives the data.
        ownerId: args.values.owner || args.values.parent,
        params: { turbineId: imported.turbine.id },
      },
      waitSeconds,
    );
    if (done?.state === 'succeeded') {
      // One turbine: the run's result lists one.
      const [r] = done.result.results;
      const p = r.periods;
      console.log(
        `power curve: rated ${r.ratedPowerKw} kW, cut-in ${r.cutInSpeed} m/s, rated from ${r.ratedSpeed} m/s`,
      );
      console.log(
        `periods: ${p.downtime.count} downtime (${p.downtime.lostMWh} MWh), ${p.curtailment.count} curtailment (${p.curtailment.lostMWh} MWh), ${p.underperformance.count} underperformance (${p.underperformance.lostMWh} MWh); ${r.alerts} alerts`,
      );
      if (r.health) {
        console.log(
          `health ${r.health.health} on ${r.health.lastDate}; remaining ${r.health.remainingDays} days${r.health.capped ? ' (the cap: not falling)' : ''}; report ${r.report}`,
        );
      }
    } else if (done) {
      throw new Error(`run ${done.id} ${done.state}: ${done.error ?? ''}`);
    }
  }
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
