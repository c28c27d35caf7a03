// `node scripts/import-lightcurve.mjs <file.fits> --parent <node id>`: uploads a Kepler or TESS
// light curve to a running API (POST /api/lightcurves) as a star under the node; with --search,
// submits a transit search of the star and waits for its candidates. The API and a token come
// from SEXTANT_API (default http://localhost:3000/api) and SEXTANT_TOKEN (npm start prints one).
import { readFileSync } from 'node:fs';
import { URLSearchParams } from 'node:url';
import { apiClient, cliArgs } from './lib/api-client.mjs';

const usage =
  'usage: node scripts/import-lightcurve.mjs <file.fits> --parent <node id> [--name <star name>] [--search] [--wait-seconds 120]';
const args = cliArgs(
  usage,
  {
    parent: { type: 'string' },
    name: { type: 'string' },
    search: { type: 'boolean', default: false },
    'wait-seconds': { type: 'string', default: '120' },
  },
  { positionals: 1, required: ['parent'] },
);
const [file] = args.positionals;
const { call } = apiClient();

try {
  const query = new URLSearchParams({ parentId: args.values.parent });
  if (args.values.name) query.set('name', args.values.name);
  const imported = await call(
    'POST',
    `/lightcurves?${query}`,
    readFileSync(file),
    'application/octet-stream',
  );
  const points = imported.series.map((s) => `${s.field} ${s.points} (${s.newPoints} new)`);
  console.log(
    `${imported.createdStar ? 'created' : 'updated'} star ${imported.starName} (${imported.starId}): ${points.join(', ')}`,
  );
  if (args.values.search) {
    const run = await call('POST', `/lightcurves/stars/${imported.starId}/transit-search`, {});
    console.log(`transit search submitted: run ${run.runId}`);
    const deadline = Date.now() + Number(args.values['wait-seconds']) * 1000;
    for (;;) {
      const { items } = await call('GET', `/lightcurves/stars/${imported.starId}/candidates`);
      const found = items.filter((c) => c.runId === run.runId);
      if (found.length) {
        for (const c of found) {
          const koi = c.koi ? ` ${c.koi.kepoiName}${c.knownPlanet ? ' (known planet)' : ''}` : '';
          console.log(
            `candidate ${c.rank}: P ${c.period} d, depth ${c.depthPpm} ppm, ${c.durationHours} h, SNR ${c.snr}${koi}`,
          );
        }
        break;
      }
      if (Date.now() > deadline) {
        console.log('no candidates yet (is a worker running?); see the run in the portal');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
