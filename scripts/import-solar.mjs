// `node scripts/import-solar.mjs --parent <node id> --generation <Plant_1_Generation_Data.csv>
// --weather <Plant_1_Weather_Sensor_Data.csv>`: uploads a solar plant's files (the layout of the
// Kaggle "Solar Power Generation Data") to a running API (POST /api/imports/solar-generation
// and solar-weather, /:parentId) as a plant with its inverters and weather sensor under the
// node; with --run, submits a solar-performance run of the plant and waits for its result.
// The API and a token come from SEXTANT_API (default http://localhost:3000/api) and
// SEXTANT_TOKEN (npm start prints one).
import { readFileSync } from 'node:fs';
import { apiClient, cliArgs, seconds } from './lib/api-client.mjs';

const usage =
  'usage: node scripts/import-solar.mjs --parent <node id> [--generation <file.csv>] [--weather <file.csv>] [--run] [--owner <node id>] [--wait-seconds 120]';
const args = cliArgs(
  usage,
  {
    parent: { type: 'string' },
    generation: { type: 'string' },
    weather: { type: 'string' },
    run: { type: 'boolean', default: false },
    owner: { type: 'string' },
    'wait-seconds': { type: 'string', default: '120' },
  },
  { required: ['parent'] },
);
const { parent, generation, weather } = args.values;
if (!parent || (!generation && !weather)) {
  console.error(`give --parent and at least one of --generation and --weather\n${usage}`);
  process.exit(2);
}
const waitSeconds = seconds(args.values['wait-seconds'], 'wait-seconds', usage);
const { call, runJob } = apiClient();

const upload = (kind, file) =>
  call(
    'POST',
    `/imports/${kind}/${encodeURIComponent(parent)}`,
    readFileSync(file, 'utf8'),
    'text/csv; charset=utf-8',
  );

const newPoints = (series) => series.reduce((n, s) => n + s.newPoints, 0);

try {
  let plant;
  if (weather) {
    const w = await upload('solar-weather', weather);
    plant = w.plant;
    console.log(
      `${w.sensor.created ? 'created' : 'updated'} ${w.sensor.name} (${w.sensor.id}) in ${w.plant.name}: ${w.rows} rows ${w.from} to ${w.to}, ${newPoints(w.series)} new points`,
    );
  }
  if (generation) {
    const g = await upload('solar-generation', generation);
    plant = g.plant;
    const created = g.inverters.filter((i) => i.created).length;
    console.log(
      `${g.plant.created ? 'created' : 'updated'} ${g.plant.name} (${g.plant.id}): ${g.inverters.length} inverters (${created} new, told apart by ${g.identity.method}), ${g.rows} rows ${g.from} to ${g.to}, ${newPoints(g.inverters.flatMap((i) => i.series))} new points`,
    );
  }
  if (args.values.run) {
    const done = await runJob(
      {
        type: 'solar-performance',
        // The node imported under pays for the analysis, as it receives the data.
        ownerId: args.values.owner || parent,
        params: { plantId: plant.id },
      },
      waitSeconds,
    );
    if (done?.state === 'succeeded') {
      const r = done.result;
      const under = r.underperforming.map(
        (i) => `${i.inverter} (${Math.round(i.deficit * 1000) / 10} % under the median)`,
      );
      console.log(
        `${r.inverters} inverters; underperforming: ${under.join(', ') || 'none'}; ${r.outages} outages (${r.outageHours} h)`,
      );
      const q = r.dataQuality;
      console.log(
        q.dcUnitInconsistent
          ? `data quality: DC power is ${q.dcAcRatio}× AC power; DC divided by ${q.dcScaleFactor} gives an efficiency of ${q.efficiencyWithDcDividedBy10}`
          : `data quality: DC/AC ${q.dcAcRatio}, consistent`,
      );
      console.log(`${r.alerts} alerts; report ${r.report}`);
    } else if (done) {
      throw new Error(`run ${done.id} ${done.state}: ${done.error ?? ''}`);
    }
  }
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
