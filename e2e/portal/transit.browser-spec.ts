import { existsSync } from 'node:fs';
import path from 'node:path';
import { builtinJobTypesWith } from '@sextant/analyses';
import { JobTypeRegistry, type JobWorker } from '@sextant/jobs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inject } from '@sextant/testing';
import { chromiumFor, launchChromium, signedInPage } from '../support/browser';
import { api } from '../support/http';
import { startJobWorker } from '../support/job-worker';

// The demo star (HAT-P-7 = Kepler-2, imported by the demo data under Skyline's telescope): its
// node page links to its transit candidates; Skyline's owner searches it again from the page,
// and the candidate comes back as the known planet with its periodogram and folded curve.
const koiCatalogue = path.resolve(
  __dirname,
  '../../../shared/data/lightcurves/koi_cumulative_2019-01-20.csv',
);
const hasChromium = chromiumFor('transit candidates');
if (!existsSync(koiCatalogue)) console.warn(`skipping the transit pages: no ${koiCatalogue}`);

(!hasChromium || !existsSync(koiCatalogue) ? describe.skip : describe)(
  'transit candidates page',
  () => {
    let browser: Browser;
    let page: Page;
    let worker: JobWorker;
    let starId = '';
    const shot = (name: string) =>
      page.screenshot({ path: path.join(inject('artefactsDir'), `${name}.png`), fullPage: true });

    beforeAll(async () => {
      const stars = await api<{ items: { id: string; name: string }[] }>(
        'GET',
        '/api/nodes?kind=star&limit=10',
      );
      const star = stars.body.items.find((s) => s.name.startsWith('HAT-P-7'));
      if (!star) throw new Error('the demo data has no HAT-P-7 star (is ../shared/data there?)');
      starId = star.id;
      // The browser tier runs no worker app: this one runs the searches, with the KOI table.
      worker = await startJobWorker(new JobTypeRegistry(builtinJobTypesWith({ koiCatalogue })));
      browser = await launchChromium();
      page = await signedInPage(browser, 'owner@skyline.example');
      page.setDefaultTimeout(90_000);
    });

    afterAll(async () => {
      await browser?.close();
      await worker?.stop();
    });

    it('searches a star from its page and draws the known planet with its charts', async () => {
      await page.goto(`${inject('portalUrl')}/nodes/${starId}`);
      await page.getByTestId('star-transits').click();
      await page.waitForURL(new RegExp(`/stars/${starId}$`));
      await page.getByTestId('search-transits').click();
      await page.getByTestId('submitted').getByText('done').waitFor();

      const table = page.getByTestId('candidates');
      const rows = table.locator('tbody tr');
      expect(await rows.count()).toBe(1);
      // Kepler-2 b: P = 2.2047 d in the KOI table; the search finds 2.2056 d (0.04 % off).
      expect(await rows.first().locator('td').nth(1).textContent()).toMatch(/^2\.20[45]\d\d$/);
      expect(await rows.first().textContent()).toContain('K00002.01 (Kepler-2 b)');
      await table.getByTestId('known-planet').waitFor();
      const periodogram = page.getByTestId('periodogram');
      await periodogram.waitFor();
      expect(Number(await periodogram.getAttribute('data-points'))).toBeGreaterThan(100);
      expect(Number(await page.getByTestId('folded').getAttribute('data-points'))).toBeGreaterThan(
        50,
      );
      await shot('transit-candidates');
    });

    it('shows no search button to a member who may only read', async () => {
      const viewer = await signedInPage(browser, 'viewer@acme.example');
      // Acme's viewer does not see Skyline's star: the page says so instead of drawing it.
      await viewer.goto(`${inject('portalUrl')}/stars/${starId}`);
      await viewer.getByText(/no node with id/).waitFor();
      expect(await viewer.getByTestId('search-transits').count()).toBe(0);
      await viewer.close();
    });
  },
);
