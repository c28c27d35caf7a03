// `node scripts/import-wind-scada.mjs <T1.csv> --parent <node id>`: uploads a wind turbine's
// 10-minute SCADA (the layout of the Kaggle "Wind Turbine Scada Dataset") to a running API
// (POST /api/imports/wind-scada/:parentId) as a turbine under the node; with --run, submits a
// wind-performance run of the turbine and waits for its result. The API and a token come from
// SEXTANT_API (default http://localhost:3000/api) and SEXTANT_TOKEN (npm start prints one).
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { URLSearchParams } from 'node:url';
import { parseArgs } from 'node:util';

const usage =
  'usage: node scripts/import-wind-scada.mjs <file.csv> --parent <node id> [--turbine <name>] [--run] [--owner <node id>] [--wait-seconds 120]';
let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      parent: { type: 'string' },
      turbine: { type: 'string' },
      run: { type: 'boolean', default: false },
      owner: { type: 'string' },
      'wait-seconds': { type: 'string', default: '120' },
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
const waitSeconds = Number(args.values['wait-seconds']);
if (!(waitSeconds >= 0)) {
  console.error(`--wait-seconds must be a number of seconds\n${usage}`);
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

/** The file as UTF-8 text: T1.csv's header is Latin-1 (its degree sign), so decode it as such. */
function csvText(file) {
  const bytes = readFileSync(file);
  return bytes.toString(isUtf8(bytes) ? 'utf8' : 'latin1');
}

/** Submits a run and waits until it ends or `waitSeconds` pass; returns it. */
async function runJob(submission) {
  const run = await call('POST', '/jobs/runs', submission);
  console.log(`${submission.type} submitted: run ${run.id}`);
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const current = await call('GET', `/jobs/runs/${run.id}`);
    if (['succeeded', 'failed', 'cancelled'].includes(current.state)) return current;
    if (Date.now() > deadline) {
      console.log(
        `run ${run.id} still ${current.state} (is a worker running?); see it in the portal`,
      );
      return null;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

try {
  const turbine = args.values.turbine || path.basename(file).replace(/\.[^.]*$/, '');
  const query = new URLSearchParams({ turbine });
  const imported = await call(
    'POST',
    `/imports/wind-scada/${encodeURIComponent(args.values.parent)}?${query}`,
    csvText(file),
    'text/csv; charset=utf-8',
  );
  const points = imported.series.map((s) => `${s.field} ${s.points} (${s.newPoints} new)`);
  console.log(
    `${imported.turbine.created ? 'created' : 'updated'} turbine ${imported.turbine.name} (${imported.turbine.id}): ${imported.rows} rows ${imported.from} to ${imported.to}; ${points.join(', ')}`,
  );
  if (args.values.run) {
    const done = await runJob({
      type: 'wind-performance',
      // The node imported under pays for the analysis, as it receives the data.
      ownerId: args.values.owner || args.values.parent,
      params: { turbineId: imported.turbine.id },
    });
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
