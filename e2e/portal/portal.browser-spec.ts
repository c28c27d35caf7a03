import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const executablePath = '/usr/bin/chromium';
const hasChromium = existsSync(executablePath);
if (!hasChromium)
  console.warn(
    `skipping the portal browser tests: no Chromium at ${executablePath} (apt-get install chromium)`,
  );

const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(!hasChromium)('portal in Chromium', () => {
  let browser: Browser;
  let page: Page;
  const portal = () => inject('portalUrl');
  const shot = (name: string) =>
    page.screenshot({ path: path.join(inject('artefactsDir'), `${name}.png`), fullPage: true });
  const unique = `e2e-${Date.now().toString(36)}`;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath, args });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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
    await page.getByRole('link', { name: 'North Sea wind farm' }).first().click();
    await page
      .getByTestId('movement-summary')
      .getByRole('cell', { name: 'vibration.rms' })
      .waitFor();
    await page.getByTestId('theme-toggle').click(); // system → dark
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await shot('05-node-summary-dark');
  });

  it('keeps navigation usable on a narrow screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${portal()}/`);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav.getByRole('link', { name: 'Resources' }).click();
    await page.getByRole('heading', { name: 'Resources' }).waitFor();
    await page.getByRole('link', { name: 'wind.speed' }).waitFor();
    await shot('06-narrow');
  });
});
