import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from '@sextant/testing';

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

/**
 * Saves what the page shows (the viewport) as <name>.png: the README's screenshots are made by
 * the browser tests, so they show the portal as it is. They go to artefacts/browser, and to
 * docs/images when SEXTANT_DOCS_IMAGES=1 (so that a test run leaves the committed ones alone).
 */
export function docsScreenshot(page: Page, name: string): Promise<Buffer> {
  const folder = process.env.SEXTANT_DOCS_IMAGES === '1' ? 'docs/images' : 'artefacts/browser';
  return page.screenshot({ path: path.resolve(__dirname, '../..', folder, `${name}.png`) });
}

// Runs in each page before its own scripts: violations show as console errors.
const reportViolations = `document.addEventListener('securitypolicyviolation', (e) =>
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' +
    (e.blockedURI || 'inline code') + ' (' + e.sourceFile + ':' + e.lineNumber + ')'));`;

/** Content Security Policy violations seen by the pages of this test file's browsers. */
export const cspViolations: string[] = [];

/**
 * Headless Chromium as root on a closed network: no sandbox, no background connections.
 * Every page of its contexts reports Content Security Policy violations, and closing the
 * browser fails when there was one: every browser test checks the portal's policy.
 */
export async function launchChromium(): Promise<Browser> {
  const browser = await launch();
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args) => {
    const context = await newContext(...args);
    await context.addInitScript({ content: reportViolations });
    context.on('console', (message) => {
      if (
        message.type() === 'error' &&
        /Content Security Policy|CSP violation/.test(message.text())
      )
        cspViolations.push(`${message.page()?.url() ?? '?'}: ${message.text()}`);
    });
    return context;
  };
  const close = browser.close.bind(browser);
  browser.close = async (...args) => {
    await close(...args);
    if (cspViolations.length)
      throw new Error(`Content Security Policy violations:\n${cspViolations.join('\n')}`);
  };
  return browser;
}

function launch(): Promise<Browser> {
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
