import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';

/** Debian's Chromium, driven by playwright-core (no browser download is possible here). */
export const chromiumPath = '/usr/bin/chromium';

/** Whether Chromium is there; if not, says which tests are skipped and why. */
export function chromiumFor(tests: string): boolean {
  const present = existsSync(chromiumPath);
  if (!present)
    console.warn(
      `skipping the ${tests} browser tests: no Chromium at ${chromiumPath} (apt-get install chromium)`,
    );
  return present;
}

/** Headless Chromium as root on a closed network: no sandbox, no background connections. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A demo account of the stack (its password is made at seed time). */
export function demoUser(email: string): { email: string; password: string } {
  const user = inject('demoUsers').find((u) => u.email === email);
  if (!user) throw new Error(`no demo account ${email}`);
  return user;
}

/** Signs in through the portal's form and waits for the signed-in shell. */
export async function signIn(page: Page, email: string, password = demoUser(email).password) {
  await page.goto(`${inject('portalUrl')}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-as').waitFor();
}

/** A new page (its own cookies) signed in as a demo account. */
export async function signedInPage(
  browser: Browser,
  email = 'admin@sextant.example',
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await signIn(page, email);
  return page;
}
