import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inject } from '@sextant/testing';
import { api, uniqueRef } from '../support/http';

// The import command-line scripts against the started stack (API and worker), as a user runs
// them: files from ../shared/data uploaded, and the analysis run and waited for.
const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const data = path.resolve(root, '../shared/data');
const cmapss = path.join(data, 'cmapss/train_FD001.txt');
const wind = path.join(data, 'wind/T1.csv');
const solar = {
  generation: path.join(data, 'solar/Plant_1_Generation_Data.csv'),
  weather: path.join(data, 'solar/Plant_1_Weather_Sensor_Data.csv'),
};
const absent = [cmapss, wind, solar.generation, solar.weather].filter((f) => !existsSync(f));
const missing = absent.length > 0;
if (missing) console.warn(`skipping the import scripts: missing ${absent.join(', ')}`);

(missing ? describe.skip : describe)('import scripts', () => {
  let dir = '';
  let cell = '';
  const env = () => ({
    ...process.env,
    SEXTANT_API: `${inject('apiUrl')}/api`,
    SEXTANT_TOKEN: inject('apiToken'),
  });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sextant-imports-'));
    const nodes = await api<{ items: { id: string; reference: string }[] }>(
      'GET',
      '/api/nodes?limit=500&sort=reference',
    );
    const acme = nodes.body.items.find((n) => n.reference === 'acme')!.id;
    const created = await api<{ id: string }>('POST', '/api/nodes', {
      kind: 'site',
      name: 'CLI test cell',
      reference: uniqueRef('cli-cell'),
      parentId: acme,
    });
    expect(created.status).toBe(201);
    cell = created.body.id;
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('import-cmapss.mjs imports engines and trains a model, printing its held-out error', async () => {
    // The first 12 engines of FD001 (enough to train and hold out 2).
    const file = path.join(dir, 'fd001-head.txt');
    writeFileSync(
      file,
      readFileSync(cmapss, 'utf8')
        .split('\n')
        .filter((l) => l.trim() && Number(l.trim().split(/\s+/)[0]) <= 12)
        .join('\n'),
    );
    const { stdout } = await run(
      process.execPath,
      ['scripts/import-cmapss.mjs', file, '--parent', cell, '--fleet', 'CLI', '--train'],
      { cwd: root, env: env(), timeout: 240_000 },
    );
    expect(stdout).toMatch(/^12 run-to-failure engines of CLI \(12 new\): 288 series, \d+ points/m);
    expect(stdout).toMatch(/^rul-train submitted: run [0-9a-f-]{36}$/m);
    expect(stdout).toMatch(
      /^model v1: held-out RMSE [\d.]+ cycles \(all cycles\), [\d.]+ \(cut points\) on 2 of 12 engines$/m,
    );
  }, 300_000);

  it('import-cmapss.mjs explains a bad file and a missing token, exiting non-zero', async () => {
    const bad = path.join(dir, 'bad.txt');
    writeFileSync(bad, '1 1 0.5\n');
    await expect(
      run(process.execPath, ['scripts/import-cmapss.mjs', bad, '--parent', cell], {
        cwd: root,
        env: env(),
      }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/400 file: expected 26 columns, found 3 \(line 1\)/),
    });
    await expect(
      run(process.execPath, ['scripts/import-cmapss.mjs', bad, '--parent', cell], {
        cwd: root,
        env: { ...env(), SEXTANT_TOKEN: '' },
      }),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/missing SEXTANT_TOKEN/) });
  });

  it('import-wind-scada.mjs imports T1 and runs wind-performance, printing the power curve and periods', async () => {
    const { stdout } = await run(
      process.execPath,
      ['scripts/import-wind-scada.mjs', wind, '--parent', cell, '--turbine', 'T1', '--run'],
      { cwd: root, env: env(), timeout: 240_000 },
    );
    expect(stdout).toMatch(/^created turbine T1 \([0-9a-f-]{36}\): 50530 rows /m);
    expect(stdout).toMatch(
      /^power curve: rated 360\d(\.\d+)? kW, cut-in 3\.5 m\/s, rated from 13 m\/s$/m,
    );
    expect(stdout).toMatch(
      /^periods: 41 downtime \([\d.]+ MWh\), 29 curtailment \([\d.]+ MWh\), 34 underperformance \([\d.]+ MWh\); 33 alerts$/m,
    );
  }, 300_000);

  it('import-solar.mjs imports plant 1 and runs solar-performance, printing the underperformers and the DC/AC finding', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        'scripts/import-solar.mjs',
        '--parent',
        cell,
        '--generation',
        solar.generation,
        '--weather',
        solar.weather,
        '--run',
      ],
      { cwd: root, env: env(), timeout: 240_000 },
    );
    expect(stdout).toMatch(/22 inverters \(22 new, told apart by total-yield\)/);
    expect(stdout).toMatch(
      /^22 inverters; underperforming: INV-03 \([\d.]+ % under the median\), INV-05/m,
    );
    expect(stdout).toMatch(/^data quality: DC power is 10\.2\d*× AC power; DC divided by 10 /m);
  }, 300_000);
});
