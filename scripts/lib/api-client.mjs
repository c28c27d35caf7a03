// What the import scripts share: their arguments, the API from SEXTANT_API (default
// http://localhost:3000/api) with the token SEXTANT_TOKEN, calls whose errors name each bad
// field, and waiting for a job run.
import { parseArgs } from 'node:util';

/** Parses the command line; a wrong option or a missing required one prints usage, exit 2. */
export function cliArgs(usage, options, { positionals = 0, required = [] } = {}) {
  let args;
  try {
    args = parseArgs({ allowPositionals: positionals > 0, options });
  } catch (error) {
    console.error(`${error.message}\n${usage}`);
    process.exit(2);
  }
  if (args.positionals.length < positionals || required.some((name) => !args.values[name])) {
    console.error(usage);
    process.exit(2);
  }
  return args;
}

/** A client of the running API; exits 2 when SEXTANT_TOKEN is missing. */
export function apiClient() {
  const api = (process.env.SEXTANT_API || 'http://localhost:3000/api').replace(/\/$/, '');
  const token = process.env.SEXTANT_TOKEN;
  if (!token) {
    console.error(
      'missing SEXTANT_TOKEN: an API token (npm start prints one; or the portal profile)',
    );
    process.exit(2);
  }

  /** One call; a refusal throws an error naming the status and each bad field. */
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

  /** Submits a run and waits until it ends or `waitSeconds` pass; returns it (null if not done). */
  async function runJob(submission, waitSeconds) {
    const run = await call('POST', '/jobs/runs', submission);
    console.log(`${submission.type} submitted: run ${run.id}`);
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const current = await call('GET', `/jobs/runs/${run.id}`);
      if (['succeeded', 'failed', 'cancelled'].includes(current.state)) return current;
      if (Date.now() > deadline) {
        console.log(
          `run ${run.id} still ${current.state} at ${current.progress} % (is a worker running?); see it in the portal`,
        );
        return null;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  return { call, runJob };
}

/** A number of seconds from an option; anything else prints usage, exit 2. */
export function seconds(value, name, usage) {
  const n = Number(value);
  if (!(n >= 0)) {
    console.error(`--${name} must be a number of seconds\n${usage}`);
    process.exit(2);
  }
  return n;
}
