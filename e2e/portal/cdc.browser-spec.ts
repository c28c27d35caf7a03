import path from 'node:path';
import { Client } from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inject } from '@sextant/testing';
import { chromiumFor, launchChromium, signedInPage } from '../support/browser';
import { api } from '../support/http';
import { lakeNodeId, newNode } from '../support/nodes';

const hasChromium = chromiumFor('CDC');

interface Source {
  id: string;
  state: string;
  status: { state: string };
}

interface DeadLetter {
  id: string;
  reason: string;
}

// The source is a second database on the stack's own Postgres (wal_level=logical, superuser).
// The browser tier runs no worker: what a worker would report is written here with SQL.
(!hasChromium ? describe.skip : describe)('CDC pages in Chromium', () => {
  const name = `erp_${Date.now().toString(36)}`;
  const slot = `sextant_${name}`;
  let admin: Client;
  let sextant: Client;
  let sourceUrl: string;
  let nodeId: string;
  let lakeId: string;
  let sourceId: string;
  let letterId: string;
  let browser: Browser;
  let page: Page;
  const portal = () => inject('portalUrl');
  const shot = (file: string) =>
    page.screenshot({ path: path.join(inject('artefactsDir'), `${file}.png`), fullPage: true });
  const get = async () => (await api<Source>('GET', `/api/cdc/sources/${sourceId}`)).body;

  beforeAll(async () => {
    const databaseUrl = inject('databaseUrl');
    admin = new Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    sourceUrl = url.toString();
    const source = new Client({ connectionString: sourceUrl });
    await source.connect();
    try {
      await source.query('CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL)');
    } finally {
      await source.end();
    }
    sextant = new Client({ connectionString: databaseUrl });
    await sextant.connect();

    lakeId = await lakeNodeId();
    nodeId = (await newNode('e2e.erp', 'database', 'ERP')).id;

    browser = await launchChromium();
    page = await signedInPage(browser);
    page.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await sextant?.end();
    // A source left by a failed test would keep its database from being dropped.
    if (sourceId) await api('DELETE', `/api/cdc/sources/${sourceId}?force=true`);
    for (const database of [name, `${name}_away`]) {
      await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    }
    await admin?.end();
  });

  it('creates a source through the form, after showing why a table cannot be captured', async () => {
    await page.goto(`${portal()}/cdc`);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'CDC' })
      .waitFor();
    await page.getByRole('link', { name: 'New CDC source' }).click();
    await page.getByRole('heading', { name: 'New CDC source' }).waitFor();

    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Source (database node)').selectOption(nodeId);
    await page.getByLabel('Destination (lake node)').selectOption(lakeId);
    const connection = page.getByLabel('Connection string');
    expect(await connection.getAttribute('type')).toBe('password');
    await connection.fill(sourceUrl);
    await page.getByLabel('Tables').fill('orders,\npublic.missing');
    await page.getByRole('button', { name: 'Create' }).click();
    // The API connects to the source and names the table that is not there.
    await page.getByTestId('error-tables').waitFor();
    expect(await page.getByTestId('error-tables').textContent()).toMatch(
      /public\.missing does not exist/,
    );
    await shot('cdc-01-form-error');

    await page.getByLabel('Tables').fill('orders');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/cdc\/[0-9a-f-]{36}$/);
    sourceId = page.url().split('/').pop()!;
    await page.getByRole('heading', { name }).waitFor();
    // No worker takes it in this tier.
    await page.getByTestId('cdc-state').getByText('waiting').waitFor();
    expect(await page.getByTestId('cdc-path-state').textContent()).toBe('active');
    await page.getByTestId('cdc-lag-empty').waitFor();
    expect(await page.getByTestId('cdc-status').textContent()).toContain(`lake_${name}`);
    // The password never reaches the page.
    const password = new URL(sourceUrl).password;
    if (password) expect(await page.content()).not.toContain(`:${password}@`);
    await shot('cdc-02-created');

    await page.getByRole('link', { name: '← all CDC sources' }).click();
    const row = page.getByRole('row').filter({ hasText: name });
    await row.getByText('waiting').waitFor();
    expect((await get()).state).toBe('active');
  });

  it('shows the status, the lag chart and the errors a worker reports', async () => {
    // A worker reports about every second; a report dated ahead stays fresh during the test.
    await sextant.query(
      `INSERT INTO cdc_status
         (path_id, state, confirmed_lsn, source_lsn, lag_bytes, lag_seconds, changes_per_s,
          changes_applied, last_error, last_error_at, next_retry_at, problems, runner, updated_at)
       VALUES ($1, 'retrying', '0/1A2B3C8', '0/1F00000', 5242880, 4.25, 2.5, 1234,
               'connection lost: <b>terminating</b> connection', now() - interval '30 seconds',
               now() + interval '30 minutes', '["lag 5 MiB is above its threshold of 1 MiB"]',
               'worker-e2e:4242', now() + interval '1 hour')`,
      [sourceId],
    );
    // One sample a minute over the last half hour.
    await sextant.query(
      `INSERT INTO cdc_lag_sample (path_id, at, lag_bytes, lag_seconds, changes_per_s)
       SELECT $1, now() - m * interval '1 minute', m * 100000, m * 0.5, 10
         FROM generate_series(0, 30) AS m`,
      [sourceId],
    );
    await sextant.query(
      `INSERT INTO cdc_command (id, path_id, kind, table_name, requested_at, started_at,
                               finished_at, error)
       VALUES (gen_random_uuid(), $1, 'resnapshot', 'public.orders', now() - interval '2 minutes',
               now() - interval '2 minutes', now() - interval '1 minute',
               'permission denied for table orders')`,
      [sourceId],
    );

    await page.goto(`${portal()}/cdc/${sourceId}`);
    const status = page.getByTestId('cdc-status');
    await status.getByTestId('cdc-state').getByText('retrying · 1 problem').waitFor();
    expect(await page.getByTestId('cdc-problems').textContent()).toContain(
      'lag 5 MiB is above its threshold of 1 MiB',
    );
    expect(await status.getByTestId('cdc-lag').textContent()).toBe('5 MiB · 4.25 s');
    expect(await status.getByTestId('cdc-confirmed-lsn').textContent()).toBe('0/1A2B3C8');
    expect(await status.getByTestId('cdc-rate').textContent()).toBe('2.5');
    expect(await status.getByTestId('cdc-applied').textContent()).toMatch(/^1.?234$/);
    expect(await page.getByTestId('cdc-next-retry').textContent()).toMatch(/Retrying in \d+ min/);
    expect(await status.textContent()).toContain('worker-e2e:4242');

    // uPlot draws on a canvas once the samples are there.
    await page.getByTestId('cdc-lag-chart').locator('canvas').waitFor();
    expect(await page.getByTestId('cdc-lag-empty').count()).toBe(0);

    const errors = page.getByTestId('cdc-errors');
    // Markup in an error is text.
    expect(await errors.getByTestId('cdc-last-error').textContent()).toBe(
      'connection lost: <b>terminating</b> connection',
    );
    await errors.getByTestId('cdc-failed-commands').waitFor();
    expect(await errors.getByTestId('cdc-failed-commands').textContent()).toMatch(
      /resnapshot public\.orders.*permission denied for table orders/,
    );
    await shot('cdc-03-status');

    // In the list, the problem is next to the badge.
    await page.goto(`${portal()}/cdc`);
    const row = page.getByRole('row').filter({ hasText: name });
    await row.getByText('lag 5 MiB is above its threshold of 1 MiB').waitFor();
    expect(await row.textContent()).toContain('5 MiB · 4.25 s');
    expect(await row.textContent()).toContain('0/1A2B3C8');
    await shot('cdc-04-list');
  });

  it('re-snapshots a table, and pauses and resumes the source', async () => {
    await page.goto(`${portal()}/cdc/${sourceId}`);
    const tables = page.getByTestId('cdc-tables');
    const orders = tables.getByRole('row').filter({ hasText: 'public.orders' });
    await orders.getByTestId('command-state').getByText('failed').waitFor();
    await orders.getByRole('button', { name: 'Re-snapshot public.orders' }).click();
    // No worker takes the command: it stays pending, and the button waits for it.
    await orders.getByTestId('command-state').getByText('pending').waitFor();
    expect(
      await orders.getByRole('button', { name: 'Re-snapshot public.orders' }).isDisabled(),
    ).toBe(true);
    const commands = await api<{ kind: string; table: string; state: string }[]>(
      'GET',
      `/api/cdc/sources/${sourceId}/commands`,
    );
    expect(commands.body[0]).toMatchObject({
      kind: 'resnapshot',
      table: 'public.orders',
      state: 'pending',
    });

    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByTestId('cdc-path-state').getByText('paused').waitFor();
    expect((await get()).state).toBe('paused');
    await tables.getByText('resume it to re-read a table').waitFor();

    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.getByTestId('cdc-path-state').getByText('active').waitFor();
    expect((await get()).state).toBe('active');
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  });

  it('shows dead letters, and why a malformed one fails to replay', async () => {
    // A change without its op: it can be read, not applied.
    const payload = JSON.stringify({ after: { id: 1, status: 'a long status '.repeat(8) } });
    const inserted = await sextant.query<{ id: string }>(
      `INSERT INTO cdc_dead_letter (id, source, position, reason, payload, created_at)
       VALUES (gen_random_uuid(), $1, $2, 'written by an older version', convert_to($3, 'UTF8'),
               now() - interval '5 minutes')
       RETURNING id`,
      [name, `${slot}@0/1A2B3C8#0`, payload],
    );
    letterId = inserted.rows[0].id;

    await page.goto(`${portal()}/cdc/${sourceId}`);
    const letters = page.getByTestId('cdc-dead-letters');
    const row = letters.getByTestId('dead-letter').filter({ hasText: `${slot}@0/1A2B3C8#0` });
    await row.getByText('written by an older version').waitFor();
    expect(await row.textContent()).toContain('not yet');
    // A long payload shows its start; the rest on demand.
    const details = row.locator('details.payload');
    expect(await details.locator('pre').isVisible()).toBe(false);
    await details.locator('summary').click();
    expect(await details.locator('pre').textContent()).toBe(payload);

    await row.getByRole('button', { name: `Replay dead letter ${letterId}` }).click();
    const result = letters.getByTestId('replay-result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(/Replayed 0, failed 1\..*op missing/);
    // The row now gives the reason it failed again.
    await row.getByText(/op missing/).waitFor();
    const stored = await api<DeadLetter[]>('GET', `/api/cdc/sources/${sourceId}/dead-letters`);
    expect(stored.body.find((l) => l.id === letterId)?.reason).toMatch(/op missing/);

    await letters.getByRole('button', { name: 'Replay all' }).click();
    await result.getByText(/Replayed 0, failed 1\./).waitFor();
    await shot('cdc-05-dead-letters');
  });

  it('drops the source, offering force while the source cannot be reached', async () => {
    // Let the status go stale (no worker holds the source), so the drop does not wait for one.
    await sextant.query(
      `UPDATE cdc_status SET updated_at = now() - interval '1 minute' WHERE path_id = $1`,
      [sourceId],
    );
    await page.goto(`${portal()}/cdc/${sourceId}`);
    await page
      .getByTestId('cdc-problems')
      .getByText(/is a worker running\?/)
      .waitFor();

    // The source goes away: the slot cannot be dropped there.
    await admin.query(`ALTER DATABASE ${name} RENAME TO ${name}_away`);
    await page.getByRole('button', { name: 'Drop', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Drop CDC source' });
    await dialog.getByLabel(/Also drop the mirror schema/).check();
    await dialog.getByRole('button', { name: 'Drop source' }).click();
    await dialog
      .getByTestId('error-banner')
      .getByText(/cannot drop slot/)
      .waitFor();
    expect(await dialog.getByTestId('error-banner').textContent()).toContain('SourceUnreachable');
    await dialog.getByLabel(/Force: forget the source anyway/).waitFor();
    // The failed drop has paused the source, as its message says.
    await page.getByTestId('cdc-path-state').getByText('paused').waitFor();
    await shot('cdc-06-drop-unreachable');

    // Back again: without a worker there is no slot to drop, and no force is needed.
    await admin.query(`ALTER DATABASE ${name}_away RENAME TO ${name}`);
    await dialog.getByRole('button', { name: 'Drop source' }).click();
    const dropped = page.getByTestId('cdc-drop-result');
    await dropped.waitFor();
    expect(await dropped.getByTestId('drop-slot').textContent()).toBe('no');
    expect(await dropped.getByTestId('drop-mirror').textContent()).toBe('dropped');
    expect(await dropped.getByTestId('drop-path').textContent()).toBe('deleted');
    await shot('cdc-07-dropped');
    expect((await api('GET', `/api/cdc/sources/${sourceId}`)).status).toBe(404);
    sourceId = '';
  });
});
