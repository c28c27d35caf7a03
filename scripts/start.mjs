// `npm start`: builds what is stale, then runs the whole platform on this machine: Postgres
// (embedded unless DATABASE_URL is set), migrations, demo data, api, portal, ingest, worker.
// Ctrl-C (or SIGTERM) stops the apps, then the database, leaving no process behind.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], {
  stdio: 'inherit',
  cwd: root,
});

const { loadConfig } = require(path.join(root, 'dist/libs/config/src'));
const { startStack } = require(path.join(root, 'dist/libs/stack/src'));
const { embeddedPasswordFile } = require(path.join(root, 'dist/libs/db/src'));
const { demoApiToken, seedDemoData, seedDemoUsers } = require(path.join(root, 'dist/prisma/seed'));

// The KOI table of ../shared/data, for matching transit candidates, unless configured.
const koi = path.resolve(root, '../shared/data/lightcurves/koi_cumulative_2019-01-20.csv');
if (process.env.KOI_CATALOGUE === undefined && existsSync(koi)) process.env.KOI_CATALOGUE = koi;

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(`configuration error: ${error.message}`);
  process.exit(2);
}

// Demo passwords are made on the first start and kept here (mode 0600); printed that once.
const demoUsersFile = path.join(path.dirname(config.embeddedPostgres.dataDir), 'demo-users.json');
const firstStart = !existsSync(demoUsersFile);
let stack = null;
let demoUsers = [];
let demoToken = null;
let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping Sextant...`);
  if (stack) await stack.stop();
  console.log('stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  stack = await startStack({
    config,
    root,
    apps: ['api', 'portal', 'ingest', 'worker'],
    seed: config.demoData
      ? async (url) => {
          const summary = await seedDemoData(url, {
            sharedData: path.resolve(root, '../shared/data'),
          });
          demoUsers = await seedDemoUsers(url, demoUsersFile);
          if (demoUsers.some((u) => u.email === 'owner@acme.example'))
            demoToken = await demoApiToken(url, 'owner@acme.example', 'npm start example', 1);
          return summary;
        }
      : undefined,
  });
} catch (error) {
  console.error(`Sextant did not start: ${error.message}`);
  process.exit(1);
}
if (stopping) process.exit(0);
const { urls } = stack;
const accounts = firstStart
  ? `(demo accounts; their passwords are shown this once, and kept in ${demoUsersFile})
${demoUsers.map((u) => `            ${u.email.padEnd(24)} ${u.password.padEnd(18)} ${u.role}`).join('\n')}`
  : `demo accounts: emails and passwords in ${demoUsersFile} (readable by you only)`;
// The embedded server's own password (made on the first start), for psql and the like.
const passwordFile = embeddedPasswordFile(config.embeddedPostgres.dataDir);
const shown = path.relative(process.cwd(), passwordFile);
const databasePassword = config.databaseUrl
  ? ''
  : `   (password in ${shown.startsWith('..') ? passwordFile : shown})`;
// Sources on this machine are refused unless allowed (see docs/cdc.md).
const cdcHint = config.cdc.allowedHosts.length
  ? ''
  : `
            (a database on this machine: start with CDC_ALLOWED_HOSTS=127.0.0.1)`;
const auth = demoUsers.length
  ? `
  Sign in   ${accounts}${
    demoToken
      ? `
  API token of owner@acme.example for the examples below (valid 1 day):
            export SEXTANT_TOKEN=${demoToken}
            curl -H "Authorization: Bearer $SEXTANT_TOKEN" ${urls.api}/nodes`
      : ''
  }`
  : `
  Sign in   create an account on the portal's sign-up page`;
console.log(`
Sextant is running.
  Portal    ${urls.portal}
  REST API  ${urls.api}   (health: ${urls.api}/health)
  OpenAPI   ${urls.docs}
  GraphQL   ${urls.graphql}
  Ingest    ${urls.ingest}/write   (InfluxDB line protocol 1.x; /api/v2/write for 2.x; /api/v1/json)
            ${urls.ingestForward}   (fluentd forward; shared key: sha256 of a path token)
  Tokens    create one on a path's page in the portal, or POST ${urls.api}/paths/<id>/tokens
  CDC       capture a Postgres database: the portal's CDC page, or POST ${urls.api}/cdc/sources${cdcHint}
  Jobs      ${urls.portal}/jobs, or POST ${urls.api}/jobs/runs (types: GET ${urls.api}/jobs/types)
  Database  ${stack.databaseUrl.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')}${databasePassword}${auth}
Press Ctrl-C to stop.`);
// Exit if an app dies, rather than run half a platform.
for (const p of stack.processes) {
  p.exited.then((code) => {
    if (!stopping) {
      console.error(`${p.name} exited unexpectedly (code ${code}); stopping everything.`);
      void shutdown('exit');
    }
  });
}
