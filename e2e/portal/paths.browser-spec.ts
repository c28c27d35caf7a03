import { createHash } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inject } from '@sextant/testing';
import { chromiumFor, launchChromium, signedInPage } from '../support/browser';
import { api } from '../support/http';

const hasChromium = chromiumFor('paths');

(!hasChromium ? describe.skip : describe)('paths page in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let pathId: string;
  const portal = () => inject('portalUrl');
  const shot = (name: string) =>
    page.screenshot({ path: path.join(inject('artefactsDir'), `${name}.png`), fullPage: true });
  const unique = `e2e-${Date.now().toString(36)}`;
  // Markup in a name must show as text.
  const pathName = `${unique} <b>feed</b>`;
  const tokenName = `telegraf ${unique}`;

  beforeAll(async () => {
    const nodes = await api<{ items: { id: string; reference: string }[] }>(
      'GET',
      '/api/nodes?limit=500&sort=reference',
    );
    const ref = (reference: string) => nodes.body.items.find((n) => n.reference === reference)!.id;
    const created = await api<{ id: string }>('POST', '/api/paths', {
      name: pathName,
      sourceId: ref('acme.north'),
      destinationId: ref('acme'),
      protocol: 'line',
    });
    expect(created.status).toBe(201);
    pathId = created.body.id;

    // Signed in first: the tallies below are per minute, and are read a moment later.
    browser = await launchChromium();
    page = await signedInPage(browser);
    page.setDefaultTimeout(30_000);

    // What gateways would have written: the browser tier runs no gateway.
    const sql = new Client({ connectionString: inject('databaseUrl') });
    await sql.connect();
    try {
      await sql.query(
        `INSERT INTO ingest_path_status
           (path_id, points, rejected_lines, last_seen_at, last_error, last_error_at)
         VALUES ($1, 12345, 2, now() - interval '3 seconds',
                 'line 2: <script>alert(1)</script> is not a field', now() - interval '20 seconds')`,
        [pathId],
      );
      await sql.query(
        `INSERT INTO ingest_tally (id, path_id, resource_id, minute, points, first_time, last_time)
         SELECT gen_random_uuid(), $1, r.id, date_trunc('minute', now()) - m * interval '1 minute',
                600, now(), now()
           FROM resource r, (VALUES (0), (1)) AS v(m)
          WHERE r.reference = 'ingest.points'`,
        [pathId],
      );
    } finally {
      await sql.end();
    }
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows a path’s live statistics, and its rate and last activity in the list', async () => {
    await page.goto(`${portal()}/paths/${pathId}`);
    await page.getByRole('heading', { name: pathName }).waitFor();
    const stats = page.getByTestId('ingest-status');
    await stats.getByTestId('points-total').waitFor();
    expect(await stats.getByTestId('points-total').textContent()).toMatch(/^12.?345$/);
    // 600 points in each of the last two minutes: between 10 and 20 points/s in the last 60 s
    const rate = Number(await stats.getByTestId('points-per-second').textContent());
    expect(rate).toBeGreaterThanOrEqual(10);
    expect(rate).toBeLessThanOrEqual(20);
    expect(await stats.getByTestId('last-seen').textContent()).toMatch(/^(just now|\d+ s ago)$/);
    expect(await stats.getByTestId('rejected-lines').textContent()).toBe('2');
    expect(await stats.getByTestId('last-error').textContent()).toMatch(
      /Last error · \d+ s ago\s*line 2: <script>alert\(1\)<\/script> is not a field/,
    );
    await shot('paths-01-statistics');

    await page.goto(`${portal()}/paths`);
    await page.getByLabel('Search').fill(unique);
    const row = page.getByRole('row').filter({ hasText: unique });
    await row.getByTestId('path-rate').waitFor();
    expect(Number(await row.getByTestId('path-rate').textContent())).toBeGreaterThanOrEqual(10);
    await row.getByText(/^(just now|\d+ s ago)$/).waitFor();
    await shot('paths-02-list');
  });

  it('creates a token shown once, in the agent configuration too, then revokes it', async () => {
    await page.goto(`${portal()}/paths/${pathId}`);
    await page.getByLabel('Token name').fill(tokenName);
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = page.getByTestId('new-token');
    await secret.waitFor();
    const token = (await secret.textContent())!;
    expect(token).toMatch(/^sxt_[A-Za-z0-9_-]{32}$/);
    expect(await page.getByTestId('new-token-box').textContent()).toMatch(/shown only this once/);

    // Telegraf first: the token itself; the forward protocol's shared key is its sha256.
    const config = page.getByTestId('agent-config');
    expect(await config.textContent()).toContain(`token = "${token}"`);
    expect(await config.textContent()).toMatch(/\[\[outputs\.influxdb_v2\]\]\s+urls = \["http:/);
    await page.getByRole('tab', { name: 'fluent-bit' }).click();
    const sharedKey = createHash('sha256').update(token).digest('hex');
    expect(await config.textContent()).toMatch(
      new RegExp(`Name\\s+forward[\\s\\S]*Shared_Key\\s+${sharedKey}`),
    );
    await page.getByRole('tab', { name: 'fluentd' }).click();
    expect(await config.textContent()).toContain(`shared_key ${sharedKey}`);
    await page.getByRole('tab', { name: 'curl' }).click();
    expect(await config.textContent()).toContain(`Authorization: Token ${token}`);
    await shot('paths-03-token-created');

    // Once: after a reload only the prefix is left, and the configuration has a placeholder.
    await page.reload();
    const row = page.getByRole('row').filter({ hasText: tokenName });
    await row.waitFor();
    expect(await row.textContent()).toContain(token.slice(0, 10));
    expect(await page.getByTestId('new-token').count()).toBe(0);
    expect(await page.content()).not.toContain(token);
    expect(await page.getByTestId('agent-config').textContent()).toContain('token = "<token>"');

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: `Revoke token ${tokenName}` }).click();
    await row.getByText('revoked').waitFor();
    expect(await row.getByRole('button', { name: /Revoke/ }).count()).toBe(0);
    const tokens = await api<{ name: string; revokedAt: string | null }[]>(
      'GET',
      `/api/paths/${pathId}/tokens`,
    );
    expect(tokens.body.find((t) => t.name === tokenName)?.revokedAt).not.toBeNull();

    await page.getByTestId('theme-toggle').click(); // system → dark
    await shot('paths-04-token-revoked-dark');
  });

  it('shows an MQTT path’s exact topics, in its organisation’s namespace, instead of tokens', async () => {
    const nodes = await api<{ items: { id: string; reference: string }[] }>(
      'GET',
      '/api/nodes?limit=500&sort=reference',
    );
    const ref = (reference: string) => nodes.body.items.find((n) => n.reference === reference)!.id;
    const created = await api<{ id: string }>('POST', '/api/paths', {
      name: `${unique} mqtt`,
      sourceId: ref('acme.solar'),
      destinationId: ref('acme.lake'),
      protocol: 'mqtt',
      settings: {
        mqtt: { topics: [`acme/${unique}/+/telemetry`, `$share/gw/acme/${unique}/x y`] },
      },
    });
    expect(created.status).toBe(201);
    await page.goto(`${portal()}/paths/${created.body.id}`);
    const panel = page.getByTestId('mqtt-topics');
    await panel.waitFor();
    // What devices publish on: the full topic, without the gateway's shared-subscription prefix.
    expect(await panel.getByTestId('mqtt-topic').allTextContents()).toEqual([
      `acme/${unique}/+/telemetry`,
      `acme/${unique}/x y`,
    ]);
    expect(await panel.getByTestId('mqtt-command').textContent()).toBe(
      `mosquitto_pub -h <broker host> -q 1 -t 'acme/${unique}/device1/telemetry' -m '{"measurement":"test","fields":{"value":1}}'`,
    );
    // MQTT paths have no tokens: neither tokens nor agent configuration are offered.
    expect(await page.getByTestId('connect-agent').count()).toBe(0);
    expect(await page.getByLabel('Token name').count()).toBe(0);
    await shot('paths-05-mqtt-topics');
  });
});
