import path from 'node:path';
import { builtinJobTypes } from '@sextant/analyses';
import { JobTypeRegistry, type JobWorker } from '@sextant/jobs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inject } from '@sextant/testing';
import { chromiumFor, docsScreenshot, launchChromium, signedInPage } from '../support/browser';
import { api } from '../support/http';
import { startJobWorker } from '../support/job-worker';

const hasChromium = chromiumFor('jobs and maintenance');

(!hasChromium ? describe.skip : describe)('jobs and maintenance pages in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let worker: JobWorker;
  let nodes: Map<string, string>;
  const portal = () => inject('portalUrl');
  const shot = (name: string) =>
    page.screenshot({ path: path.join(inject('artefactsDir'), `${name}.png`), fullPage: true });

  beforeAll(async () => {
    const reply = await api<{ items: { id: string; reference: string }[] }>(
      'GET',
      '/api/nodes?limit=500&sort=reference',
    );
    nodes = new Map(reply.body.items.map((n) => [n.reference, n.id]));
    // The browser tier runs no worker app (it would also run CDC sources the other pages feed
    // by hand): a job worker in this process runs the demo run and the runs submitted here.
    worker = await startJobWorker(new JobTypeRegistry(builtinJobTypes), {
      concurrency: 2,
      schedulerIntervalSeconds: 1,
    });
    browser = await launchChromium();
    // The platform administrator: every page and button of the job platform is theirs.
    page = await signedInPage(browser);
    page.setDefaultTimeout(60_000);
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
  });

  it('lists runs with state and progress, the demo run among them', async () => {
    await page.goto(`${portal()}/jobs`);
    const table = page.getByTestId('job-runs');
    // The demo data's series-health run, which the worker ran at start.
    await table.getByText('series-health').first().waitFor();
    await table.locator('tr', { hasText: 'succeeded' }).first().waitFor();
    expect(await page.getByTestId('job-workers').textContent()).toMatch(/1 worker running/);
    await shot('jobs');
  });

  it('submits a run from the form drawn from its parameters, shows field errors, then follows it live', async () => {
    await page.goto(`${portal()}/jobs/new`);
    await page.locator('#job-type').selectOption('platform-check');
    await page.locator('[name="params.tasks"]').fill('3');
    await page.locator('[name="params.seconds"]').fill('500');
    await page.getByRole('button', { name: 'Submit' }).click();
    // No owner: the API's 400 is shown beside the field.
    await page.getByTestId('error-ownerId').waitFor();
    expect(await page.getByTestId('error-ownerId').textContent()).toMatch(/UUID/);
    await page.locator('[name="params.seconds"]').fill('5000');
    await page.locator('[name="ownerId"]').selectOption(nodes.get('acme')!);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByTestId('error-params.seconds').waitFor();
    expect(await page.getByTestId('error-params.seconds').textContent()).toBe(
      'must be at most 3600',
    );
    await page.locator('[name="params.seconds"]').fill('120');
    await page.getByRole('button', { name: 'Submit' }).click();

    // The run page: a graph of steps, the tasks fanned out, live progress and logs.
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const graph = page.getByTestId('task-graph');
    await graph.getByText('3 tasks').waitFor();
    await page.getByTestId('task-table').getByText('wait[2]').waitFor();
    await page.getByTestId('task-table').locator('tr', { hasText: 'running' }).first().waitFor();
    await page
      .getByTestId('run-logs')
      .getByText(/attempt 1 of 3 started/)
      .first()
      .waitFor();
    await shot('job-run-live');

    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByTestId('job-state').first().filter({ hasText: 'cancelled' }).waitFor();
    await page.getByRole('button', { name: 'Retry', exact: true }).waitFor();
    expect(await page.getByTestId('run-error').textContent()).toBe('cancelled on request');
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    await page.getByRole('button', { name: 'Cancel', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('button', { name: 'Retry', exact: true }).waitFor();
  });

  it('shows a finished run with its result and lineage', async () => {
    const runs = await api<{ items: { id: string }[] }>(
      'GET',
      '/api/jobs/runs?type=series-health&state=succeeded&limit=1',
    );
    await page.goto(`${portal()}/jobs/${runs.body.items[0].id}`);
    await page.getByTestId('run-result').waitFor();
    const lineage = page.getByTestId('run-lineage');
    await lineage.getByText(/Read \(60 series\)/).waitFor();
    await lineage.getByText('report').waitFor();
    await shot('job-run-done');
  });

  it('creates and pauses a schedule', async () => {
    await page.goto(`${portal()}/jobs/schedules`);
    // The demo data's nightly schedule.
    await page.getByTestId('job-schedules').getByText('Nightly series health').waitFor();
    await page.getByRole('button', { name: 'New schedule' }).click();
    const form = page.getByTestId('new-schedule');
    await form.locator('#schedule-type').selectOption('platform-check');
    await form.locator('[name="name"]').fill('Hourly check');
    await form.locator('[name="cron"]').fill('every hour');
    await form.locator('[name="ownerId"]').selectOption(nodes.get('acme')!);
    await form.getByRole('button', { name: 'Create schedule' }).click();
    await form.getByTestId('error-cron').waitFor();
    await form.locator('[name="cron"]').fill('0 * * * *');
    await form.getByRole('button', { name: 'Create schedule' }).click();
    const row = page.getByTestId('job-schedules').locator('tr', { hasText: 'Hourly check' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Pause' }).click();
    await row.getByText('paused').waitFor();
    await shot('job-schedules');
  });

  it('raises an alert, orders maintenance from it and moves the order to done', async () => {
    await page.goto(`${portal()}/alerts`);
    await page.getByRole('button', { name: 'New alert' }).click();
    const form = page.getByTestId('new-ticket');
    await form.locator('[name="nodeId"]').selectOption(nodes.get('acme.north.t03')!);
    await form.locator('[name="title"]').fill('Pitch bearing noise');
    await form.locator('[name="priority"]').selectOption('high');
    await form.getByRole('button', { name: 'Create alert' }).click();
    const row = page.getByTestId('tickets').locator('tr', { hasText: 'Pitch bearing noise' });
    await row.getByTestId('ticket-state').filter({ hasText: 'open' }).waitFor();
    await row.getByRole('link', { name: 'Pitch bearing noise' }).click();

    await page.getByRole('button', { name: 'Order maintenance' }).click();
    await page.locator('[name="plannedFor"]').fill('2027-01-15T08:00');
    await page.getByRole('button', { name: 'Create order' }).click();
    await page.waitForURL(/\/maintenance\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Pitch bearing noise' }).waitFor();
    await page.getByTestId('move-planned').click();
    await page.getByTestId('ticket-state').filter({ hasText: 'planned' }).waitFor();
    await page.getByTestId('move-done').click();
    await page.getByTestId('ticket-state').filter({ hasText: 'done' }).waitFor();
    await shot('maintenance-order');

    // The alert it answered is done with it.
    await page.goto(`${portal()}/alerts?state=done`);
    await page.locator('#ticket-state').selectOption('done');
    await page
      .getByTestId('tickets')
      .locator('tr', { hasText: 'Pitch bearing noise' })
      .getByTestId('ticket-state')
      .filter({ hasText: 'done' })
      .waitFor();
  });

  it('shows a viewer the runs and alerts but none of the buttons that change them', async () => {
    const viewer = await signedInPage(browser, 'viewer@acme.example');
    await viewer.goto(`${portal()}/jobs`);
    await viewer.getByTestId('job-runs').getByText('series-health').first().waitFor();
    expect(await viewer.getByRole('link', { name: 'Submit a run' }).count()).toBe(0);
    await viewer.goto(`${portal()}/jobs/schedules`);
    await viewer.getByTestId('job-schedules').getByText('Nightly series health').waitFor();
    expect(await viewer.getByRole('button', { name: 'New schedule' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /^(Pause|Resume|Delete)$/ }).count()).toBe(0);
    await viewer.goto(`${portal()}/alerts`);
    await viewer.getByTestId('tickets').waitFor();
    expect(await viewer.getByRole('button', { name: 'New alert' }).count()).toBe(0);
    await viewer.context().close();
  });

  it('shows the remaining-life dashboard of every machine, with the engines the demo model estimated', async () => {
    await page.goto(`${portal()}/remaining-life`);
    await page.getByTestId('remaining-life').getByText('Turbine T03').waitFor();
    // 12 turbines and 8 inverters, 100 turbofans, solar plant 1's 22 inverters; the demo runs
    // (this worker runs them) estimate the 20 engines in service, the 12 turbines (health
    // trend) and plant 1's inverters. The page refreshes itself.
    await page
      .getByTestId('life-summary')
      .filter({ hasText: /^142 machines, 54 with a remaining-life estimate\./ })
      .waitFor({ timeout: 180_000 });
    // Nearest failure first: an engine, its life in cycles with an interval.
    const first = page.getByTestId('remaining-life').locator('tbody tr').first();
    expect(await first.textContent()).toMatch(/FD001 engine \d+.*\d+ cycles \(\d+.*–/);
    await shot('remaining-life');
    await docsScreenshot(page, 'remaining-life');
    // A turbine's health over time, from the demo wind-performance run's report.
    await page.goto(`${portal()}/nodes/${nodes.get('acme.north.t01')}`);
    const health = page.getByTestId('machine-health');
    await health.getByTestId('health-ratio-chart').waitFor();
    expect(await health.textContent()).toMatch(
      /Wind performance .* \d+ days from 20\d\d-\d\d-\d\d/,
    );
    expect(await health.locator('polyline').count()).toBe(2);
    await shot('machine-health');
    // The engines nearest failure have open maintenance orders with their failure window.
    await page.goto(`${portal()}/maintenance`);
    await page
      .getByTestId('tickets')
      .getByText(/^Overhaul FD001 engine \d+/)
      .first()
      .waitFor();
    // The model: its metrics on its page, its trees as a download.
    const models = await api<{ items: { id: string; name: string }[] }>(
      'GET',
      '/api/items?kind=model',
    );
    const model = models.body.items.find((m) => m.name.startsWith('RUL model v1 (FD001'))!;
    await page.goto(`${portal()}/items/${model.id}`);
    await page.getByText('rmseCutPoints').first().waitFor();
    const href = await page.getByTestId('model-body').getAttribute('href');
    const download = await page.request.get(`${portal()}${href}`);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-disposition']).toMatch(/^attachment; filename=".+\.json"$/);
    expect((await download.json()).gbt.trees).toHaveLength(300);
  });
});
