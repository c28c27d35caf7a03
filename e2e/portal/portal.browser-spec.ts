import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inject } from '@sextant/testing';
import { chromiumFor, docsScreenshot, launchChromium, signedInPage } from '../support/browser';

const hasChromium = chromiumFor('portal');

(!hasChromium ? describe.skip : describe)('portal in Chromium', () => {
  let browser: Browser;
  let page: Page;
  const portal = () => inject('portalUrl');
  const shot = (name: string) =>
    page.screenshot({ path: path.join(inject('artefactsDir'), `${name}.png`), fullPage: true });
  const unique = `e2e-${Date.now().toString(36)}`;

  beforeAll(async () => {
    browser = await launchChromium();
    page = await signedInPage(browser);
    page.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('lists the demo nodes and opens the tree', async () => {
    await page.goto(`${portal()}/nodes`);
    const acme = page.getByRole('link', { name: 'ACME Renewables' }).first();
    await acme.waitFor();
    expect(await acme.isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Expand ACME Renewables' }).click();
    await page
      .getByTestId('node-tree')
      .getByRole('link', { name: 'North Sea wind farm' })
      .waitFor();
    await shot('01-nodes');
    await docsScreenshot(page, 'nodes');
  });

  it('shows the server’s validation message beside the field, then creates a node', async () => {
    await page.goto(`${portal()}/nodes/new`);
    await page.getByLabel('Name *').fill('Offshore substation');
    await page.getByLabel('Reference *').fill('x'.repeat(121));
    await page.getByRole('button', { name: 'Create' }).click();
    const error = page.getByTestId('error-reference');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/shorter than or equal to 120 characters/);
    await shot('02-node-form-error');

    await page.getByLabel('Reference *').fill(`${unique}.substation`);
    await page.getByLabel('Kind *').selectOption('site');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Offshore substation' }).waitFor();
    await shot('03-node-created');

    await page.goto(`${portal()}/nodes`);
    await page.getByLabel('Search').fill(unique);
    await page.getByRole('cell', { name: `${unique}.substation` }).waitFor();
  });

  it('creates a path from the new node to ACME and finds it in the list', async () => {
    await page.goto(`${portal()}/paths/new`);
    await page.getByLabel('Name *').fill(`${unique} SCADA feed`);
    const source = page.getByLabel('Source *');
    await source
      .locator('option', { hasText: `${unique}.substation` })
      .waitFor({ state: 'attached' });
    await source.selectOption({ label: `${unique}.substation — Offshore substation` });
    // A path from a node to itself: the server refuses, naming the field.
    await page
      .getByLabel('Destination *')
      .selectOption({ label: `${unique}.substation — Offshore substation` });
    await page.getByLabel('Protocol *').selectOption('line');
    await page.getByRole('button', { name: 'Create' }).click();
    expect(await page.getByTestId('error-destinationId').textContent()).toMatch(
      /must differ from sourceId/,
    );

    await page.getByLabel('Destination *').selectOption({ label: 'acme — ACME Renewables' });
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: `${unique} SCADA feed` }).waitFor();
    await page.goto(`${portal()}/paths`);
    await page.getByLabel('Search').fill(unique);
    await page.getByRole('link', { name: `${unique} SCADA feed` }).waitFor();
    // the filter leaves only the new path: the demo's paths are gone
    await page.getByRole('link', { name: 'T01 SCADA to ACME lake' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'ACME Renewables' }).waitFor(); // destination shown by name
    await shot('04-paths');
  });

  it('shows a node’s movement summary, in dark mode too', async () => {
    await page.goto(`${portal()}/nodes`);
    // More nodes than a page (the demo's engines and inverters): search.
    await page.getByLabel('Search').fill('North Sea');
    await page.getByRole('link', { name: 'North Sea wind farm' }).first().click();
    await page
      .getByTestId('movement-summary')
      .getByRole('cell', { name: 'vibration.rms' })
      .waitFor();
    await page.getByTestId('theme-toggle').click(); // system → dark
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await shot('05-node-summary-dark');
  });

  it('charts a turbine in the explorer, toggles UTC/local time and exports what it shows', async () => {
    await page.goto(`${portal()}/explorer`);
    await page.getByLabel('Tags').fill('turbine:T01');
    const list = page.getByTestId('series-list');
    await list.getByLabel(/active_power_kw/).check();
    await list.getByLabel(/wind_speed_ms/).check();
    await list.getByLabel(/ state /).check();
    await page.getByRole('button', { name: '30 d' }).click();
    await page.getByTestId('series-chart').locator('canvas').waitFor();
    await page.getByTestId('events').locator('tbody tr').first().waitFor();
    await page.getByTestId('range-label').filter({ hasNotText: 'loading' }).waitFor();
    expect(await page.getByTestId('range-label').textContent()).toMatch(/Z → .*Z$/);
    // Downsampled: each series gets its min/max band (hidden legend rows beside the mean).
    const legend = page.locator('.u-legend .u-label');
    await legend.filter({ hasText: 'wind_speed_ms max' }).waitFor({ state: 'attached' });
    expect(await legend.filter({ hasText: /_(kw|ms) (min|max)$/ }).count()).toBe(4);
    await docsScreenshot(page, 'explorer');
    await page.getByTestId('utc-toggle').click();
    expect(await page.getByTestId('range-label').textContent()).toMatch(/[+-]\d\d:\d\d → /);
    await shot('06-explorer');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = (await readFile((await download.path())!, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('time,series,mean,min,max,count,value');
    const power = csv.filter((line) => line.includes('active_power_kw'));
    expect(power.length).toBeGreaterThan(100);
    expect(power.length).toBeLessThanOrEqual(1000);
    expect(power[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d,/); // local time, as shown
    expect(csv.some((line) => /,(running|idle|stopped)$/.test(line))).toBe(true);

    // A reversed absolute range is refused on the spot.
    await page.getByLabel('From', { exact: true }).fill('2026-11-20T10:00');
    await page.getByLabel('To', { exact: true }).fill('2026-11-19T10:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(await page.getByTestId('error-range').textContent()).toMatch(
      /end must be after the start/,
    );
  });

  it('keeps navigation usable on a narrow screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${portal()}/`);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav.getByRole('link', { name: 'Resources' }).click();
    await page.getByRole('heading', { name: 'Resources' }).waitFor();
    await page.getByLabel('Search').fill('wind.speed');
    await page.getByRole('link', { name: 'wind.speed' }).waitFor();
    await shot('07-narrow');
  });
});
